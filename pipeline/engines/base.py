"""The execution seam: an engine takes the stage plan and a stream of documents and yields finished batches.

What is computed is the stages' business (`pipeline.stages`); how documents are grouped into batches, where the
stages are built and in which order batches run is the engine's alone. The runner only writes what comes back.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from pipeline.config import RunConfig, Section
from pipeline.records import Document, DocumentError, Failure, Result
from pipeline.registry import Registry
from pipeline.stages import Stage, StagePlan
from pipeline.stages.base import NoSettings, StageProgress


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one batch: every document of it is either a result or a failure."""

    results: list[Result]
    failures: list[Failure]

    @property
    def documents(self) -> int:
        return len(self.results) + len(self.failures)


class Executor(ABC):
    """Runs a stage plan over documents. Use it as a context manager: `start`, then `run`, then it closes."""

    name: ClassVar[str]
    config_model: ClassVar[type[Section]] = NoSettings  # its settings, under `engine.<name>` in a run config

    def __init__(self, plan: StagePlan, progress: StageProgress | None = None) -> None:
        self.plan = plan
        self.progress = progress  # hears the stages' progress inside a batch, where they run in this process

    @abstractmethod
    def start(self) -> dict[str, dict[str, Any]]:
        """Build the stages (load their models) before any document is read; their descriptions for the manifest.

        A model that cannot be loaded raises `ModelLoadError` here, so a run stops before any work.
        """

    @abstractmethod
    def run(self, documents: Iterable[Document]) -> Iterator[BatchOutcome]:
        """Process the stream, yielding each batch once all its documents are finished or failed."""

    @classmethod
    def check_config(cls, config: RunConfig) -> None:
        """Raise ValueError (message starting with the key path) for engine settings that do not fit the run."""

    def describe(self) -> dict[str, Any]:
        """The engine and its resources, for the manifest."""
        return {"name": self.name}

    def close(self) -> None:
        """Release what `start` took (workers, devices)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


ENGINES: Registry[type[Executor]] = Registry("engine")


def _failure(document: Document, stage: str, error: BaseException, source: str | None = None) -> Failure:
    if isinstance(error, DocumentError):
        return Failure(document.id, stage, str(error), source or document.source, document_fault=True)
    return Failure(document.id, stage, f"{type(error).__name__}: {error}", document.source)


def _refusal(document: Document, max_chars: int) -> Failure | None:
    """Why a document is not run at all: it is empty, or longer than `input.max_document_chars`."""
    if not document.source.strip():
        return _failure(document, "input", DocumentError("empty document"))
    if len(document.source) > max_chars:
        reason = DocumentError(
            f"document of {len(document.source)} characters is over input.max_document_chars ({max_chars})"
        )
        return _failure(document, "input", reason, source=document.source[:1000])  # not megabytes in errors.jsonl
    return None


def refuse(documents: list[Document], max_chars: int) -> tuple[list[Document], list[Failure]]:
    """The documents to run, and failures for those not to run at all (empty, or too long)."""
    live, refused = [], []
    for document in documents:
        if (failure := _refusal(document, max_chars)) is None:
            live.append(document)
        else:
            refused.append(failure)
    return live, refused


def apply_stage(stage: Stage, documents: list[Document]) -> tuple[list[Document], list[Failure]]:
    """Run a stage on a batch; if the batch fails, run it document by document to isolate the failures."""
    if not documents:
        return [], []
    started = time.perf_counter()
    try:
        stage.process(documents)
    except Exception as error:
        if len(documents) == 1:
            return [], [_failure(documents[0], stage.name, error)]
        succeeded, failed = [], []
        for document in documents:
            ok, errors = apply_stage(stage, [document])
            succeeded += ok
            failed += errors
        return succeeded, failed
    seconds = (time.perf_counter() - started) / len(documents)
    for document in documents:
        # Documents of a batch are processed together, so the time is the batch's, shared evenly.
        document.stages.setdefault(stage.record_key, {})["seconds"] = round(seconds, 4)
    return documents, []


def run_stages(stages: list[Stage], documents: list[Document]) -> tuple[list[Document], list[Failure]]:
    """Stages over a batch, in order; a document that fails one stage skips the rest."""
    failures: list[Failure] = []
    for stage in stages:
        documents, failed = apply_stage(stage, documents)
        failures += failed
    return documents, failures


def process_batch(stages: list[Stage], documents: list[Document], max_chars: int) -> BatchOutcome:
    """Every stage over one batch, in order: what the local engine does with each batch."""
    live, refused = refuse(documents, max_chars)
    finished, failed = run_stages(stages, live)
    return BatchOutcome([document.to_result() for document in finished], refused + failed)
