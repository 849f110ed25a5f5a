"""JSON and JSON Lines files of a run folder, read without altering any text.

Every problem is raised as RunFormatError naming the file, and the line for JSON Lines files, so the
export script can report it in one line instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.io.json_files import read_json, read_jsonl


class RunFormatError(ValueError):
    """A run folder that cannot be exported as it stands."""


def read_optional_json(path: Path) -> Any:
    return read_json(path, RunFormatError) if path.is_file() else None


def json_lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    return read_jsonl(path, RunFormatError)


def require_string(record: dict[str, Any], key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise RunFormatError(f"{where}: {key!r} must be a non-empty string")
    return value
