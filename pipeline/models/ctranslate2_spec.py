"""Filling a CTranslate2 `TransformerSpec` from fairseq-style PyTorch modules, shared by the project's converters.

IndicTrans2 and BART both name their modules the fairseq way (`self_attn`, `self_attn_layer_norm`, `encoder_attn`,
`encoder_attn_layer_norm`, `fc1`, `fc2`, `final_layer_norm`), so one set of helpers fills either. Whether each
LayerNorm runs before (IndicTrans2) or after (BART) its block is the spec's `pre_norm` flag, not a weight.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import torch
from ctranslate2.converters.converter import Converter
from ctranslate2.specs import common_spec
from torch import nn

from pipeline.models.ctranslate2_folder import CONVERSION_FILE

ACTIVATIONS = {
    "gelu": common_spec.Activation.GELU,
    "gelu_new": common_spec.Activation.GELUTanh,
    "gelu_pytorch_tanh": common_spec.Activation.GELUTanh,
    "relu": common_spec.Activation.RELU,
    "swish": common_spec.Activation.SWISH,
    "silu": common_spec.Activation.SWISH,
}


def activation(name: str) -> common_spec.Activation:
    """CTranslate2's activation for a config's `activation_function`; one it lacks cannot be converted."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation {name!r} has no CTranslate2 equivalent; known: {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def as_numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().to(torch.float32).cpu().numpy()


def set_linear(spec: common_spec.LinearSpec, layer: nn.Linear) -> None:
    spec.weight = as_numpy(layer.weight)
    if layer.bias is not None:
        spec.bias = as_numpy(layer.bias)


def set_layer_norm(spec: common_spec.LayerNormSpec, layer: nn.LayerNorm) -> None:
    spec.gamma = as_numpy(layer.weight)
    spec.beta = as_numpy(layer.bias)


def _set_fused(spec: common_spec.LinearSpec, layers: list[nn.Linear]) -> None:
    """One projection for several: CTranslate2 computes q, k and v (or k and v) in one matmul."""
    spec.weight = np.concatenate([as_numpy(layer.weight) for layer in layers])
    spec.bias = np.concatenate([as_numpy(layer.bias) for layer in layers])


def _set_attention(spec, attention: nn.Module, self_attention: bool) -> None:
    """An attention module with `q_proj`, `k_proj`, `v_proj` and `out_proj`."""
    projections = [attention.q_proj, attention.k_proj, attention.v_proj]
    if self_attention:
        _set_fused(spec.linear[0], projections)
    else:
        _set_fused(spec.linear[0], projections[:1])
        _set_fused(spec.linear[1], projections[1:])
    set_linear(spec.linear[-1], attention.out_proj)


def set_embeddings(spec, stack: nn.Module, positions: torch.Tensor) -> None:
    """Token embeddings with their scale, the position table (row 0 = first token) and any `layernorm_embedding`."""
    embeddings = spec.embeddings[0] if isinstance(spec.embeddings, list) else spec.embeddings
    embeddings.weight = as_numpy(stack.embed_tokens.weight)
    spec.scale_embeddings = stack.embed_tokens.embed_scale
    spec.position_encodings.encodings = as_numpy(positions)
    if getattr(stack, "layernorm_embedding", None) is not None:
        set_layer_norm(spec.layernorm_embedding, stack.layernorm_embedding)


def set_layers(spec, stack: nn.Module) -> None:
    """Every layer of an encoder or decoder stack; decoder layers also have `encoder_attn`."""
    for layer_spec, layer in zip(spec.layer, stack.layers, strict=True):
        _set_attention(layer_spec.self_attention, layer.self_attn, self_attention=True)
        set_layer_norm(layer_spec.self_attention.layer_norm, layer.self_attn_layer_norm)
        if hasattr(layer, "encoder_attn"):
            _set_attention(layer_spec.attention, layer.encoder_attn, self_attention=False)
            set_layer_norm(layer_spec.attention.layer_norm, layer.encoder_attn_layer_norm)
        set_layer_norm(layer_spec.ffn.layer_norm, layer.final_layer_norm)
        set_linear(layer_spec.ffn.linear_0, layer.fc1)
        set_linear(layer_spec.ffn.linear_1, layer.fc2)


class FolderConverter(Converter):
    """A converter from a Hugging Face folder that leaves the converted folder usable on its own.

    CTranslate2 writes `model.bin`, its vocabularies and its own `config.json`; the project still reads the
    tokenizer (and, for summarizers, the generation settings) from the folder, so `COPIED_FILES` that exist are
    copied beside the weights, and `conversion.json` records the source folder for run manifests.
    """

    COPIED_FILES: tuple[str, ...] = ()

    def __init__(self, model_dir: str | Path) -> None:
        self.model_dir = Path(model_dir)

    def record(self, quantization: str | None) -> dict:
        return {"source": str(self.model_dir), "quantization": quantization or "float32"}

    def convert(self, output_dir, vmap=None, quantization=None, force=False) -> str:
        """Write the CTranslate2 model, then the copied files and `conversion.json` beside it."""
        super().convert(str(output_dir), vmap=vmap, quantization=quantization, force=force)
        output = Path(output_dir)
        for name in self.COPIED_FILES:
            if (self.model_dir / name).exists():
                shutil.copyfile(self.model_dir / name, output / name)
        record = json.dumps(self.record(quantization), indent=2)
        (output / CONVERSION_FILE).write_text(record + "\n", encoding="utf-8")
        return str(output)
