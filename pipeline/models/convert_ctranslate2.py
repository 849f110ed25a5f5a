"""One entry point for the project's CTranslate2 converters, chosen by the folder's `config.json` `model_type`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pipeline.registry import Registry, UnknownNameError

from .convert_bart_ctranslate2 import convert_bart
from .indictrans.configuration_indictrans import IndicTransConfig
from .indictrans.convert_ctranslate2 import convert_indictrans

# Each takes (model_dir, output_dir, quantization, force, positions) and returns the written folder.
CONVERTERS: Registry[Callable[..., Path]] = Registry("model_type for the project's CTranslate2 converters")
CONVERTERS.register(IndicTransConfig.model_type)(convert_indictrans)


@CONVERTERS.register("bart")
def _convert_bart(model_dir, output_dir, quantization, force, positions) -> Path:
    if positions is not None:
        raise ValueError("positions applies to IndicTrans2 only: BART stores its learned table as it is")
    return convert_bart(model_dir, output_dir, quantization, force)


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
            f"{error}. Marian, NLLB and M2M-100 convert with CTranslate2's own ct2-transformers-converter"
        ) from None
    return converter(model_dir, output_dir, quantization, force, positions)
