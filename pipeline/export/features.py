"""The dataset schema: which columns an export has and their explicit types.

Every split of an export shares one schema (the union over its runs), because `load_dataset` reads all
Parquet files of a config with the same features; declaring the types up front also keeps a column that is
null everywhere typed as string or float instead of becoming Arrow's null type.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from datasets import Features, Translation, Value

from pipeline.export.runs import Run

LANGUAGES = ("hi", "en")
REFERENCE_FIELDS = ("reference_translation", "reference_summary")
STAGE_MODEL_COLUMNS = {
    "translate": "translation_model",
    "summarize": "summarization_model",
    "back_translate": "back_translation_model",
}
BACK_TRANSLATION_STAGE = "back_translate"


@dataclass(frozen=True)
class ColumnPlan:
    """Optional column groups: present when at least one run of the export produced them."""

    back_translation: bool
    references: tuple[str, ...]
    score_columns: tuple[str, ...]  # `<output>_<metric>`, see pipeline/export/evaluation.py

    @property
    def model_stages(self) -> tuple[str, ...]:
        stages = ("translate", "summarize")
        return (*stages, BACK_TRANSLATION_STAGE) if self.back_translation else stages


def plan_columns(runs: Sequence[Run]) -> ColumnPlan:
    results = [result for run in runs for result in run.exported]
    score_columns = dict.fromkeys(column for run in runs for column in run.score_columns)
    return ColumnPlan(
        back_translation=any(
            "summary_hi" in result or BACK_TRANSLATION_STAGE in result.get("stages", {}) for result in results
        ),
        references=tuple(field for field in REFERENCE_FIELDS if any(field in result for result in results)),
        score_columns=tuple(score_columns),
    )


def build_features(plan: ColumnPlan) -> Features:
    string = Value("string")
    columns = {
        "id": string,
        "source_language": string,
        "source": string,
        "translation": Translation(languages=list(LANGUAGES)),
        "summary_en": string,
    }
    if plan.back_translation:
        columns["summary_hi"] = string
    columns.update({field: string for field in plan.references})
    columns.update({STAGE_MODEL_COLUMNS[stage]: string for stage in plan.model_stages})
    columns.update({column: Value("float64") for column in plan.score_columns})
    return Features(columns)
