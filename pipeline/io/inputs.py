"""Reading documents from the formats users have: JSONL, CSV/TSV, Parquet, plain text, folders, `datasets`.

Every reader streams raw rows (a location for error messages, and a mapping of fields), so a corpus of millions
of documents is never held in memory; `read_documents` turns rows into `Document`s the same way for all formats.
Problems are `InputError`s naming the file and the line.
"""

from __future__ import annotations

import csv
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import InputConfig
from pipeline.errors import InputError
from pipeline.io.ids import IdSet
from pipeline.io.json_files import decoded_lines, read_jsonl
from pipeline.records import Document
from pipeline.registry import Registry

__all__ = ["InputError", "Row", "count_documents", "read_documents", "read_rows"]


@dataclass(frozen=True)
class Row:
    where: str  # "file:line" or "file, row n", for messages
    fields: dict[str, Any]
    default_id: str | None = None  # for formats where the id comes from the layout (a file name)


RowReader = Callable[[Path, InputConfig], Iterator[Row]]
READERS: Registry[RowReader] = Registry("input format")


def _read_jsonl(path: Path, config: InputConfig) -> Iterator[Row]:
    for where, fields in read_jsonl(path, InputError):
        yield Row(where, fields)


READERS.register(".jsonl")(_read_jsonl)


def _read_delimited(path: Path, delimiter: str) -> Iterator[Row]:
    lines = (text for _, text in decoded_lines(path, InputError))
    reader = csv.DictReader(lines, delimiter=delimiter)
    for fields in reader:
        # The record's last line (header is line 1); a quoted field may span lines.
        yield Row(f"{path}:{reader.line_num}", fields)


READERS.register(".csv")(lambda path, config: _read_delimited(path, ","))
READERS.register(".tsv")(lambda path, config: _read_delimited(path, "\t"))


@READERS.register(".parquet")
def _read_parquet(path: Path, config: InputConfig) -> Iterator[Row]:
    import pyarrow.parquet as pq

    try:
        batches = pq.ParquetFile(path).iter_batches(batch_size=1024)
    except Exception as error:  # pyarrow raises several types for broken files
        raise InputError(f"{path}: not a readable Parquet file ({error})") from None
    number = 0
    for batch in batches:
        for fields in batch.to_pylist():
            number += 1
            yield Row(f"{path}, row {number}", fields)


def _read_text(path: Path, config: InputConfig) -> Iterator[Row]:
    """One document per block of lines; blocks are separated by blank lines."""
    block: list[str] = []
    start = 1
    for number, line in decoded_lines(path, InputError):
        line = line.removesuffix("\n")
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield Row(f"{path}:{start}", {config.text_field: "\n".join(block)})
            block = []
    if block:
        yield Row(f"{path}:{start}", {config.text_field: "\n".join(block)})


READERS.register(".txt")(_read_text)


def _text_files(folder: Path) -> Iterator[Path]:
    """`.txt` files under `folder` in the order of their sorted paths, one directory listing at a time."""
    for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):
        if entry.is_dir():
            yield from _text_files(Path(entry.path))
        elif entry.name.endswith(".txt") and entry.is_file():
            yield Path(entry.path)


def _read_text_folder(path: Path, config: InputConfig) -> Iterator[Row]:
    """A folder of `.txt` files, one document per file, named by its path inside the folder."""
    empty = True
    for file in _text_files(path):
        empty = False
        text = "".join(line for _, line in decoded_lines(file, InputError))
        yield Row(str(file), {config.text_field: text}, default_id=file.relative_to(path).with_suffix("").as_posix())
    if empty:
        raise InputError(f"{path}: the folder holds no .txt files (nor a dataset saved with save_to_disk)")


def _read_saved_dataset(path: Path, config: InputConfig) -> Iterator[Row]:
    import datasets

    try:
        loaded = datasets.load_from_disk(str(path))
    except (OSError, ValueError) as error:  # a folder that only looks like a saved dataset
        raise InputError(f"{path}: not a readable `datasets` folder ({' '.join(str(error).split())})") from None
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


def _reader(path: Path) -> RowReader:
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        return _read_saved_dataset if _is_saved_dataset(path) else _read_text_folder
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise InputError(
            f"{path}: unknown input format {suffix or '(no extension)'!r}; "
            f"use one of {', '.join(READERS)}, a folder of .txt files, or a datasets folder"
        )
    return READERS.get(suffix)


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


def _given_id(row: Row, config: InputConfig) -> str | None:
    given = row.fields.get(config.id_field)
    return str(given).strip() if given is not None and str(given).strip() else None


def _derived_id(text: str) -> str:
    """A content hash: the same document gets the same id in every run, which `--resume` relies on."""
    return "doc-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _first_use(path: Path, config: InputConfig, doc_id: str, before: str) -> str | None:
    """Where `doc_id` was first given, found by reading the input again: only a duplicate id pays for it."""
    for row in _reader(path)(path, config):
        if row.where == before:
            return None
        if _given_id(row, config) == doc_id or row.default_id == doc_id:
            return row.where
    return None


def read_rows(path: str | Path, config: InputConfig | None = None) -> Iterator[Row]:
    """The raw rows of any supported input, streamed, each with its `file:line` or `file, row n`.

    For readers of records that are not documents to run (references, outputs to score): the fields as stored.
    A missing file or an unknown format is refused here; a bad row when the stream reaches it.
    """
    path = Path(path)
    return _reader(path)(path, config or InputConfig())


def read_documents(path: str | Path, config: InputConfig) -> Iterator[Document]:
    """The documents of an input, streamed, with ids (given, or derived deterministically) checked to be unique.

    A missing file or an unknown format is refused here; a bad row when the stream reaches it.
    """
    path = Path(path)
    reader = _reader(path)
    return _documents(path, config, reader)


def _documents(path: Path, config: InputConfig, reader: RowReader) -> Iterator[Document]:
    seen = IdSet()
    for row in reader(path, config):
        text = _text_of(row, config.text_field)
        doc_id = _given_id(row, config)
        if doc_id is not None:
            if doc_id in seen:
                first = _first_use(path, config, doc_id, row.where)
                if first is not None:
                    raise InputError(f"{row.where}: id {doc_id!r} was already used at {first}")
                raise InputError(f"{row.where}: id {doc_id!r} was already given to an earlier document")
        else:
            doc_id = row.default_id or _derived_id(text)
            base, copy = doc_id, 1
            while doc_id in seen:  # the same text twice: keep both, numbered in order
                copy += 1
                doc_id = f"{base}-{copy}"
        seen.add(doc_id)
        references = {
            name: row.fields[field]
            for name, field in (
                ("reference_summary", config.reference_summary_field),
                ("reference_translation", config.reference_translation_field),
            )
            if isinstance(row.fields.get(field), str)
        }
        yield Document(id=doc_id, source=text, references=references)


def count_documents(path: str | Path, config: InputConfig) -> int:
    """Read the whole input once, in constant memory, and count its documents: a bad row anywhere is found now.

    A run does this before it loads any model, so a malformed line near the end of a large corpus is reported at
    once rather than hours into the run, and the progress bar knows its total.
    """
    return sum(1 for _ in read_documents(path, config))
