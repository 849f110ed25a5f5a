"""English sentence segmentation.

pysbd is rule-based and ships its rules in the package, so it needs no data download (NLTK's punkt does),
which keeps ROUGE-Lsum and the lead-k baseline usable offline.
"""

from __future__ import annotations

from functools import lru_cache

import pysbd


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """Split English text into sentences, stripped and non-empty; paragraph breaks always end a sentence."""
    sentences: list[str] = []
    for paragraph in text.split("\n"):
        if paragraph.strip():
            sentences.extend(s.strip() for s in _segmenter().segment(paragraph) if s.strip())
    return sentences
