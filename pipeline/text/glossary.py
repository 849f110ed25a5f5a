"""Terms the translator must not get wrong: a glossary (source term → fixed target term) and protected names.

A term is matched in a sentence after the same normalization as the document (`prepare`'s), as whole words, the
longest term first where two start at the same place. It is enforced through the placeholders the translator
already copies for URLs and numbers: the term is hidden behind one before translation, and the placeholder is
restored as the target term. Every family does this; a model that drops the placeholder loses the term, which is
why every occurrence is also verified in the output (`missing`).

A protected name (`translate.protect`) is a glossary term whose target is the name's romanization: Devanagari to
IAST by indic-transliteration (a library made for Indic scripts), then written as Hindi names are in English —
no diacritics, `c` as `ch`, `ṣ`/`ś` as `sh`, the inherent vowel dropped at the end of a word that ends in a single
consonant (राहुल → Rahul, but कृष्ण → Krishna).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.errors import InputError

_WORD = r"[\p{L}\p{M}\p{N}_]"
_VIRAMA = "\u094d"
_IAST_TO_ENGLISH = (("ṛ", "ri"), ("ṝ", "ri"), ("ṣ", "sh"), ("ś", "sh"), ("c", "ch"), ("ṃ", "n"), ("ṅ", "n"),
                    ("ñ", "n"), ("ṇ", "n"), ("ḥ", "h"))


@dataclass(frozen=True)
class Term:
    source: str  # as normalized for matching
    target: str
    where: str  # file:line it came from


class Glossary:
    """Whole-word, longest-first matching of source terms; hiding them behind placeholders; checking outputs."""

    def __init__(self, terms: list[Term]) -> None:
        self.terms = {term.source: term for term in terms}
        alternatives = sorted(self.terms, key=len, reverse=True)
        self._pattern = regex.compile(
            rf"(?<!{_WORD})(?:{'|'.join(map(regex.escape, alternatives))})(?!{_WORD})"
        ) if alternatives else None

    def __bool__(self) -> bool:
        return bool(self.terms)

    def find(self, text: str) -> list[Term]:
        """The terms of `text`, once per occurrence, in order."""
        return [] if self._pattern is None else [self.terms[match] for match in self._pattern.findall(text)]

    def hide(self, text: str, placeholder: Callable[[int], str], first: int) -> tuple[str, list[str]]:
        """`text` with each occurrence of a term replaced by `placeholder(n)`, numbered from `first` (one number per
        distinct term), and the target terms the placeholders stand for, in number order."""
        if self._pattern is None:
            return text, []
        numbers: dict[str, int] = {}

        def substitute(match: regex.Match) -> str:
            numbers.setdefault(match.group(), first + len(numbers))
            return placeholder(numbers[match.group()])

        hidden = self._pattern.sub(substitute, text)
        return hidden, [self.terms[source].target for source in numbers]

    @staticmethod
    def missing(terms: list[Term], translation: str) -> list[Term]:
        """The terms whose target is not in the translation as often as the source has them (case-insensitive)."""
        lowered, absent = translation.casefold(), []
        for term in dict.fromkeys(terms):
            if lowered.count(term.target.casefold()) < terms.count(term):
                absent.append(term)
        return absent


def english_name(devanagari: str) -> str:
    """A Devanagari name as it is written in English text: सूर्य → Surya, राहुल गांधी → Rahul Gandhi."""
    from indic_transliteration import sanscript

    words = []
    for word in devanagari.split():
        latin = sanscript.transliterate(word, sanscript.DEVANAGARI, sanscript.IAST)
        ends_in_single_consonant = (
            len(word) >= 2 and unicodedata.category(word[-1]) == "Lo" and word[-2] != _VIRAMA
            and unicodedata.category(word[-2]) in ("Lo", "Mn", "Mc")
        )
        if ends_in_single_consonant and latin.endswith("a"):
            latin = latin[:-1]
        for iast, english in _IAST_TO_ENGLISH:
            latin = latin.replace(iast, english)
        plain = "".join(c for c in unicodedata.normalize("NFD", latin) if not unicodedata.combining(c))
        words.append(plain[:1].upper() + plain[1:])
    return " ".join(words)


def read_glossary(path: Path, normalize: Callable[[str], str]) -> Glossary:
    """A TSV or CSV file with a header naming `source` and `target` (and optionally `note`) columns."""
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    rows = _rows(path, delimiter)
    header = [name.strip().lower() for name in next(rows, (0, []))[1]]
    if "source" not in header or "target" not in header:
        raise InputError(f"{path}:1: the header must name a source and a target column (and may name note)")
    source_at, target_at = header.index("source"), header.index("target")
    terms: dict[str, Term] = {}
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        where = f"{path}:{line}"
        if len(row) <= max(source_at, target_at):
            raise InputError(f"{where}: {len(row)} fields, the header has {len(header)}")
        source, target = normalize(row[source_at].strip()), row[target_at].strip()
        if not source or not target:
            raise InputError(f"{where}: an empty {'source' if not source else 'target'} term")
        if source in terms and terms[source].target != target:
            raise InputError(f"{where}: {source!r} is already given as {terms[source].target!r} at {terms[source].where}")
        terms[source] = Term(source, target, where)
    return Glossary(list(terms.values()))


def read_protected(path: Path, normalize: Callable[[str], str]) -> Glossary:
    """One name per line (blank lines and `#` comments skipped), each kept as its English spelling."""
    terms = []
    for line, row in _rows(path, "\t"):
        name = normalize(row[0].strip()) if row else ""
        if name and not name.startswith("#"):
            terms.append(Term(name, english_name(name), f"{path}:{line}"))
    return Glossary(terms)


def _rows(path: Path, delimiter: str):
    """(line, fields) of each row of a file of terms."""
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            reader = csv.reader(stream, delimiter=delimiter, strict=True)
            for row in reader:
                yield reader.line_num, row
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{path}: {error}") from None


def combined(*glossaries: Glossary) -> Glossary:
    """One glossary of several; an earlier one's term wins a source term given twice."""
    terms: dict[str, Term] = {}
    for glossary in glossaries:
        for source, term in glossary.terms.items():
            terms.setdefault(source, term)
    return Glossary(list(terms.values()))
