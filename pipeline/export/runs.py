"""Reading run folders written by scripts/run.py (and scored by scripts/evaluate.py).

Every problem is raised as RunFormatError naming the file (and line), see pipeline/export/files.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.export.evaluation import CorpusReport, read_corpus_report, read_document_scores
from pipeline.export.files import RunFormatError, json_lines, read_optional_json, require_string

RESULTS_FILE = "results.jsonl"
ERRORS_FILE = "errors.jsonl"
SCORES_FILE = "scores.jsonl"
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "report.json"

TEXT_FIELDS = ("translation", "summary", "summary_hi", "reference_summary", "reference_translation")


@dataclass(frozen=True)
class Failure:
    """Why a document is missing from the export: the stage that failed and its error message."""

    id: str
    stage: str
    error: str


@dataclass(frozen=True)
class Run:
    """One run folder; results are kept as written so nothing (Unicode included) is altered on the way."""

    path: Path
    name: str
    results: tuple[dict[str, Any], ...]
    failures: dict[str, Failure]
    scores: dict[str, dict[str, float]]  # id -> score column -> this run's per-document score
    score_columns: tuple[str, ...]
    manifest: dict[str, Any] | None
    report: CorpusReport | None

    @property
    def exported(self) -> list[dict[str, Any]]:
        """Results of documents that did not fail: errors.jsonl overrides a result for the same id."""
        return [result for result in self.results if result["id"] not in self.failures]


def read_run(path: Path) -> Run:
    if not path.is_dir():
        raise RunFormatError(f"{path}: run folder not found")
    results_path = path / RESULTS_FILE
    if not results_path.is_file():
        raise RunFormatError(f"{results_path}: missing; is {path} a run folder written by scripts/run.py?")
    manifest = _read_manifest(path / MANIFEST_FILE)
    name = run_label(path, manifest)
    scores = read_document_scores(path / SCORES_FILE, name)
    return Run(
        path=path,
        name=name,
        results=tuple(_read_results(results_path)),
        failures=_read_failures(path / ERRORS_FILE),
        scores=scores.by_id,
        score_columns=scores.columns,
        manifest=manifest,
        report=read_corpus_report(path / REPORT_FILE, name),
    )


def run_label(path: Path, manifest: dict[str, Any] | None) -> str:
    """The run's name as scripts/evaluate.py labels it in scores.jsonl and report.json: manifest, else folder."""
    return str((manifest or {}).get("run_name") or path.name)


def _read_results(path: Path) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    for where, record in json_lines(path):
        identifier = require_string(record, "id", where)
        if identifier in seen:
            raise RunFormatError(f"{where}: duplicate id {identifier!r}")
        seen.add(identifier)
        if not isinstance(record.get("source"), str):
            raise RunFormatError(f"{where}: 'source' must be a string")
        for field in TEXT_FIELDS:
            if record.get(field) is not None and not isinstance(record[field], str):
                raise RunFormatError(f"{where}: {field!r} must be a string or null")
        _check_stages(record.get("stages", {}), where)
        yield record


def _check_stages(stages: Any, where: str) -> None:
    if not isinstance(stages, dict) or not all(isinstance(stage, dict) for stage in stages.values()):
        raise RunFormatError(f"{where}: 'stages' must map stage names to objects")
    for name, stage in stages.items():
        for key in ("model", "revision"):
            if stage.get(key) is not None and not isinstance(stage[key], str):
                raise RunFormatError(f"{where}: stages.{name}.{key} must be a string or null")


def _read_failures(path: Path) -> dict[str, Failure]:
    """The last error per id wins, as it is the most recent attempt at that document."""
    failures: dict[str, Failure] = {}
    if not path.is_file():
        return failures
    for where, record in json_lines(path):
        identifier = require_string(record, "id", where)
        for key in ("stage", "error"):
            if not isinstance(record.get(key), str):
                raise RunFormatError(f"{where}: {key!r} must be a string")
        failures[identifier] = Failure(identifier, record["stage"], record["error"])
    return failures


def _read_manifest(path: Path) -> dict[str, Any] | None:
    manifest = read_optional_json(path)
    if manifest is not None and not isinstance(manifest, dict):
        raise RunFormatError(f"{path}: expected a JSON object")
    return manifest
