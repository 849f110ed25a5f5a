"""Source-side preprocessing and target-side postprocessing for IndicTrans2.

The released IndicTrans2 checkpoints were trained and evaluated on text prepared by IndicTransToolkit's
`IndicProcessor` on top of indic-nlp-library 0.92; a model fed differently prepared text translates worse. This
module reproduces that preparation string for string (golden outputs under
`fixtures/indictrans2/golden/processor`), with two deliberate differences:

* Placeholder maps travel with the text. `IndicProcessor` keeps them in a queue shared by every call, which
  couples unrelated batches and blocks forever when a postprocess finds it empty; here `preprocess` returns
  the map and `postprocess` takes it back, so one processor is safe across batches and threads.
* Placeholder numbering is deterministic: entities are numbered in order of first occurrence within each
  pattern, where `IndicProcessor` iterates a `set` and so numbers differently under each `PYTHONHASHSEED`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import regex
from indicnlp.normalize.indic_normalize import IndicNormalizerFactory, NormalizerI
from indicnlp.tokenize.indic_detokenize import trivial_detokenize
from indicnlp.tokenize.indic_tokenize import trivial_tokenize
from indicnlp.transliterate.unicode_transliterate import UnicodeIndicTransliterator
from sacremoses import MosesDetokenizer, MosesPunctNormalizer, MosesTokenizer

from pipeline.text.languages import FLORES_TO_INDICNLP, check_language, script_of

__all__ = ["IndicTransProcessor", "PreprocessedText"]

NBSP = "\u00a0"

# Punctuation rules applied in this order before anything else; several of them only fire on a no-break space.
PUNCTUATION_RULES: tuple[tuple[regex.Pattern[str], str], ...] = tuple(
    (regex.compile(pattern), replacement)
    for pattern, replacement in (
        (r"\r", ""),
        (r"\(\s*", "("),
        (r"\s*\)", ")"),
        (r"\s:\s?", ":"),
        (r"\s;\s?", ";"),
        (r"[`´‘‚’]", "'"),
        (r"[„“”«»]", '"'),
        (r"[–—]", "-"),
        (NBSP + "%", "%"),
        ("nº" + NBSP, "nº "),
        (NBSP + "ºC", " ºC"),
        (NBSP + r"([?!;])", r"\1"),
        ("," + NBSP, ", "),
        (r"[ ]{2,}", " "),
        (r"\) ([.!:?;,])", r")\1"),
        (r"(\d) %", r"\1%"),
        (r'"([,.]+)', r'\1"'),
        (r"(\d)" + NBSP + r"(\d)", r"\1.\2"),
    )
)

# Non-ASCII digits the models saw as ASCII. Deliberately partial, as in training: Tamil digits, Telugu zero and
# Arabic-Indic one to nine stay as they are.
_FULL_DIGIT_BLOCKS = (0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0CE6, 0x1C50, 0xABF0, 0x06F0)
DIGIT_TABLE: dict[int, str] = {
    **{block + value: str(value) for block in _FULL_DIGIT_BLOCKS for value in range(10)},
    0x0660: "0",
    **{0x0C66 + value: str(value) for value in range(1, 10)},
}

# Entities that are hidden from the model behind `<IDn>` placeholders, tried in this order. `regex` rather than
# `re` because its `\w` also matches combining marks, so `#डिजिटलइंडिया` is one hashtag.
EMAIL_PATTERN = regex.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Z|a-z]{2,}")
URL_PATTERN = regex.compile(
    r"""
    \b (?<![\w/.])
    (?: (?:https?|ftp) :// )?
    (?: [\w-]+ \. )+ (?!\.)         # dotted labels: also file names, versions, decimals such as 456.78
    [\w/\-?\#&=%.]+
    (?! \.\w+ ) \b
    """,
    regex.VERBOSE,
)
NUMERAL_PATTERN = regex.compile(
    r"""
      ~?\d+\.?\d* \s?%?\s? -? \s?~?\d+\.?\d* \s?%    # percentage ranges: 10-20%, 5.5 - 7 %
    | ~?\d+%                                        # percentages
    | \d+[-/.,:']\d+[-/.,:'+]\d+ (?:\.\d+)?          # three-part numbers: dates, phone numbers, 12,34,567
    | \d+[-/.:'+]\d+ (?:\.\d+)?                      # two-part numbers: times, scores, ranges
    """,
    regex.VERBOSE,
)
HANDLE_PATTERN = regex.compile(r"[A-Za-z0-9]*[#|@]\w+")
MIN_ENTITY_LENGTH = 4  # shorter URL / numeral matches, not counting these characters, are left to the model
ENTITY_PATTERNS = (
    (EMAIL_PATTERN, None),
    (URL_PATTERN, str.maketrans("", "", ".")),
    (NUMERAL_PATTERN, str.maketrans("", "", " .:")),
    (HANDLE_PATTERN, None),
)
WHITESPACE_RUN = regex.compile(r"\s+")

# Ways the models have been seen to write a placeholder `<IDn>` back in their output. Restoration tries them in
# this order, so `आईडी1` is also replaced inside `आईडी10`, as the models were evaluated.
_LATIN_SPELLINGS = ("<ID{n}>", "< ID{n} >", "[ID{n}]", "[ ID{n} ]", "[ID {n}]", "<ID{n}]", "< ID{n}]", "<ID{n} ]")
_INDIC_ID_WORDS = (
    "آی ڈی ",
    "ꯑꯥꯏꯗꯤ",
    "आईडी",
    "आई . डी . ",
    "आई . डी .",
    "आई. डी. ",
    "आई. डी.",
    "आय. डी. ",
    "आय. डी.",
    "आय . डी . ",
    # Two words run together by a missing comma in the reference; kept so that restoration matches it.
    "आय . डी .आइ . डी . ",
    "आइ . डी .",
    "आइ. डी. ",
    "आइ. डी.",
    "ऐटि",
    "آئی ڈی ",
    "ᱟᱭᱰᱤ ᱾",
    "आयडी",
    "ऐडि",
    "आइडि",
    "ᱟᱭᱰᱤ",
)
_INDIC_SPELLINGS = (
    "<{w}{{n}}>",
    "< {w}{{n}} >",
    "< {w} {{n}} >",
    "<{w} {{n}}]",
    "< {w} {{n}} ]",
    "[{w}{{n}}]",
    "[{w} {{n}}]",
    "[ {w}{{n}} ]",
    "[ {w} {{n}} ]",
    "{w} {{n}}",
    "{w}{{n}}",
)
PLACEHOLDER_SPELLINGS: tuple[str, ...] = tuple(
    dict.fromkeys(
        _LATIN_SPELLINGS
        + tuple(spelling.replace("ID", "id") for spelling in _LATIN_SPELLINGS)
        + tuple(spelling.format(w=word) for word in _INDIC_ID_WORDS for spelling in _INDIC_SPELLINGS)
    )
)

# Scripts that are not transliterated to Devanagari on the way in.
UNTRANSLITERATED_SCRIPTS = frozenset({"Arab", "Aran", "Olck", "Mtei", "Latn"})
PERSO_ARABIC_SCRIPTS = frozenset({"Arab", "Aran"})
PERSO_ARABIC_FIXES = ((" ؟", "؟"), (" ۔", "۔"), (" ،", "،"), ("ٮ۪", "ؠ"))
URDU_NORMALIZER_REQUIREMENT = "urduhack[tf]"


@dataclass(frozen=True)
class PreprocessedText:
    """A model-ready source sentence and the entities its placeholders hide; hand both to `postprocess`."""

    text: str
    entities: tuple[str, ...] = ()

    @property
    def placeholder_map(self) -> dict[str, str]:
        """`{"<ID1>": entity, ...}`: the base spelling of each placeholder."""
        return {f"<ID{n}>": entity for n, entity in enumerate(self.entities, start=1)}


def _normalize_punctuation(text: str) -> str:
    for pattern, replacement in PUNCTUATION_RULES:
        text = pattern.sub(replacement, text)
    return text.strip()


def _hide_entities(text: str) -> tuple[str, tuple[str, ...]]:
    """Replace e-mails, URLs, numerals and handles by `<IDn>` so the model copies them instead of translating."""
    entities: list[str] = []
    for pattern, uncounted in ENTITY_PATTERNS:
        # All matches are found before any is replaced; a match swallowed by an earlier replacement keeps its number.
        for match in dict.fromkeys(pattern.findall(text)):
            if uncounted is not None and len(match.translate(uncounted)) < MIN_ENTITY_LENGTH:
                continue
            entities.append(match)
            text = text.replace(match, f"<ID{len(entities)}>")
    text = WHITESPACE_RUN.sub(" ", text).replace(">/", ">").replace("]/", "]")
    return text, tuple(entities)


def _restore_entities(text: str, entities: Sequence[str]) -> str:
    for n, entity in enumerate(entities, start=1):
        for spelling in PLACEHOLDER_SPELLINGS:
            text = text.replace(spelling.format(n=n), entity)
    return text


HideTerms = Callable[[str, int], tuple[str, list[str]]]


class IndicTransProcessor:
    """Prepares sentences for IndicTrans2 and turns its outputs back into plain text.

    Holds no per-call state: one instance may serve any number of batches, languages and threads.
    """

    def __init__(self) -> None:
        factory = IndicNormalizerFactory()
        self._normalizers = {
            iso: factory.get_normalizer(iso)
            for iso in set(FLORES_TO_INDICNLP.values()) - {"en", "ur"}
        }
        self._moses_normalizer = MosesPunctNormalizer(lang="en")
        self._moses_tokenizer = MosesTokenizer(lang="en")
        self._moses_detokenizer = MosesDetokenizer(lang="en")

    def preprocess(
        self, texts: Sequence[str], src_lang: str, tgt_lang: str, hide_terms: HideTerms | None = None
    ) -> list[PreprocessedText]:
        """Model-ready `"{src_lang} {tgt_lang} tokens…"` strings, each with the entities its placeholders hide.

        `hide_terms(text, first)` hides more spans behind `<IDn>` from `first` on and returns the text and what
        each placeholder is to be restored as (a glossary's target terms)."""
        check_language(src_lang)
        check_language(tgt_lang)
        iso = FLORES_TO_INDICNLP[src_lang]
        if iso == "en":
            tokenize = self._tokenize_english
        else:
            normalizer = self._normalizer(src_lang)
            transliterate = script_of(src_lang) not in UNTRANSLITERATED_SCRIPTS

            def tokenize(text: str) -> str:
                tokenized = " ".join(trivial_tokenize(normalizer.normalize(text.strip()), iso))
                if transliterate:
                    tokenized = UnicodeIndicTransliterator.transliterate(tokenized, iso, "hi").replace(" ् ", "्")
                return tokenized

        results = []
        for text in texts:
            hidden, entities = _hide_entities(_normalize_punctuation(text).translate(DIGIT_TABLE))
            if hide_terms is not None:
                hidden, targets = hide_terms(hidden, len(entities) + 1)
                entities = (*entities, *targets)
            results.append(PreprocessedText(f"{src_lang} {tgt_lang} {tokenize(hidden).strip()}", entities))
        return results

    def postprocess(self, texts: Sequence[str], entities: Sequence[Sequence[str]], tgt_lang: str) -> list[str]:
        """Detokenized translations with placeholders restored; `entities[i]` belongs to the source of `texts[i]`.

        With several outputs per source sentence, repeat that sentence's entities once per output.
        """
        check_language(tgt_lang)
        if len(texts) != len(entities):
            raise ValueError(f"{len(texts)} texts but {len(entities)} entity lists; pass one per text")
        return [self._postprocess_one(text, text_entities, tgt_lang) for text, text_entities in zip(texts, entities)]

    def _postprocess_one(self, text: str, entities: Sequence[str], tgt_lang: str) -> str:
        if script_of(tgt_lang) in PERSO_ARABIC_SCRIPTS:
            for old, new in PERSO_ARABIC_FIXES:
                text = text.replace(old, new)
        if tgt_lang == "ory_Orya":
            text = text.replace("ଯ଼", "ୟ")
        text = _restore_entities(text, entities)
        if tgt_lang == "eng_Latn":
            return self._moses_detokenizer.detokenize(text.split(" "))
        iso = FLORES_TO_INDICNLP[tgt_lang]
        return trivial_detokenize(UnicodeIndicTransliterator.transliterate(text, "hi", iso), iso)

    def _tokenize_english(self, text: str) -> str:
        normalized = self._moses_normalizer.normalize(text.strip())
        return " ".join(self._moses_tokenizer.tokenize(normalized, escape=False))

    def _normalizer(self, src_lang: str) -> NormalizerI:
        iso = FLORES_TO_INDICNLP[src_lang]
        if iso in self._normalizers:
            return self._normalizers[iso]
        # Only Urdu-script sources get here: indic-nlp-library's Urdu normalizer needs an optional package, so
        # it is built per call (cheap once imported) rather than making every processor depend on it.
        try:
            return IndicNormalizerFactory().get_normalizer(iso)
        except ImportError as error:
            raise ImportError(
                f"preprocessing {src_lang} text needs indic-nlp-library's Urdu normalizer, which imports the "
                f"'urduhack' package; install it with: pip install '{URDU_NORMALIZER_REQUIREMENT}'"
            ) from error
