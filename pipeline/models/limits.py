"""Input limits a model declares, read the same way for a loaded model and a converted CTranslate2 folder (no torch).
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.errors import ConfigError

FALLBACK_INPUT_LIMIT = 1024  # where nothing is declared: CTranslate2's own default max_input_length
MIN_PROMPT_TOKENS = 32  # a chat prompt's template alone takes about this many tokens


def declared_limit(values: Iterable[object]) -> int:
    """The smallest of the declared lengths; a tokenizer without a declared limit reports a huge sentinel, which is
    no limit."""
    usable = [value for value in values if isinstance(value, int) and 0 < value < 1_000_000]
    return min(usable) if usable else FALLBACK_INPUT_LIMIT


def check_prompt_room(prompt_tokens: int, max_new_tokens: int, context: int, model: str, stage: str) -> None:
    """A decoder-only model's context holds its prompt and its answer: refuse an answer's room that leaves the prompt
    fewer than `MIN_PROMPT_TOKENS` (every document would fail)."""
    if prompt_tokens < MIN_PROMPT_TOKENS:
        raise ConfigError(
            f"{stage}.generation.max_new_tokens ({max_new_tokens}) leaves no room for a prompt in the "
            f"{context}-token context of {model}"
        )
