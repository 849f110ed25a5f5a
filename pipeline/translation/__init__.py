"""Sentence translation with Hugging Face seq2seq models; model-family conventions live in `families`."""

from pipeline.translation.families import TRANSLATION_FAMILIES, TranslationFamily
from pipeline.translation.translator import Translation, Translator, load_translator

__all__ = ["TRANSLATION_FAMILIES", "Translation", "TranslationFamily", "Translator", "load_translator"]
