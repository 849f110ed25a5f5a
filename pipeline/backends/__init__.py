"""Generation backends shared by the translator and the summarizer; CTranslate2 is imported only when used."""

from pipeline.backends import ctranslate2_backend, transformers_backend  # noqa: F401  (registration)
from pipeline.backends.base import BACKENDS, GenerationBackend, decode, load_backend, until_eos

__all__ = ["BACKENDS", "GenerationBackend", "decode", "load_backend", "until_eos"]
