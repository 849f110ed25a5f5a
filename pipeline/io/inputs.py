"""Reading documents from the formats users have: JSONL, CSV/TSV, Parquet, plain text, folders, `datasets`.

Every reader yields raw rows (a location for error messages, and a mapping of fields); `read_documents` turns
rows into `Document`s the same way for all formats. Problems are `InputError`s naming the file and the line.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import InputConfig
from pipeline.io.json_files import read_jsonl
from pipeline.records import Document
from pipeline.registry import Registry


class InputError(ValueError):
    """Input that cannot be read; the message names the file and, where it helps, the line."""


@dataclass(frozen=True)
class Row:
    where: str  # "file:line" or "file, row n", for messages
    fields: dict[str, Any]
    default_id: str | None = None  # for formats where the id comes from the layout (a file name)


READERS: Registry = Registry("input format")


def _decode(path: Path) -> str:
    """The file as UTF-8 text; undecodable bytes are reported with their line and byte offset."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            f"{path}:{line}: not valid UTF-8 (byte offset {error.start}: {data[error.start:error.start + 4]!r}); "
            "convert the file to UTF-8"
        ) from None


@READERS.register(".jsonl")
def _read_jsonl(path: Path, config: InputConfig) -> Iterator[Row]:
    for where, fields in read_jsonl(path, InputError):
        yield Row(where, fields)


def _read_delimited(path: Path, delimiter: str) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(_decode(path), newline=""), delimiter=delimiter)
    for fields in reader:
        # A record's first line: header is line 1, and quoted fields may span lines.
        yield Row(f"{path}:{reader.line_num}", fields)


READERS.register(".csv")(lambda path, config: _read_delimited(path, ","))
READERS.register(".tsv")(lambda path, config: _read_delimited(path, "\t"))


@READERS.register(".parquet")
def _read_parquet(path: Path, config: InputConfig) -> Iterator[Row]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as error:  # pyarrow raises several types for broken files
        raise InputError(f"{path}: not a readable Parquet file ({error})") from None
    for number, fields in enumerate(table.to_pylist(), start=1):
        yield Row(f"{path}, row {number}", fields)


@READERS.register(".txt")
def _read_text(path: Path, config: InputConfig) -> Iterator[Row]:
    """One document per block of lines; blocks are separated by blank lines."""
    block: list[str] = []
    start = 1
    for number, line in enumerate(_decode(path).split("\n") + [""], start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield Row(f"{path}:{start}", {config.text_field: "\n".join(block)})
            block = []


def _read_text_folder(path: Path, config: InputConfig) -> Iterator[Row]:
    """A folder of `.txt` files, one document per file, named by its path inside the folder."""
    files = sorted(path.rglob("*.txt"))
    if not files:
        raise InputError(f"{path}: the folder holds no .txt files (nor a dataset saved with save_to_disk)")
    for file in files:
        yield Row(str(file), {config.text_field: _decode(file)}, default_id=file.relative_to(path).with_suffix("").as_posix())


def _read_saved_dataset(path: Path, config: InputConfig) -> Iterator[Row]:
    import datasets

    loaded = datasets.load_from_disk(str(path))
    if isinstance(loaded, datasets.DatasetDict):
        splits = list(loaded)
        split = config.split or (splits[0] if len(splits) == 1 else None)
        if split not in loaded:
            raise InputError(f"{path}: a dataset with splits {splits}; choose one with --set input.split=NAME")
        loaded = loaded[split]
    for number, fields in enumerate(loaded, start=1):
        yield Row(f"{path}, row {number}", fields)


def _is_saved_dataset(path: Path) -> bool:
    return (path / "dataset_dict.json").exists() or (path / "state.json").exists()


def _rows(path: Path, config: InputConfig) -> Iterator[Row]:
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return _read_saved_dataset(path, config) if _is_saved_dataset(path) else _read_text_folder(path, config)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise InputError(
            f"{path}: unknown input format {suffix or '(no extension)'!r}; "
            f"use one of {', '.join(READERS)}, a folder of .txt files, or a datasets folder"
        )
    return READERS.get(suffix)(path, config)


def _text_of(row: Row, field: str) -> str:
    if field not in row.fields:
        raise InputError(f"{row.where}: no {field!r} field (fields here: {', '.join(map(str, row.fields))}; "
                         f"set input.text_field)")
    text = row.fields[field]
    if text is None:
        return ""
    if not isinstance(text, str):
        raise InputError(f"{row.where}: field {field!r} must be text, not {type(text).__name__}")
    return text


def _derived_id(text: str) -> str:
    """A content hash: the same document gets the same id in every run, which `--resume` relies on."""
    return "doc-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def read_documents(path: str | Path, config: InputConfig) -> list[Document]:
    """All documents of an input, with ids (given, or derived deterministically) checked to be unique."""
    path = Path(path)
    documents: list[Document] = []
    first_seen: dict[str, str] = {}
    for row in _rows(path, config):
        text = _text_of(row, config.text_field)
        given = row.fields.get(config.id_field)
        if given is not None and str(given).strip():
            doc_id = str(given).strip()
            if doc_id in first_seen:
                raise InputError(f"{row.where}: id {doc_id!r} was already used at {first_seen[doc_id]}")
        else:
            doc_id = row.default_id or _derived_id(text)
            base, copy = doc_id, 1
            while doc_id in first_seen:  # the same text twice: keep both, numbered in order
                copy += 1
                doc_id = f"{base}-{copy}"
        first_seen[doc_id] = row.where
        references = {
            name: row.fields[field]
            for name, field in (
                ("reference_summary", config.reference_summary_field),
                ("reference_translation", config.reference_translation_field),
            )
            if isinstance(row.fields.get(field), str)
        }
        documents.append(Document(id=doc_id, source=text, references=references))
    return documents
