"""The Hugging Face translator: family pre-processing, length-sorted batches, `generate()`, post-processing."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.batching import run_batched
from pipeline.config import TranslatorConfig
from pipeline.models.loading import Seq2SeqModel, generate_texts, input_limit, load_seq2seq
from pipeline.translation.families import TRANSLATION_FAMILIES, Encoded, TranslationFamily


@dataclass(frozen=True)
class Translation:
    text: str
    tokens_in: int
    tokens_out: int


class Translator:
    """Translates sentences with one loaded model; sorts them by length internally and answers in input order."""

    def __init__(self, loaded: Seq2SeqModel, family: TranslationFamily, config: TranslatorConfig) -> None:
        self.loaded = loaded
        self.family = family
        self.config = config
        self.max_input_tokens = input_limit(loaded, None)

    def describe(self) -> dict[str, str | None]:
        return {**self.loaded.describe(), "family": self.config.family}

    def count_tokens(self, sentence: str) -> int:
        """Source tokens of one sentence as the model sees it (language tags and end-of-sentence included)."""
        (encoded,) = self.family.encode([sentence])
        return len(self.loaded.tokenizer(encoded.text, verbose=False)["input_ids"])

    def translate(self, sentences: list[str]) -> list[Translation]:
        if not sentences:
            return []
        encoded = self.family.encode(sentences)
        tokenized = self.loaded.tokenizer(
            [e.text for e in encoded], truncation=True, max_length=self.max_input_tokens
        )["input_ids"]
        return run_batched(
            list(zip(tokenized, encoded)),
            [len(ids) for ids in tokenized],
            self._translate_batch,
            self.config.max_batch_tokens,
            self.config.max_batch_size,
        )

    def _translate_batch(self, rows: list[tuple[list[int], Encoded]]) -> list[Translation]:
        generated = generate_texts(
            self.loaded,
            [ids for ids, _ in rows],
            **self.config.generation.generate_kwargs(),
            **self.family.generate_kwargs(),
        )
        finished = self.family.decode([text for text, _ in generated], [e for _, e in rows])
        return [
            Translation(text, len(ids), tokens_out)
            for text, (ids, _), (_, tokens_out) in zip(finished, rows, generated, strict=True)
        ]


def load_translator(config: TranslatorConfig, stage: str, device: str, precision: str) -> Translator:
    loaded = load_seq2seq(config.model, config.revision, stage, device, precision)
    family = TRANSLATION_FAMILIES.get(config.family)(loaded.tokenizer, config.src_lang, config.tgt_lang)
    return Translator(loaded, family, config)
