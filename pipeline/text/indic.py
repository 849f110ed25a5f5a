"""Preparing Indic (Hindi first) text for sentence-level translation, or paragraph-level (`segment(unit=...)`).

Normalization and sentence splitting are indic-nlp-library 0.92's, the library IndicTrans2 was trained with,
so the translator sees text the way it saw its training data (the splitter's rules are re-stated here so that
they take linear time). Segmentation is lossless: the segments and their separators re-assemble into the
prepared text character for character, and every segment knows its paragraph so a translation keeps the
source's paragraph breaks. It takes time linear in the text's length, whatever the text: no sentence ends, a
megabyte without a space, runs of initials.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import accumulate, groupby, takewhile
from typing import Literal, TypeVar, get_args

import regex
from indicnlp import langinfo
from indicnlp.normalize.indic_normalize import BaseNormalizer, IndicNormalizerFactory

from pipeline.records import Segment

_INLINE_SPACE = re.compile(r"[^\S\n]+")  # any whitespace but the newline
_BLANK_LINES = re.compile(r"\n\s*\n")
_PARAGRAPH_BREAK = re.compile(r"\n+")
_GRAPHEME = regex.compile(r"\X")  # a user-perceived character: a Devanagari conjunct with its vowel sign is one

Unit = TypeVar("Unit")
Located = tuple[str, str]  # a part of a text, and the text that follows it
SegmentUnit = Literal["sentence", "paragraph"]  # what a segment is, at most: a sentence, or a whole paragraph


@lru_cache(maxsize=None)
def _splitter():
    """indic-nlp-library's sentence splitter, imported on first use: it imports pandas and pyarrow (through its
    transliterator), which loading a config must not pay for."""
    from indicnlp.tokenize import sentence_tokenize

    return sentence_tokenize


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


def _delimiter(text: str, iso_code: str) -> re.Pattern[str]:
    """The library's choice: dandas end sentences if the language has them and the text uses one, else periods too."""
    splitter = _splitter()
    if langinfo.is_danda_delim(iso_code) and splitter.CONTAINS_DANDA.search(text):
        return splitter.DELIM_PAT_DANDA
    return splitter.DELIM_PAT_NO_DANDA


def _candidate_sentences(text: str, delimiter: re.Pattern[str]) -> list[str]:
    """The library's first pass: cut after every delimiter that does not follow a digit."""
    candidates = []
    begin = 0
    for match in delimiter.finditer(text):
        if match.start() > 0 and text[match.start() - 1].isnumeric():
            continue
        candidates.append(text[begin : match.start() + 1].strip())
        begin = match.start() + 1
    candidates.append(text[begin:].strip())
    return [candidate for candidate in candidates if candidate]


def _merge_abbreviations(candidates: list[str], iso_code: str) -> list[str]:
    """The library's second pass: initials (`क.`) and abbreviations (`डॉ.`) are joined to what follows, by a space.

    Step for step as the library does it, text that it drops included; `segment` notices, as for any splitter
    that changes the text.
    """
    sentences: list[str] = []
    pending: list[str] = []  # the library's sentence buffer, as the parts it joins with spaces
    in_run = False
    for candidate in candidates:
        words = candidate.split(" ")
        if len(words) == 1 and candidate.endswith("."):
            pending = pending or [""]
            pending.append(candidate)
            in_run = True
        elif candidate.endswith(".") and _splitter().is_acronym_abbvr(words[-1][:-1], iso_code):
            if pending and not in_run:
                sentences.append(" ".join(pending))
            pending, in_run = [candidate], True
        elif in_run:
            sentences.append(" ".join([*pending, candidate]))
            pending, in_run = [], False
        else:
            if pending:
                sentences.append(" ".join(pending))
            pending = [candidate]
    if pending:
        sentences.append(" ".join(pending))
    return sentences


def split_sentences(paragraph: str, iso_code: str) -> list[str]:
    """indic-nlp-library 0.92's `sentence_split`, with the same output, in time linear in the paragraph.

    The library joins a run of one-word sentences ending in a period (`क. ख. ग. …`) by growing one string, which
    takes time quadratic in the run's length; here the run is kept as a list and joined once.
    """
    if iso_code == "ur":  # the library hands Urdu to urduhack
        return _splitter().sentence_split(paragraph, lang=iso_code)
    delimiter = _delimiter(paragraph, iso_code)
    candidates = _candidate_sentences(paragraph.strip(), delimiter)
    return _merge_abbreviations(candidates, iso_code) if delimiter.search(".") else candidates


def _located(text: str, parts: list[str], following: str) -> list[Located]:
    """Each part of `text` with what follows it: the text up to the next part, or `following` after the last.

    If the parts are not, in order, all of `text` (a splitter that changed it), the whole text is one part.
    """
    located: list[Located] = []
    position = 0
    for part in parts:
        start = text.find(part, position)
        if start < 0 or (start > 0 and not located):
            return [(text, following)]
        if located:
            located[-1] = (located[-1][0], text[position:start])
        located.append((part, following))
        position = start + len(part)
    return located if position == len(text) else [(text, following)]


def _longest_run(
    units: list[Unit], start: int, join: Callable[[list[Unit]], str], fits: Callable[[str], bool], guess: int
) -> int:
    """How many units from `start`, joined, still fit (0 if not even one), for a `fits` that stays false once false.

    The search walks away from `guess` in steps of 1, 2, 4, … until it passes the answer, then bisects: about
    2·log2(|answer - guess|) + 2 measurements, none of a run much longer than the answer or the guess.
    """

    def run_fits(length: int) -> bool:
        return fits(join(units[start : start + length]))

    most = len(units) - start
    low, high = 0, most + 1  # a run of `low` units fits (or is empty), a run of `high` does not (or is too long)
    probe, step = min(max(guess, 1), most), 1
    while low < probe < high:
        if run_fits(probe):
            low, probe = probe, min(probe + step, most)
        else:
            high, probe = probe, max(probe - step, 1)
        step *= 2
    while high - low > 1:
        middle = (low + high) // 2
        if run_fits(middle):
            low = middle
        else:
            high = middle
    return low


def _greedy_runs(
    units: list[Unit], join: Callable[[list[Unit]], str], fits: Callable[[str], bool], guess: int
) -> Iterator[tuple[str, bool]]:
    """The longest run of units from the start that fits, then the longest from where it ended, and so on.

    `join` makes a run's text from its units (`" ".join` for words).

    Yields each run joined and whether it fits: a unit that alone does not fit is a run of its own. Each search
    starts from the previous run's length, so runs of similar lengths cost a few measurements each.
    """
    start = 0
    while start < len(units):
        length = _longest_run(units, start, join, fits, guess)
        guess = max(length, 1)
        yield join(units[start : start + guess]), length > 0
        start += guess


def chunk_on_words(sentence: str, max_tokens: int, count_tokens: Callable[[str], int]) -> list[str]:
    """Split a sentence longer than `max_tokens` into chunks that each fit, on word boundaries where it can.

    Each chunk is the longest run of words that still fits, measured whole with the translator's own counter
    (token counts do not add up word by word: tags, end of sentence, placeholders). The search for each run
    starts from the previous run's length and measures little more than two runs, so a sentence costs time
    linear in its length.

    A word that alone is over the limit is cut the same way between grapheme clusters, and its pieces follow
    each other without a space, so the translator truncates no chunk; only a single grapheme cluster over the
    limit (hostile input) stays whole. Whether a word longer than `max_tokens` characters fits is decided by
    measuring its leading pieces, never the whole word: a megabyte without spaces is not measured at once
    (IndicTrans2's placeholders take time quadratic in a text's entities).
    """

    def fits(text: str) -> bool:
        return count_tokens(text) <= max_tokens

    def cut(word: str) -> list[str]:
        return [piece for piece, _ in _greedy_runs(_GRAPHEME.findall(word), "".join, fits, max_tokens)]

    def chunk(words: list[str]) -> list[str]:
        runs = _greedy_runs(words, " ".join, fits, max_tokens)
        return [piece for run, whole in runs for piece in ([run] if whole else cut(run))]

    chunks: list[str] = []
    words: list[str] = []  # the words since the last long word that was cut
    for word in sentence.split(" "):
        pieces = cut(word) if len(word) > max_tokens else [word]
        if len(pieces) > 1:
            chunks += chunk(words) + pieces
            words = []
        else:
            words.append(word)
    return chunks + chunk(words)


def _joined(sentences: list[Located]) -> str:
    """Located sentences as they stand in their paragraph: each followed by its gap, but the last."""
    return "".join(sentence + gap for sentence, gap in sentences[:-1]) + sentences[-1][0]


def _sentence_runs(sentences: list[Located], max_tokens: int, count_tokens: Callable[[str], int]) -> list[Located]:
    """Consecutive located sentences joined into the longest runs that fit, in order, each with the gap after it.

    The first search starts from as many sentences as have at most `max_tokens` words (a tokenizer gives a word
    at least one token), so a long paragraph is not measured whole to find where its first run ends.
    """
    words = accumulate(len(sentence.split()) for sentence, _ in sentences)
    guess = max(sum(1 for _ in takewhile(lambda total: total <= max_tokens, words)), 1)
    runs = _greedy_runs(sentences, _joined, lambda run: count_tokens(run) <= max_tokens, guess)
    return _located(_joined(sentences), [run for run, _ in runs], sentences[-1][1])


def segment(
    text: str, iso_code: str, max_tokens: int, count_tokens: Callable[[str], int], unit: SegmentUnit = "sentence"
) -> list[Segment]:
    """Split prepared text into translation segments: paragraphs, then sentences, then chunks of long sentences.

    With `unit="paragraph"` (for translators that read a paragraph at once) the sentences are joined again, with
    the text between them, into the longest runs that fit: a whole paragraph when it fits. A sentence over the
    limit is chunked as with `unit="sentence"`, and no run reaches across it.
    """
    if unit not in get_args(SegmentUnit):
        raise ValueError(f"unknown segment unit {unit!r}: one of {', '.join(get_args(SegmentUnit))}")
    segments: list[Segment] = []
    for paragraph_index, (paragraph, paragraph_break) in enumerate(_paragraphs(text)):
        chunked = [  # for each sentence, its chunks; one chunk: the sentence
            _located(sentence, chunk_on_words(sentence, max_tokens, count_tokens), gap)
            for sentence, gap in _located(paragraph, split_sentences(paragraph, iso_code), paragraph_break)
        ]
        if unit == "paragraph":  # each stretch of whole sentences becomes runs; a chunked sentence stays apart
            runs: list[list[Located]] = []
            for whole, group in groupby(chunked, key=lambda chunks: len(chunks) == 1):
                runs += [_sentence_runs([one for (one,) in group], max_tokens, count_tokens)] if whole else group
            chunked = runs
        segments += [Segment(chunk, paragraph_index, separator) for chunks in chunked for chunk, separator in chunks]
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
