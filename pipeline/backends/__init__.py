"""Generation backends shared by the translator and the summarizer.

Registering them imports nothing heavy: torch and transformers load with a transformers model, CTranslate2 with a
converted one.
"""

from pipeline.backends import ctranslate2_backend, transformers_backend  # noqa: F401  (registration)
from pipeline.backends.base import BACKENDS, GenerationBackend, decode, load_backend, locate_model, until_eos
from pipeline.backends.settings import GenerationConfig, ModelSettings

__all__ = [
    "BACKENDS", "GenerationBackend", "GenerationConfig", "ModelSettings", "decode", "load_backend", "locate_model",
    "until_eos",
]
