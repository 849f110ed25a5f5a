"""Model loading said out loud: loading a model takes seconds to minutes, and a silent wait looks like a hang.

Both backends announce a model before they load it (which model, on which device, in which precision) and once
it is loaded (how long it took, how big it is), in the same words.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)


def _scaled(value: float, units: tuple[tuple[str, float], ...]) -> str:
    """`value` in the largest unit it reaches (211M, 1.2B, 423 MB, 48 kB): whole from 10 up, one decimal below."""
    unit, size = next(((unit, size) for unit, size in units if value >= size), units[-1])
    scaled = value / size
    return f"{scaled:,.0f}{unit}" if scaled >= 10 else f"{scaled:.1f}{unit}"


def parameters(count: int) -> str:
    return f"{_scaled(count, (('B', 1e9), ('M', 1e6), ('K', 1e3), ('', 1)))} parameters"


def byte_size(size: int) -> str:
    return _scaled(size, ((" MB", 1e6), (" kB", 1e3), (" bytes", 1)))


class LoadAnnouncement:
    """Says which model loads where now; `loaded(size)` says how long it took and how big it is."""

    def __init__(self, stage: str, model_id: str, device: str, precision: str) -> None:
        self.stage, self.model_id = stage, model_id
        log.info("%s: loading %s on %s (%s)", stage, model_id, device, precision)
        self._started = time.perf_counter()

    def loaded(self, size: str) -> None:
        log.info("%s: %s loaded in %.1f s: %s", self.stage, self.model_id, time.perf_counter() - self._started, size)
