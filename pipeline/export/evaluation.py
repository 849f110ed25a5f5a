"""What scripts/evaluate.py wrote into a run folder, narrowed to the run's own outputs.

The evaluator also scores a lead-3 baseline and, with --compare, another run's outputs; those rows describe
texts that are not in the exported dataset, so only rows with the run's label and ``baseline`` false are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.export.files import RunFormatError, json_lines, read_optional_json, require_string


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
    interval: tuple[float, float]
    signature: str
    documents: int


@dataclass(frozen=True)
class CorpusReport:
    confidence: float  # of every interval in scores
    scores: tuple[CorpusScore, ...]


def read_document_scores(path: Path, run: str) -> DocumentScores:
    by_id: dict[str, dict[str, float]] = {}
    columns: dict[str, None] = {}
    labels: set[str] = set()
    if not path.is_file():
        return DocumentScores(by_id, ())
    for where, row in json_lines(path):
        identifier, label, output = (require_string(row, key, where) for key in ("id", "run", "output"))
        if not isinstance(row.get("baseline"), bool):
            raise RunFormatError(f"{where}: 'baseline' must be true or false")
        values = row.get("scores")
        if not isinstance(values, dict) or not all(map(_is_number, values.values())):
            raise RunFormatError(f"{where}: 'scores' must map metric names to numbers")
        labels.add(label)
        if label != run or row["baseline"]:
            continue
        document = by_id.setdefault(identifier, {})
        for metric, value in values.items():
            column = score_column(output, metric)
            if column in document:
                raise RunFormatError(f"{where}: a second {column!r} score for id {identifier!r}")
            document[column] = float(value)
            columns[column] = None
    if labels and run not in labels:
        found = ", ".join(map(repr, sorted(labels)))
        raise RunFormatError(f"{path}: no rows of run {run!r} (only of {found}); was it evaluated under another name?")
    return DocumentScores(by_id, tuple(columns))


def read_corpus_report(path: Path, run: str) -> CorpusReport | None:
    report = read_optional_json(path)
    if report is None:
        return None
    try:
        return CorpusReport(
            confidence=float(report["settings"]["bootstrap"]["confidence"]),
            scores=tuple(
                _corpus_score(system, metric, value)
                for track in report["tracks"]
                for system in track["systems"]
                if system["run"] == run and not system["baseline"]
                for metric, value in system["scores"].items()
            ),
        )
    except (KeyError, IndexError, TypeError, ValueError) as error:
        reason = f"{type(error).__name__}: {error}"
        raise RunFormatError(f"{path}: not a report written by scripts/evaluate.py ({reason})") from error


def _corpus_score(system: dict[str, Any], metric: str, value: dict[str, Any]) -> CorpusScore:
    low, high = value["ci"]
    return CorpusScore(
        column=score_column(system["output"], metric),
        score=float(value["score"]),
        interval=(float(low), float(high)),
        signature=str(value["signature"]),
        documents=int(system["documents"]),
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
