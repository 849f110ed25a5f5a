"""The dataset schema: which columns an export has and their explicit types, from the outputs the runs declare.

Each output a run's stages declare (`OutputField`) is one column, named by the output (`summary_en`, `summary_bn`),
and so is the model that wrote it (`summarization_model`): a new stage's output is exported without edits here.
A translation is a `Translation` pair of the output's source language and its own. Every export has a `flags`
column: the document's quality flags (`translation:loop`), a list that is empty for a clean document; and a
boolean column per kind of flag its examples have (`flag_translation_loop`), to filter on without parsing lists.

Every split of an export shares one schema (the union over its runs), because `load_dataset` reads all
Parquet files of a config with the same features; declaring the types up front also keeps a column that is
null everywhere typed as string or float instead of becoming Arrow's null type. A column therefore means the same
in every run: runs whose outputs give one column different languages (a hi→en and a bn→en `translation`) are
refused, to be exported separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from datasets import Features, Sequence, Translation, Value

from pipeline.errors import InputError
from pipeline.export.runs import Run
from pipeline.records import OutputField


@dataclass(frozen=True)
class ColumnPlan:
    """The columns after `id`, `source_language` and `source`: present when at least one run of the export has them."""

    outputs: tuple[OutputField, ...]  # one per text column, translations first, then in the order runs declare them
    references: tuple[str, ...]
    score_columns: tuple[str, ...]  # `<output>_<metric>`, see pipeline/export/evaluation.py
    flags: tuple[str, ...] = ()  # the flags any exported example has, sorted: one boolean column each

    @property
    def model_columns(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(output.model_column for output in self.outputs))


def plan_columns(runs: Sequence[Run]) -> ColumnPlan:
    """The union of the runs' columns; an `InputError` when two runs give one column different meanings."""
    first: dict[str, tuple[OutputField, Run]] = {}
    for run in runs:
        for output in run.stored.outputs:
            seen, seen_in = first.setdefault(output.column, (output, run))
            if _meaning(output) != _meaning(seen):
                raise InputError(
                    f"{run.stored.path}: column {output.column!r} would hold {_meaning(output)} here but "
                    f"{_meaning(seen)} from {seen_in.stored.path}; export runs of different languages separately"
                )
    outputs = sorted((output for output, _run in first.values()), key=lambda output: output.kind != "translation")
    held = dict.fromkeys(reference for run in runs for result in run.stored.exported for reference in result.references)
    declared = [output.reference for output in outputs if output.reference in held]
    return ColumnPlan(
        outputs=tuple(outputs),
        references=tuple(dict.fromkeys([*declared, *held])),
        score_columns=tuple(dict.fromkeys(column for run in runs for column in run.score_columns)),
        flags=tuple(sorted({flag for run in runs for result in run.stored.exported for flag in result.flags})),
    )


def flag_column(flag: str) -> str:
    """`translation:loop` -> `flag_translation_loop`."""
    return "flag_" + flag.replace(":", "_")


def _meaning(output: OutputField) -> str:
    """What a column of this output holds, as far as its type and labels go."""
    if output.kind == "translation":
        return f"a {output.source_language}→{output.language} translation"
    return f"a {output.kind} in {output.language}"


def build_features(plan: ColumnPlan) -> Features:
    string = Value("string")
    columns = {"id": string, "source_language": string, "source": string}
    columns.update({output.column: _feature(output) for output in plan.outputs})
    columns.update({reference: string for reference in plan.references})
    columns.update({column: string for column in plan.model_columns})
    columns["flags"] = Sequence(string)
    columns.update({flag_column(flag): Value("bool") for flag in plan.flags})
    columns.update({column: Value("float64") for column in plan.score_columns})
    return Features(columns)


def _feature(output: OutputField) -> Translation | Value:
    if output.kind == "translation":
        return Translation(languages=[output.source_language, output.language])
    return Value("string")
