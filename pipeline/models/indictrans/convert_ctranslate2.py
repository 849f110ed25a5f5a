"""Conversion of an IndicTrans2 checkpoint (hub layout) into a CTranslate2 model folder.

IndicTrans2 is a fairseq transformer, which CTranslate2's `TransformerSpec` expresses directly: pre-norm layers
with a final LayerNorm per stack, an optional `layernorm_embedding`, scaled token embeddings and two separate
vocabularies. Two things need care:

* Positions (fixtures quirk M1): fairseq numbers real tokens from `padding_idx + 1`, whereas CTranslate2 numbers
  them from 0 and, without a table, would compute its own sinusoids from position 0. The converter therefore
  stores the model's own table, starting at position `padding_idx + 1`, so that row 0 is the first real token.
* Tokenization stays with the project's tokenizer and processor: the tokenizer files are copied next to the
  converted weights (CTranslate2 writes its own `config.json`, so `AutoTokenizer` finds the tokenizer through
  `tokenizer_config.json`), and `conversion.json` records the source folder and the table size.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import torch
from ctranslate2.converters.converter import Converter
from ctranslate2.specs import common_spec, transformer_spec
from torch import nn

from .configuration_indictrans import IndicTransConfig
from .modeling_indictrans import (
    IndicTransAttention,
    IndicTransDecoder,
    IndicTransEncoder,
    IndicTransForConditionalGeneration,
)
from .tokenization_indictrans import VOCAB_FILES_NAMES

CONVERSION_FILE = "conversion.json"
TOKENIZER_FILES = (*VOCAB_FILES_NAMES.values(), "tokenizer_config.json", "special_tokens_map.json")
DEFAULT_POSITIONS = 1024  # CTranslate2's default `max_input_length`; longer outputs than that are not sensible

ACTIVATIONS = {
    "gelu": common_spec.Activation.GELU,
    "gelu_new": common_spec.Activation.GELUTanh,
    "gelu_pytorch_tanh": common_spec.Activation.GELUTanh,
    "relu": common_spec.Activation.RELU,
    "swish": common_spec.Activation.SWISH,
    "silu": common_spec.Activation.SWISH,
}


def _numpy(tensor: torch.Tensor):
    return tensor.detach().to(torch.float32).cpu().numpy()


def _set_linear(spec: common_spec.LinearSpec, layer: nn.Linear) -> None:
    spec.weight = _numpy(layer.weight)
    if layer.bias is not None:
        spec.bias = _numpy(layer.bias)


def _set_layer_norm(spec: common_spec.LayerNormSpec, layer: nn.LayerNorm) -> None:
    spec.gamma = _numpy(layer.weight)
    spec.beta = _numpy(layer.bias)


def _set_fused(spec: common_spec.LinearSpec, layers: list[nn.Linear]) -> None:
    """One projection for several: CTranslate2 computes q, k and v (or k and v) in one matmul."""
    spec.weight = np.concatenate([_numpy(layer.weight) for layer in layers])
    spec.bias = np.concatenate([_numpy(layer.bias) for layer in layers])


def _set_attention(spec, attention: IndicTransAttention, self_attention: bool) -> None:
    projections = [attention.q_proj, attention.k_proj, attention.v_proj]
    if self_attention:
        _set_fused(spec.linear[0], projections)
    else:
        _set_fused(spec.linear[0], projections[:1])
        _set_fused(spec.linear[1], projections[1:])
    _set_linear(spec.linear[-1], attention.out_proj)


def _set_ffn(spec, layer) -> None:
    _set_layer_norm(spec.layer_norm, layer.final_layer_norm)
    _set_linear(spec.linear_0, layer.fc1)
    _set_linear(spec.linear_1, layer.fc2)


def position_table(stack: IndicTransEncoder | IndicTransDecoder, positions: int) -> torch.Tensor:
    """The stack's sinusoids for its first `positions` real tokens, computed by the model's own module."""
    width = stack.embed_tokens.embedding_dim
    placeholder = torch.zeros(1, positions, width)
    return stack.embed_positions(None, placeholder)[0]  # [positions, D]; row 0 is fairseq position pad + 1


def _set_stack_inputs(spec, stack: IndicTransEncoder | IndicTransDecoder, positions: int) -> None:
    embeddings = spec.embeddings[0] if isinstance(spec.embeddings, list) else spec.embeddings
    embeddings.weight = _numpy(stack.embed_tokens.weight)
    spec.scale_embeddings = stack.embed_tokens.embed_scale
    spec.position_encodings.encodings = _numpy(position_table(stack, positions))
    if stack.layernorm_embedding is not None:
        _set_layer_norm(spec.layernorm_embedding, stack.layernorm_embedding)
    _set_layer_norm(spec.layer_norm, stack.layer_norm)


def _check_supported(config: IndicTransConfig) -> None:
    if config.activation_function not in ACTIVATIONS:
        raise ValueError(
            f"activation {config.activation_function!r} has no CTranslate2 equivalent; known: {', '.join(ACTIVATIONS)}"
        )
    if config.encoder_embed_dim != config.decoder_embed_dim:
        raise ValueError("CTranslate2's cross-attention needs encoder_embed_dim == decoder_embed_dim")


def build_spec(model: IndicTransForConditionalGeneration, positions: int = DEFAULT_POSITIONS):
    """The CTranslate2 `TransformerSpec` of a loaded model, weights in float32 (quantized on save)."""
    config = model.config
    _check_supported(config)
    # Pre-LN stacks, each closed by a final LayerNorm; `layernorm_embedding` applies to both stacks.
    shared = {
        "pre_norm": True,
        "activation": ACTIVATIONS[config.activation_function],
        "layernorm_embedding": config.layernorm_embedding,
    }
    encoder_spec = transformer_spec.TransformerEncoderSpec(config.encoder_layers, config.encoder_attention_heads, **shared)
    decoder_spec = transformer_spec.TransformerDecoderSpec(config.decoder_layers, config.decoder_attention_heads, **shared)
    encoder, decoder = model.model.encoder, model.model.decoder

    _set_stack_inputs(encoder_spec, encoder, positions)
    for layer_spec, layer in zip(encoder_spec.layer, encoder.layers, strict=True):
        _set_attention(layer_spec.self_attention, layer.self_attn, self_attention=True)
        _set_layer_norm(layer_spec.self_attention.layer_norm, layer.self_attn_layer_norm)
        _set_ffn(layer_spec.ffn, layer)

    _set_stack_inputs(decoder_spec, decoder, positions)
    for layer_spec, layer in zip(decoder_spec.layer, decoder.layers, strict=True):
        _set_attention(layer_spec.self_attention, layer.self_attn, self_attention=True)
        _set_layer_norm(layer_spec.self_attention.layer_norm, layer.self_attn_layer_norm)
        _set_attention(layer_spec.attention, layer.encoder_attn, self_attention=False)
        _set_layer_norm(layer_spec.attention.layer_norm, layer.encoder_attn_layer_norm)
        _set_ffn(layer_spec.ffn, layer)
    _set_linear(decoder_spec.projection, model.lm_head)

    spec = transformer_spec.TransformerSpec(encoder_spec, decoder_spec)
    spec.config.layer_norm_epsilon = encoder.layer_norm.eps
    return spec


def _vocabulary(path: Path) -> list[str]:
    """A fairseq dictionary file (piece -> id) as the list of pieces in id order."""
    token_to_id = json.loads(path.read_text(encoding="utf-8"))
    tokens = sorted(token_to_id, key=token_to_id.__getitem__)
    if [token_to_id[token] for token in tokens] != list(range(len(tokens))):
        raise ValueError(f"{path}: ids are not 0..{len(tokens) - 1}")
    return tokens


class IndicTransConverter(Converter):
    """CTranslate2 converter for an IndicTrans2 folder in the hub layout (weights, config, tokenizer files)."""

    def __init__(self, model_dir: str | Path, positions: int = DEFAULT_POSITIONS) -> None:
        self.model_dir = Path(model_dir)
        self.positions = positions

    def _load(self):
        model = IndicTransForConditionalGeneration.from_pretrained(self.model_dir, dtype=torch.float32).eval()
        with torch.no_grad():
            spec = build_spec(model, self.positions)
        spec.register_source_vocabulary(_vocabulary(self.model_dir / VOCAB_FILES_NAMES["src_vocab_fp"]))
        spec.register_target_vocabulary(_vocabulary(self.model_dir / VOCAB_FILES_NAMES["tgt_vocab_fp"]))
        spec.config.bos_token = "<s>"
        spec.config.eos_token = "</s>"
        spec.config.unk_token = "<unk>"
        # Decoding starts from `</s>` (config.decoder_start_token_id); the tokenizer already appends `</s>`.
        spec.config.decoder_start_token = "</s>"
        spec.config.add_source_eos = False
        return spec

    def convert(self, output_dir, vmap=None, quantization=None, force=False) -> str:
        """Write the CTranslate2 model, then the tokenizer files and `conversion.json` beside it."""
        super().convert(str(output_dir), vmap=vmap, quantization=quantization, force=force)
        output = Path(output_dir)
        for name in TOKENIZER_FILES:
            if (self.model_dir / name).exists():
                shutil.copyfile(self.model_dir / name, output / name)
        record = {"source": str(self.model_dir), "quantization": quantization or "float32", "positions": self.positions}
        (output / CONVERSION_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        return str(output)


def convert_indictrans(
    model_dir: str | Path,
    output_dir: str | Path,
    quantization: str | None = None,
    force: bool = False,
    positions: int | None = None,
) -> Path:
    """Convert `model_dir` into `output_dir`; `quantization` is a CTranslate2 weight type such as int8."""
    converter = IndicTransConverter(model_dir, positions or DEFAULT_POSITIONS)
    return Path(converter.convert(output_dir, quantization=quantization, force=force))
