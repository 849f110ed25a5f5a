"""Reading JSON and JSON Lines files with errors that name the file and the line.

One reader for every JSONL the project reads (inputs, run folders, evaluation outputs). Lines are split on
"\\n" only, so U+2028 and other separators that JSON allows inside strings stay where they are. Callers pass
the exception type their command line reports, so a bad file is one clear line, never a traceback.

Text files are UTF-8, with or without a byte-order mark. A UTF-16 mark is refused with what to do, and so is a
raw NUL byte: no UTF-8 text holds one, but UTF-16 without a mark and binary files do. A NUL written as a JSON
escape (`\\u0000`) is a character like any other and is kept. A lone surrogate escape (`"\\ud800"`) is not a
character, and no UTF-8 file can hold it, so a record with one is refused on its line rather than failing the
run that writes it back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")  # also the start of UTF-32's
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # only a line with one can decode to a lone surrogate
_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads joins pairs, so any left is lone


def _decoded(data: bytes, where: str, offset: int, error_type: type[Exception]) -> str:
    if offset == 0 and data.startswith(_UTF16_MARKS):
        raise error_type(
            f"{where}: a UTF-16 file (it starts with a UTF-16 byte-order mark); convert it to UTF-8, "
            "e.g. iconv -f UTF-16 -t UTF-8"
        )
    nul = data.find(b"\0")
    if nul >= 0:
        raise error_type(
            f"{where}: a NUL byte (byte offset {offset + nul}): a binary file, or UTF-16 without a byte-order mark; "
            "convert the file to UTF-8 text"
        )
    try:
        return data.decode("utf-8-sig" if offset == 0 else "utf-8")
    except UnicodeDecodeError as error:
        position = offset + error.start
        raise error_type(
            f"{where}: not valid UTF-8 (byte offset {position}: {data[error.start:error.start + 4]!r}); "
            "convert the file to UTF-8"
        ) from None


def decoded_lines(
    path: Path, error_type: type[Exception] = ValueError, max_line_bytes: int | None = None
) -> Iterator[tuple[int, str]]:
    """(line number, text with its line ending) for each line, decoded one at a time; bad bytes name the line.

    With `max_line_bytes`, a longer line is refused before it is read whole: a file without line breaks (a
    binary file, a CR-only text) must not fill memory.
    """
    offset = 0
    limit = -1 if max_line_bytes is None else max_line_bytes + 1
    with Path(path).open("rb") as lines:
        for number, raw in enumerate(iter(lambda: lines.readline(limit), b""), start=1):
            if max_line_bytes is not None and len(raw) > max_line_bytes:
                raise error_type(
                    f"{path}:{number}: a line longer than {max_line_bytes:,} bytes; a document this long cannot be "
                    "run (split it), or this is not a text file"
                )
            yield number, _decoded(raw, f"{path}:{number}", offset, error_type)
            offset += len(raw)


def _lone_surrogate(record: dict[str, Any]) -> tuple | None:
    """The key path of a string (a key or a value) in a parsed JSON object that holds a lone surrogate, if any."""
    pending: list[tuple[tuple, Any]] = [((), record)]
    while pending:  # not recursive: json.loads takes nesting as deep as the stack allows
        path, value = pending.pop()
        if isinstance(value, str):
            if _SURROGATE.search(value):
                return path
            continue
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, item in items:
            if isinstance(key, str) and _SURROGATE.search(key):
                return (*path, key)
            pending.append(((*path, key), item))
    return None


def _loads(text: str, path: Path, error_type: type[Exception], line: int | None = None) -> Any:
    """`json.loads`, failing as one line also on a number too long to convert and on nesting too deep."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"{path}:{line or error.lineno}"
        raise error_type(f"{where}: malformed JSON ({error.msg} at column {error.colno})") from None
    except (ValueError, RecursionError) as error:
        raise error_type(f"{path}{f':{line}' if line else ''}: malformed JSON ({error})") from None


def read_jsonl(
    path: Path, error_type: type[Exception] = ValueError, max_line_bytes: int | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(`file:line`, object) for each non-blank line; a line that is not a JSON object raises `error_type`."""
    for number, text in decoded_lines(path, error_type, max_line_bytes):
        if not text.strip():
            continue
        where = f"{path}:{number}"
        record = _loads(text, path, error_type, number)
        if not isinstance(record, dict):
            raise error_type(f"{where}: expected a JSON object per line, got {type(record).__name__}")
        found = _lone_surrogate(record) if _SURROGATE_ESCAPE.search(text) else None
        if found is not None:
            raise error_type(
                f"{where}: field {'.'.join(map(str, found))!r} holds a lone surrogate (a \\ud800-\\udfff escape "
                "without its pair), which is not a character; fix or remove the escape"
            )
        yield where, record


def read_json(path: Path, error_type: type[Exception] = ValueError) -> Any:
    """A whole JSON document (a manifest, a report)."""
    data = Path(path).read_bytes()
    return _loads(_decoded(data, str(path), 0, error_type), path, error_type)
