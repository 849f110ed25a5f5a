"""Degenerate generation: outputs that loop, run far longer than their source, stay in the source's script or are empty.

A seq2seq model fails in a few typical ways that its scores hide: it repeats a phrase until `max_new_tokens` runs
out, it hallucinates on and on, it copies the source instead of translating it, or it says nothing. `check` finds
these in one output, given its source, and cuts a loop at the end of the output back to its first occurrence, which
is all that the repetition adds. Stages call it after generation (`translate.guard`, `summarize.guard`,
`back_translate.guard`) and record what it found as the document's flags. Pure text logic: no model, no tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex
from pydantic import Field

from pipeline.config import Section

# The problems, in the order a document's flags name them.
EMPTY, LOOP, TOO_LONG, UNTRANSLATED = "empty", "loop", "too_long", "untranslated"
PROBLEMS = (EMPTY, LOOP, TOO_LONG, UNTRANSLATED)


class GuardConfig(Section):
    """What counts as degenerate output, and whether a loop at its end is cut.

    A loop is an n-gram of words (or, inside a word, of characters: scripts without spaces, garbled output)
    occurring more than `max_repeats` times back to back. Natural text repeats a word or a phrase at most two or
    three times in a row ("very, very"); a model that loops repeats it until its token budget runs out.
    """

    enabled: bool = True
    cut_loops: bool = Field(True, description="cut a loop at the end of an output back to its first occurrence")
    max_repeats: int = Field(3, ge=1, description="times an n-gram may occur back to back; one more is a loop")
    max_ngram_words: int = Field(20, ge=1, description="longest repeated unit looked for, in words: a sentence")
    max_ngram_chars: int = Field(10, ge=1, description="longest repeated unit looked for inside a word, in characters")
    max_length_ratio: float = Field(
        3.0, gt=0, description="a translation longer than this many times its source (in words) is too long"
    )
    min_source_words: int = Field(
        10, ge=1, description="a shorter source counts as this long in the length check, so 'Yes.' may grow a little"
    )
    untranslated_share: float = Field(
        0.5, ge=0, le=1, description="a translation with more of its letters than this in the source's script"
    )
    language: bool = Field(
        True, description="flag an output not in its language (wrong_language) or script (mixed_script): "
        "pipeline/text/language_id.py"
    )


@dataclass(frozen=True)
class Checked:
    """An output as it is to be stored (its looping tail cut, when asked), and the problems found in it."""

    text: str
    problems: tuple[str, ...]  # in the order of PROBLEMS
    cut_chars: int  # characters the cut removed


@dataclass(frozen=True)
class Loop:
    """A stretch of the text where one unit repeats: `text[start:unit_end]` is its first occurrence."""

    start: int
    unit_end: int
    at_end: bool  # nothing but punctuation follows its repetitions (or a last one cut short): the output stopped in it


def check(source: str, output: str, config: GuardConfig, languages: tuple[str, str] | None = None) -> Checked:
    """Check one output against its source. `languages` (source and target, FLORES codes such as `hin_Deva`) says
    that the output translates the source: only then are its length and script compared with the source's (a
    summary is meant to be short, and is in the language of its source). With the guard disabled, nothing is."""
    if not config.enabled:
        return Checked(output, (), 0)
    if not output.strip():
        return Checked(output, (EMPTY,) if source.strip() else (), 0)
    problems = []
    text = output
    if find_loops(output, config):
        problems.append(LOOP)
        if config.cut_loops:
            text = cut_tail_loops(output, config)
    if languages is not None:
        if is_too_long(source, text, config.max_length_ratio, config.min_source_words):
            problems.append(TOO_LONG)
        if is_untranslated(text, *languages, config.untranslated_share):
            problems.append(UNTRANSLATED)
    return Checked(text, tuple(problems), len(output) - len(text))


# --- loops ---

_WORD = regex.compile(r"\S+")
_LETTERS = regex.compile(r"[\p{L}\p{M}]+")  # a word's letters with their combining marks (Devanagari vowel signs)
_EDGE_PUNCTUATION = regex.compile(r"^\p{P}+|\p{P}+$")
_ALPHANUMERIC = regex.compile(r"[\p{L}\p{N}]")


def find_loops(text: str, config: GuardConfig) -> list[Loop]:
    """Every loop of words, then every loop of characters inside a word, each in text order."""
    words = list(_WORD.finditer(text))
    # "spear," repeats "spear": words are compared without the punctuation around them.
    keys = [_EDGE_PUNCTUATION.sub("", word.group()) or word.group() for word in words]
    loops = []
    for start, unit, end in _repeats(keys, config.max_ngram_words, config.max_repeats):
        if any(_ALPHANUMERIC.search(key) for key in keys[start : start + unit]):  # not a row of dashes
            rest = words[end:]
            if rest and keys[end - unit].startswith(keys[end]):
                rest = rest[1:]  # the last occurrence, cut off inside a word: "spear spear spe"
            at_end = not rest or _nothing_but_punctuation(text[rest[0].start() :])
            loops.append(Loop(words[start].start(), words[start + unit - 1].end(), at_end))
    for letters in _LETTERS.finditer(text):
        for start, unit, end in _repeats(letters.group(), config.max_ngram_chars, config.max_repeats):
            offset = letters.start()
            at_end = end == len(letters.group()) and _nothing_but_punctuation(text[letters.end() :])
            loops.append(Loop(offset + start, offset + start + unit, at_end))
    return loops


def cut_tail_loops(text: str, config: GuardConfig) -> str:
    """The text without the repetitions of a loop it ends in; a loop elsewhere is left as it is.

    What the output says before the loop, and the loop's first occurrence, stay. After a cut the text may end in
    another loop, which is cut in turn: "on and on and on and on and and and and" → "on and on and on and on and"
    → "on and".
    """
    while True:
        tails = [loop for loop in find_loops(text, config) if loop.at_end]
        if not tails:
            return text
        loop = min(tails, key=lambda found: (found.start, found.unit_end))
        text = text[: loop.unit_end]


def _repeats(items, longest: int, max_repeats: int) -> list[tuple[int, int, int]]:
    """(start, unit length, end) of each stretch of `items` where a unit of 1 to `longest` items occurs more than
    `max_repeats` times back to back; `end` includes a last occurrence cut short. Shorter units first."""
    found = []
    for unit in range(1, min(longest, len(items) // (max_repeats + 1)) + 1):
        start = 0
        while start + unit < len(items):
            end = start
            while end + unit < len(items) and items[end] == items[end + unit]:
                end += 1
            if end > start and (end + unit - start) // unit > max_repeats:
                found.append((start, unit, end + unit))
            start = end + 1  # a stretch starting inside this one ends where it does: it is shorter
    return found


def _nothing_but_punctuation(text: str) -> bool:
    return not _ALPHANUMERIC.search(text)


# --- length ---

# Scripts written without spaces between words: each of their characters counts as a word.
_UNSPACED = regex.compile(r"[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Mymr}]")


def length_in_words(text: str) -> int:
    """Words separated by spaces; in a script without spaces (Chinese, Japanese, Thai), characters."""
    return sum(max(1, len(_UNSPACED.findall(word))) for word in text.split())


def is_too_long(source: str, output: str, ratio: float, min_source_words: int) -> bool:
    return length_in_words(output) > ratio * max(length_in_words(source), min_source_words)


# --- script ---

# ISO 15924 codes of FLORES that name a writing system of several Unicode scripts; the others (Deva, Latn, Beng, Arab,
# Taml, Olck, Mtei, ...) are Unicode script aliases that the `regex` module knows as they are.
_WRITING_SYSTEMS = {"Hans": ("Han",), "Hant": ("Han",), "Jpan": ("Han", "Hira", "Kana"), "Kore": ("Hang", "Han")}
_URL_OR_EMAIL = regex.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\S+")  # copied from the source on purpose


def script_letters(code: str) -> regex.Pattern | None:
    """A pattern of the letters of a FLORES code's script (`hin_Deva` → Devanagari); None when the code names no
    script (M2M-100's `hi`) or one that Unicode does not know."""
    _, separator, script = code.partition("_")
    return letters_of_script(script) if separator else None


@lru_cache(maxsize=64)
def letters_of_script(script: str) -> regex.Pattern | None:
    """A pattern of the letters of an ISO 15924 script (`Deva`); None when Unicode does not know it."""
    names = _WRITING_SYSTEMS.get(script, (script,))
    try:
        return regex.compile("(?=\\p{L})[" + "".join(f"\\p{{sc={name}}}" for name in names) + "]")
    except regex.error:
        return None


def is_untranslated(output: str, source_language: str, target_language: str, share: float) -> bool:
    """Whether more than `share` of the output's letters are in the source's script, when the target is written in
    another one. URLs and e-mail addresses are left out: a translation copies them."""
    source_script, target_script = script_letters(source_language), script_letters(target_language)
    if source_script is None or target_script is None or source_script.pattern == target_script.pattern:
        return False
    found = script_share(output, source_script)
    return found is not None and found > share


def script_share(text: str, script: regex.Pattern) -> float | None:
    """The share of the text's letters that `script` matches, URLs and e-mail addresses left out (a translation
    copies them); digits and punctuation are not letters. None when the text has no letter."""
    text = _URL_OR_EMAIL.sub(" ", text)
    letters = len(regex.findall(r"\p{L}", text))
    return len(script.findall(text)) / letters if letters else None
