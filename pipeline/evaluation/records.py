"""Readers for what gets scored: a run folder, a JSONL or Parquet file, or a ``datasets`` folder.

Every record remembers where it came from (``file:line`` or ``file row N``), so a bad value is reported
as one line that names the place to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.io.json_files import read_json, read_jsonl


class InputError(Exception):
    """Input that cannot be scored; its message starts with the file (and line) at fault."""


@dataclass(frozen=True)
class Record:
    data: dict[str, Any]
    location: str

    def value(self, path: str) -> Any:
        """A field by name, else by dotted path into nested objects (``systems.bart``); None when absent."""
        if path in self.data:
            return self.data[path]
        value: Any = self.data
        for key in path.split("."):
            if not isinstance(value, dict) or key not in value:
                return None
            value = value[key]
        return value

    def text(self, path: str) -> str | None:
        value = self.value(path)
        if value is not None and not isinstance(value, str):
            raise InputError(f"{self.location}: field {path!r} must be text, not {type(value).__name__}")
        return value

    def identifier(self, path: str) -> str:
        value = self.value(path)
        if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
            raise InputError(f"{self.location}: record has no usable {path!r} (a non-empty string or integer)")
        return str(value)


@dataclass(frozen=True)
class Run:
    """The outputs of one system run; a plain file is a run without manifest or error log."""

    label: str
    path: Path
    records: list[Record]
    manifest: dict[str, Any] | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)  # errors.jsonl: documents that failed a stage
    references_file: Path | None = None
    references_without_record: list[str] = field(default_factory=list)


def read_run(path: Path) -> Run:
    if (path / "results.jsonl").is_file():
        manifest_path = path / "manifest.json"
        manifest = _read_json(manifest_path) if manifest_path.is_file() else None
        if manifest is not None and not isinstance(manifest, dict):
            raise InputError(f"{manifest_path}: expected a JSON object")
        errors_path = path / "errors.jsonl"
        failures = [record.data for record in _read_jsonl(errors_path)] if errors_path.is_file() else []
        label = (manifest or {}).get("run_name") or path.name
        return Run(str(label), path, _read_jsonl(path / "results.jsonl"), manifest, failures)
    return Run(path.stem, path, read_records(path))


def read_records(path: Path) -> list[Record]:
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_dir():
        if not ((path / "dataset_info.json").is_file() or (path / "state.json").is_file()):
            raise InputError(f"{path}: neither a run folder (no results.jsonl) nor a `datasets` save_to_disk folder")
        records = _read_datasets_folder(path)
    elif path.suffix == ".parquet":
        records = _read_parquet(path)
    elif path.suffix in {".jsonl", ".json"}:
        records = _read_jsonl(path)
    else:
        raise InputError(f"{path}: unknown format (expected .jsonl, .json lines, .parquet or a folder)")
    if not records:
        raise InputError(f"{path}: no records")
    return records


def index_by_id(records: list[Record], id_field: str) -> dict[str, Record]:
    """Records by id; ids must be unique, or joins and paired tests would pair the wrong documents."""
    index: dict[str, Record] = {}
    for record in records:
        key = record.identifier(id_field)
        if key in index:
            raise InputError(f"{record.location}: duplicate id {key!r} (first at {index[key].location})")
        index[key] = record
    return index


def join_references(run: Run, references_file: Path, fields: list[str], id_field: str) -> Run:
    """The run with the reference fields of the same-id records of a separate file (which win over its own)."""
    by_id = index_by_id(read_records(references_file), id_field)
    joined = []
    for record in run.records:
        match = by_id.get(record.identifier(id_field))
        values = {} if match is None else {name: match.text(name) for name in fields if match.value(name) is not None}
        joined.append(Record({**record.data, **values}, record.location))
    run_ids = {record.identifier(id_field) for record in run.records}
    unmatched = [key for key in by_id if key not in run_ids]
    return replace(run, records=joined, references_file=references_file, references_without_record=unmatched)


def _read_json(path: Path) -> Any:
    return read_json(path, InputError)


def _read_jsonl(path: Path) -> list[Record]:
    return [Record(data, where) for where, data in read_jsonl(path, InputError)]


def _read_parquet(path: Path) -> list[Record]:
    import pyarrow.parquet  # deferred: pyarrow is only needed for Parquet input

    try:
        rows = pyarrow.parquet.read_table(path).to_pylist()
    except pyarrow.ArrowException as error:
        raise InputError(f"{path}: unreadable Parquet ({error})") from None
    return [Record(row, f"{path} row {number}") for number, row in enumerate(rows, start=1)]


def _read_datasets_folder(path: Path) -> list[Record]:
    import datasets  # deferred: importing datasets takes seconds and most inputs are JSONL

    try:
        loaded = datasets.load_from_disk(str(path))
    except (OSError, ValueError) as error:
        raise InputError(f"{path}: unreadable `datasets` folder ({error})") from None
    if isinstance(loaded, datasets.DatasetDict):
        raise InputError(f"{path}: holds the splits {', '.join(loaded)}; pass one split's folder")
    return [Record(row, f"{path} row {number}") for number, row in enumerate(loaded.to_list(), start=1)]
