"""Reading run folders written by scripts/run.py (and scripts/evaluate.py).

Every problem is raised as RunFormatError naming the file, and the line for JSON Lines files, so the
export script can report it in one line instead of a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS_FILE = "results.jsonl"
ERRORS_FILE = "errors.jsonl"
SCORES_FILE = "scores.jsonl"
MANIFEST_FILE = "manifest.json"
REPORT_FILE = "report.json"

TEXT_FIELDS = ("translation", "summary", "summary_hi", "reference_summary", "reference_translation")


class RunFormatError(ValueError):
    """A run folder that cannot be exported as it stands."""


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
    results: tuple[dict[str, Any], ...]
    failures: dict[str, Failure]
    scores: dict[str, dict[str, float]]
    metric_names: tuple[str, ...]
    manifest: dict[str, Any] | None
    report: Any

    @property
    def name(self) -> str:
        run_name = (self.manifest or {}).get("run_name")
        return run_name if isinstance(run_name, str) and run_name else self.path.name

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
    scores, metric_names = _read_scores(path / SCORES_FILE)
    return Run(
        path=path,
        results=tuple(_read_results(results_path)),
        failures=_read_failures(path / ERRORS_FILE),
        scores=scores,
        metric_names=metric_names,
        manifest=_read_manifest(path / MANIFEST_FILE),
        report=_read_optional_json(path / REPORT_FILE),
    )


def _read_results(path: Path) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    for where, record in _json_lines(path):
        identifier = _require_id(record, where)
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
    for where, record in _json_lines(path):
        identifier = _require_id(record, where)
        for key in ("stage", "error"):
            if not isinstance(record.get(key), str):
                raise RunFormatError(f"{where}: {key!r} must be a string")
        failures[identifier] = Failure(identifier, record["stage"], record["error"])
    return failures


def _read_scores(path: Path) -> tuple[dict[str, dict[str, float]], tuple[str, ...]]:
    """Numbers are metric values and anything else is ignored, because the evaluator's metric set varies."""
    scores: dict[str, dict[str, float]] = {}
    names: dict[str, None] = {}
    if not path.is_file():
        return scores, ()
    for where, record in _json_lines(path):
        identifier = _require_id(record, where)
        if identifier in scores:
            raise RunFormatError(f"{where}: duplicate id {identifier!r}")
        scores[identifier] = {
            key: float(value)
            for key, value in record.items()
            if key != "id" and isinstance(value, (int, float)) and not isinstance(value, bool)
        }
        names.update(dict.fromkeys(scores[identifier]))
    return scores, tuple(names)


def _read_manifest(path: Path) -> dict[str, Any] | None:
    manifest = _read_optional_json(path)
    if manifest is not None and not isinstance(manifest, dict):
        raise RunFormatError(f"{path}: expected a JSON object")
    return manifest


def _read_optional_json(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise RunFormatError(f"{path}: not UTF-8 ({error.reason})") from error
    except json.JSONDecodeError as error:
        raise RunFormatError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from error


def _json_lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Split on b"\\n" only, so U+2028 and other separators that JSON allows inside strings stay put."""
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as error:
                raise RunFormatError(f"{where}: not UTF-8 ({error.reason})") from error
            except json.JSONDecodeError as error:
                raise RunFormatError(f"{where}: not valid JSON ({error.msg})") from error
            if not isinstance(record, dict):
                raise RunFormatError(f"{where}: expected a JSON object")
            yield where, record


def _require_id(record: dict[str, Any], where: str) -> str:
    identifier = record.get("id")
    if not isinstance(identifier, str) or not identifier:
        raise RunFormatError(f"{where}: 'id' must be a non-empty string")
    return identifier
