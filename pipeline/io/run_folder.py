"""The run folder: `results.jsonl`, `errors.jsonl`, `manifest.json`.

Results are appended and flushed to disk after every batch, so a run that dies loses at most the batch in
flight; `resume` continues after the ids already written and never writes an id twice.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

RESULTS = "results.jsonl"
ERRORS = "errors.jsonl"
MANIFEST = "manifest.json"


class OutputExistsError(ValueError):
    """The output folder already holds results and the run was not asked to resume."""


def _complete_lines(path: Path) -> list[dict[str, Any]]:
    """Records of a JSONL file written by an earlier run; a torn last line (a run killed mid-write) is cut off."""
    if not path.exists():
        return []
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) != len(data):
        with path.open("r+b") as handle:
            handle.truncate(len(complete))
    return [json.loads(line) for line in complete.decode("utf-8").split("\n") if line.strip()]


class RunFolder:
    def __init__(self, path: str | Path, resume: bool) -> None:
        self.path = Path(path)
        results = self.path / RESULTS
        if not resume and results.exists() and results.stat().st_size > 0:
            raise OutputExistsError(
                f"{self.path} already holds results; pass --resume to continue that run, or choose another --output"
            )
        self.path.mkdir(parents=True, exist_ok=True)
        self.done_ids = frozenset(record["id"] for record in _complete_lines(results))
        # Documents that failed before are tried again on resume, so their old error lines go.
        (self.path / ERRORS).write_text("", encoding="utf-8")
        self._results = results.open("a", encoding="utf-8")
        self._errors = (self.path / ERRORS).open("a", encoding="utf-8")

    def append(self, results: list[dict[str, Any]], errors: list[dict[str, Any]]) -> None:
        """Write one batch and make it durable before the next batch starts."""
        for handle, records in ((self._results, results), (self._errors, errors)):
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically, so it is never seen half-written."""
        temporary = self.path / (MANIFEST + ".tmp")
        temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        temporary.replace(self.path / MANIFEST)

    def close(self) -> None:
        self._results.close()
        self._errors.close()

    def __enter__(self) -> RunFolder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
