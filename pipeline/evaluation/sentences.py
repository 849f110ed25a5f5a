"""Sentence splitters for ROUGE-Lsum, which scores the union of sentence-level LCS and so needs sentence boundaries.

``pysbd`` suits running text. ``tokenized`` suits text already tokenized with a space before final
punctuation (the CNN/DailyMail highlights and the published system outputs: ``... on Friday . The club ...``),
where pysbd splits about one text in ten differently: it breaks after every stand-alone ``.``, ``!`` or ``?`` token.
Paragraph breaks always end a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import pysbd

from pipeline.text.english import split_sentences

_AFTER_FINAL_TOKEN = re.compile(r"(?<=\s[.!?])\s+")


@lru_cache(maxsize=1)
def _hindi_segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="hi", clean=False)


def split_hindi(text: str) -> list[str]:
    """Hindi sentences: pysbd's Hindi rules end sentences at the danda (।) as well as ``?`` and ``!``."""
    return [s.strip() for line in text.split("\n") for s in _hindi_segmenter().segment(line) if s.strip()]


def split_tokenized(text: str) -> list[str]:
    return [s.strip() for line in text.split("\n") for s in _AFTER_FINAL_TOKEN.split(line) if s.strip()]


SPLITTERS: dict[str, Callable[[str], list[str]]] = {
    "pysbd": split_sentences,
    "pysbd-hi": split_hindi,
    "tokenized": split_tokenized,
}
