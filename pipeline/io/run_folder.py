"""The run folder, written and read in one place: `results.jsonl`, `errors.jsonl`, `manifest.json`.

    results.jsonl   one `Result` per finished document
    errors.jsonl    one `Failure` per document that failed (the run goes on)
    manifest.json   the `Manifest`: resolved config, declared outputs, models, versions, times, counts
    scores.jsonl, report.json   what scripts/evaluate.py adds (see `pipeline.io.evaluation_files`)

`RunFolder` writes a run: results are appended and flushed to disk after every batch, so a run that dies loses at
most the batch in flight, and `resume` continues after the ids already written without writing one twice.
`read_run_folder` reads a finished one back for evaluation and export.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.errors import InputError, OutputExistsError
from pipeline.io.ids import IdSet
from pipeline.io.json_files import read_json, read_jsonl
from pipeline.records import Failure, OutputField, Result

__all__ = [
    "Counts", "Manifest", "OutputExistsError", "RunFolder", "StoredRun", "is_run_folder", "read_manifest",
    "read_run_folder", "undeclared_outputs",
]

RESULTS = "results.jsonl"
ERRORS = "errors.jsonl"
MANIFEST = "manifest.json"

# What a run folder written before outputs were declared in the manifest holds.
_UNDECLARED_OUTPUTS = (
    OutputField("translation", "translation", "en", "reference_translation", "translate", "translation",
                "translation_model", source_language="hi"),
    OutputField("summary", "summary", "en", "reference_summary", "summarize", "summary_en", "summarization_model"),
    OutputField("summary_hi", "summary", "hi", "reference_summary_hi", "back_translate", "summary_hi",
                "back_translation_model", source_language="en"),
)


class Counts(BaseModel):
    documents: int  # in the input
    results: int  # in results.jsonl, earlier sessions of a resumed run included
    errors: int  # failed in the last session
    resumed: int  # done before the last session started


class Manifest(BaseModel):
    """How a run was made. Every field is optional when read, so folders of older versions still load."""

    model_config = ConfigDict(extra="allow")  # keys of other versions are kept as they are

    run_name: str | None = None
    config_file: str | None = None
    config: dict[str, Any] | None = None  # the resolved config: loading it again reproduces the run
    stages: list[str] = []
    outputs: list[OutputField] | None = None  # None: written before outputs were declared
    source_language: str | None = None
    engine: dict[str, Any] | None = None
    models: dict[str, dict[str, Any]] = {}
    versions: dict[str, str | None] = {}
    device: str | None = None
    dtype: str | None = None
    input: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    counts: Counts | None = None


def _cut_torn_line(path: Path) -> None:
    """A run killed mid-write leaves a last line without its newline: it is cut off, the rest is whole."""
    with path.open("r+b") as handle:
        end = handle.seek(0, os.SEEK_END)
        position, chunk = end, 1 << 16
        while position > 0:
            start = max(0, position - chunk)
            handle.seek(start)
            newline = handle.read(position - start).rfind(b"\n")
            if newline >= 0:
                handle.truncate(start + newline + 1)
                return
            position = start
        handle.truncate(0)


class RunFolder:
    """A run folder open for writing one run (or the next session of a resumed one)."""

    def __init__(self, path: str | Path, resume: bool) -> None:
        self.path = Path(path)
        results = self.path / RESULTS
        if not resume and results.exists() and results.stat().st_size > 0:
            raise OutputExistsError(
                f"{self.path} already holds results; pass --resume to continue that run, or choose another --output"
            )
        self.path.mkdir(parents=True, exist_ok=True)
        self.done_ids = IdSet()
        self.done = 0
        if results.exists():
            _cut_torn_line(results)
            for where, record in read_jsonl(results, InputError):
                self.done_ids.add(_string(record, "id", where))
                self.done += 1
        # Documents that failed before are tried again on resume, so their old error lines go.
        (self.path / ERRORS).write_text("", encoding="utf-8")
        self._results = results.open("a", encoding="utf-8")
        self._errors = (self.path / ERRORS).open("a", encoding="utf-8")

    def append(self, results: list[Result], failures: list[Failure]) -> None:
        """Write one batch and make it durable before the next batch starts."""
        for handle, records in ((self._results, results), (self._errors, failures)):
            for record in records:
                handle.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def write_manifest(self, manifest: Manifest) -> None:
        """Replace the manifest atomically, so it is never seen half-written."""
        temporary = self.path / (MANIFEST + ".tmp")
        text = json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False, indent=2)
        temporary.write_text(text + "\n", encoding="utf-8")
        temporary.replace(self.path / MANIFEST)

    def close(self) -> None:
        self._results.close()
        self._errors.close()

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@dataclass(frozen=True)
class StoredRun:
    """A run folder read back: what evaluation and export work from."""

    path: Path
    manifest: Manifest | None
    results: list[Result]
    failures: dict[str, Failure]  # the latest error of each failed id
    locations: dict[str, str]  # id -> `results.jsonl:line` of its result, for messages

    @property
    def name(self) -> str:
        """The run's name: the manifest's, else the folder's."""
        return (self.manifest.run_name if self.manifest else None) or self.path.name

    @property
    def declares_outputs(self) -> bool:
        """Whether manifest.json names the outputs (a run of this version); else `outputs` assumes the old layout."""
        return self.manifest is not None and self.manifest.outputs is not None

    @property
    def outputs(self) -> list[OutputField]:
        """The declared outputs; for an older folder, those of its fixed layout that its results hold."""
        if self.declares_outputs:
            return list(self.manifest.outputs)
        return [field for field in _UNDECLARED_OUTPUTS if any(field.name in r.outputs for r in self.results)]

    @property
    def source_language(self) -> str:
        """The input's language: the manifest's; for an older folder, that of its translations, else English.

        An older folder of English input holds a `translation` of null (no stage translated it), so only a
        translation that its stage made counts.
        """
        if self.manifest is not None and self.manifest.source_language:
            return self.manifest.source_language
        translated = [
            field for field in self.outputs
            if field.kind == "translation" and any(field.stage in result.stages for result in self.results)
        ]
        return translated[0].source_language if translated else "en"

    @property
    def exported(self) -> list[Result]:
        """Results of documents that did not fail: errors.jsonl overrides a result for the same id."""
        return [result for result in self.results if result.id not in self.failures]


def undeclared_outputs() -> list[OutputField]:
    """The fixed layout of results written before outputs were declared, which plain files of outputs follow too."""
    return list(_UNDECLARED_OUTPUTS)


def is_run_folder(path: Path) -> bool:
    return (path / RESULTS).is_file()


def read_run_folder(path: str | Path) -> StoredRun:
    """Read and check a run folder; a problem is an `InputError` naming the file and line."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path}: run folder not found")
    if not is_run_folder(path):
        raise InputError(f"{path / RESULTS}: missing; is {path} a run folder written by scripts/run.py?")
    manifest = read_manifest(path / MANIFEST) if (path / MANIFEST).is_file() else None
    declared = {field.name for field in manifest.outputs} if manifest and manifest.outputs is not None else None
    located = list(_read_results(path / RESULTS, declared))
    return StoredRun(
        path, manifest, [result for _, result in located], _read_failures(path / ERRORS),
        {result.id: where for where, result in located},
    )


def read_manifest(path: Path) -> Manifest:
    data = read_json(path, InputError)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    try:
        return Manifest.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        key = ".".join(map(str, problem["loc"]))
        raise InputError(f"{path}: {key}: {problem['msg']}") from None


_CORE = ("id", "source", "stages")


def _read_results(path: Path, declared: set[str] | None) -> Iterator[tuple[str, Result]]:
    """Results as written (no text is altered); a key that is neither core nor a reference is an output."""
    seen: set[str] = set()
    for where, record in read_jsonl(path, InputError):
        identifier = _string(record, "id", where)
        if identifier in seen:
            raise InputError(f"{where}: duplicate id {identifier!r}")
        seen.add(identifier)
        if not isinstance(record.get("source"), str):
            raise InputError(f"{where}: 'source' must be a string")
        stages = record.get("stages", {})
        _check_stages(stages, where)
        outputs, references = {}, {}
        for key, value in record.items():
            if key in _CORE:
                continue
            if value is not None and not isinstance(value, str):
                raise InputError(f"{where}: {key!r} must be a string or null")
            is_reference = key.startswith("reference_") and (declared is None or key not in declared)
            (references if is_reference else outputs)[key] = value
        yield where, Result(identifier, record["source"], outputs, references, stages)


def _check_stages(stages: Any, where: str) -> None:
    if not isinstance(stages, dict) or not all(isinstance(stage, dict) for stage in stages.values()):
        raise InputError(f"{where}: 'stages' must map stage names to objects")
    for name, stage in stages.items():
        for key in ("model", "revision"):
            if stage.get(key) is not None and not isinstance(stage[key], str):
                raise InputError(f"{where}: stages.{name}.{key} must be a string or null")


def _read_failures(path: Path) -> dict[str, Failure]:
    """The last error per id wins, as it is the most recent attempt at that document."""
    failures: dict[str, Failure] = {}
    if not path.is_file():
        return failures
    for where, record in read_jsonl(path, InputError):
        identifier = _string(record, "id", where)
        for key in ("stage", "error"):
            if not isinstance(record.get(key), str):
                raise InputError(f"{where}: {key!r} must be a string")
        failures[identifier] = Failure(identifier, record["stage"], record["error"], record.get("source"))
    return failures


def _string(record: dict[str, Any], key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: {key!r} must be a non-empty string")
    return value
