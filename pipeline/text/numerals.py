"""An output's digits as its reader wants them: ASCII (1,87,500), the target script's own (१,८७,५००), or as the
model wrote them. IndicTrans2 reads Indic digits as ASCII ones (its processor maps them) and writes either."""

from __future__ import annotations

import unicodedata
from typing import Literal

import regex

Numerals = Literal["keep", "ascii", "native"]

# Digit zero of each script a FLORES code names that has digits of its own (Perso-Arabic: the extended Arabic-Indic
# digits of Urdu, Kashmiri and Sindhi).
SCRIPT_ZERO = {
    "Deva": "०", "Beng": "০", "Guru": "੦", "Gujr": "૦", "Orya": "୦", "Taml": "௦", "Telu": "౦", "Knda": "೦",
    "Mlym": "൦", "Olck": "᱐", "Mtei": "꯰", "Arab": "۰",
}
# A number standing on its own: not part of a word, a URL path, an e-mail address or a version string.
_NUMBER = regex.compile(r"(?<![\p{L}\p{M}\p{Nd}_@/.-])\p{Nd}+(?:[.,:/]\p{Nd}+)*(?![\p{L}\p{M}_@])")


def write_digits(text: str, numerals: Numerals, script: str | None) -> str:
    """`text` with the digits of its numbers in `numerals`: `native` needs a script with digits of its own (else
    the text is unchanged)."""
    zero = "0" if numerals == "ascii" else SCRIPT_ZERO.get(script or "") if numerals == "native" else None
    if zero is None:
        return text
    return _NUMBER.sub(
        lambda match: "".join(chr(ord(zero) + unicodedata.decimal(c)) if c.isdecimal() else c for c in match.group()),
        text,
    )
