"""What scripts/evaluate.py wrote into a run folder, narrowed to the run's own outputs.

The files are read by `pipeline.io.evaluation_files`. The evaluator also scores a lead-3 baseline, and an older
version wrote a --compare report, another run's outputs included, into the run folder; those rows describe texts
that are not in the exported dataset, so only rows with the run's label and ``baseline`` false are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import InputError
from pipeline.io.evaluation_files import SCORES, read_report, read_scores


def score_column(output: str, metric: str) -> str:
    """``<output>_<metric>`` as a plain identifier: ``+`` is spelled ``p`` (chrf++ → chrfpp), other symbols ``_``."""
    return re.sub(r"\W", "_", f"{output}_{metric}".replace("+", "p"))


@dataclass(frozen=True)
class DocumentScores:
    by_id: dict[str, dict[str, float]]  # id -> score column -> value
    columns: tuple[str, ...]  # in the order they first appear in scores.jsonl


@dataclass(frozen=True)
class CorpusScore:
    """One metric of one output over the documents the evaluator scored, as report.json states it."""

    column: str
    score: float
    interval: tuple[float, float] | None  # None: too few documents for one
    signature: str
    documents: int


@dataclass(frozen=True)
class CorpusReport:
    confidence: float  # of every interval in scores
    scores: tuple[CorpusScore, ...]


def read_document_scores(folder: Path, run: str) -> DocumentScores:
    by_id: dict[str, dict[str, float]] = {}
    columns: dict[str, None] = {}
    labels: set[str] = set()
    for where, row in read_scores(folder):
        labels.add(row.run)
        if row.run != run or row.baseline:
            continue
        document = by_id.setdefault(row.id, {})
        for metric, value in row.scores.items():
            column = score_column(row.output, metric)
            if column in document:
                raise InputError(f"{where}: a second {column!r} score for id {row.id!r}")
            document[column] = value
            columns[column] = None
    if labels and run not in labels:
        found = ", ".join(map(repr, sorted(labels)))
        raise InputError(
            f"{folder / SCORES}: no rows of run {run!r} (only of {found}); was it evaluated under another name?"
        )
    return DocumentScores(by_id, tuple(columns))


def read_corpus_report(folder: Path, run: str) -> CorpusReport | None:
    report = read_report(folder)
    if report is None:
        return None
    return CorpusReport(
        confidence=report.settings.bootstrap.confidence,
        scores=tuple(
            CorpusScore(score_column(system.output, metric), score.score, score.ci, score.signature, system.documents)
            for track in report.tracks
            for system in track.systems
            if system.run == run and not system.baseline
            for metric, score in system.scores.items()
        ),
    )
