"""Length-sorted batches under a token budget.

Padding is wasted compute: sorting inputs by length and filling each batch up to a budget of padded tokens
(batch size x longest input) keeps padding low and memory bounded, whatever the mix of short and long
sentences. Callers get results back in input order via `run_batched`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def plan_batches(lengths: Sequence[int], max_tokens: int, max_size: int) -> list[list[int]]:
    """Group input indices into batches, longest first, each within `max_tokens` padded tokens and `max_size` items.

    An input longer than the budget on its own still gets a batch of its own.
    """
    order = sorted(range(len(lengths)), key=lambda index: (-lengths[index], index))
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        # Sorted longest first, so the batch's padded width is the length of its first member.
        width = lengths[current[0]] if current else lengths[index]
        if current and (len(current) + 1 > max_size or (len(current) + 1) * width > max_tokens):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def run_batched(
    items: Sequence[T],
    lengths: Sequence[int],
    run_batch: Callable[[list[T]], list[R]],
    max_tokens: int,
    max_size: int,
) -> list[R]:
    """Apply `run_batch` to length-sorted batches of `items` and return its results in input order."""
    results: list[R | None] = [None] * len(items)
    for batch in plan_batches(lengths, max_tokens, max_size):
        outputs = run_batch([items[index] for index in batch])
        if len(outputs) != len(batch):
            raise RuntimeError(f"a batch of {len(batch)} inputs gave {len(outputs)} outputs")
        for index, output in zip(batch, outputs):
            results[index] = output
    return results  # type: ignore[return-value]
