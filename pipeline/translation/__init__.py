"""Sentence translation with seq2seq models: model-family conventions in `families`, the loop in `translator`;
the model itself runs in a backend from `pipeline.backends`."""

from pipeline.translation.families import TRANSLATION_FAMILIES, TranslationFamily
from pipeline.translation.translator import Translation, Translator, TranslatorConfig, load_translator

__all__ = ["TRANSLATION_FAMILIES", "Translation", "TranslationFamily", "Translator", "TranslatorConfig", "load_translator"]
