"""Conversion of a decoder-only chat model (Qwen2, Qwen3, Llama, Gemma 3) into a CTranslate2 `Generator` folder.

CTranslate2's own `TransformersConverter` reads these checkpoints under transformers 5 and fills the decoder spec;
the project runs it and then corrects, layer by layer, what it gets wrong:

* RoPE is written from the config's `rope_parameters` (transformers 5 keeps every RoPE setting there). CTranslate2
  4.8 drops what Llama 3.x's `llama3` scaling needs besides the frequency factors (the scaling factor and the
  original context), so Llama 3.2 ran with plain RoPE; it ignores the linear scaling of Gemma 3's global layers
  (Gemma 3 4B and larger, so Sarvam-Translate); and it takes Gemma 3's two RoPE bases from config keys that
  transformers 5 no longer has (its defaults happen to be the released models' values).
* Gemma 3 scales attention scores by `query_pre_attn_scalar ** -0.5`, which is not 1/sqrt(head_dim) in every size.

Each fix was found by comparing greedy ids and logits with transformers on random models whose attention depends on
position (`tests/performance/test_ctranslate2_chat.py`). The tokenizer files, chat template and generation config
are copied beside the model, and `conversion.json` records the architecture, the context in positions and Gemma 3's
sliding window: CTranslate2 runs a prompt longer than that window wrongly (it splits the prompt into window-sized
chunks), so the backend keeps prompts within it.

Other decoder-only types (Mistral, Gemma 2, Phi-3, ...) are not converted: CTranslate2 may read them, but nobody
has checked its output against transformers here.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import numpy as np
from ctranslate2.converters import TransformersConverter
from ctranslate2.specs.attention_spec import RotaryScalingType
from transformers import AutoConfig, AutoTokenizer, GenerationConfig, PretrainedConfig

from .ctranslate2_spec import FolderConverter

# model_type: the text model's, and Gemma 3's multimodal checkpoint (whose vision tower is left out).
CHAT_MODEL_TYPES = ("gemma3", "gemma3_text", "llama", "qwen2", "qwen3")
COPIED_FILES = (
    "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "tokenizer.model",
    "vocab.json", "merges.txt", "chat_template.jinja", "chat_template.json", "generation_config.json",
)
SCALING_TYPES = {"linear": RotaryScalingType.Linear, "llama3": RotaryScalingType.Llama3}
# What a layer's attention spec says about RoPE; a layer's settings replace all of them.
_ROPE_KEYS = (
    "rotary_scaling_type", "rotary_scaling_factor", "rotary_low_freq_factor", "rotary_high_freq_factor",
    "original_max_position_embeddings",
)


def _layer_ropes(text_config: PretrainedConfig) -> list[dict[str, Any]]:
    """Each layer's `rope_parameters`: Gemma 3 has one set per layer type (sliding or full attention)."""
    parameters = text_config.rope_parameters
    layer_types = getattr(text_config, "layer_types", None) or ["full_attention"] * text_config.num_hidden_layers
    return [parameters.get(kind, parameters) for kind in layer_types]


def check_supported(config: PretrainedConfig) -> None:
    """Refuse a checkpoint with settings that CTranslate2's loaders would silently leave out."""
    text = config.get_text_config()
    unsupported = {
        f"rope_type {rope['rope_type']!r} (CTranslate2 takes default, {', '.join(SCALING_TYPES)})"
        for rope in _layer_ropes(text) if rope.get("rope_type", "default") not in ("default", *SCALING_TYPES)
    }
    if getattr(text, "partial_rotary_factor", 1.0) != 1.0:
        unsupported.add("partial_rotary_factor (RoPE on part of each head)")
    if getattr(text, "use_sliding_window", False):
        unsupported.add("use_sliding_window (Qwen's sliding-window layers)")
    if getattr(text, "use_bidirectional_attention", False):
        unsupported.add("use_bidirectional_attention (an embedding model, not a chat model)")
    for key in ("attn_logit_softcapping", "final_logit_softcapping", "quantization_config"):
        if any(getattr(part, key, None) is not None for part in (config, text)):
            unsupported.add(key)
    head_dim = getattr(text, "head_dim", None)
    if text.model_type in ("llama", "qwen2") and head_dim and head_dim * text.num_attention_heads != text.hidden_size:
        unsupported.add("head_dim other than hidden_size / num_attention_heads (CTranslate2 reads no head_dim here)")
    if unsupported:
        raise ValueError(f"{config.model_type} checkpoint with {'; '.join(sorted(unsupported))}: not converted")


def _assign(spec, name: str, value) -> None:
    """Set a spec attribute that its constructor did not declare (CTranslate2's specs refuse new names otherwise,
    yet write and read any)."""
    object.__setattr__(spec, name, value)


def set_rope(attention, rope: dict[str, Any]) -> None:
    """One layer's RoPE, exactly as `rope` says: its base, and its scaling if any."""
    for name in _ROPE_KEYS:
        if hasattr(attention, name):
            object.__delattr__(attention, name)
    _assign(attention, "rotary_base", np.float32(rope["rope_theta"]))
    kind = rope.get("rope_type", "default")
    if kind == "default":
        return
    _assign(attention, "rotary_scaling_type", np.int8(SCALING_TYPES[kind]))
    _assign(attention, "rotary_scaling_factor", np.float32(rope["factor"]))
    if kind == "llama3":
        _assign(attention, "rotary_low_freq_factor", np.float32(rope["low_freq_factor"]))
        _assign(attention, "rotary_high_freq_factor", np.float32(rope["high_freq_factor"]))
        _assign(attention, "original_max_position_embeddings", np.int32(rope["original_max_position_embeddings"]))


def set_queries_scale(attention, text_config: PretrainedConfig) -> None:
    """Gemma scales attention scores by `query_pre_attn_scalar ** -0.5`; CTranslate2 would by `head_dim ** -0.5`."""
    scalar = getattr(text_config, "query_pre_attn_scalar", None)
    if scalar is not None:
        attention.queries_scale = np.float32(scalar**-0.5)


class ChatConverter(FolderConverter, TransformersConverter):
    """CTranslate2's converter for a chat model folder, with the project's RoPE and attention-scale fixes, the
    tokenizer and generation files copied and the conversion recorded."""

    COPIED_FILES = COPIED_FILES

    def __init__(self, model_dir: str | Path) -> None:
        FolderConverter.__init__(self, model_dir)
        TransformersConverter.__init__(self, str(model_dir))
        self.config = AutoConfig.from_pretrained(self.model_dir)
        if self.config.model_type not in CHAT_MODEL_TYPES:
            raise ValueError(f"model_type {self.config.model_type!r} is not one of {', '.join(CHAT_MODEL_TYPES)}")
        check_supported(self.config)
        self.text_config = self.config.get_text_config()

    def _load(self):
        _check_token_ids(self.model_dir)
        # CTranslate2's loaders collect garbage after every layer, which walks every object of a process that holds
        # torch and transformers (about half a second each time): what exists before the conversion is left out.
        gc.freeze()
        try:
            spec = super()._load()
        finally:
            gc.unfreeze()
        for layer, rope in zip(spec.decoder.layer, _layer_ropes(self.text_config), strict=True):
            set_rope(layer.self_attention, rope)
            set_queries_scale(layer.self_attention, self.text_config)
        return spec

    def record(self, quantization: str | None) -> dict:
        layer_types = getattr(self.text_config, "layer_types", None) or ()
        window = self.text_config.sliding_window if "sliding_attention" in layer_types else None
        return {
            **super().record(quantization), "architecture": self.config.model_type,
            "positions": self.text_config.max_position_embeddings, "eos_token_id": self._end_ids(),
            **({"sliding_window": window} if window else {}),
        }

    def _end_ids(self) -> int | list[int]:
        """The ids `generate()` stops at: the checkpoint's generation config's, else its model config's."""
        try:
            generation = GenerationConfig.from_pretrained(self.model_dir)
        except OSError:
            generation = GenerationConfig.from_model_config(self.config)
        return generation.eos_token_id


def _check_token_ids(model_dir: Path) -> None:
    """CTranslate2 lists the tokens in id order and the backend sends ids as those tokens: ids must be 0..n-1."""
    ids = sorted(AutoTokenizer.from_pretrained(model_dir).get_vocab().values())
    if ids != list(range(len(ids))):
        raise ValueError(f"the tokenizer's ids are not 0..{len(ids) - 1}")


def convert_chat(
    model_dir: str | Path, output_dir: str | Path, quantization: str | None = None, force: bool = False
) -> Path:
    """Convert `model_dir` into `output_dir`; `quantization` is a CTranslate2 weight type such as int8."""
    return Path(ChatConverter(model_dir).convert(output_dir, quantization=quantization, force=force))
