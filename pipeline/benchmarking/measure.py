"""Measuring one path: wall time per batch, throughput, latency percentiles, and peak resident memory.

Peak RSS is a property of a process, so every path runs in a process of its own. Those processes are forked from
a fork server that has imported torch, transformers and the pipeline once (and touched no model): each path
starts from the same resident baseline (the imported libraries, reported as `baseline_rss_mb`) without paying
several seconds of imports, and its peak (`VmHWM`) covers exactly its own model, inputs and decoding.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PRELOADED_MODULES = ["torch", "transformers", "pipeline.translation", "pipeline.summarization"]


@dataclass
class BatchTimer:
    """Wall seconds of each batch, in the order they ran."""

    seconds: list[float] = field(default_factory=list)

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, timed on every call."""

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds.append(time.perf_counter() - start)

        return timed


@dataclass
class Measurement:
    """What one path did with one set of inputs."""

    path: str
    inputs: int
    output_tokens: int  # generated target tokens, summed over inputs
    seconds: float
    batch_seconds: list[float]
    peak_rss_mb: float
    outputs: list[Any]  # per input: generated ids (translation) or summary text
    check_outputs: list[Any] = field(default_factory=list)  # greedy ids for the identity check (translation)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.inputs / self.seconds

    @property
    def tokens_per_second(self) -> float:
        return self.output_tokens / self.seconds

    def latency_percentile(self, percent: int) -> float:
        """Batch latency below which `percent`% of the batches finished (nearest rank)."""
        ordered = sorted(self.batch_seconds)
        rank = max(1, -(-percent * len(ordered) // 100))
        return ordered[rank - 1]

    def summary(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "inputs": self.inputs,
            "output_tokens": self.output_tokens,
            "seconds": round(self.seconds, 3),
            "inputs_per_second": round(self.per_second, 3),
            "tokens_per_second": round(self.tokens_per_second, 1),
            "batches": len(self.batch_seconds),
            "p50_batch_seconds": round(self.latency_percentile(50), 3),
            "p95_batch_seconds": round(self.latency_percentile(95), 3),
            "mean_batch_seconds": round(statistics.mean(self.batch_seconds), 3),
            "peak_rss_mb": round(self.peak_rss_mb),
            **self.details,
        }


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource  # not Linux: ru_maxrss (KiB on Linux and BSD, bytes on macOS; this branch is a fallback)

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class IsolatedRunner:
    """Runs each call in a fresh process forked from a fork server with the libraries already imported."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOADED_MODULES)

    def __call__(self, function: Callable[..., Any], *args: Any) -> Any:
        with ProcessPoolExecutor(1, mp_context=self._context, max_tasks_per_child=1) as executor:
            return executor.submit(function, *args).result()
