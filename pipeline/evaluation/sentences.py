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

# Languages whose sentences end with the danda (।): those written in Devanagari, Bengali-Assamese, Gurmukhi or
# Odia script. pysbd's Hindi rules split them; its English rules would keep a whole summary as one sentence.
DANDA_LANGUAGES = frozenset({"hi", "mr", "ne", "sa", "mai", "brx", "doi", "gom", "bn", "as", "pa", "or"})


@lru_cache(maxsize=1)
def _hindi_segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="hi", clean=False)


def split_hindi(text: str) -> list[str]:
    """Sentences by pysbd's Hindi rules: they end at the danda (।) as well as ``?`` and ``!``, in any script."""
    return [s.strip() for line in text.split("\n") for s in _hindi_segmenter().segment(line) if s.strip()]


def split_tokenized(text: str) -> list[str]:
    return [s.strip() for line in text.split("\n") for s in _AFTER_FINAL_TOKEN.split(line) if s.strip()]


SPLITTERS: dict[str, Callable[[str], list[str]]] = {
    "pysbd": split_sentences,
    "pysbd-hi": split_hindi,
    "tokenized": split_tokenized,
}
