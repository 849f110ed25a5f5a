"""The run folder, written and read in one place: `results.jsonl`, `errors.jsonl`, `manifest.json`.

    results.jsonl   one `Result` per finished document
    errors.jsonl    one `Failure` per document that failed (the run goes on)
    manifest.json   the `Manifest`: resolved config, declared outputs, models, versions, sessions, counts
    .lock           held by the run writing the folder, so that no second run writes it at the same time
    scores.jsonl, report.json   what scripts/evaluate.py adds (see `pipeline.io.evaluation_files`)

`RunFolder` writes one session of a run. Each batch is appended and made durable before the next starts, so a run
that dies loses at most the batch in flight; a batch that cannot be written whole (a full disk) is taken back
whole. A resumed session skips every id already in results.jsonl or errors.jsonl, so each input id ends up in
exactly one of them, once, and nothing written is ever removed (`retry_failed` moves the old errors aside).
`read_run_folder` reads a finished folder back for evaluation and export.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.errors import InputError, OutputError, OutputExistsError
from pipeline.io.ids import IdSet
from pipeline.io.json_files import read_json, read_jsonl
from pipeline.records import Failure, OutputField, Result

__all__ = [
    "Counts", "Manifest", "OutputExistsError", "RunFolder", "Session", "StoredRun", "is_run_folder",
    "read_manifest", "read_run_folder", "undeclared_outputs",
]

RESULTS = "results.jsonl"
ERRORS = "errors.jsonl"
MANIFEST = "manifest.json"
LOCK = ".lock"

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
    results: int  # lines of results.jsonl, every session's
    errors: int  # lines of errors.jsonl, every session's
    resumed: int  # input documents already done (a result or an error) when the last session started
    flags: dict[str, int] = {}  # flag (`translation:loop`) -> results that have it, every session's


class Session(BaseModel):
    """One invocation of a run: the first, or a `--resume`."""

    started_at: str
    finished_at: str | None = None  # None: it died (killed, crashed) before it could say
    results: int = 0  # written by this session
    errors: int = 0
    stopped: str | None = None  # why it ended before the input did: interrupted, a run fault, the output


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
    input_fingerprint: str | None = None  # of the documents' ids, texts and references: a resume must match it
    started_at: str | None = None  # of the first session
    finished_at: str | None = None  # when the whole input was done; None while the run is unfinished
    counts: Counts | None = None
    sessions: list[Session] = []


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


def _written_ids(path: Path, into: IdSet, flags: Counter | None = None) -> int:
    """Add the ids of a results or errors file to `into` (after cutting a torn last line), and the flags of its
    results to `flags`; how many lines it has."""
    if not path.exists():
        return 0
    _cut_torn_line(path)
    lines = 0
    for where, record in read_jsonl(path, InputError):
        into.add(_string(record, "id", where))
        if flags is not None:
            flags.update(_flags(record, where))
        lines += 1
    return lines


class _Lock:
    """An exclusive `flock` on the folder's `.lock`: the kernel releases it when its process dies, so a lock is never
    stale. The file names the holder, for the message a second run gets."""

    def __init__(self, folder: Path) -> None:
        import fcntl

        self.path = folder / LOCK
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self.path.read_text(encoding="utf-8").strip() or "another process"
            os.close(self._fd)
            raise OutputError(
                f"{folder} is being written by another run ({holder}); wait for it to end or choose another --output"
            ) from None
        os.ftruncate(self._fd, 0)
        os.write(self._fd, f"process {os.getpid()}, started {_now()}\n".encode())

    def release(self) -> None:
        os.close(self._fd)  # closing the descriptor releases the lock; the file stays, so no second inode races


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class RunFolder:
    """A run folder open for one session of a run, locked against a second run writing it at the same time."""

    def __init__(self, path: str | Path, resume: bool, retry_failed: bool = False) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise OutputError(f"{self.path}: a file, not a folder; choose another --output")
        self._created = not self.path.exists()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock = _Lock(self.path)
        except OSError as error:
            raise OutputError(f"{self.path}: cannot write the run folder ({error.strerror})") from None
        self._fds: dict[str, int] = {}
        try:
            self._open(resume, retry_failed)
        except BaseException:
            self._lock.release()
            raise

    def _open(self, resume: bool, retry_failed: bool) -> None:
        results = self.path / RESULTS
        if not resume and results.exists() and results.stat().st_size > 0:
            raise OutputExistsError(
                f"{self.path} already holds results; pass --resume to continue that run, or choose another --output"
            )
        manifest = self.path / MANIFEST
        self.previous = read_manifest(manifest) if resume and manifest.exists() else None
        self.done_ids = IdSet()  # a result or an error: not to be run again
        self.flags: Counter[str] = Counter()  # flag -> results that have it, these and the earlier sessions'
        self.results = _written_ids(results, self.done_ids, self.flags)
        if retry_failed and (self.path / ERRORS).exists():
            (self.path / ERRORS).rename(self.path / f"errors.before-{_now().replace(':', '')}.jsonl")
        self.errors = _written_ids(self.path / ERRORS, self.done_ids)

    def begin(self, manifest: Manifest) -> None:
        """Start writing, once the models have loaded: the manifest, and results and errors files to append to."""
        self.write_manifest(manifest)
        try:
            for name in (RESULTS, ERRORS):
                self._fds[name] = os.open(self.path / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as error:
            raise OutputError(f"{self.path}: cannot write the run folder ({error.strerror})") from None

    def append(self, results: list[Result], failures: list[Failure]) -> None:
        """Write one batch and make it durable before the next batch starts; a batch is written whole or not at all."""
        written: list[tuple[int, int]] = []  # (descriptor, size before this batch)
        try:
            for name, records in ((RESULTS, results), (ERRORS, failures)):
                if not records:
                    continue
                fd = self._fds[name]
                written.append((fd, os.lseek(fd, 0, os.SEEK_END)))
                data = "".join(json.dumps(record.to_dict(), ensure_ascii=False) + "\n" for record in records)
                view = memoryview(data.encode("utf-8"))
                while view:
                    view = view[os.write(fd, view):]
                os.fsync(fd)
        except OSError as error:
            for fd, size in written:  # take the partial batch back, so the folder stays resumable
                os.ftruncate(fd, size)
            raise OutputError(
                f"{self.path}: cannot write results ({error.strerror}); the documents of the batch in flight are not "
                f"written: make room and continue with --resume"
            ) from None
        self.results += len(results)
        self.errors += len(failures)
        self.flags.update(flag for result in results for flag in result.flags)

    def write_manifest(self, manifest: Manifest) -> None:
        """Replace the manifest atomically, so it is never seen half-written."""
        temporary = self.path / (MANIFEST + ".tmp")
        text = json.dumps(manifest.model_dump(mode="json", exclude_none=False), ensure_ascii=False, indent=2)
        try:
            temporary.write_text(text + "\n", encoding="utf-8")
            temporary.replace(self.path / MANIFEST)
        except OSError as error:
            raise OutputError(f"{self.path}: cannot write {MANIFEST} ({error.strerror})") from None

    def abandon(self) -> None:
        """Leave no trace of a session that wrote nothing (a model that would not load): a new folder goes again."""
        self.close()
        if self._created and {entry.name for entry in self.path.iterdir()} <= {LOCK}:
            (self.path / LOCK).unlink(missing_ok=True)
            self.path.rmdir()

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds = {}
        if self._lock is not None:
            self._lock.release()
            self._lock = None

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


_CORE = ("id", "source", "flags", "stages")


def _read_results(path: Path, declared: set[str] | None) -> Iterator[tuple[str, Result]]:
    """Results as written (no text is altered); a key that is neither core nor a reference is an output.

    A result written before flags existed has none.
    """
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
        yield where, Result(identifier, record["source"], outputs, references, stages, _flags(record, where))


def _flags(record: dict[str, Any], where: str) -> list[str]:
    flags = record.get("flags", [])
    if not isinstance(flags, list) or not all(isinstance(flag, str) for flag in flags):
        raise InputError(f"{where}: 'flags' must be a list of strings")
    return flags


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
