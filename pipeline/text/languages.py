"""Language codes: FLORES-200 (what IndicTrans2 and NLLB use), indic-nlp-library's, and the labels of outputs.

IndicTrans2 names languages by their FLORES-200 codes (`hin_Deva`), while indic-nlp-library, which does the
script normalization the models were trained with, uses ISO 639-1-like codes (`hi`), and result fields and
datasets are labelled with ISO 639 codes (`summary_hi`, a `bn` translation). This module is the one place that
maps between them.
"""

from __future__ import annotations

# FLORES code -> indic-nlp-library language code. The 22 scheduled languages of India (some in two scripts)
# plus English: the languages the released IndicTrans2 checkpoints translate. The odd-looking entries are the
# ones the models were trained with (IndicTransToolkit's table): Ol Chiki text goes through the Oriya normalizer
# and Meitei Mayek through the Devanagari one, and neither script is transliterated; "ur" needs `urduhack`.
FLORES_TO_INDICNLP: dict[str, str] = {
    "asm_Beng": "as",
    "ben_Beng": "bn",
    "brx_Deva": "hi",
    "doi_Deva": "hi",
    "eng_Latn": "en",
    "gom_Deva": "kK",
    "guj_Gujr": "gu",
    "hin_Deva": "hi",
    "kan_Knda": "kn",
    "kas_Arab": "ur",
    "kas_Deva": "hi",
    "mai_Deva": "hi",
    "mal_Mlym": "ml",
    "mar_Deva": "mr",
    "mni_Beng": "bn",
    "mni_Mtei": "hi",
    "npi_Deva": "ne",
    "ory_Orya": "or",
    "pan_Guru": "pa",
    "san_Deva": "hi",
    "sat_Olck": "or",
    "snd_Arab": "ur",
    "snd_Deva": "hi",
    "tam_Taml": "ta",
    "tel_Telu": "te",
    "urd_Arab": "ur",
}

SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(sorted(FLORES_TO_INDICNLP))

# Every tag the source dictionaries know (the tokenizer accepts any of them in the two leading positions),
# including low-resource languages added after the first release that the 22-language checkpoints were not
# trained to translate.
LANGUAGE_TAGS: frozenset[str] = frozenset(
    SUPPORTED_LANGUAGES
    + ("awa_Deva", "bho_Deva", "gon_Deva", "hne_Deva", "kha_Latn", "lus_Latn", "mag_Deva", "unr_Deva")
)


class UnknownLanguageError(ValueError):
    """A language code that IndicTrans2 does not translate."""


def check_language(code: str) -> str:
    """Return `code` if IndicTrans2 translates it, else raise an error that lists the valid codes."""
    if code not in FLORES_TO_INDICNLP:
        raise UnknownLanguageError(
            f"unknown language code {code!r}; IndicTrans2 uses FLORES-200 codes: {', '.join(SUPPORTED_LANGUAGES)}"
        )
    return code


def script_of(code: str) -> str:
    """The ISO 15924 script part of a FLORES code (`hin_Deva` -> `Deva`)."""
    return code.split("_", 1)[1]


# ISO 639-3 (the language part of a FLORES code) -> ISO 639-1, for the languages above that have a two-letter code;
# the others keep their three letters (Bodo `brx`, Dogri `doi`, Konkani `gom`, Maithili `mai`, Manipuri `mni`,
# Santali `sat`), as the Hugging Face hub's `language:` metadata accepts both.
_ISO_639_1 = {
    "asm": "as", "ben": "bn", "eng": "en", "guj": "gu", "hin": "hi", "kan": "kn", "kas": "ks", "mal": "ml",
    "mar": "mr", "npi": "ne", "ory": "or", "pan": "pa", "san": "sa", "snd": "sd", "tam": "ta", "tel": "te",
    "urd": "ur",
}


def language_label(code: str) -> str:
    """The ISO 639 label of a language code: `hin_Deva` -> `hi`, `sat_Olck` -> `sat`; a short code stays as it is."""
    language = code.split("_", 1)[0]
    return _ISO_639_1.get(language, language) if "_" in code else code


# English names of the languages of FLORES codes, for instructions to chat models ("Translate ... into English").
_LANGUAGE_NAMES = {
    "asm": "Assamese", "ben": "Bengali", "brx": "Bodo", "doi": "Dogri", "eng": "English", "gom": "Konkani",
    "guj": "Gujarati", "hin": "Hindi", "kan": "Kannada", "kas": "Kashmiri", "mai": "Maithili", "mal": "Malayalam",
    "mar": "Marathi", "mni": "Manipuri", "npi": "Nepali", "ory": "Odia", "pan": "Punjabi", "san": "Sanskrit",
    "sat": "Santali", "snd": "Sindhi", "tam": "Tamil", "tel": "Telugu", "urd": "Urdu",
}


def language_name(code: str) -> str:
    """`hin_Deva` -> `Hindi`; an unknown code is returned as it is (a chat model may still know it)."""
    return _LANGUAGE_NAMES.get(code.split("_", 1)[0], code)
