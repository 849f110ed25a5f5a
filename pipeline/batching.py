"""Length-sorted batches under a token budget.

Padding is wasted compute: sorting inputs by length and filling each batch up to a budget of padded tokens
(batch size x longest input) keeps padding low and memory bounded, whatever the mix of short and long
sentences. Callers get results back in input order via `run_batched`, which also halves a batch that did not fit
in the device's memory and runs the halves instead, so the documents never fail for the batch's size.
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


class BatchTooLarge(Exception):
    """A batch did not fit in the device's memory (CUDA out of memory); a smaller one may."""


def run_batched(
    items: Sequence[T],
    lengths: Sequence[int],
    run_batch: Callable[[list[T]], list[R]],
    max_tokens: int,
    max_size: int,
    on_split: Callable[[int], None] = lambda size: None,
    on_done: Callable[[int], None] = lambda finished: None,
) -> list[R]:
    """Apply `run_batch` to length-sorted batches of `items` and return its results in input order.

    A batch whose `run_batch` raises `BatchTooLarge` is run again as two halves (each halved again if needed);
    `on_split` hears the size of every batch split. A single item that does not fit raises. `on_done` hears how
    many items are finished after each batch (progress inside a long call).
    """
    results: list[R | None] = [None] * len(items)
    finished = 0

    def run(batch: list[int]) -> None:
        nonlocal finished
        try:
            outputs = run_batch([items[index] for index in batch])
        except BatchTooLarge:
            if len(batch) == 1:
                raise
            on_split(len(batch))
            middle = len(batch) // 2
            run(batch[:middle])
            run(batch[middle:])
            return
        if len(outputs) != len(batch):
            raise RuntimeError(f"a batch of {len(batch)} inputs gave {len(outputs)} outputs")
        for index, output in zip(batch, outputs):
            results[index] = output
        finished += len(batch)
        on_done(finished)

    for batch in plan_batches(lengths, max_tokens, max_size):
        run(batch)
    return results  # type: ignore[return-value]
