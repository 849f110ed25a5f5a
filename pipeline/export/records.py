"""Turning run results into dataset rows, a column per declared output (see pipeline/export/features.py).

Texts are copied as they are: no Unicode normalization, no stripping, because nukta letters, ZWJ/ZWNJ and
NFC-vs-NFD spellings are part of what a translation dataset records.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datasets import Dataset, DatasetDict

from pipeline.export.features import ColumnPlan, build_features, flag_column
from pipeline.export.runs import Run
from pipeline.records import OutputField, Result


def to_row(result: Result, run: Run, plan: ColumnPlan) -> dict[str, Any]:
    """A run fills the columns of its own outputs and their models; the other columns of the export stay null."""
    own = {output.column: output for output in run.stored.outputs}
    model_stages = {output.model_column: output.stage for output in run.stored.outputs}
    row = {"id": result.id, "source_language": run.stored.source_language, "source": result.source}
    row.update({column.column: _value(result, own.get(column.column)) for column in plan.outputs})
    row.update({reference: result.references.get(reference) for reference in plan.references})
    row.update({column: _model(result, model_stages.get(column)) for column in plan.model_columns})
    row["flags"] = list(result.flags)
    row.update({flag_column(flag): flag in result.flags for flag in plan.flags})
    scores = run.scores.get(result.id, {})
    row.update({column: scores.get(column) for column in plan.score_columns})
    return row


def _value(result: Result, output: OutputField | None) -> str | dict[str, str] | None:
    text = None if output is None else result.outputs.get(output.name)
    if text is None or output.kind != "translation":
        return text
    return {output.source_language: result.source, output.language: text}


def _model(result: Result, stage: str | None) -> str | None:
    return None if stage is None else result.stages.get(stage, {}).get("model")


def build_dataset(splits: Mapping[str, Run], plan: ColumnPlan) -> DatasetDict:
    features = build_features(plan)
    return DatasetDict(
        {
            split: Dataset.from_list([to_row(result, run, plan) for result in run.stored.exported], features=features)
            for split, run in splits.items()
        }
    )
