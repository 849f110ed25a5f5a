"""The benchmark's table and JSON: each path next to its task's reference, as ratios measured in the same run."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.benchmarking.measure import Measurement


@dataclass(frozen=True)
class Row:
    """One path's measurement compared with the reference of the same task and model."""

    task: str
    model: str
    label: str
    exact: bool  # computes in the reference's precision: its outputs must equal the reference's
    measurement: Measurement
    reference: Measurement

    @staticmethod
    def identical_share(outputs: list[Any], reference: list[Any]) -> float | None:
        if not outputs:
            return None
        return sum(a == b for a, b in zip(outputs, reference, strict=True)) / len(reference)

    @property
    def identical_check(self) -> float | None:
        """Share of inputs whose greedy ids (translation) or summaries equal the reference's."""
        if self.measurement.check_outputs:
            return self.identical_share(self.measurement.check_outputs, self.reference.check_outputs)
        return self.identical_share(self.measurement.outputs, self.reference.outputs)

    @property
    def identical_timed(self) -> float | None:
        """Share of inputs whose outputs of the timed (beam) run equal the reference's."""
        return self.identical_share(self.measurement.outputs, self.reference.outputs)

    @property
    def matches(self) -> bool:
        return self.identical_check == 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "model": self.model,
            "label": self.label,
            "exact": self.exact,
            **self.measurement.summary(),
            "speedup": round(self.reference.seconds / self.measurement.seconds, 2),
            "memory_ratio": round(self.measurement.peak_rss_mb / self.reference.peak_rss_mb, 2),
            "identical_check": self.identical_check,
            "identical_timed_outputs": self.identical_timed,
            "outputs_match": self.matches,
        }


COLUMNS = (
    ("task", "{task}"), ("model", "{model}"), ("path", "{label}"), ("dtype", "{dtype}"),
    ("inputs/s", "{inputs_per_second:.2f}"),
    ("tokens/s", "{tokens_per_second:.0f}"), ("speed-up", "{speedup:.2f}x"), ("p50 batch s", "{p50_batch_seconds:.2f}"),
    ("p95 batch s", "{p95_batch_seconds:.2f}"), ("peak RSS MB", "{peak_rss_mb}"), ("RSS/ref", "{memory_ratio:.2f}"),
    ("same as ref", "{same}"), ("timed outputs same", "{same_timed}"),
)


def _same(row: dict[str, Any]) -> str:
    """`yes` for an exact path whose outputs all match; else the share of identical outputs."""
    share = row["identical_check"]
    if share == 1.0:
        return "yes"
    return f"{share:.0%}" + ("" if not row["exact"] else " MISMATCH")


def _share(share: float) -> str:
    return "yes" if share == 1.0 else f"{share:.0%}"


def table(rows: list[Row]) -> str:
    """A Markdown table of every path."""
    cells = [[template.format(**record, same=_same(record), same_timed=_share(record["identical_timed_outputs"]))
              for _, template in COLUMNS]
             for record in (row.as_dict() for row in rows)]
    header = [name for name, _ in COLUMNS]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]
    lines = [header, ["-" * width for width in widths], *cells]
    return "\n".join("| " + " | ".join(cell.ljust(width) for cell, width in zip(line, widths)) + " |" for line in lines)


def report(rows: list[Row], context: dict[str, Any]) -> dict[str, Any]:
    """Everything the JSON holds: the run's context, every row, and whether the exact paths matched."""
    return {
        **context,
        "results": [row.as_dict() for row in rows],
        "exact_paths_match": all(row.matches for row in rows if row.exact),
        "complete": not context.get("failed"),
    }


def write_json(document: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


class RunFailed(Exception):
    """A measured `scripts/run.py` ended otherwise than expected: with an error, or before it could be killed."""


def report_and_exit_code(measure: Callable[[], dict[str, Any]], table: Callable[[dict[str, Any]], str],
                         json_path: Path | None) -> int:
    """Run a measurement of whole runs, print its table (and write its JSON): 0 when every check passed, else 1."""
    try:
        report = measure()
    except RunFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(table(report))
    if json_path:
        write_json(report, json_path)
    return 0 if report["passed"] else 1
