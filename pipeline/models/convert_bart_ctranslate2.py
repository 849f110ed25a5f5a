"""Conversion of a BART-family summarizer (bart-large-cnn, distilbart-cnn) into a CTranslate2 model folder.

CTranslate2's own `ct2-transformers-converter` reads config keys that transformers 5 no longer defines
(`normalize_before`), so the project fills the `TransformerSpec` itself from the loaded model:

* post-LN layers (`pre_norm=False`, no final LayerNorm per stack) after a `layernorm_embedding`;
* learned positions: transformers looks position p up at row p + 2 (`offset`), so the stored table starts at row 2;
* one vocabulary for both sides, and `final_logits_bias` as the output projection's bias;
* decoding starts from `config.decoder_start_token_id` (`</s>`). `forced_bos_token_id` is a generation setting,
  not a model one: the copied `generation_config.json` keeps it for the backend to pass as a target prefix.
"""

from __future__ import annotations

from pathlib import Path

import torch
from ctranslate2.specs import transformer_spec
from transformers import AutoTokenizer, BartConfig, BartForConditionalGeneration, PreTrainedTokenizerBase

from .ctranslate2_spec import FolderConverter, activation, as_numpy, set_embeddings, set_layers, set_linear

COPIED_FILES = (
    "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt",
    "generation_config.json",
)

# Keys of fairseq-era BART configs that transformers' BART no longer reads, with the only value it implements.
# A checkpoint that sets another (an mBART-style pre-LN one) would be run wrongly by transformers and by us alike.
_FIXED_LAYOUT = {
    "normalize_before": False, "add_final_layer_norm": False, "normalize_embedding": True,
    "static_position_embeddings": False,
}


def _check_supported(config: BartConfig) -> None:
    for key, implemented in _FIXED_LAYOUT.items():
        if getattr(config, key, implemented) != implemented:
            raise ValueError(
                f"config.json sets {key}={getattr(config, key)!r}, but transformers' BART (and this converter) "
                f"only implement {key}={implemented!r}: the checkpoint is not a post-LN BART"
            )


def build_spec(model: BartForConditionalGeneration) -> transformer_spec.TransformerSpec:
    """The CTranslate2 `TransformerSpec` of a loaded BART model, weights in float32 (quantized on save)."""
    config = model.config
    _check_supported(config)
    shared = {"pre_norm": False, "activation": activation(config.activation_function), "layernorm_embedding": True}
    encoder_spec = transformer_spec.TransformerEncoderSpec(config.encoder_layers, config.encoder_attention_heads, **shared)
    decoder_spec = transformer_spec.TransformerDecoderSpec(config.decoder_layers, config.decoder_attention_heads, **shared)
    for spec, stack in ((encoder_spec, model.model.encoder), (decoder_spec, model.model.decoder)):
        positions = stack.embed_positions
        set_embeddings(spec, stack, positions.weight[positions.offset :])
        set_layers(spec, stack)
    set_linear(decoder_spec.projection, model.lm_head)
    decoder_spec.projection.bias = as_numpy(model.final_logits_bias[0])

    spec = transformer_spec.TransformerSpec(encoder_spec, decoder_spec)
    spec.config.layer_norm_epsilon = model.model.encoder.layernorm_embedding.eps
    return spec


def vocabulary(tokenizer: PreTrainedTokenizerBase, rows: int) -> list[str]:
    """The tokenizer's tokens in id order, exactly `rows` long (one per embedding row)."""
    token_to_id = tokenizer.get_vocab()
    tokens = sorted(token_to_id, key=token_to_id.__getitem__)
    if [token_to_id[token] for token in tokens] != list(range(len(tokens))):
        raise ValueError(f"the tokenizer's ids are not 0..{len(tokens) - 1}")
    # bart-large-cnn's tokenizer has one token more (`<mask>`, id 50264) than the model has rows: no id past the
    # last row can be embedded, so those tokens go. Checkpoints padded to a multiple of 8 have rows without a
    # token: fairseq named their dictionary entries `madeupword`, and so do we, so that CTranslate2 has a token per row.
    tokens = tokens[:rows] + [f"<madeupword{i}>" for i in range(rows - len(tokens))]
    if len(set(tokens)) != len(tokens):
        raise ValueError("the tokenizer already has a token named like the padding rows' <madeupwordN>")
    return tokens


def _token(tokens: list[str], token_id: int | None) -> str | None:
    return tokens[token_id] if token_id is not None and 0 <= token_id < len(tokens) else None


class BartConverter(FolderConverter):
    """CTranslate2 converter for a BART folder (weights, config, tokenizer and generation settings)."""

    COPIED_FILES = COPIED_FILES

    def __init__(self, model_dir: str | Path) -> None:
        super().__init__(model_dir)
        self.config = BartConfig.from_pretrained(self.model_dir)

    def _load(self):
        model = BartForConditionalGeneration.from_pretrained(self.model_dir, dtype=torch.float32).eval()
        with torch.no_grad():
            spec = build_spec(model)
        tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        tokens = vocabulary(tokenizer, model.model.shared.num_embeddings)
        spec.register_source_vocabulary(tokens)
        spec.register_target_vocabulary(tokens)

        special = {
            "bos_token": tokenizer.bos_token, "eos_token": tokenizer.eos_token, "unk_token": tokenizer.unk_token,
            "decoder_start_token": _token(tokens, self.config.decoder_start_token_id),
        }
        unknown = [f"{name} {token!r}" for name, token in special.items() if token not in tokens]
        if unknown:
            raise ValueError(f"special tokens without an embedding row: {', '.join(unknown)}")
        for name, token in special.items():
            setattr(spec.config, name, token)
        # The project's tokenizer already wraps sources in `<s>` ... `</s>`, and the backend sends its ids as tokens.
        spec.config.add_source_bos = False
        spec.config.add_source_eos = False
        return spec

    def record(self, quantization: str | None) -> dict:
        return {**super().record(quantization), "positions": self.config.max_position_embeddings}


def convert_bart(
    model_dir: str | Path, output_dir: str | Path, quantization: str | None = None, force: bool = False
) -> Path:
    """Convert `model_dir` into `output_dir`; `quantization` is a CTranslate2 weight type such as int8."""
    return Path(BartConverter(model_dir).convert(output_dir, quantization=quantization, force=force))
