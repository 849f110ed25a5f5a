"""Loading Hugging Face generating models and tokenizers, with errors that say what to do.

Encoder-decoder checkpoints (IndicTrans2, NLLB, BART) load as `AutoModelForSeq2SeqLM`; decoder-only ones (chat
models: Qwen, Llama, Gemma) as `AutoModelForCausalLM`, padded on the left so that every row's prompt ends where
generation starts (`generate()` derives their positions from the attention mask).

A model id is either a local folder in the hub layout or a hub id. On a machine without the hub, a hub id only
loads from the local cache; when it cannot be loaded the run stops before any work with a `ModelLoadError`
that names the model and the ways out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import (
    AutoConfig,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)
from transformers.cache_utils import Cache, EncoderDecoderCache

from pipeline.devices import Placement, resolve_placement
from pipeline.errors import ConfigError, ModelLoadError
from pipeline.models import indictrans  # noqa: F401  (registers IndicTrans2 with the Auto classes used below)
from pipeline.models.announce import LoadAnnouncement, byte_size, parameters
from pipeline.models.limits import check_prompt_room, declared_limit
from pipeline.models.locate import explain, looks_like_path


@dataclass
class LoadedModel:
    """A loaded model with its tokenizer and where it came from (for the run manifest)."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    model_id: str
    revision: str | None
    placement: Placement

    @property
    def decoder_only(self) -> bool:
        """A causal LM: its output repeats the prompt, which is padded on the left."""
        return not self.model.config.is_encoder_decoder

    def describe(self) -> dict[str, str | None]:
        return {
            "model": self.model_id,
            "revision": self.revision,
            "device": str(self.placement.device),
            "dtype": self.placement.dtype_name,
            "attention": self.model.config._attn_implementation,
        }


def _resolved_revision(model_id: str, config_revision: str | None, loaded_config) -> str | None:
    """The commit the weights came from: the hub's commit hash when known, else what the config asked for."""
    return getattr(loaded_config, "_commit_hash", None) or config_revision or (
        "local" if looks_like_path(model_id) else None
    )


def reorder_self_attention_only(cache: Cache, beam_idx: torch.LongTensor) -> Cache:
    """Beam search's per-step cache reorder, without the cross-attention half, which it does not change.

    Every beam of a sentence attends to the same encoder output, so their cross-attention keys and values are equal
    and moving them between beams is a no-op, yet `generate()` copies them at every step: a copy of the whole
    encoder-length cache of every layer, which took most of the time of beam search on CPU.
    """
    (cache.self_attention_cache if isinstance(cache, EncoderDecoderCache) else cache).reorder_cache(beam_idx)
    return cache


def attention_kernel(requested: str) -> dict[str, str]:
    """`from_pretrained`'s attention argument: `auto` keeps the checkpoint's own choice (config.json), so outputs
    stay the reference's. On an H200 the eager kernel beat SDPA for IndicTrans2 at every batch size measured
    (docs/performance.md), so no kernel is swapped in behind the user's back."""
    return {} if requested == "auto" else {"attn_implementation": requested}


def load_model(
    model_id: str, revision: str | None, stage: str, device: str, precision: str, attention: str = "auto"
) -> LoadedModel:
    """Load model and tokenizer onto the configured device, precision and attention kernel, in eval mode."""
    source = str(Path(model_id).expanduser()) if looks_like_path(model_id) else model_id
    try:
        config = AutoConfig.from_pretrained(source, revision=revision)
        placement = resolve_placement(device, precision, config.model_type)
        announcement = LoadAnnouncement(stage, model_id, str(placement.device), placement.dtype_name)
        tokenizer = AutoTokenizer.from_pretrained(source, revision=revision)
        # Weights are cast while loading, so an fp32 checkpoint never takes a `.half()` pass on the CPU.
        auto_class = AutoModelForSeq2SeqLM if config.is_encoder_decoder else AutoModelForCausalLM
        model = auto_class.from_pretrained(source, revision=revision, dtype=placement.dtype, **attention_kernel(attention))
    except (OSError, ValueError, KeyError) as error:
        raise ModelLoadError(explain(model_id, stage, error)) from error
    if tokenizer.pad_token is None:  # Llama 3 has none; padding is masked out, so any token does
        tokenizer.pad_token = tokenizer.eos_token
    model.to(placement.device).eval()
    if not hasattr(model, "_reorder_cache"):  # `generate()` prefers a model's own reorder over the cache's
        model._reorder_cache = reorder_self_attention_only
    weights = list(model.parameters())
    announcement.loaded(f"{parameters(sum(w.numel() for w in weights))}, "
                        f"{byte_size(sum(w.numel() * w.element_size() for w in weights))}")
    return LoadedModel(model, tokenizer, model_id, _resolved_revision(model_id, revision, config), placement)


def decoder_positions(loaded: LoadedModel) -> int | None:
    """How many target positions the decoder's position table holds; None when positions are computed for any length.

    BART's learned positions and Marian's and PEGASUS's fixed sinusoidal tables are embeddings of a set size (BART's
    with an offset of 2); IndicTrans2, M2M-100/NLLB and T5 compute them for any length.
    """
    table = getattr(loaded.model.get_decoder(), "embed_positions", None)
    if isinstance(table, torch.nn.Embedding):
        return table.num_embeddings - getattr(table, "offset", 0)
    return None


def check_generation_length(loaded: LoadedModel, max_new_tokens: int, stage: str) -> None:
    """A generation longer than the decoder's position table fails every document (`IndexError` deep in the model),
    so it is refused when the model loads, before any work."""
    positions = decoder_positions(loaded)
    if positions is not None and max_new_tokens >= positions:
        raise ConfigError(
            f"{stage}.generation.max_new_tokens ({max_new_tokens}) must be < {positions}, the decoder positions of "
            f"{loaded.model_id}; a longer generation would fail on every document"
        )
    if loaded.decoder_only:
        check_prompt_room(input_limit(loaded, max_new_tokens), max_new_tokens, input_limit(loaded), loaded.model_id, stage)


def input_limit(loaded: LoadedModel, max_new_tokens: int = 0) -> int:
    """The longest input the model takes, in tokens, as its tokenizer and config declare it. A decoder-only model's
    context holds its prompt and what it generates, so `max_new_tokens` of it are kept for the answer."""
    config = loaded.model.config
    declared = [loaded.tokenizer.model_max_length] + [
        getattr(config, name, None) for name in ("max_position_embeddings", "max_source_positions", "n_positions")
    ]
    limit = declared_limit(declared)  # a tokenizer without a declared limit: the model's position table bounds it
    return limit - max_new_tokens if loaded.decoder_only else limit


# Share of the free device memory a batch may plan for: the rest is for what the estimate below leaves out
# (activations of the encoder, the allocator's fragmentation). A batch that still does not fit is halved.
BATCH_MEMORY_SHARE = 0.5
ITEM_TOKENS = 16  # source tokens of a short sentence: what spreads the per-sentence memory over its tokens


def _kv_width(config) -> int:
    """Keys (or values) per token and layer of a decoder-only model: fewer than its width with grouped-query attention."""
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    return (getattr(config, "num_key_value_heads", None) or config.num_attention_heads) * head_dim


def cuda_token_budget(loaded: LoadedModel, num_beams: int) -> int | None:
    """Padded source tokens per `generate()` call that fit in the GPU's free memory; None on other devices.

    Per source token, every beam keeps the cross-attention keys and values of every decoder layer, and a
    self-attention cache for a target about as long as the source, counted twice (the cache grows by copying).
    Per sentence, every beam's scores over the vocabulary are held in fp32 a few times over (log-softmax, top-k).
    """
    device = loaded.placement.device
    if device.type != "cuda":
        return None
    config = loaded.model.config.get_text_config(decoder=True)
    layers = getattr(config, "decoder_layers", None) or config.num_hidden_layers
    width = getattr(config, "decoder_embed_dim", None) or getattr(config, "d_model", None) or _kv_width(config)
    vocabulary = getattr(config, "decoder_vocab_size", None) or config.vocab_size
    per_token = num_beams * layers * 2 * width * loaded.placement.dtype.itemsize * (1 + 2)
    per_item = num_beams * vocabulary * 4 * 4
    free, _ = torch.cuda.mem_get_info(device)
    return int(BATCH_MEMORY_SHARE * free / (per_token + per_item / ITEM_TOKENS))


@torch.inference_mode()
def generate_batch(loaded: LoadedModel, input_ids: list[list[int]], **generate_kwargs) -> torch.Tensor:
    """Pad one batch of token ids on the model's side and `generate()`: [B, decoder start + new tokens], or for a
    decoder-only model [B, padded prompt + new tokens]."""
    side = "left" if loaded.decoder_only else "right"
    batch = loaded.tokenizer.pad({"input_ids": input_ids}, padding_side=side, return_tensors="pt")
    inputs = {name: tensor.to(loaded.placement.device) for name, tensor in batch.items()}
    return loaded.model.generate(**inputs, **generate_kwargs)

