"""What scripts/evaluate.py writes into a run folder (or its --out folder), as typed records, written and read here.

A comparison of two runs (--compare) is written into a folder of its own (`comparison_folder`), never into a run's.

    scores.jsonl   one `ScoreRow` per (track, system, document): the document's score by every metric
    report.json    the `Report`: runs, settings, and per track the systems' corpus scores with confidence
                   intervals and signatures, the paired tests, output statistics; plus notices

The evaluator builds a `Report` and `ScoreRow`s and writes them with `write_report` and `write_scores`; the
export reads them back with `read_report` and `read_scores`, so both sides agree on one format. A file that does
not match is an `InputError` naming it (and the line, for scores.jsonl).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_serializer, model_serializer

from pipeline.errors import InputError
from pipeline.io.json_files import read_json, read_jsonl
from pipeline.io.run_folder import Manifest, is_run_folder

__all__ = [
    "REPORT",
    "SCORES",
    "Bootstrap",
    "Comparison",
    "Distribution",
    "FailedDocument",
    "PairedTest",
    "Report",
    "ReportSettings",
    "RunDescription",
    "Score",
    "ScoreRow",
    "SummarizeStage",
    "SystemIdentity",
    "SystemScores",
    "TextStatistics",
    "Tool",
    "TrackReport",
    "comparison_folder",
    "read_report",
    "read_scores",
    "write_report",
    "write_scores",
]

SCORES = "scores.jsonl"
REPORT = "report.json"


class ScoreRow(BaseModel):
    """One line of scores.jsonl. Each field's description is the message of a value that does not fit it."""

    model_config = ConfigDict(strict=True)  # a score is a number: "41.2" or true is refused, not converted

    id: str = Field(min_length=1, description="must be a non-empty string")
    track: str = Field(min_length=1, description="must be a non-empty string")
    run: str = Field(min_length=1, description="must be a non-empty string")  # the run's label
    output: str = Field(min_length=1, description="must be a non-empty string")  # the field scored, or lead-3
    baseline: bool = Field(description="must be true or false")  # true for lead-k, which no stage wrote
    scores: dict[str, float] = Field(description="must map metric names to numbers")  # metric -> 0–100
    words: int = Field(description="must be a whole number")  # the output's length
    source_words: int | None = Field(description="must be a whole number or null")  # the source's length


class SystemIdentity(BaseModel):
    run: str
    output: str
    baseline: bool


class Score(BaseModel):
    score: float
    ci: tuple[float, float] | None  # bootstrap confidence interval; None from too few documents
    signature: str  # every option that changes the number, the bootstrap's included


class SystemScores(SystemIdentity):
    documents: int  # with both an output and a reference
    missing_hypothesis: list[str]  # ids with a reference but no output
    scores: dict[str, Score]  # metric -> corpus score


class PairedTest(BaseModel):
    difference: float  # system minus baseline
    ci: tuple[float, float] | None  # None, like p_value, when the documents were too few to test
    p_value: float | None
    significant: bool


class Comparison(BaseModel):
    system: SystemIdentity
    baseline: SystemIdentity
    documents: int  # scored for both
    test: str  # the test and its settings
    metrics: dict[str, PairedTest]
    note: str | None = None  # why the differences were not tested


class Distribution(BaseModel):
    mean: float
    median: float
    min: float
    max: float


class TextStatistics(SystemIdentity):
    """Length and repetition of a system's texts (or the references); compression and novelty against English
    sources, which only English summary tracks have: the two keys are left out of report.json elsewhere."""

    documents: int
    words: Distribution | None
    repeated_ngrams_percent: dict[str, float | None]  # n -> percent
    compression_ratio: Distribution | None = None
    novel_ngrams_percent: dict[str, float | None] | None = None  # n -> percent

    @model_serializer(mode="wrap")
    def _source_measures_only_with_sources(self, serialize: Any) -> dict[str, Any]:
        data = serialize(self)
        if self.novel_ngrams_percent is None:
            del data["compression_ratio"], data["novel_ngrams_percent"]
        return data


class TrackReport(BaseModel):
    name: str
    language: str
    family: str  # "rouge" or "translation"
    reference_field: str
    hypothesis_fields: list[str]
    records: int
    missing_reference: list[str]  # ids of the first run without a reference
    systems: list[SystemScores]
    comparisons: list[Comparison]
    statistics: list[TextStatistics]  # of each system's texts, then of the references


class FailedDocument(BaseModel):
    id: str
    stage: str
    error: str


class FlaggedDocument(BaseModel):
    id: str
    flags: list[str]  # `<output>:<problem>`, as results.jsonl has them


class SummarizeStage(BaseModel):
    """How often the summarizer could not read the whole document, from the results' `stages.summarize`."""

    documents: int
    truncated_percent: float
    chunked_percent: float
    strategies: dict[str, int]
    tokens_in: Distribution | None


class RunDescription(BaseModel):
    label: str
    path: str
    records: int
    manifest: Manifest | None  # as its manifest.json holds it; None for a plain file
    failed: list[FailedDocument]  # errors.jsonl
    references_file: str | None
    references_without_record: list[str]  # ids of the references file that INPUT does not have
    records_without_references: list[str] = []  # ids of INPUT that the references file does not have
    english_sources: int
    summarize_stage: SummarizeStage | None
    flags: dict[str, int] | None = None  # quality flag -> results of the run folder with it; None for a plain file
    flagged: list[FlaggedDocument] = []  # the results with a flag, in the run's order

    @field_serializer("manifest")
    def _as_written(self, manifest: Manifest | None) -> dict[str, Any] | None:
        """The keys the run's manifest.json has, not the defaults of keys an older version did not write."""
        return None if manifest is None else manifest.model_dump(mode="json", exclude_unset=True)


class Bootstrap(BaseModel):
    samples: int
    seed: int
    confidence: float
    signature: str


class ReportSettings(BaseModel):
    bootstrap: Bootstrap
    id_field: str
    source_field: str
    translation_field: str
    lead_sentences: int
    sentence_splitter: str
    bertscore_model: str | None


class Tool(BaseModel):
    name: str
    version: str


class Report(BaseModel):
    """report.json."""

    tool: Tool
    input: RunDescription
    compare: RunDescription | None
    settings: ReportSettings
    tracks: list[TrackReport]
    notices: list[str]

    def runs(self) -> list[RunDescription]:
        return [self.input] + ([self.compare] if self.compare else [])


def write_scores(folder: Path, rows: Iterable[ScoreRow]) -> Path:
    path = folder / SCORES
    text = "".join(json.dumps(row.model_dump(mode="json"), ensure_ascii=False) + "\n" for row in rows)
    path.write_text(text, encoding="utf-8")
    return path


def read_scores(folder: Path) -> Iterator[tuple[str, ScoreRow]]:
    """(`scores.jsonl:line`, row) for each row; nothing when the folder was not evaluated."""
    path = folder / SCORES
    if not path.is_file():
        return
    for where, record in read_jsonl(path, InputError):
        try:
            yield where, ScoreRow.model_validate(record)
        except ValidationError as error:
            key = error.errors()[0]["loc"][0]
            raise InputError(f"{where}: {key!r} {ScoreRow.model_fields[key].description}") from None


def write_report(folder: Path, report: Report) -> Path:
    path = folder / REPORT
    path.write_text(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def read_report(folder: Path) -> Report | None:
    """The folder's report.json; None when the folder was not evaluated."""
    path = folder / REPORT
    if not path.is_file():
        return None
    try:
        return Report.model_validate(read_json(path, InputError))
    except ValidationError as error:
        problem = error.errors()[0]
        key = ".".join(map(str, problem["loc"])) or "(top level)"
        raise InputError(f"{path}: not a report written by scripts/evaluate.py ({key}: {problem['msg']})") from None


def comparison_folder(first: Path, second: Path, chosen: Path | None = None) -> Path:
    """Where the comparison of `first` with `second` goes: `chosen`, else `compare-<first>-vs-<second>` beside
    `first`. A folder that is a run's, or holds a report of one run, is refused: a comparison never replaces the
    report a run was scored with (its own earlier comparison it does replace)."""
    if chosen is None:
        names = [path.resolve().name if path.is_dir() else path.stem for path in (first, second)]
        chosen = first.resolve().parent / f"compare-{names[0]}-vs-{names[1]}"
    if is_run_folder(chosen) or any(chosen.resolve() == path.resolve() for path in (first, second)):
        raise InputError(f"{chosen}: a run's folder; a comparison goes to a folder of its own (--compare-output DIR)")
    existing = read_report(chosen)
    if existing is not None and existing.compare is None:
        raise InputError(f"{chosen}: holds the report of one run, which a comparison would overwrite; choose "
                         "another --compare-output")
    return chosen
