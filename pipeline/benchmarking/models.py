"""Real-size models with random weights, built from the published configurations (no download).

The cost of a forward pass depends on the shapes, not on the values, so a random-weight model of the published
size costs what the trained one does per token. Weights are drawn so that activations stay in a trained model's
range (variance-preserving linear layers, unit LayerNorm gains) and the output distribution is peaked, which keeps
greedy decoding away from near-ties; outputs are meaningless but deterministic for a seed.

Published configurations used (config.json on the Hugging Face hub):

* ai4bharat/indictrans2-indic-en-dist-200M: 18 + 18 layers, width 512, FFN 2048, 8 heads, GELU, pre-LN,
  vocabularies 122706 (source) / 32296 (target), scale_embedding, layernorm_embedding true,
  `attn_implementation: "eager"`. Its share_decoder_input_output_embed is taken as true, as in
  indictrans2-en-indic-dist-200M and in the rotary variant of indic-en-dist-200M (the copy of the indic-en file
  seen here was cut before that key); tying changes memory by one 32296 x 512 matrix, not the cost per token.
* facebook/bart-large-cnn: 12 + 12 layers, d_model 1024, FFN 4096, 16 heads, vocabulary 50264, 1024 positions,
  post-LN with layernorm_embedding, no embedding scaling; generation: forced BOS 0, forced EOS 2.
* sshleifer/distilbart-cnn-12-6: the same with 6 decoder layers.
* Qwen/Qwen2.5-1.5B-Instruct (a decoder-only chat model): 28 layers, hidden 1536, intermediate (SwiGLU) 8960,
  12 attention heads with 2 key-value heads (grouped-query), bias on the query/key/value projections, vocabulary
  151936 rows, RMSNorm eps 1e-6, rope_theta 1e6, 32768 positions, tied embeddings; ChatML's <|endoftext|> 151643
  (bos and pad), <|im_end|> 151645 (eos; generation also stops at 151643). The hub file could not be read here:
  these values are those its copies in public code give (a preflight check that asserts them for this repository
  id, a table of Qwen configurations), and the model card's 28 layers, 12 / 2 heads and tied embeddings.
  The model's vocabulary stays the published size (its output layer is a large part of the cost per token); its
  tokenizer is a small byte-level BPE with ChatML's tokens at Qwen's ids (`inputs.train_chat_tokenizer`).
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn
from transformers import (
    AutoTokenizer, BartConfig, BartForConditionalGeneration, GenerationConfig, PreTrainedModel, Qwen2Config,
    Qwen2ForCausalLM,
)
from transformers.initialization import no_init_weights

from pipeline.models.indictrans import IndicTransConfig, IndicTransForConditionalGeneration, IndicTransTokenizer

LOGIT_SCALE = 4.0  # standard deviation of the logits: a peaked output distribution, as a trained model has


@dataclass(frozen=True)
class ModelSize:
    """What a benchmark model looks like: the published shape, or a scaled-down one for `--quick`."""

    name: str
    layers: tuple[int, int]  # encoder, decoder (no encoder: a decoder-only model)
    width: int
    ffn: int
    heads: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def decoder_only(self) -> bool:
        return self.layers[0] == 0

    def scaled_down(self) -> ModelSize:
        """Two layers per stack and a quarter of the width: the same code paths at a fraction of the cost."""
        return replace(self, name=f"{self.name} (quick)", layers=tuple(2 if count else 0 for count in self.layers),
                       width=self.width // 4, ffn=self.ffn // 4)


INDICTRANS2_INDIC_EN_DIST_200M = ModelSize(
    "indictrans2-indic-en-dist-200M", (18, 18), 512, 2048, 8,
    {"encoder_vocab_size": 122706, "decoder_vocab_size": 32296, "layernorm_embedding": True,
     "share_decoder_input_output_embed": True},
)
BART_LARGE_CNN = ModelSize("bart-large-cnn", (12, 12), 1024, 4096, 16, {"vocab_size": 50264})
DISTILBART_CNN_12_6 = ModelSize("distilbart-cnn-12-6", (12, 6), 1024, 4096, 16, {"vocab_size": 50264})
QWEN2_5_1_5B_INSTRUCT = ModelSize(
    "qwen2.5-1.5B-instruct", (0, 28), 1536, 8960, 12,
    {"num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 32768, "rms_norm_eps": 1e-6,
     "rope_parameters": {"rope_type": "default", "rope_theta": 1e6}, "tie_word_embeddings": True},
)


def indictrans_config(size: ModelSize) -> IndicTransConfig:
    encoder_layers, decoder_layers = size.layers
    return IndicTransConfig(
        encoder_layers=encoder_layers, decoder_layers=decoder_layers,
        encoder_embed_dim=size.width, decoder_embed_dim=size.width,
        encoder_ffn_dim=size.ffn, decoder_ffn_dim=size.ffn,
        encoder_attention_heads=size.heads, decoder_attention_heads=size.heads,
        activation_function="gelu", max_source_positions=256, max_target_positions=256, dropout=0.2,
        **size.extra,
    )


def bart_config(size: ModelSize) -> BartConfig:
    encoder_layers, decoder_layers = size.layers
    return BartConfig(
        encoder_layers=encoder_layers, decoder_layers=decoder_layers, d_model=size.width,
        encoder_ffn_dim=size.ffn, decoder_ffn_dim=size.ffn,
        encoder_attention_heads=size.heads, decoder_attention_heads=size.heads,
        max_position_embeddings=1024, activation_function="gelu", scale_embedding=False,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
        **size.extra,
    )


def qwen2_config(size: ModelSize, **token_ids: int | list[int]) -> Qwen2Config:
    """The configuration of a Qwen2 decoder of `size`; `token_ids`: bos/eos/pad_token_id, as its tokenizer has them."""
    return Qwen2Config(
        num_hidden_layers=size.layers[1], hidden_size=size.width, intermediate_size=size.ffn,
        num_attention_heads=size.heads, hidden_act="silu", use_sliding_window=False, **size.extra, **token_ids,
    )


@torch.no_grad()
def randomize(model: PreTrainedModel, seed: int) -> None:
    """Overwrite every weight from a seeded generator, at scales that keep activations finite and well spread."""
    generator = torch.Generator().manual_seed(seed)
    for module in model.modules():
        if isinstance(module, nn.Linear):
            if module is model.get_output_embeddings() and model.config.tie_word_embeddings:
                continue  # tied to the decoder's token embeddings, drawn below
            module.weight.copy_(torch.randn(module.weight.shape, generator=generator) / math.sqrt(module.in_features))
            if module.bias is not None:
                module.bias.copy_(0.02 * torch.randn(module.bias.shape, generator=generator))
        elif isinstance(module, nn.Embedding):
            weight = torch.randn(module.weight.shape, generator=generator) / math.sqrt(module.embedding_dim)
            if module.padding_idx is not None:
                weight[module.padding_idx] = 0.0
            module.weight.copy_(weight)
        elif isinstance(module, nn.LayerNorm) or type(module).__name__.endswith("RMSNorm"):
            module.weight.fill_(1.0)
            if getattr(module, "bias", None) is not None:
                module.bias.zero_()


def _peak_logits(model: PreTrainedModel) -> None:
    """Scale the LM head (with its tied embeddings): unit-variance hidden states then give logits of spread LOGIT_SCALE."""
    with torch.no_grad():
        model.get_output_embeddings().weight.mul_(LOGIT_SCALE)


@torch.no_grad()
def check_finite(model: PreTrainedModel) -> None:
    """Random weights at the wrong scale overflow; a NaN would then decode as some token id and pass unnoticed."""
    eos = model.config.eos_token_id
    source = torch.tensor([[5, 6, 7, 8, eos[0] if isinstance(eos, list) else eos]])
    if model.config.is_encoder_decoder:
        logits = model(input_ids=source, decoder_input_ids=torch.tensor([[model.config.decoder_start_token_id]])).logits
    else:
        logits = model(input_ids=source).logits
    if not torch.isfinite(logits).all():
        raise ValueError(f"{type(model).__name__} with random weights gives non-finite logits")


def _random_model(model: PreTrainedModel, seed: int) -> PreTrainedModel:
    randomize(model, seed)
    _peak_logits(model)
    check_finite(model.eval())
    return model


def _name_attention(config_file: Path, implementation: str) -> None:
    """Write `attn_implementation` into config.json as the hub files have it (transformers does not save it)."""
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["attn_implementation"] = implementation
    config_file.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def build_indictrans(size: ModelSize, tokenizer_dir: Path, out_dir: Path, seed: int = 1234) -> Path:
    """An IndicTrans2 folder in the hub layout: random weights of `size`, the tokenizer files of `tokenizer_dir`."""
    model = _random_model(IndicTransForConditionalGeneration(indictrans_config(size)), seed)
    model.save_pretrained(out_dir)
    _name_attention(out_dir / "config.json", "eager")
    IndicTransTokenizer.from_pretrained(tokenizer_dir).save_pretrained(out_dir)  # copies the vocabulary files as they are
    return out_dir


def build_bart(size: ModelSize, tokenizer_dir: Path, out_dir: Path, seed: int = 4321) -> Path:
    """A BART summarizer folder: random weights of `size`, the tokenizer saved in `tokenizer_dir`."""
    model = _random_model(BartForConditionalGeneration(bart_config(size)), seed)
    model.generation_config = GenerationConfig(
        decoder_start_token_id=2, bos_token_id=0, eos_token_id=2, pad_token_id=1,
        forced_bos_token_id=0, forced_eos_token_id=2,
    )
    model.save_pretrained(out_dir)
    for path in tokenizer_dir.iterdir():
        shutil.copyfile(path, out_dir / path.name)
    return out_dir


def build_chat(size: ModelSize, tokenizer_dir: Path, out_dir: Path, seed: int = 2468) -> Path:
    """A Qwen2-shaped chat model folder, loaded by `load_model` as a causal LM: random weights of `size`, the
    ChatML tokenizer saved in `tokenizer_dir` (`inputs.train_chat_tokenizer`), whose special tokens it is told."""
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    end_of_text, end_of_turn = tokenizer.pad_token_id, tokenizer.eos_token_id
    config = qwen2_config(size, bos_token_id=end_of_text, eos_token_id=end_of_turn, pad_token_id=end_of_text)
    with no_init_weights():  # `randomize` draws every weight: transformers' own drawing (a minute at 1.5B) is skipped
        model = Qwen2ForCausalLM(config)
    model.tie_weights()  # which the skipped initialization would have done
    model = _random_model(model, seed)
    # As Qwen2.5-Instruct's generation_config.json, less its sampling settings (the benchmark decodes greedily).
    model.generation_config = GenerationConfig(
        bos_token_id=end_of_text, eos_token_id=[end_of_turn, end_of_text], pad_token_id=end_of_text,
    )
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def describe(size: ModelSize) -> dict[str, Any]:
    """The shape as it goes into the report."""
    return {"name": size.name, "layers": list(size.layers), "width": size.width, "ffn": size.ffn,
            "heads": size.heads, **size.extra}

