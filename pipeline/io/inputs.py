"""Reading documents from the formats users have: JSONL, CSV/TSV, Parquet, plain text, folders, `datasets`.

Every reader streams raw rows (a location for error messages, and a mapping of fields), so a corpus of millions
of documents is never held in memory; `read_documents` turns rows into `Document`s the same way for all formats.
Problems are `InputError`s naming the file and the line.

What is refused, and why (the encodings: `pipeline.io.json_files`):
- one line, or one document (a block of a `.txt`, a file of a folder, a CSV field), over `MAX_RECORD`: a file with
  no line breaks would otherwise be read whole; shorter documents over `input.max_document_chars` are read, and the
  run records them as failed;
- CSV/TSV rows that do not match the header: quotes are strict (a quote opened and never closed would swallow every
  later row into one field; it is named by the line of the record it opened in), a row with more fields than the
  header is an error (an unquoted delimiter would silently shift or drop text), and so is a row that ends before
  its text cell; a row may leave out trailing optional cells (an id, references), as hand-written files do. A
  header that names a column twice is an error (one of them would be dropped);
- ids that are not a string or an integer (`7` is the id "7"; `7.0`, `true`, objects and lists are refused), and
  ids with control characters (a newline, a tab, a NUL); an id may hold "/" (a folder's documents are named by
  their paths), and a file name that is not UTF-8 is refused. A null or blank id means "none given": one is derived;
- text and references that are not strings (null is an empty text, or no reference).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import reprlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from pipeline.config import InputConfig
from pipeline.errors import InputError
from pipeline.io.ids import IdSet
from pipeline.io.json_files import decoded_lines, read_jsonl
from pipeline.records import INPUT_REFERENCES, Document
from pipeline.registry import Registry

__all__ = ["InputError", "Row", "check_input", "document_id", "read_documents", "read_rows"]


@dataclass(frozen=True)
class Row:
    where: str  # "file:line" or "file, row n", for messages
    fields: dict[str, Any]
    default_id: str | None = None  # for formats where the id comes from the layout (a file name)


RowReader = Callable[[Path, InputConfig], Iterator[Row]]
READERS: Registry[RowReader] = Registry("input format")

# Bytes of one line, characters of one document or field: what reading one row may hold in memory.
MAX_RECORD = 64 * 2**20
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    return decoded_lines(path, InputError, MAX_RECORD)


def _read_jsonl(path: Path, config: InputConfig) -> Iterator[Row]:
    for where, fields in read_jsonl(path, InputError, MAX_RECORD):
        yield Row(where, fields)


READERS.register(".jsonl")(_read_jsonl)


def _read_delimited(path: Path, config: InputConfig, delimiter: str) -> Iterator[Row]:
    """Rows named by the line they start on (a quoted field may span lines); see the module's rules."""
    previous_limit = csv.field_size_limit(MAX_RECORD)  # process-wide: set while this file is read
    try:
        reader = csv.reader((text for _, text in _lines(path)), delimiter=delimiter, strict=True)
        header: list[str] | None = None
        for start, cells in _records(path, reader):
            if header is None:
                header = _header(f"{path}:{start}", cells)
            else:
                yield Row(f"{path}:{start}", _cells(f"{path}:{start}", header, cells, config.text_field))
    finally:
        csv.field_size_limit(previous_limit)


def _records(path: Path, reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each non-blank record; malformed quoting names the line its record starts on."""
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise InputError(f"{path}:{start}: {_quoting_problem(error, reader.line_num)}") from None
        if cells:
            yield start, cells
        start = reader.line_num + 1


def _quoting_problem(error: csv.Error, line: int) -> str:
    message = str(error)
    if message == "unexpected end of data":
        return "a quote opened in this record is never closed (the file ends inside it)"
    if message.startswith("field larger than field limit"):
        return f"a field of more than {MAX_RECORD:,} characters (a quote opened in this record and never closed?)"
    return (f'malformed quoting ({message}, at line {line}); a field with quotes in it must be quoted whole, '
            'with each quote inside doubled ("")')


def _header(where: str, names: list[str]) -> list[str]:
    twice = next((name for name, count in Counter(names).items() if count > 1), None)
    if twice is not None:
        raise InputError(f"{where}: the header names the column {twice!r} twice")
    return names


def _cells(where: str, header: list[str], cells: list[str], text_field: str) -> dict[str, str]:
    if len(cells) > len(header):
        raise InputError(f"{where}: {len(cells)} fields where the header has {len(header)} (an unquoted delimiter?)")
    fields = dict(zip(header, cells))
    if text_field in header and text_field not in fields:
        raise InputError(f"{where}: {len(cells)} of the header's {len(header)} fields, and no {text_field!r} cell")
    return fields


READERS.register(".csv")(lambda path, config: _read_delimited(path, config, ","))
READERS.register(".tsv")(lambda path, config: _read_delimited(path, config, "\t"))


@READERS.register(".parquet")
def _read_parquet(path: Path, config: InputConfig) -> Iterator[Row]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    number = 0
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=1024):
            for fields in batch.to_pylist():
                number += 1
                yield Row(f"{path}, row {number}", fields)
    except (pa.ArrowException, OSError, ValueError) as error:  # on opening a broken file, or on reaching the damage
        raise InputError(f"{path}: not a readable Parquet file from row {number + 1} on "
                         f"({' '.join(str(error).split())})") from None


def _joined(path: Path, lines: Iterable[tuple[int, str]], separator: str = "") -> tuple[int, str]:
    """(first line number, text) of lines that make one document, refused once they pass `MAX_RECORD` characters."""
    first, parts, size = 1, [], 0
    for number, line in lines:
        if not parts:
            first = number
        size += len(line)
        if size > MAX_RECORD:
            raise InputError(f"{path}:{first}: a document of more than {MAX_RECORD:,} characters; split it")
        parts.append(line)
    return first, separator.join(parts)


def _read_text(path: Path, config: InputConfig) -> Iterator[Row]:
    """One document per block of lines; blocks are separated by blank lines."""
    for has_text, block in groupby(_lines(path), key=lambda numbered: bool(numbered[1].strip())):
        if has_text:
            start, text = _joined(path, ((number, line.removesuffix("\n")) for number, line in block), "\n")
            yield Row(f"{path}:{start}", {config.text_field: text})


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
        shown = os.fsencode(file).decode("utf-8", "backslashreplace")
        if shown != str(file):  # it would be an id that results.jsonl cannot hold
            raise InputError(f"{shown}: the file name is not UTF-8; rename the file (its name is the document's id)")
        _, text = _joined(file, _lines(file))
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
    return _optional_text(row, field) or ""


def _optional_text(row: Row, field: str) -> str | None:
    text = row.fields.get(field)
    if text is not None and not isinstance(text, str):
        raise InputError(f"{row.where}: field {field!r} must be text, not {type(text).__name__}")
    return text


def document_id(given: Any, where: str) -> str | None:
    """An id as the whole project reads it (inputs, references, scored files): text or a whole number, stripped, on
    one line; None when none is given (null or blank)."""
    if given is None:
        return None
    if isinstance(given, bool) or not isinstance(given, str | int):
        raise InputError(f"{where}: id must be text or a whole number, not {type(given).__name__} "
                         f"({reprlib.repr(given)})")
    return _checked_id(where, str(given).strip()) or None


def _given_id(row: Row, config: InputConfig) -> str | None:
    return document_id(row.fields.get(config.id_field), row.where)


def _checked_id(where: str, doc_id: str) -> str:
    if _CONTROL.search(doc_id):
        raise InputError(f"{where}: id {reprlib.repr(doc_id)} holds a control character (a line break, a tab, a NUL); "
                         "an id is one line of text")
    return doc_id


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


def check_input(path: str | Path) -> None:
    """Refuse a missing input or an unknown format now, before anything heavy loads; rows are checked as read."""
    _reader(Path(path))


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
            doc_id = _checked_id(row.where, row.default_id) if row.default_id else _derived_id(text)
            base, copy = doc_id, 1
            while doc_id in seen:  # the same text twice: keep both, numbered in order
                copy += 1
                doc_id = f"{base}-{copy}"
        seen.add(doc_id)
        fields = (config.reference_summary_field, config.reference_translation_field)
        references = {
            name: reference
            for name, field in zip(INPUT_REFERENCES, fields, strict=True)
            if (reference := _optional_text(row, field)) is not None
        }
        yield Document(id=doc_id, source=text, references=references)
