"""Preparing Indic (Hindi first) text for sentence-level translation.

Normalization and sentence splitting come from indic-nlp-library 0.92, the library IndicTrans2 was trained
with, so the translator sees text the way it saw its training data. Segmentation is lossless: the segments
and their separators re-assemble into the prepared text character for character, and every segment knows
its paragraph so a translation keeps the source's paragraph breaks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache

from indicnlp.normalize.indic_normalize import BaseNormalizer, IndicNormalizerFactory
from indicnlp.tokenize.sentence_tokenize import sentence_split

from pipeline.records import Segment

_INLINE_SPACE = re.compile(r"[^\S\n]+")  # any whitespace but the newline
_BLANK_LINES = re.compile(r"\n\s*\n")
_PARAGRAPH_BREAK = re.compile(r"\n+")


@lru_cache(maxsize=None)
def _normalizer(iso_code: str) -> BaseNormalizer:
    return IndicNormalizerFactory().get_normalizer(iso_code)


def normalize(text: str, iso_code: str) -> str:
    """NFC, then indic-nlp-library's script normalizer: nukta forms, danda, zero-width characters.

    Both steps work line by line so that paragraph structure survives: the normalizer alone would turn
    whitespace characters into spaces or drop them.
    """
    normalizer = _normalizer(iso_code)
    return "\n".join(normalizer.normalize(unicodedata.normalize("NFC", line)) for line in text.split("\n"))


def clean_whitespace(text: str) -> str:
    """Collapse runs of spaces and tabs, trim lines, and reduce blank-line runs to one empty line."""
    lines = [_INLINE_SPACE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _paragraphs(text: str) -> Iterator[tuple[str, str]]:
    """(paragraph, the newline run that follows it) for a cleaned text."""
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        yield text[position : match.start()], match.group()
        position = match.end()
    yield text[position:], ""


def _sentences_with_separators(paragraph: str, iso_code: str) -> list[tuple[str, str]]:
    """Sentences of one paragraph, each with the whitespace that followed it in the paragraph."""
    sentences = sentence_split(paragraph, lang=iso_code)
    located: list[tuple[str, str]] = []
    position = 0
    for sentence in sentences:
        start = paragraph.find(sentence, position)
        if start < 0:  # the splitter changed the text: fall back to the paragraph as one unit
            return [(paragraph, "")]
        if located:
            previous, _ = located[-1]
            located[-1] = (previous, paragraph[position:start])
        elif start > 0:
            return [(paragraph, "")]
        located.append((sentence, ""))
        position = start + len(sentence)
    if position != len(paragraph):
        return [(paragraph, "")]
    return located


def chunk_on_words(sentence: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Split a sentence longer than `max_tokens` into word-aligned chunks that each fit.

    Each chunk is the longest run of words that still fits, found by binary search over the word count (token
    counts grow with the words), so a long sentence costs O(chunks · log words) tokenizer calls. A single word
    that alone exceeds the limit becomes its own chunk; the translator truncates it.
    """
    if count_tokens(sentence) <= max_tokens:
        return [sentence]
    words = sentence.split(" ")
    chunks: list[str] = []
    start = 0
    while start < len(words):
        fits, too_long = start + 1, len(words) + 1  # words[start:fits] always taken; words[start:too_long] never
        while too_long - fits > 1:
            middle = (fits + too_long) // 2
            if count_tokens(" ".join(words[start:middle])) <= max_tokens:
                fits = middle
            else:
                too_long = middle
        chunks.append(" ".join(words[start:fits]))
        start = fits
    return chunks


def segment(
    text: str, iso_code: str, max_tokens: int, count_tokens: Callable[[str], int]
) -> list[Segment]:
    """Split prepared text into translation segments: paragraphs, then sentences, then chunks of long sentences."""
    segments: list[Segment] = []
    for paragraph_index, (paragraph, paragraph_break) in enumerate(_paragraphs(text)):
        sentences = _sentences_with_separators(paragraph, iso_code)
        for sentence_index, (sentence, sentence_gap) in enumerate(sentences):
            chunks = chunk_on_words(sentence, max_tokens, count_tokens)
            is_last_sentence = sentence_index == len(sentences) - 1
            for chunk_index, chunk in enumerate(chunks):
                if chunk_index < len(chunks) - 1:
                    separator = " "
                else:
                    separator = paragraph_break if is_last_sentence else sentence_gap
                segments.append(Segment(chunk, paragraph_index, separator))
    return [s for s in segments if s.text]


def assemble(segments: list[Segment], texts: list[str] | None = None) -> str:
    """Join segments (or their translations, `texts`, in the same order) with the source's separators.

    A translation keeps paragraph breaks exactly; within a paragraph, translated sentences are joined by one
    space whatever separated the source sentences.
    """
    if texts is None:
        return "".join(s.text + s.separator for s in segments)
    parts = []
    for segment_, text in zip(segments, texts, strict=True):
        separator = segment_.separator if "\n" in segment_.separator else (" " if segment_.separator else "")
        parts.append(text.strip() + separator)
    return "".join(parts).strip()
