"""Reading JSON and JSON Lines files with errors that name the file and the line.

One reader for every JSONL the project reads (inputs, run folders, evaluation outputs). Lines are split on
"\\n" only, so U+2028 and other separators that JSON allows inside strings stay where they are. Callers pass
the exception type their command line reports, so a bad file is one clear line, never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _decoded(data: bytes, where: str, offset: int, error_type: type[Exception]) -> str:
    try:
        return data.decode("utf-8-sig" if offset == 0 else "utf-8")
    except UnicodeDecodeError as error:
        position = offset + error.start
        raise error_type(
            f"{where}: not valid UTF-8 (byte offset {position}: {data[error.start:error.start + 4]!r}); "
            "convert the file to UTF-8"
        ) from None


def decoded_lines(path: Path, error_type: type[Exception] = ValueError) -> Iterator[tuple[int, str]]:
    """(line number, text with its line ending) for each line, decoded one at a time; bad bytes name the line."""
    offset = 0
    with Path(path).open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            yield number, _decoded(raw, f"{path}:{number}", offset, error_type)
            offset += len(raw)


def read_jsonl(path: Path, error_type: type[Exception] = ValueError) -> Iterator[tuple[str, dict[str, Any]]]:
    """(`file:line`, object) for each non-blank line; a line that is not a JSON object raises `error_type`."""
    for number, text in decoded_lines(path, error_type):
        if not text.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            raise error_type(f"{where}: malformed JSON ({error.msg} at column {error.colno})") from None
        if not isinstance(record, dict):
            raise error_type(f"{where}: expected a JSON object per line, got {type(record).__name__}")
        yield where, record


def read_json(path: Path, error_type: type[Exception] = ValueError) -> Any:
    """A whole JSON document (a manifest, a report)."""
    data = Path(path).read_bytes()
    text = _decoded(data, str(path), 0, error_type)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise error_type(f"{path}:{error.lineno}: malformed JSON ({error.msg} at column {error.colno})") from None
