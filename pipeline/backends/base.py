"""The seam between stages that generate text and what runs the model: one interface, backends by name.

A backend takes source token ids and returns generated token ids; tokenizing before and decoding after stay with
the stage, so every backend gives the same text for the same ids. `translate.backend` and `summarize.backend` name
one of `BACKENDS`: `transformers` (the model's own `generate()`) or `ctranslate2` (a converted model).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.registry import Registry

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from pipeline.backends.settings import GenerationConfig, ModelSettings


class GenerationBackend(Protocol):
    """Runs a loaded seq2seq model on batches of source ids."""

    tokenizer: PreTrainedTokenizerBase
    max_input_tokens: int  # the longest source the model takes

    def describe(self) -> dict[str, str | None]: ...

    def memory_token_budget(self, generation: GenerationConfig) -> int | None:
        """Padded source tokens per call that the device's free memory holds; None where memory is not the bound."""
        ...

    def generate(self, input_ids: list[list[int]], generation: GenerationConfig, **family_kwargs: Any) -> list[list[int]]:
        """Generated ids per row: no decoder start token, nothing from the end-of-sentence token on."""
        ...


BackendLoader = Callable[["ModelSettings", str, str, str], GenerationBackend]  # (settings, stage, device, precision)
BACKENDS: Registry[BackendLoader] = Registry("backend")
# What a backend would load and where, described as a loaded model describes itself, without loading it (a dry run).
ModelLocator = Callable[["ModelSettings", str, str, str], dict[str, str | None]]  # (settings, stage, device, precision)
LOCATORS: Registry[ModelLocator] = Registry("backend")


def until_eos(row: list[int], eos_ids: set[int]) -> list[int]:
    """`row` up to (without) its first end-of-sentence token; what follows it is padding."""
    for position, token in enumerate(row):
        if token in eos_ids:
            return row[:position]
    return row


def decode(tokenizer: PreTrainedTokenizerBase, generated: list[list[int]]) -> list[tuple[str, int]]:
    """(text, generated tokens that are not special tokens) per row."""
    special = set(tokenizer.all_special_ids)
    texts = tokenizer.batch_decode(generated, skip_special_tokens=True)
    return [(text.strip(), sum(token not in special for token in row)) for text, row in zip(texts, generated, strict=True)]


def load_backend(settings: ModelSettings, stage: str, device: str, precision: str) -> GenerationBackend:
    return BACKENDS.get(settings.backend)(settings, stage, device, precision)


def locate_model(settings: ModelSettings, stage: str, device: str, precision: str) -> dict[str, str | None]:
    """The model `load_backend` would load (its files, device and numeric type), found without loading weights or
    going online; what would make the load fail is raised as it would be (`ModelLoadError`, `DeviceError`)."""
    return LOCATORS.get(settings.backend)(settings, stage, device, precision)
