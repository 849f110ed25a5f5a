"""Remembering document ids in 16 bytes each, for corpora of millions of documents.

A run must know which ids it has already seen (a duplicate id in the input, a second copy of the same text) and
which are already done (`--resume`). A Python set of id strings costs about 100 bytes per document; this keeps
a 128-bit BLAKE2b fingerprint of each id in sorted NumPy arrays instead (two different ids share a fingerprint
with a probability of about n²/2¹²⁹: 10⁻²⁶ for ten million ids), with the newest ids in a small set that is
merged in once it reaches an eighth of the sorted part.
"""

from __future__ import annotations

import hashlib

import numpy as np

_MIN_PENDING = 4096


def _fingerprint(identifier: str) -> tuple[int, int]:
    digest = hashlib.blake2b(identifier.encode("utf-8"), digest_size=16).digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little")


class IdSet:
    """A set of strings that answers `in` and `add`, sized for millions of ids; it cannot list them back."""

    def __init__(self) -> None:
        self._high = np.empty(0, dtype=np.uint64)  # sorted by (high, low)
        self._low = np.empty(0, dtype=np.uint64)
        self._pending: set[tuple[int, int]] = set()

    def __contains__(self, identifier: object) -> bool:
        if not isinstance(identifier, str):
            return False
        key = _fingerprint(identifier)
        if key in self._pending:
            return True
        high = np.uint64(key[0])
        start = int(np.searchsorted(self._high, high, side="left"))
        end = int(np.searchsorted(self._high, high, side="right"))
        return bool(np.any(self._low[start:end] == np.uint64(key[1])))

    def add(self, identifier: str) -> None:
        self._pending.add(_fingerprint(identifier))
        if len(self._pending) >= max(_MIN_PENDING, len(self._high) // 8):
            self._merge()

    def _merge(self) -> None:
        high = np.fromiter((key[0] for key in self._pending), dtype=np.uint64, count=len(self._pending))
        low = np.fromiter((key[1] for key in self._pending), dtype=np.uint64, count=len(self._pending))
        high, low = np.concatenate([self._high, high]), np.concatenate([self._low, low])
        order = np.lexsort((low, high))
        self._high, self._low = high[order], low[order]
        self._pending = set()
