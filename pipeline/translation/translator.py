"""The translator: family pre-processing, length-sorted batches, a generation backend, post-processing.

Whatever the backend (`translate.backend`, see `pipeline.backends`), the tokenizer and the family adapter are the
same, so both give the same text for the same generated ids.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from pipeline.backends import (
    GenerationBackend,
    GenerationConfig,
    ModelSettings,
    decode,
    load_backend,
)
from pipeline.backends.settings import count_or_auto
from pipeline.batching import run_batched
from pipeline.config import ConfigPath
from pipeline.errors import InputError
from pipeline.text.degeneration import GuardConfig
from pipeline.text.glossary import Glossary, combined, read_glossary, read_protected
from pipeline.text.indic import normalize as normalize_indic
from pipeline.text.languages import FLORES_TO_INDICNLP
from pipeline.text.numerals import Numerals
from pipeline.translation.families import TRANSLATION_FAMILIES, TranslationFamily


class TranslatorConfig(ModelSettings):
    """A seq2seq translator, the backend that runs it, and the model family adapter that speaks its conventions."""

    scheduling_keys = ModelSettings.scheduling_keys | {"max_batch_tokens", "max_batch_size"}

    family: str = "indictrans2"
    src_lang: str = "hin_Deva"
    tgt_lang: str = "eng_Latn"
    max_batch_tokens: int | Literal["auto"] = Field(
        4096, description="padded source tokens per generate() call; auto: from the GPU's free memory"
    )
    max_batch_size: int | Literal["auto"] = Field(
        32, description="sentences per generate() call; auto: the token budget / 8, at most 2048 (on a CPU: 32)"
    )
    generation: GenerationConfig = GenerationConfig(num_beams=5, max_new_tokens=256)
    # Each sentence's translation is checked for every problem: loops, length and script against its source, empty.
    guard: GuardConfig = GuardConfig()
    glossary: ConfigPath | None = Field(
        None, description="TSV (or .csv) with a header naming source and target (and note): fixed translations"
    )
    protect: ConfigPath | None = Field(None, description="names to keep, one per line: romanized, never translated")
    numerals: Numerals = Field("keep", description="the output's digits: keep (as the model wrote them), ascii, native")
    length_ratio: float | None = Field(
        None, gt=0, description="new tokens per source token of a batch's longest text (+16), within "
        "generation.max_new_tokens: stops a chat model that runs on past the translation"
    )

    @field_validator("max_batch_tokens", "max_batch_size", mode="before")
    @classmethod
    def _count_or_auto(cls, value: object, info) -> object:
        return count_or_auto(value, 16 if info.field_name == "max_batch_tokens" else 1)


DEFAULT_BATCH_TOKENS, DEFAULT_BATCH_SIZE = 4096, 32  # what `auto` means where memory is not the bound (CPU)
ITEMS_PER_BUDGET = 8  # `auto` batch size: the token budget filled with sentences of 8 tokens, up to
# 2048 sentences: on an H200, IndicTrans2-200M with 5 beams translated 898 sentences/s in batches of 2048, 812 in
# batches of 512 and 698 in one batch of 8192, where beam search's reordering of the cache took 40% of the time
# (measured with the cross-attention cache reordered too: docs/performance.md).
AUTO_MAX_SENTENCES = 2048
LENGTH_RATIO_SLACK = 16  # new tokens `length_ratio` allows beyond its proportion: a short sentence's translation
# may take more tokens than its source (a word the target's vocabulary splits)


def batch_limits(tokens: int | str, size: int | str, budget: int | None) -> tuple[int, int]:
    """The configured limits, with `auto` taken from the device's memory budget (or the CPU defaults)."""
    resolved_tokens = tokens if tokens != "auto" else max(budget or DEFAULT_BATCH_TOKENS, 16)
    resolved_size = size if size != "auto" else (
        max(min(resolved_tokens // ITEMS_PER_BUDGET, AUTO_MAX_SENTENCES), 1) if budget else DEFAULT_BATCH_SIZE
    )
    return resolved_tokens, resolved_size


Progress = Callable[[int, int], None]  # (sentences done, sentences in the call)


@dataclass(frozen=True)
class Translation:
    text: str
    tokens_in: int
    tokens_out: int


class Translator:
    """Translates sentences with one backend; sorts them by length internally and answers in input order.

    `prepare` measures sentences with it while `translate` runs it, in two threads when the local engine overlaps
    them: its tokenizer is used by one thread at a time (a fast tokenizer's truncation switch is shared state).
    """

    def __init__(self, backend: GenerationBackend, family: TranslationFamily, config: TranslatorConfig) -> None:
        self.backend = backend
        self.family = family
        self.config = config
        self.tokenizer = backend.tokenizer
        self.max_input_tokens = backend.max_input_tokens
        self._tokenizer_lock = threading.Lock()
        self.oom_splits = 0  # batches halved after running out of device memory, since loading
        self.max_batch_tokens, self.max_batch_size = batch_limits(
            config.max_batch_tokens, config.max_batch_size, backend.memory_token_budget(config.generation)
        )

    @property
    def glossary(self) -> Glossary:
        """The terms its family hides behind placeholders, which the stage checks in the output."""
        return self.family.glossary

    def describe(self) -> dict[str, str | None]:
        return {**self.backend.describe(), "family": self.config.family, "backend": self.config.backend,
                "max_batch_tokens": self.max_batch_tokens, "max_batch_size": self.max_batch_size,
                **self.family.describe()}

    def count_tokens(self, sentence: str) -> int:
        """Source tokens of one sentence as the model sees it (language tags, end-of-sentence, a chat model's
        instructions included)."""
        (encoded,) = self.family.encode([sentence])
        with self._tokenizer_lock:
            return len(self.tokenizer(
                encoded.text, add_special_tokens=self.family.add_special_tokens, verbose=False
            )["input_ids"])

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """Source ids of encoded texts, cut to the model's input limit."""
        with self._tokenizer_lock:
            return self.tokenizer(
                texts, truncation=True, max_length=self.max_input_tokens,
                add_special_tokens=self.family.add_special_tokens,
            )["input_ids"]

    def generation_for(self, batch: list[list[int]]) -> GenerationConfig:
        """The generation settings of one batch: `length_ratio` caps its new tokens by its longest source text."""
        generation = self.config.generation
        if self.config.length_ratio is None:
            return generation
        longest = max(map(len, batch)) - self.family.prompt_tokens
        cap = min(generation.max_new_tokens, math.ceil(self.config.length_ratio * longest) + LENGTH_RATIO_SLACK)
        return generation.model_copy(update={"max_new_tokens": cap, "min_new_tokens": min(generation.min_new_tokens, cap)})

    def generate(self, source_ids: list[list[int]], progress: Progress | None = None) -> list[list[int]]:
        """Generated ids per source, in input order, from length-sorted batches under the token budget;
        `progress(done, total)` after each batch."""
        family_kwargs = self.family.generate_kwargs()
        return run_batched(
            source_ids,
            [len(ids) for ids in source_ids],
            lambda batch: self.backend.generate(batch, self.generation_for(batch), **family_kwargs),
            self.max_batch_tokens,
            self.max_batch_size,
            on_split=self._note_split,
            on_done=(lambda done: progress(done, len(source_ids))) if progress else (lambda done: None),
        )

    def _note_split(self, size: int) -> None:
        self.oom_splits += 1

    def translate(self, sentences: list[str], progress: Progress | None = None) -> list[Translation]:
        if not sentences:
            return []
        encoded = self.family.encode(sentences)
        source_ids = self.tokenize([e.text for e in encoded])
        generated = self.generate(source_ids, progress)
        with self._tokenizer_lock:
            texts, tokens_out = zip(*decode(self.tokenizer, generated), strict=True)
        finished = self.family.decode(list(texts), encoded)
        return [
            Translation(text, len(ids), count) for text, ids, count in zip(finished, source_ids, tokens_out, strict=True)
        ]


def load_glossary(config: TranslatorConfig) -> Glossary:
    """The section's glossary and protected names as one glossary, source terms normalized as documents are.

    A bad file raises `InputError` starting with its key (`glossary: terms.tsv:3: ...`)."""
    iso = FLORES_TO_INDICNLP.get(config.src_lang)
    normalize = (lambda text: unicodedata.normalize("NFC", text)) if iso in (None, "en") else (
        lambda text: normalize_indic(text, iso)
    )
    parts = []
    for key, read in (("glossary", read_glossary), ("protect", read_protected)):
        if path := getattr(config, key):
            try:
                parts.append(read(Path(path), normalize))
            except InputError as error:
                raise InputError(f"{key}: {error}") from None
    return combined(*parts)


def load_translator(config: TranslatorConfig, stage: str, device: str, precision: str) -> Translator:
    backend = load_backend(config, stage, device, precision)
    family = TRANSLATION_FAMILIES.get(config.family).from_config(
        backend.tokenizer, config, load_glossary(config), backend.max_input_tokens
    )
    return Translator(backend, family, config)
