"""One entry point for the project's CTranslate2 converters, chosen by the folder's `config.json` `model_type`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pipeline.registry import Registry, UnknownNameError

from .convert_bart_ctranslate2 import convert_bart
from .convert_chat_ctranslate2 import CHAT_MODEL_TYPES, convert_chat
from .indictrans.configuration_indictrans import IndicTransConfig
from .indictrans.convert_ctranslate2 import convert_indictrans

# Each takes (model_dir, output_dir, quantization, force, positions) and returns the written folder.
CONVERTERS: Registry[Callable[..., Path]] = Registry("model_type for the project's CTranslate2 converters")
CONVERTERS.register(IndicTransConfig.model_type)(convert_indictrans)


def _own_positions(convert: Callable[..., Path]) -> Callable[..., Path]:
    """A converter for models that keep their positions as they are (a learned table, RoPE): `positions` is refused."""

    def converter(model_dir, output_dir, quantization, force, positions) -> Path:
        if positions is not None:
            raise ValueError("positions applies to IndicTrans2 only: other models keep their own positions")
        return convert(model_dir, output_dir, quantization, force)

    return converter


CONVERTERS.register("bart")(_own_positions(convert_bart))
for _chat_type in CHAT_MODEL_TYPES:  # decoder-only chat models, run by CTranslate2's Generator
    CONVERTERS.register(_chat_type)(_own_positions(convert_chat))


def model_type(model_dir: str | Path) -> str:
    config = Path(model_dir) / "config.json"
    try:
        return json.loads(config.read_text(encoding="utf-8"))["model_type"]
    except KeyError:
        raise ValueError(f"{config} has no model_type") from None


def convert_to_ctranslate2(
    model_dir: str | Path, output_dir: str | Path, quantization: str | None = None, force: bool = False,
    positions: int | None = None,
) -> Path:
    """Convert `model_dir` into `output_dir`; `positions` (IndicTrans2 only) is the stored sinusoid table's size."""
    try:
        converter = CONVERTERS.get(model_type(model_dir))
    except UnknownNameError as error:
        raise ValueError(
            f"{error}. Marian, NLLB and M2M-100 convert with CTranslate2's own ct2-transformers-converter; other "
            "decoder-only models (Mistral, Gemma 2, Phi-3, ...) are not converted: their CTranslate2 output has not "
            "been checked against transformers"
        ) from None
    return converter(model_dir, output_dir, quantization, force, positions)
