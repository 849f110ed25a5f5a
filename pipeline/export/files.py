"""JSON and JSON Lines files of a run folder, read without altering any text.

Every problem is raised as RunFormatError naming the file, and the line for JSON Lines files, so the
export script can report it in one line instead of a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class RunFormatError(ValueError):
    """A run folder that cannot be exported as it stands."""


def read_optional_json(path: Path) -> Any:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise RunFormatError(f"{path}: not UTF-8 ({error.reason})") from error
    except json.JSONDecodeError as error:
        raise RunFormatError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from error


def json_lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``file:line``, object) pairs; split on b"\\n" only, so U+2028 and other separators inside strings stay put."""
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


def require_string(record: dict[str, Any], key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise RunFormatError(f"{where}: {key!r} must be a non-empty string")
    return value
