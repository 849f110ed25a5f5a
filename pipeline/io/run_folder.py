"""The run folder, written and read in one place: `results.jsonl` (or Parquet parts), `errors.jsonl`, `manifest.json`.

    results.jsonl   one `Result` per finished document (`output.results: jsonl`, the default)
    results/        or, with `output.results: parquet`, the same records as Parquet parts: part-00000.parquet, ...
    errors.jsonl    one `Failure` per document that failed (the run goes on)
    manifest.json   the `Manifest`: resolved config, declared outputs, models, versions, sessions, counts
    .lock           held by the run writing the folder, so that no second run writes it at the same time
    scores.jsonl, report.json   what scripts/evaluate.py adds (see `pipeline.io.evaluation_files`)

`RunFolder` writes one session of a run. Each batch is appended and made durable before the next starts, so a run
that dies loses at most the batch in flight; a batch that cannot be written whole (a full disk) is taken back
whole. Parquet results wait in memory for their part (`output.shard_documents` of them, or `output.flush_seconds`
after the oldest arrived, or the session's end), so a run that dies loses at most those; a part is written under a
temporary name and renamed, so a part on disk is always whole. A result counts (`results`, the manifest's counts)
once it is on disk. A resumed session skips every id already in the results or errors.jsonl, so each input id ends
up in exactly one of them, once, and nothing written is ever removed (`retry_failed` moves the old errors aside).
`read_run_folder` reads a finished folder back for evaluation and export, in either format.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from time import monotonic
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.config import OutputConfig
from pipeline.errors import InputError, OutputError, OutputExistsError, ResumeMismatchError
from pipeline.io.ids import IdSet
from pipeline.io.json_files import read_json, read_jsonl
from pipeline.records import INPUT_REFERENCES, Failure, OutputField, Result

__all__ = [
    "Counts", "Manifest", "OutputExistsError", "RunFolder", "Session", "StoredRun", "is_run_folder",
    "read_manifest", "read_run_folder", "undeclared_outputs",
]

RESULTS = "results.jsonl"
RESULT_PARTS = "results"  # the folder of Parquet parts
PARTS_PATTERN = f"{RESULT_PARTS}/part-*.parquet"
_PART = re.compile(r"part-(\d+)\.parquet")
_TEMPORARY = ".tmp"  # a part being written; a run killed meanwhile leaves it, and the next session removes it
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
    results: int  # results on disk (lines of results.jsonl, rows of the Parquet parts), every session's
    errors: int  # lines of errors.jsonl, every session's
    resumed: int  # input documents already done (a result or an error) when the last session started
    flags: dict[str, int] = {}  # flag (`translation:loop`) -> results that have it, every session's


class Session(BaseModel):
    """One invocation of a run: the first, or a `--resume`."""

    started_at: str
    finished_at: str | None = None  # None: it died (killed, crashed) before it could say
    results: int = 0  # written by this session
    errors: int = 0
    oom_retried: int = 0  # results whose batch was halved and run again after the device ran out of memory
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


def _appended_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The records of a results or errors file that a session appends to, after cutting a torn last line."""
    if path.exists():
        _cut_torn_line(path)
        yield from read_jsonl(path, InputError)


def _note_ids(records: Iterable[tuple[str, dict[str, Any]]], into: IdSet, flags: Counter | None = None) -> int:
    """Add the records' ids to `into`, and their flags to `flags`; how many records there are."""
    count = 0
    for where, record in records:
        into.add(_string(record, "id", where))
        if flags is not None:
            flags.update(_flags(record, where))
        count += 1
    return count


def _part_paths(folder: Path) -> list[Path]:
    """The Parquet parts of a run folder, in the order they were written."""
    parts = folder / RESULT_PARTS
    if not parts.is_dir():
        return []
    return sorted((path for path in parts.iterdir() if _PART.fullmatch(path.name)), key=_part_number)


def _part_number(path: Path) -> int:
    return int(_PART.fullmatch(path.name)[1])


def _stored_format(folder: Path) -> str | None:
    """How a folder's results are stored, `jsonl` or `parquet`; None while it holds none. Both is refused: no
    reader would know which records are the run's."""
    jsonl = (folder / RESULTS).is_file() and (folder / RESULTS).stat().st_size > 0
    parquet = bool(_part_paths(folder))
    if jsonl and parquet:
        raise InputError(
            f"{folder}: holds both {RESULTS} and Parquet parts ({PARTS_PATTERN}); a run folder keeps its results in "
            "one of them: move the other away"
        )
    return "jsonl" if jsonl else "parquet" if parquet else None


def _part_rows(path: Path, columns: list[str] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(`part: row n`, row) for each row of a Parquet part, a batch of rows at a time."""
    import pyarrow.parquet  # only folders of Parquet results need it

    rows = 0
    try:
        for batch in pyarrow.parquet.ParquetFile(path).iter_batches(columns=columns):
            for row in batch.to_pylist():
                rows += 1
                yield f"{path}: row {rows}", row
    except (OSError, pyarrow.ArrowException) as error:
        raise InputError(f"{path}: not a readable Parquet part ({' '.join(str(error).split())})") from None


def _written_result_ids(folder: Path, results: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The id and flags of every result on disk: a resume reads no more of a Parquet part than these columns."""
    if results == "jsonl":
        return _appended_records(folder / RESULTS)
    return (row for path in _part_paths(folder) for row in _part_rows(path, ["id", "flags"]))


def _parquet_schema(outputs: list[str]):
    """The Parquet parts' columns: those of a JSON Lines record, every reference the input can carry (null when
    a document has none), and `stages` as JSON text, since its nested shape differs from stage to stage."""
    import pyarrow

    texts = [pyarrow.field(name, pyarrow.string()) for name in (*outputs, *INPUT_REFERENCES)]
    return pyarrow.schema([
        pyarrow.field("id", pyarrow.string(), nullable=False),
        pyarrow.field("source", pyarrow.string(), nullable=False),
        *texts,
        pyarrow.field("flags", pyarrow.list_(pyarrow.string()), nullable=False),
        pyarrow.field("stages", pyarrow.string(), nullable=False),
    ])


def _row(result: Result) -> dict[str, Any]:
    """A result as its Parquet row: the JSON Lines record, with `stages` as JSON text."""
    record = result.to_dict()
    record["stages"] = json.dumps(record["stages"], ensure_ascii=False)
    return record


def _record(row: dict[str, Any], where: str) -> dict[str, Any]:
    """A Parquet row as the JSON Lines record it stands for: a reference the input lacked is absent, not null."""
    if not isinstance(row.get("stages"), str):
        raise InputError(f"{where}: 'stages' must be JSON text")
    try:
        stages = json.loads(row["stages"])
    except (ValueError, RecursionError):
        raise InputError(f"{where}: 'stages' is not valid JSON") from None
    absent = {key for key in INPUT_REFERENCES if row.get(key) is None}
    return {**{key: value for key, value in row.items() if key not in absent}, "stages": stages}


def _fsync(path: Path) -> None:
    """Make a file's contents, or a folder's entries, durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _not_written(folder: Path, error: OSError, lost: str) -> OutputError:
    return OutputError(
        f"{folder}: cannot write results ({error.strerror}); {lost}: make room and continue with --resume"
    )


class _ResultParts:
    """Results waiting in memory for their Parquet part, each part written whole under a temporary name and renamed.

    A part is written once `shard_documents` results wait, once the oldest has waited `flush_seconds` (checked as
    results arrive) and at the session's end (`flush`). Each call returns the results it wrote: they count now.
    """

    def __init__(self, folder: Path, outputs: list[str], settings: OutputConfig, number: int) -> None:
        self._folder = folder
        self._schema = _parquet_schema(outputs)
        self._settings = settings
        self._number = number  # of the next part
        self._waiting: list[Result] = []
        self._since = 0.0  # when the oldest waiting result arrived (monotonic)

    def add(self, results: list[Result]) -> list[Result]:
        now = monotonic()
        if not self._waiting:
            self._since = now
        self._waiting += results
        written: list[Result] = []
        while len(self._waiting) >= self._settings.shard_documents:
            written += self._write(self._settings.shard_documents)
            self._since = now  # a part takes the oldest first, so the rest came with these results
        if self._waiting and now - self._since >= self._settings.flush_seconds:
            written += self.flush()
        return written

    def flush(self) -> list[Result]:
        return self._write(len(self._waiting)) if self._waiting else []

    def _write(self, count: int) -> list[Result]:
        import pyarrow.parquet

        part, self._waiting = self._waiting[:count], self._waiting[count:]
        path = self._folder / f"part-{self._number:05d}.parquet"
        temporary = path.with_name(path.name + _TEMPORARY)
        try:
            pyarrow.parquet.write_table(pyarrow.Table.from_pylist([_row(r) for r in part], self._schema), temporary)
            _fsync(temporary)
            os.replace(temporary, path)
            _fsync(self._folder)
        except OSError as error:
            lost = len(part) + len(self._waiting)
            self._waiting = []  # not on disk: a resume runs them again
            temporary.unlink(missing_ok=True)
            raise _not_written(
                self._folder, error, f"the {lost} results waiting for their part are not written"
            ) from None
        self._number += 1
        return part


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

    def __init__(
        self, path: str | Path, resume: bool, retry_failed: bool = False, output: OutputConfig | None = None
    ) -> None:
        self.path = Path(path)
        self._output = output or OutputConfig()  # how results are stored: `output:` of the run config
        if self.path.exists() and not self.path.is_dir():
            raise OutputError(f"{self.path}: a file, not a folder; choose another --output")
        self._created = not self.path.exists()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lock = _Lock(self.path)
        except OSError as error:
            raise OutputError(f"{self.path}: cannot write the run folder ({error.strerror})") from None
        self._fds: dict[str, int] = {}
        self._parts: _ResultParts | None = None  # with `output.results: parquet`, once the session begins
        try:
            self._open(resume, retry_failed)
        except BaseException:
            self._lock.release()
            raise

    def _open(self, resume: bool, retry_failed: bool) -> None:
        stored = _stored_format(self.path)
        if not resume and stored is not None:
            raise OutputExistsError(
                f"{self.path} already holds results; pass --resume to continue that run, or choose another --output"
            )
        if stored not in (None, self._output.results):
            raise ResumeMismatchError(
                f"cannot resume {self.path}: its results are stored as {stored}, and output.results is "
                f"{self._output.results} now; resume with output.results: {stored}, or start a new run in another "
                "--output"
            )
        for leftover in (self.path / RESULT_PARTS).glob(f"*{_TEMPORARY}"):
            leftover.unlink()  # a part whose writing a killed run did not finish: its results are not done
        manifest = self.path / MANIFEST
        self.previous = read_manifest(manifest) if resume and manifest.exists() else None
        self.done_ids = IdSet()  # a result or an error: not to be run again
        self.flags: Counter[str] = Counter()  # flag -> results that have it, these and the earlier sessions'
        self.results = _note_ids(_written_result_ids(self.path, self._output.results), self.done_ids, self.flags)
        if retry_failed and (self.path / ERRORS).exists():
            (self.path / ERRORS).rename(self.path / f"errors.before-{_now().replace(':', '')}.jsonl")
        self.errors = _note_ids(_appended_records(self.path / ERRORS), self.done_ids)
        parts = _part_paths(self.path)
        self._next_part = _part_number(parts[-1]) + 1 if parts else 0

    def begin(self, manifest: Manifest) -> None:
        """Start writing, once the models have loaded: the manifest, and the files (or the parts' folder) to add to."""
        self.write_manifest(manifest)
        parquet = self._output.results == "parquet"
        try:
            for name in (ERRORS,) if parquet else (RESULTS, ERRORS):
                self._fds[name] = os.open(self.path / name, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            if parquet:
                (self.path / RESULT_PARTS).mkdir(exist_ok=True)
                _fsync(self.path)
        except OSError as error:
            raise OutputError(f"{self.path}: cannot write the run folder ({error.strerror})") from None
        if parquet:
            outputs = [field.name for field in manifest.outputs or []]
            self._parts = _ResultParts(self.path / RESULT_PARTS, outputs, self._output, self._next_part)

    def append(self, results: list[Result], failures: list[Failure]) -> None:
        """Write one batch: its errors, and its results (or hand them to the Parquet part they wait for)."""
        if self._parts is None:
            self._append_lines([(RESULTS, results), (ERRORS, failures)])
            self._count(results)
        else:
            self._append_lines([(ERRORS, failures)])
            self._count(self._parts.add(results))
        self.errors += len(failures)

    def flush(self) -> None:
        """Write the results still waiting for their Parquet part (a session's end); JSON Lines has none waiting."""
        if self._parts is not None:
            self._count(self._parts.flush())

    def _count(self, written: list[Result]) -> None:
        self.results += len(written)
        self.flags.update(flag for result in written for flag in result.flags)

    def _append_lines(self, files: list[tuple[str, list[Result] | list[Failure]]]) -> None:
        """Append records to their files and make them durable before the next batch starts; written whole or not
        at all."""
        written: list[tuple[int, int]] = []  # (descriptor, size before this batch)
        try:
            for name, records in files:
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
            raise _not_written(self.path, error, "the documents of the batch in flight are not written") from None

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
        """Write what still waits for its part, then let go of the files and the lock."""
        try:
            self.flush()
        finally:
            for fd in self._fds.values():
                os.close(fd)
            self._fds = {}
            self._parts = None
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
    locations: dict[str, str]  # id -> `results.jsonl:line` (`results/part-00003.parquet: row 17`) of its result
    results_name: str = RESULTS  # where its results are, for messages: results.jsonl, or the Parquet parts

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
    """Whether `path` holds results.jsonl or a folder of Parquet parts (which a run writes even when no result is
    written yet)."""
    return (path / RESULTS).is_file() or (path / RESULT_PARTS).is_dir()


def read_run_folder(path: str | Path) -> StoredRun:
    """Read and check a run folder, in either format; a problem is an `InputError` naming the file and line (row)."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path}: run folder not found")
    if not is_run_folder(path):
        raise InputError(
            f"{path / RESULTS}: missing (and no {PARTS_PATTERN}); is {path} a run folder written by scripts/run.py?"
        )
    stored = _stored_format(path)
    parquet = stored == "parquet" or (stored is None and not (path / RESULTS).is_file())
    manifest = read_manifest(path / MANIFEST) if (path / MANIFEST).is_file() else None
    declared = {field.name for field in manifest.outputs} if manifest and manifest.outputs is not None else None
    records = _parquet_records(path) if parquet else read_jsonl(path / RESULTS, InputError)
    located = list(_read_results(records, declared))
    return StoredRun(
        path, manifest, [result for _, result in located], _read_failures(path / ERRORS),
        {result.id: where for where, result in located}, PARTS_PATTERN if parquet else RESULTS,
    )


def _parquet_records(folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row of a folder's Parquet parts, as the JSON Lines record it stands for."""
    for path in _part_paths(folder):
        for where, row in _part_rows(path):
            yield where, _record(row, where)


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


def _read_results(
    records: Iterable[tuple[str, dict[str, Any]]], declared: set[str] | None
) -> Iterator[tuple[str, Result]]:
    """Results as written (no text is altered); a key that is neither core nor a reference is an output.

    A result written before flags existed has none.
    """
    seen: set[str] = set()
    for where, record in records:
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
