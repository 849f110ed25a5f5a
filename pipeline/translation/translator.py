"""The translator: family pre-processing, length-sorted batches, a generation backend, post-processing.

Backends are registered by the name a config uses in `translate.backend`: `transformers` (the model's own
`generate()`, defined here) or `ctranslate2` (a converted model, `ctranslate2_backend`). Whatever the backend, the
tokenizer and the family adapter are the same, so both give the same text for the same generated ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from transformers import PreTrainedTokenizerBase

from pipeline.batching import run_batched
from pipeline.config import GenerationConfig, TranslatorConfig
from pipeline.models.loading import Seq2SeqModel, generate_batch, input_limit, load_seq2seq
from pipeline.registry import Registry
from pipeline.translation.families import TRANSLATION_FAMILIES, TranslationFamily


@dataclass(frozen=True)
class Translation:
    text: str
    tokens_in: int
    tokens_out: int


class GenerationBackend(Protocol):
    """Runs a loaded seq2seq model on batches of source ids."""

    tokenizer: PreTrainedTokenizerBase
    max_input_tokens: int

    def describe(self) -> dict[str, str | None]: ...

    def generate(self, input_ids: list[list[int]], generation: GenerationConfig, **family_kwargs: Any) -> list[list[int]]:
        """Generated ids per row: no decoder start token, nothing from the end-of-sentence token on."""
        ...


BackendLoader = Callable[[TranslatorConfig, str, str, str], GenerationBackend]
TRANSLATOR_BACKENDS: Registry[BackendLoader] = Registry("translator backend")


def until_eos(row: list[int], eos_ids: set[int]) -> list[int]:
    """`row` up to (without) its first end-of-sentence token; what follows it is padding."""
    for position, token in enumerate(row):
        if token in eos_ids:
            return row[:position]
    return row


class TransformersBackend:
    """A Hugging Face model and its `generate()`."""

    def __init__(self, loaded: Seq2SeqModel) -> None:
        self.loaded = loaded
        self.tokenizer = loaded.tokenizer
        self.max_input_tokens = input_limit(loaded, None)
        eos = loaded.model.generation_config.eos_token_id
        self._eos_ids = set(eos) if isinstance(eos, list) else {eos}

    def describe(self) -> dict[str, str | None]:
        return self.loaded.describe()

    def generate(self, input_ids: list[list[int]], generation: GenerationConfig, **family_kwargs: Any) -> list[list[int]]:
        generated = generate_batch(self.loaded, input_ids, **generation.generate_kwargs(), **family_kwargs)
        return [until_eos(row[1:], self._eos_ids) for row in generated.tolist()]


@TRANSLATOR_BACKENDS.register("transformers")
def load_transformers_backend(config: TranslatorConfig, stage: str, device: str, precision: str) -> TransformersBackend:
    return TransformersBackend(load_seq2seq(config.model, config.revision, stage, device, precision))


class Translator:
    """Translates sentences with one backend; sorts them by length internally and answers in input order."""

    def __init__(self, backend: GenerationBackend, family: TranslationFamily, config: TranslatorConfig) -> None:
        self.backend = backend
        self.family = family
        self.config = config
        self.tokenizer = backend.tokenizer
        self.max_input_tokens = backend.max_input_tokens
        self._special_ids = set(self.tokenizer.all_special_ids)

    def describe(self) -> dict[str, str | None]:
        return {**self.backend.describe(), "family": self.config.family, "backend": self.config.backend}

    def count_tokens(self, sentence: str) -> int:
        """Source tokens of one sentence as the model sees it (language tags and end-of-sentence included)."""
        (encoded,) = self.family.encode([sentence])
        return len(self.tokenizer(encoded.text, verbose=False)["input_ids"])

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """Source ids of encoded texts, cut to the model's input limit."""
        return self.tokenizer(texts, truncation=True, max_length=self.max_input_tokens)["input_ids"]

    def generate(self, source_ids: list[list[int]]) -> list[list[int]]:
        """Generated ids per source, in input order, from length-sorted batches under the token budget."""
        family_kwargs = self.family.generate_kwargs()
        return run_batched(
            source_ids,
            [len(ids) for ids in source_ids],
            lambda batch: self.backend.generate(batch, self.config.generation, **family_kwargs),
            self.config.max_batch_tokens,
            self.config.max_batch_size,
        )

    def translate(self, sentences: list[str]) -> list[Translation]:
        if not sentences:
            return []
        encoded = self.family.encode(sentences)
        source_ids = self.tokenize([e.text for e in encoded])
        generated = self.generate(source_ids)
        texts = [text.strip() for text in self.tokenizer.batch_decode(generated, skip_special_tokens=True)]
        finished = self.family.decode(texts, encoded)
        return [
            Translation(text, len(ids), sum(token not in self._special_ids for token in row))
            for text, ids, row in zip(finished, source_ids, generated, strict=True)
        ]


def load_translator(config: TranslatorConfig, stage: str, device: str, precision: str) -> Translator:
    backend = TRANSLATOR_BACKENDS.get(config.backend)(config, stage, device, precision)
    family = TRANSLATION_FAMILIES.get(config.family)(backend.tokenizer, config.src_lang, config.tgt_lang)
    return Translator(backend, family, config)
