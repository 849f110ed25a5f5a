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
from pathlib import Path

import torch
from ctranslate2.specs import transformer_spec

from ..ctranslate2_spec import (
    FolderConverter,
    activation,
    set_embeddings,
    set_layer_norm,
    set_layers,
    set_linear,
)
from ..tokenization_indictrans import VOCAB_FILES_NAMES
from .configuration_indictrans import IndicTransConfig
from .modeling_indictrans import IndicTransDecoder, IndicTransEncoder, IndicTransForConditionalGeneration

__all__ = [
    "DEFAULT_POSITIONS", "TOKENIZER_FILES", "IndicTransConverter", "build_spec",
    "convert_indictrans", "position_table",
]

TOKENIZER_FILES = (*VOCAB_FILES_NAMES.values(), "tokenizer_config.json", "special_tokens_map.json")
DEFAULT_POSITIONS = 1024  # CTranslate2's default `max_input_length`; longer outputs than that are not sensible


def position_table(stack: IndicTransEncoder | IndicTransDecoder, positions: int) -> torch.Tensor:
    """The stack's sinusoids for its first `positions` real tokens, computed by the model's own module."""
    width = stack.embed_tokens.embedding_dim
    placeholder = torch.zeros(1, positions, width)
    return stack.embed_positions(None, placeholder)[0]  # [positions, D]; row 0 is fairseq position pad + 1


def _set_stack(spec, stack: IndicTransEncoder | IndicTransDecoder, positions: int) -> None:
    set_embeddings(spec, stack, position_table(stack, positions))
    set_layer_norm(spec.layer_norm, stack.layer_norm)
    set_layers(spec, stack)


def _check_supported(config: IndicTransConfig) -> None:
    if config.encoder_embed_dim != config.decoder_embed_dim:
        raise ValueError("CTranslate2's cross-attention needs encoder_embed_dim == decoder_embed_dim")


def build_spec(model: IndicTransForConditionalGeneration, positions: int = DEFAULT_POSITIONS):
    """The CTranslate2 `TransformerSpec` of a loaded model, weights in float32 (quantized on save)."""
    config = model.config
    _check_supported(config)
    # Pre-LN stacks, each closed by a final LayerNorm; `layernorm_embedding` applies to both stacks.
    shared = {
        "pre_norm": True,
        "activation": activation(config.activation_function),
        "layernorm_embedding": config.layernorm_embedding,
    }
    encoder_spec = transformer_spec.TransformerEncoderSpec(config.encoder_layers, config.encoder_attention_heads, **shared)
    decoder_spec = transformer_spec.TransformerDecoderSpec(config.decoder_layers, config.decoder_attention_heads, **shared)
    encoder, decoder = model.model.encoder, model.model.decoder
    _set_stack(encoder_spec, encoder, positions)
    _set_stack(decoder_spec, decoder, positions)
    set_linear(decoder_spec.projection, model.lm_head)

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


class IndicTransConverter(FolderConverter):
    """CTranslate2 converter for an IndicTrans2 folder in the hub layout (weights, config, tokenizer files)."""

    COPIED_FILES = (*TOKENIZER_FILES, "generation_config.json")  # forced tokens, as for BART

    def __init__(self, model_dir: str | Path, positions: int = DEFAULT_POSITIONS) -> None:
        super().__init__(model_dir)
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

    def record(self, quantization: str | None) -> dict:
        return {**super().record(quantization), "positions": self.positions}


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
