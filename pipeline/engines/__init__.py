"""Engines that run a stage plan over a stream of documents, registered by the names `engine:` uses."""

from pipeline.engines import local, ray_data  # noqa: F401  (registration)
from pipeline.engines.base import ENGINES, BatchOutcome, Executor, apply_stage, process_batch

__all__ = ["ENGINES", "BatchOutcome", "Executor", "apply_stage", "process_batch"]
