"""Abstractive summarization with a seq2seq model (BART, PEGASUS, T5) or a chat model (`family: chat`).

transformers 5 has no summarization pipeline, so this module is the loop around a generation backend (the model's
`generate()`, or CTranslate2 with `summarize.backend: ctranslate2`): length-sorted batches, and a strategy for
documents longer than the model's input limit: `truncate` (classic: the model sees the first N tokens) or
`map_reduce` (summarize sentence-aligned chunks, then summarize the joined summaries, until the text fits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

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
from pipeline.registry import Registry
from pipeline.text.chat import ChatPrompt, ChatTask
from pipeline.text.degeneration import GuardConfig
from pipeline.text.english import split_sentences
from pipeline.text.indic import split_sentences as split_indic_sentences
from pipeline.text.languages import FLORES_TO_INDICNLP

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase


def sentence_splitter(language: str) -> Callable[[str], list[str]]:
    """Sentences of a text in `language` (a FLORES code), for map-reduce's chunks: English rules, or an Indic
    language's (the danda ends a Hindi sentence; English rules would not split on it)."""
    iso = FLORES_TO_INDICNLP.get(language, "en")
    if iso == "en":
        return split_sentences
    return lambda text: [s for line in text.split("\n") if line.strip() for s in split_indic_sentences(line.strip(), iso)]


class SummarizerFamily:
    """What differs between summarizer families: how a text becomes the model's input, and its output the summary.

    The seq2seq families summarize English into English (what they were trained on)."""

    prefix: ClassVar[str] = ""  # T5 was trained multi-task and needs its task named in the input
    english_only: ClassVar[bool] = True
    add_special_tokens: ClassVar[bool] = True  # False where `render` writes the model's special tokens itself

    def __init__(self, tokenizer: PreTrainedTokenizerBase, config: SummarizerConfig, languages: tuple[str, str]) -> None:
        self.tokenizer = tokenizer

    def render(self, text: str) -> str:
        return self.prefix + text

    def encode(self, texts: list[str], max_tokens: int) -> list[list[int]]:
        """Input ids per text, cut to `max_tokens` (the text, never what `render` adds before it)."""
        return self.tokenizer([self.render(text) for text in texts], truncation=True, max_length=max_tokens)["input_ids"]

    def finish(self, generated: str) -> str:
        return generated

    def generate_kwargs(self) -> dict[str, Any]:
        return {}

    def describe(self) -> dict[str, Any]:
        return {}


class T5Family(SummarizerFamily):
    prefix = "summarize: "


class CrossSumFamily(SummarizerFamily):
    """mT5 checkpoints of CrossSum (csebuetnlp/mT5_m2o_english_crossSum): trained to summarize any of their languages
    into one, which the checkpoint fixes through its decoder start token; the input goes in as it is."""

    english_only = False


class ChatSummarizerFamily(SummarizerFamily):
    """A chat model asked for a summary in words (`summarize.chat`), in any language it writes: the summary's
    language may differ from the text's (a Hindi article summarized in English)."""

    english_only = False
    add_special_tokens = False

    def __init__(self, tokenizer: PreTrainedTokenizerBase, config: SummarizerConfig, languages: tuple[str, str]) -> None:
        super().__init__(tokenizer, config, languages)
        self.task = ChatTask(tokenizer, (config.chat or ChatPrompt()).resolve("summarize"), *languages)

    def render(self, text: str) -> str:
        return self.task.render(text)

    def encode(self, texts: list[str], max_tokens: int) -> list[list[int]]:
        return [self.task.fitted(text, max_tokens)[1] for text in texts]

    def finish(self, generated: str) -> str:
        return self.task.answer(generated)

    def generate_kwargs(self) -> dict[str, Any]:
        return self.task.generate_kwargs()

    def describe(self) -> dict[str, Any]:
        return self.task.describe()


SUMMARIZER_FAMILIES: Registry[type[SummarizerFamily]] = Registry("summarizer family")
SUMMARIZER_FAMILIES.register("bart")(SummarizerFamily)
SUMMARIZER_FAMILIES.register("pegasus")(SummarizerFamily)
SUMMARIZER_FAMILIES.register("t5")(T5Family)
SUMMARIZER_FAMILIES.register("crosssum")(CrossSumFamily)
SUMMARIZER_FAMILIES.register("chat")(ChatSummarizerFamily)


ENGLISH = ("eng_Latn", "eng_Latn")  # (text, summary) languages of a classic summarizer
DEFAULT_BATCH_SIZE = 4  # what `max_batch_size: auto` means where memory is not the bound (CPU)


class SummarizerConfig(ModelSettings):
    """An abstractive summarizer, what it summarizes, and what to do with documents longer than its input limit."""

    scheduling_keys = ModelSettings.scheduling_keys | {"max_batch_size"}

    family: str = "bart"
    input: Literal["translation", "source"] = Field(
        "translation", description="translation: the run's translation (else its input); source: the prepared source "
        "text, summarized directly (a cross-lingual summarizer: family chat)"
    )
    language: str | None = Field(
        None, description="FLORES code of the summary's language (chat family); default: the language of its input"
    )
    strategy: Literal["truncate", "map_reduce"] = "truncate"
    max_input_tokens: int | None = Field(None, ge=16, description="default: the tokenizer's model_max_length")
    chunk_overlap_sentences: int = Field(1, ge=0)
    max_reduce_rounds: int = Field(3, ge=1)
    max_batch_size: int | Literal["auto"] = Field(
        4, description="documents per generate() call; auto: as many as the GPU's free memory holds (CPU: 4)"
    )
    generation: GenerationConfig = GenerationConfig(
        num_beams=4, length_penalty=2.0, min_new_tokens=56, max_new_tokens=142, no_repeat_ngram_size=3
    )
    # A summary is checked for loops and for being empty; not for length (it is meant to be shorter than the
    # document) nor script (it is in the document's language), so only the loop keys apply.
    guard: GuardConfig = GuardConfig()

    @field_validator("max_batch_size", mode="before")
    @classmethod
    def _count_or_auto(cls, value: object) -> object:
        return count_or_auto(value, 1)


@dataclass(frozen=True)
class Summary:
    text: str
    tokens_in: int
    tokens_out: int
    truncated: bool
    chunks: int  # 1 unless map-reduce split the document


class Summarizer:
    """Summarizes texts of one language (`languages`: the texts', the summaries' FLORES codes) with one backend."""

    def __init__(self, backend: GenerationBackend, config: SummarizerConfig, languages: tuple[str, str] = ENGLISH) -> None:
        self.backend = backend
        self.tokenizer = backend.tokenizer
        self.config = config
        self.family = SUMMARIZER_FAMILIES.get(config.family)(backend.tokenizer, config, languages)
        self.max_input_tokens = config.max_input_tokens or backend.max_input_tokens
        self.split_sentences = sentence_splitter(languages[0])
        # Tokens the tokenizer adds around any text (BOS/EOS) plus the task prefix or a chat model's instructions.
        self._overhead = self.count_tokens("")
        self.oom_splits = 0  # batches halved after running out of device memory, since loading
        budget = backend.memory_token_budget(config.generation)
        self.max_batch_size = config.max_batch_size if config.max_batch_size != "auto" else (
            max(budget // self.max_input_tokens, 1) if budget else DEFAULT_BATCH_SIZE
        )

    def describe(self) -> dict[str, str | None]:
        return {
            **self.backend.describe(), "family": self.config.family, "backend": self.config.backend,
            "strategy": self.config.strategy, "max_batch_size": self.max_batch_size, **self.family.describe(),
        }

    def count_tokens(self, text: str) -> int:
        rendered = self.family.render(text)
        return len(self.tokenizer(rendered, add_special_tokens=self.family.add_special_tokens, verbose=False)["input_ids"])

    def summarize(self, texts: list[str]) -> list[Summary]:
        tokens_in = [self.count_tokens(text) for text in texts]
        chunks = [1] * len(texts)
        if self.config.strategy == "map_reduce":
            texts, chunks = self._reduce_until_fits(texts, tokens_in)
        summaries = self._generate(texts)
        return [
            Summary(text, count, tokens_out, truncated=self.count_tokens(final) > self.max_input_tokens, chunks=n)
            for (text, tokens_out), count, final, n in zip(summaries, tokens_in, texts, chunks, strict=True)
        ]

    def _reduce_until_fits(self, texts: list[str], tokens_in: list[int]) -> tuple[list[str], list[int]]:
        """Replace each too-long text by the joined summaries of its chunks, for at most `max_reduce_rounds`."""
        texts = list(texts)
        chunks = [1] * len(texts)
        lengths = list(tokens_in)
        for round_ in range(self.config.max_reduce_rounds):
            too_long = [i for i, length in enumerate(lengths) if length > self.max_input_tokens]
            if not too_long:
                break
            pieces = {i: self._chunk(texts[i]) for i in too_long}
            partial = iter(self._generate([piece for i in too_long for piece in pieces[i]]))
            for i in too_long:
                texts[i] = " ".join(next(partial)[0] for _ in pieces[i])
                lengths[i] = self.count_tokens(texts[i])
                if round_ == 0:
                    chunks[i] = len(pieces[i])
        return texts, chunks

    def _chunk(self, text: str) -> list[str]:
        """Sentence-aligned chunks that fit the input limit; consecutive chunks share `chunk_overlap_sentences`."""
        sentences = self.split_sentences(text)
        sizes = [len(self.tokenizer(s, add_special_tokens=False, verbose=False)["input_ids"]) + 1 for s in sentences]  # +1: joining space
        budget = self.max_input_tokens - self._overhead
        chunks: list[str] = []
        start = 0
        while start < len(sentences):
            end, used = start, 0
            while end < len(sentences) and (end == start or used + sizes[end] <= budget):
                used += sizes[end]
                end += 1
            chunks.append(" ".join(sentences[start:end]))
            if end == len(sentences):
                break
            start = max(end - self.config.chunk_overlap_sentences, start + 1)
        return chunks

    def _generate(self, texts: list[str]) -> list[tuple[str, int]]:
        """(summary, generated tokens) per text, in input order; inputs over the limit are truncated."""
        ids = self.family.encode(texts, self.max_input_tokens)
        family_kwargs = self.family.generate_kwargs()

        def run(batch_ids: list[list[int]]) -> list[tuple[str, int]]:
            generated = self.backend.generate(batch_ids, self.config.generation, **family_kwargs)
            return [(self.family.finish(text), count) for text, count in decode(self.tokenizer, generated)]

        budget = self.max_batch_size * self.max_input_tokens
        return run_batched(ids, [len(row) for row in ids], run, budget, self.max_batch_size,
                           on_split=self._note_split)

    def _note_split(self, size: int) -> None:
        self.oom_splits += 1


def load_summarizer(
    config: SummarizerConfig, device: str, precision: str, languages: tuple[str, str] = ENGLISH
) -> Summarizer:
    return Summarizer(load_backend(config, "summarize", device, precision), config, languages)
