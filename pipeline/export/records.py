"""Turning run results into dataset rows.

Texts are copied as they are: no Unicode normalization, no stripping, because nukta letters, ZWJ/ZWNJ and
NFC-vs-NFD spellings are part of what a translation dataset records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datasets import Dataset, DatasetDict

from pipeline.export.features import STAGE_MODEL_COLUMNS, ColumnPlan, build_features
from pipeline.export.runs import Run


def source_language(result: Mapping[str, Any]) -> str:
    """A result without a translate stage came from English input (run.py skipped translation)."""
    return "hi" if "translate" in result.get("stages", {}) else "en"


def to_row(result: Mapping[str, Any], scores: Mapping[str, float], plan: ColumnPlan) -> dict[str, Any]:
    stages = result.get("stages", {})
    translation = result.get("translation")
    row = {
        "id": result["id"],
        "source_language": source_language(result),
        "source": result["source"],
        "translation": None if translation is None else {"hi": result["source"], "en": translation},
        "summary_en": result.get("summary"),
    }
    if plan.back_translation:
        row["summary_hi"] = result.get("summary_hi")
    row.update({field: result.get(field) for field in plan.references})
    row.update({STAGE_MODEL_COLUMNS[stage]: stages.get(stage, {}).get("model") for stage in plan.model_stages})
    row.update({column: scores.get(column) for column in plan.score_columns})
    return row


def build_dataset(splits: Mapping[str, Run], plan: ColumnPlan) -> DatasetDict:
    features = build_features(plan)
    return DatasetDict(
        {
            split: Dataset.from_list(
                [to_row(result, run.scores.get(result["id"], {}), plan) for result in run.exported],
                features=features,
            )
            for split, run in splits.items()
        }
    )
