"""Remembering document ids in 16 bytes each, for corpora of millions of documents.

A run must know which ids it has already seen (a duplicate id in the input, a second copy of the same text) and
which are already done (`--resume`). A Python set of id strings costs about 100 bytes per document; this keeps
a 128-bit BLAKE2b fingerprint of each id in two NumPy arrays sorted by its first half (two different ids share a
fingerprint with a probability of about n²/2¹²⁹: 10⁻²⁶ for ten million ids). The newest ids wait in a small set
until it reaches a thirty-second of the sorted part; merging it in inserts them in place, so at that moment the
arrays exist once and a half, not three times over.

One thread may add while others ask (the local engine reads the input in a thread of its own while the runner
notes finished ids): the sorted halves are swapped in as one pair, before the ids they now hold leave `_pending`.
"""

from __future__ import annotations

import hashlib

import numpy as np

_MIN_PENDING = 4096
_PENDING_FRACTION = 32  # merge when the pending ids reach 1/32 of the sorted ones: ~33 copies of each id in all


def _fingerprint(identifier: str) -> int:
    return int.from_bytes(hashlib.blake2b(identifier.encode("utf-8"), digest_size=16).digest(), "little")


class IdSet:
    """A set of strings that answers `in` and `add`, sized for millions of ids; it cannot list them back."""

    def __init__(self) -> None:
        # (high halves, sorted; equal highs (p ≈ 2⁻⁶⁴) in any order — low halves at the same positions)
        self._sorted = (np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.uint64))
        self._pending: set[int] = set()

    def __len__(self) -> int:
        return len(self._sorted[0]) + len(self._pending)

    def __contains__(self, identifier: object) -> bool:
        if not isinstance(identifier, str):
            return False
        key = _fingerprint(identifier)
        if key in self._pending:
            return True
        highs, lows = self._sorted
        high = np.uint64(key >> 64)
        start = int(np.searchsorted(highs, high, side="left"))
        end = int(np.searchsorted(highs, high, side="right"))
        return bool(np.any(lows[start:end] == np.uint64(key & _LOW_MASK)))

    def add(self, identifier: str) -> None:
        self._pending.add(_fingerprint(identifier))
        if len(self._pending) >= max(_MIN_PENDING, len(self._sorted[0]) // _PENDING_FRACTION):
            self._merge()

    def _merge(self) -> None:
        keys = np.array(sorted(self._pending), dtype=object)  # sorted by high, since high is the upper half
        high = np.fromiter((key >> 64 for key in keys), dtype=np.uint64, count=len(keys))
        low = np.fromiter((key & _LOW_MASK for key in keys), dtype=np.uint64, count=len(keys))
        highs, lows = self._sorted
        positions = np.searchsorted(highs, high)
        self._sorted = (np.insert(highs, positions, high), np.insert(lows, positions, low))
        self._pending = set()


_LOW_MASK = (1 << 64) - 1
