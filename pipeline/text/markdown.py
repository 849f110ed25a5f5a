"""User-supplied strings in Markdown (report.md, the dataset card): shown as the text they are, never read as markup.

Ids, run names, field names, model names, config values and texts come from files anyone can write. Placed raw,
an id with a line break and `#` becomes a heading, a `|` splits a table cell, `<img onerror=…>` is live HTML and
`[x](javascript:…)` a link. Here line breaks and other control characters become spaces and every character that
Markdown (CommonMark, GitHub's tables, `$` maths) would read as markup is backslash-escaped, which renders as the
character itself. Characters that are markup only in some places stay readable: `_` inside a word, `[` and `]`
except `](` (an inline link), and `-`, `+`, `>` or `1.` except at the start of a list item or quote. Inline code
and fenced blocks show their text literally, so there only line breaks, backticks and a table's `|` are handled.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # line breaks among them
_MARKUP = re.compile(r"[\\`*~<&|#$]|\](?=\()|(?<![^\W_])_|_(?![^\W_])")  # `_` only where it can start emphasis
_BLOCK_START = re.compile(r"^(\d+(?=[.)](?:\s|$))|)([-+>\[.)])")  # a list, a quote, a link definition


def markdown_text(text: str, line_start: bool = False) -> str:
    """`text` on one line, every markup character escaped; `line_start`: it opens a list item or a quote."""
    escaped = _MARKUP.sub(lambda found: "\\" + found.group(), _CONTROL.sub(" ", text).strip())
    return _BLOCK_START.sub(r"\1\\\2", escaped) if line_start else escaped


def markdown_code(text: str, table_cell: bool = False) -> str:
    """`text` as inline code, which shows it literally (no HTML, no emphasis, no links): on one line, between runs of
    backticks longer than any inside it; in a table cell with `|` escaped, which GFM reads as `|` there, code too."""
    code = _CONTROL.sub(" ", text)
    if table_cell:
        code = code.replace("|", "\\|")
    fence = "`" * (1 + _longest_backticks(code))
    padding = " " if code[:1] == "`" or code[-1:] == "`" or not code.strip() else ""
    return f"{fence}{padding}{code}{padding}{fence}"


def fenced(text: str, info: str) -> str:
    """A fenced code block that no line of `text` can close: its fence is longer than any run of backticks in it."""
    fence = "`" * max(3, 1 + _longest_backticks(text))
    return f"{fence}{info}\n{text}\n{fence}"


def _longest_backticks(text: str) -> int:
    return max(map(len, re.findall(r"`+", text)), default=0)
