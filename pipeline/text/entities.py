"""Numbers, URLs, e-mail addresses, handles and hashtags that a translation must keep.

A translator that drops or changes a number ("₹1,87,500" becoming "187 rupees") produces fluent, wrong text that no
score notices. `check` lists the source's entities whose value the translation lacks, so a stage can flag the
document. Values are compared, not spellings: digits of every Indic script read as ASCII, grouping commas are
dropped (`1,23,456` and `123,456` are both 123456) and a currency or percent sign is not part of the value, so
`₹1,87,500`, `Rs. 187500` and `1,87,500 rupees` all match.

Documented edge cases:
- a number inside a word counts (`21वीं` and `21st` are 21; `H5N1` is 5 and 1; `2.4GHz` is 2.4);
- years are plain numbers; a range `10-15` or a date `26/11/2026` is its separate numbers (so `November 26` lacks
  the 11: a date rewritten in words is flagged); a sign `-5` is not part of the value (English writes "minus");
- a time `9:30` is one value (`09:30` and `9: 30` are the same; `9.30` is the decimal 9.3);
- a decimal keeps its point, without trailing zeros (`5.0` is 5, `2.50` is 2.5); leading zeros are dropped;
- numbers written as words ("five", "पाँच") are not read: a source digit translated as a word is reported missing,
  and words in the source are never required;
- URLs, e-mail addresses, handles and hashtags compare case-insensitively (a URL without trailing punctuation);
  the digits inside them are theirs, not separate numbers.
Pure text logic: no model.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

import regex

from pipeline.text import placeholders

NUMBER, URL, EMAIL, HANDLE, HASHTAG = "number", "url", "email", "handle", "hashtag"  # an entity's kind
# What a translation can lack, in the order a document's flags name them: a number, or an entity of another kind.
NUMBER_MISSING, ENTITY_MISSING = "number_missing", "entity_missing"
PROBLEMS = (NUMBER_MISSING, ENTITY_MISSING)

# One pass, alternatives in priority order: an e-mail address holds a handle and a domain, a URL holds digits, a
# time holds two numbers. `regex`, whose `\w` also matches combining marks, so `#डिजिटलइंडिया` is one hashtag;
# its `\d` is any script's decimal digit. A handle or hashtag needs a letter: `#1` is a number.
_ENTITY = regex.compile(
    rf"(?P<{EMAIL}>{placeholders.EMAIL})"
    rf"|(?P<{URL}>{placeholders.URL})"
    rf"|(?P<{HANDLE}>(?<![\w@])@(?=\w*[^\W\d_])\w+)"
    rf"|(?P<{HASHTAG}>(?<![\w#&])#(?=\w*[^\W\d_])\w+)"
    r"|(?P<time>(?<![\d:])\d{1,2}: ?\d{2}(?!\d))"  # `10: 00`: Hindi texts put a space after the colon
    # grouped by commas the Indian (1,23,456) or the Western way (123,456), the last group three digits
    rf"|(?P<{NUMBER}>(?<!\d)(?:\d{{1,3}}(?:,\d{{2,3}})*,\d{{3}}|\d+)(?:\.\d+)?(?!\d))"
)


@dataclass(frozen=True)
class Entity:
    """One entity as found: its kind, its value for comparison, and where it was written."""

    kind: str  # NUMBER, URL, EMAIL, HANDLE or HASHTAG
    value: str  # normalized: "123456", "3.5", "9:30", "https://example.com/a"
    text: str  # as written
    start: int
    end: int


def _ascii_digits(text: str) -> str:
    """Any script's decimal digits as ASCII, grouping commas dropped."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text if c != ",")


def _number_value(text: str) -> str:
    """`0012.50` -> `12.5`, `5.0` -> `5`: the same quantity, one spelling."""
    whole, _, fraction = _ascii_digits(text).partition(".")
    whole = whole.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction}" if fraction else whole


def _value(kind: str, text: str) -> str:
    if kind == NUMBER:
        return _number_value(text)
    if kind == "time":
        hours, minutes = _ascii_digits(text).split(":")
        return f"{int(hours)}:{minutes.strip()}"
    return text.lower()


def extract(text: str) -> list[Entity]:
    """Every entity of the text, in order of appearance."""
    entities = []
    for match in _ENTITY.finditer(text):
        found = match.lastgroup
        entities.append(
            Entity(NUMBER if found == "time" else found, _value(found, match.group()), match.group(), *match.span())
        )
    return entities


def problems(missing: list[Entity]) -> list[str]:
    """How a document's flags name what its translation lacks, each problem once, in the order of PROBLEMS."""
    found = {NUMBER_MISSING if entity.kind == NUMBER else ENTITY_MISSING for entity in missing}
    return [problem for problem in PROBLEMS if problem in found]


def check(source: str, translation: str) -> list[Entity]:
    """The source's entities whose value the translation lacks, in source order.

    Each occurrence in the translation accounts for one in the source: a source with "2" twice and a translation
    with one "2" misses one (the second).
    """
    available = Counter((e.kind, e.value) for e in extract(translation))
    missing = []
    for entity in extract(source):
        key = (entity.kind, entity.value)
        if available[key]:
            available[key] -= 1
        else:
            missing.append(entity)
    return missing
