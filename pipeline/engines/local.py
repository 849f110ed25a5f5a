"""The local engine: batches of `batch_size` documents in input order, one after the other, in this process."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from pipeline.engines.base import ENGINES, BatchOutcome, Executor, process_batch
from pipeline.records import Document
from pipeline.stages import Stage


@ENGINES.register("local")
class LocalExecutor(Executor):
    name = "local"

    def start(self) -> dict[str, dict[str, Any]]:
        self._stages: list[Stage] = self.plan.build()
        described = {stage.name: stage.describe() for stage in self._stages}
        return {name: description for name, description in described.items() if description is not None}

    def run(self, documents: Iterable[Document]) -> Iterator[BatchOutcome]:
        config = self.plan.config
        stream = iter(documents)
        while batch := list(islice(stream, config.batch_size)):
            yield process_batch(self._stages, batch, config.input.max_document_chars)
