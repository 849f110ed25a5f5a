"""The local engine: batches of `batch_size` documents in input order, in this process.

With `engine.local.overlap` (the default) every stage runs in a thread of its own, joined to the next by a short
queue: while the translator generates batch n, the next batches are read and prepared, the summarizer works on
batch n-1 and the runner writes batch n-2. Each stage still sees every batch in input order, with the same
documents, so the outputs are those of the one-batch-at-a-time loop (`overlap: false`); only the time is shared.
Stage objects never cross threads (a translator shared by `prepare` and `translate` guards its tokenizer).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from pydantic import Field

from pipeline.config import Section
from pipeline.engines.base import ENGINES, BatchOutcome, Executor, process_batch, refuse, run_stages
from pipeline.records import Document, Failure
from pipeline.stages import Stage, StagePlan
from pipeline.stages.base import StageProgress

_POLL_SECONDS = 0.1  # how often a thread blocked on a queue looks whether the run was stopped


class LocalSettings(Section):
    """`engine.local.*`: whether stages of consecutive batches run at the same time."""

    overlap: bool = Field(True, description="each stage in a thread of its own, batches flowing through queues")
    queued_batches: int = Field(2, ge=1, description="batches waiting between two stages (bounds the memory)")


@dataclass
class _InFlight:
    """A batch between two stages: the documents still running and what already failed, in stage order."""

    documents: list[Document]
    failures: list[Failure] = field(default_factory=list)


@dataclass(frozen=True)
class _Raised:
    """An exception of a thread, carried to the runner's thread to be raised there."""

    error: BaseException


_END = object()


def _batches(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    stream = iter(documents)
    while batch := list(islice(stream, size)):
        yield batch


class _Overlapped:
    """Threads joined by bounded queues: input → stage → … → stage → the consumer (`outcomes`)."""

    def __init__(self, stages: list[Stage], batches: Iterator[list[Document]], max_chars: int, depth: int) -> None:
        self._stop = threading.Event()
        self._queues = [queue.Queue(maxsize=depth) for _ in range(len(stages) + 1)]
        self._threads = [threading.Thread(target=self._read, args=(batches, max_chars), daemon=True,
                                          name="local-engine-input")]
        for index, stage in enumerate(stages):
            self._threads.append(threading.Thread(target=self._advance, args=(stage, index), daemon=True,
                                                  name=f"local-engine-{stage.name}"))
        for thread in self._threads:
            thread.start()

    def _put(self, index: int, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._queues[index].put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _get(self, index: int) -> Any:
        while not self._stop.is_set():
            try:
                return self._queues[index].get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
        return _END

    def _read(self, batches: Iterator[list[Document]], max_chars: int) -> None:
        try:
            for batch in batches:
                live, refused = refuse(batch, max_chars)
                if not self._put(0, _InFlight(live, refused)):
                    return
        except BaseException as error:  # a bad input row: the runner raises it after the batches before it
            self._put(0, _Raised(error))
            return
        self._put(0, _END)

    def _advance(self, stage: Stage, index: int) -> None:
        while (item := self._get(index)) is not _END:
            if isinstance(item, _InFlight):
                try:
                    item.documents, failed = run_stages([stage], item.documents)
                except BaseException as error:  # the engine's fault, not a document's (those become failures)
                    item = _Raised(error)
                else:
                    item.failures += failed
            if not self._put(index + 1, item) or isinstance(item, _Raised):
                return
        self._put(index + 1, _END)

    def outcomes(self) -> Iterator[BatchOutcome]:
        try:
            while (item := self._get(len(self._queues) - 1)) is not _END:
                if isinstance(item, _Raised):
                    raise item.error
                yield BatchOutcome([document.to_result() for document in item.documents], item.failures)
        except GeneratorExit:  # the runner stopped reading (interrupted, or a fault of the run)
            self.close(wait=True)
            raise
        except BaseException:
            self.close(wait=False)  # a second Ctrl-C does not wait for the batches in flight
            raise
        self.close(wait=True)

    def close(self, wait: bool) -> None:
        """Stop every thread after the stage call it is in; `wait` for them (the models are theirs until then).

        Once stopped, it is not waited for again: after a second Ctrl-C the engine's own close returns at once.
        """
        if self._stop.is_set():
            return
        self._stop.set()
        if wait:
            for thread in self._threads:
                thread.join()


@ENGINES.register("local")
class LocalExecutor(Executor):
    name = "local"
    config_model = LocalSettings

    def __init__(self, plan: StagePlan, progress: StageProgress | None = None) -> None:
        super().__init__(plan, progress)
        self.settings: LocalSettings = plan.config.engine.settings.get("local") or LocalSettings()
        self._overlapped: _Overlapped | None = None

    def start(self) -> dict[str, dict[str, Any]]:
        self._stages: list[Stage] = self.plan.build(progress=self.progress)
        described = {stage.name: stage.describe() for stage in self._stages}
        return {name: description for name, description in described.items() if description is not None}

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "overlap": self.settings.overlap}

    def run(self, documents: Iterable[Document]) -> Iterator[BatchOutcome]:
        config = self.plan.config
        batches = _batches(documents, config.batch_size)
        if not self.settings.overlap:
            for batch in batches:
                yield process_batch(self._stages, batch, config.input.max_document_chars)
            return
        self._overlapped = _Overlapped(self._stages, batches, config.input.max_document_chars,
                                       self.settings.queued_batches)
        yield from self._overlapped.outcomes()

    def close(self) -> None:
        if self._overlapped is not None:
            self._overlapped.close(wait=True)
