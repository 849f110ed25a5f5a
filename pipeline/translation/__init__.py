"""Sentence translation with seq2seq models; model-family conventions live in `families`, backends in `translator`
(transformers) and `ctranslate2_backend` (CTranslate2, an optional extra imported only when used)."""

from pipeline.translation import ctranslate2_backend  # noqa: F401  (registers the ctranslate2 backend)
from pipeline.translation.families import TRANSLATION_FAMILIES, TranslationFamily
from pipeline.translation.translator import (
    TRANSLATOR_BACKENDS,
    GenerationBackend,
    Translation,
    Translator,
    load_translator,
)

__all__ = [
    "TRANSLATION_FAMILIES",
    "TRANSLATOR_BACKENDS",
    "GenerationBackend",
    "Translation",
    "TranslationFamily",
    "Translator",
    "load_translator",
]
