"""Protecting URLs, e-mail addresses and numbers from the translator.

A translator may mangle `https://example.com/a_b` or reformat `1,23,456`; replacing them with numbered
placeholders before translation and restoring them afterwards keeps them exact. This is the scheme for
generic model families (Marian, NLLB); IndicTrans2 has its own, which its processor applies because the model
was trained with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
URL = r"(?:https?://|www\.)[^\s<>\"']*[^\s<>\"'.,;:!?)\]।]"  # without trailing punctuation
# One pass over the text with the alternatives in priority order: an e-mail address contains a domain the URL
# pattern would take, and URLs contain digits. (Separate passes would also match the digits of placeholders.)
_PROTECTED = re.compile(
    r"<(?P<placeholder>\d+)>"  # one set before (a glossary term's), whose digits are no number of the text's
    rf"|{EMAIL}|{URL}"
    r"|(?<![\w.])\d+(?:[.,:/]\d+)*(?!\w)"  # number: 42, 1,23,456.78, 9:30, 26/11/2026
)
_PLACEHOLDER = "<{}>"
# Restoration accepts the ways a translator tends to rewrite `<3>`: spaces inside, square brackets.
_RESTORE = re.compile(r"[<\[]\s*(\d+)\s*[>\]]")


@dataclass(frozen=True)
class Protected:
    """Text with placeholders, and the original strings they stand for (placeholder number -> string)."""

    text: str
    originals: dict[int, str] = field(default_factory=dict)


def protect(text: str, first: int = 1) -> Protected:
    """Replace every URL, e-mail address and number with `<n>`, numbering in order of appearance from `first`;
    placeholders numbered below `first` (set before, for glossary terms) are left as they are."""
    originals: dict[int, str] = {}
    numbers: dict[str, int] = {}

    def placeholder(original: str) -> str:
        if original not in numbers:
            numbers[original] = len(numbers) + first
            originals[numbers[original]] = original
        return _PLACEHOLDER.format(numbers[original])

    def substitute(match: re.Match[str]) -> str:
        if (digits := match.group("placeholder")) is None:
            return placeholder(match.group())
        # a `<7>` the source itself holds: its number is protected like any other
        return match.group() if int(digits) < first else f"<{placeholder(digits)}>"

    return Protected(_PROTECTED.sub(substitute, text), originals)


def restore(text: str, originals: dict[int, str]) -> tuple[str, int]:
    """Put the originals back; returns the text and how many placeholders the translation lost."""
    seen: set[int] = set()

    def substitute(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if number not in originals:
            return match.group()
        seen.add(number)
        return originals[number]

    return _RESTORE.sub(substitute, text), len(set(originals) - seen)
