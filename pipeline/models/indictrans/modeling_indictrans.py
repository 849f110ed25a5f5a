"""PyTorch IndicTrans2 model.

A pre-LN fairseq transformer with separate source and target vocabularies: scaled token embeddings plus fairseq
sinusoidal positions (optionally followed by `layernorm_embedding`), pre-LN encoder and decoder layers each closed by
a final `layer_norm`, and a linear LM head over the target vocabulary. Parameter names are those of the released
checkpoints, so their `model.safetensors` loads without any renaming.
"""

import math
from collections.abc import Callable

import torch
from torch import nn
from transformers import GenerationMixin, PreTrainedModel
from transformers.activations import ACT2FN
from transformers.cache_utils import DynamicCache, EncoderDecoderCache
from transformers.masking_utils import create_bidirectional_mask, create_causal_mask
from transformers.modeling_layers import GradientCheckpointingLayer
from transformers.modeling_outputs import (
    BaseModelOutput,
    BaseModelOutputWithPastAndCrossAttentions,
    Seq2SeqLMOutput,
    Seq2SeqModelOutput,
)
from transformers.modeling_utils import ALL_ATTENTION_FUNCTIONS
from transformers.processing_utils import Unpack
from transformers.utils import TransformersKwargs
from transformers.utils.generic import merge_with_config_defaults
from transformers.utils.output_capturing import OutputRecorder, capture_outputs

from .configuration_indictrans import IndicTransConfig


class IndicTransScaledWordEmbedding(nn.Embedding):
    """Token embedding multiplied by `embed_scale` (`sqrt(embed_dim)` when `config.scale_embedding`)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int, embed_scale: float):
        super().__init__(num_embeddings, embedding_dim, padding_idx)
        self.embed_scale = embed_scale

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return super().forward(input_ids) * self.embed_scale


class IndicTransSinusoidalPositionalEmbedding(nn.Module):
    """
    fairseq sinusoidal positions: `[sin | cos]` halves with frequencies `10000^(-i / (half_dim - 1))`.

    Real tokens are numbered from `padding_idx + 1` counting only non-pad tokens, so left padding does not shift the
    positions of a sentence, and pads get the all-zero vector. The table is computed on the fly rather than stored:
    it is not part of the checkpoints, and any length works.
    """

    def __init__(self, embedding_dim: int, padding_idx: int):
        super().__init__()
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx

    @torch.no_grad()
    def forward(
        self, input_ids: torch.Tensor | None, inputs_embeds: torch.Tensor, past_length: int = 0
    ) -> torch.Tensor:
        batch_size, seq_len = inputs_embeds.shape[:2]
        if input_ids is not None:
            not_pad = input_ids.ne(self.padding_idx).int()  # [B, S]
            position_ids = (torch.cumsum(not_pad, dim=1) + past_length) * not_pad + self.padding_idx  # [B, S]
        else:
            # Embeddings alone do not say where padding is: number every token.
            first = self.padding_idx + 1 + past_length
            position_ids = torch.arange(first, first + seq_len, device=inputs_embeds.device)
            position_ids = position_ids.expand(batch_size, seq_len)  # [B, S]

        half_dim = self.embedding_dim // 2
        frequencies = torch.exp(
            torch.arange(half_dim, dtype=torch.float, device=inputs_embeds.device) * -(math.log(10000) / (half_dim - 1))
        )  # [D/2]
        angles = position_ids.unsqueeze(-1).float() * frequencies  # [B, S, D/2]
        embeddings = torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)  # [B, S, D]
        embeddings = embeddings.masked_fill(position_ids.eq(self.padding_idx).unsqueeze(-1), 0.0)
        return embeddings.to(inputs_embeds.dtype)


def eager_attention_forward(
    module: nn.Module,
    query: torch.Tensor,
    key: torch.Tensor,
    value: torch.Tensor,
    attention_mask: torch.Tensor | None,
    scaling: float,
    dropout: float = 0.0,
    **kwargs: Unpack[TransformersKwargs],
) -> tuple[torch.Tensor, torch.Tensor]:
    # query: [B, H, T, d]; key, value: [B, H, S, d]; attention_mask: additive, [B, 1, T, S]
    attn_weights = torch.matmul(query * scaling, key.transpose(2, 3))  # [B, H, T, S]
    if attention_mask is not None:
        attn_weights = attn_weights + attention_mask
    attn_weights = nn.functional.softmax(attn_weights, dim=-1)
    attn_weights = nn.functional.dropout(attn_weights, p=dropout, training=module.training)
    attn_output = torch.matmul(attn_weights, value).transpose(1, 2).contiguous()  # [B, T, H, d]
    return attn_output, attn_weights


class IndicTransAttention(nn.Module):
    """Multi-head attention: encoder self-attention, decoder causal self-attention, or decoder cross-attention."""

    def __init__(
        self,
        config: IndicTransConfig,
        embed_dim: int,
        num_heads: int,
        is_causal: bool = False,
        layer_idx: int | None = None,
    ):
        super().__init__()
        self.config = config
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise ValueError(f"embed_dim ({embed_dim}) must be divisible by num_heads ({num_heads})")
        self.scaling = self.head_dim**-0.5
        self.dropout = config.attention_dropout
        self.is_causal = is_causal
        self.layer_idx = layer_idx

        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.out_proj = nn.Linear(embed_dim, embed_dim)

    def forward(
        self,
        hidden_states: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        key_value_states: torch.Tensor | None = None,
        cache: EncoderDecoderCache | None = None,
        **kwargs: Unpack[TransformersKwargs],
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        # hidden_states: [B, T, D]; key_value_states (cross-attention): encoder output, [B, S, D]
        input_shape = hidden_states.shape[:-1]
        query_states = self.q_proj(hidden_states).view(*input_shape, -1, self.head_dim).transpose(1, 2)  # [B, H, T, d]

        is_cross_attention = key_value_states is not None
        if is_cross_attention and cache is not None and cache.is_updated.get(self.layer_idx):
            # The encoder output does not change while decoding: its keys and values were cached at the first step.
            cached = cache.cross_attention_cache.layers[self.layer_idx]
            key_states, value_states = cached.keys, cached.values
        else:
            source = key_value_states if is_cross_attention else hidden_states
            kv_shape = (*source.shape[:-1], -1, self.head_dim)
            key_states = self.k_proj(source).view(kv_shape).transpose(1, 2)  # [B, H, S, d]
            value_states = self.v_proj(source).view(kv_shape).transpose(1, 2)  # [B, H, S, d]
            if cache is not None:
                layer_cache = cache.cross_attention_cache if is_cross_attention else cache.self_attention_cache
                key_states, value_states = layer_cache.update(key_states, value_states, self.layer_idx)
                if is_cross_attention:
                    cache.is_updated[self.layer_idx] = True

        attention_interface: Callable = ALL_ATTENTION_FUNCTIONS.get_interface(
            self.config._attn_implementation, eager_attention_forward
        )
        attn_output, attn_weights = attention_interface(
            self,
            query_states,
            key_states,
            value_states,
            attention_mask,
            dropout=self.dropout if self.training else 0.0,
            scaling=self.scaling,
            **kwargs,
        )  # attn_output: [B, T, H, d]
        attn_output = self.out_proj(attn_output.reshape(*input_shape, -1).contiguous())  # [B, T, D]
        return attn_output, attn_weights


class IndicTransPreLNLayer(GradientCheckpointingLayer):
    """The feed-forward block both layer types end with: `x + FC2(act(FC1(LN(x))))` (names are checkpoint keys)."""

    def _build_feed_forward(self, config: IndicTransConfig, embed_dim: int, ffn_dim: int) -> None:
        self.dropout = config.dropout
        self.activation_fn = ACT2FN[config.activation_function]
        self.activation_dropout = config.activation_dropout
        self.fc1 = nn.Linear(embed_dim, ffn_dim)
        self.fc2 = nn.Linear(ffn_dim, embed_dim)
        self.final_layer_norm = nn.LayerNorm(embed_dim)

    def _feed_forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        residual = hidden_states  # [B, T, D]
        hidden_states = self.final_layer_norm(hidden_states)
        hidden_states = self.activation_fn(self.fc1(hidden_states))  # [B, T, F]
        hidden_states = nn.functional.dropout(hidden_states, p=self.activation_dropout, training=self.training)
        hidden_states = self.fc2(hidden_states)  # [B, T, D]
        hidden_states = nn.functional.dropout(hidden_states, p=self.dropout, training=self.training)
        return residual + hidden_states


class IndicTransEncoderLayer(IndicTransPreLNLayer):
    """Pre-LN layer: `x + SelfAttn(LN(x))`, then `x + FFN(LN(x))`."""

    def __init__(self, config: IndicTransConfig):
        super().__init__()
        embed_dim = config.encoder_embed_dim
        self.self_attn = IndicTransAttention(config, embed_dim, config.encoder_attention_heads)
        self.self_attn_layer_norm = nn.LayerNorm(embed_dim)
        self._build_feed_forward(config, embed_dim, config.encoder_ffn_dim)

    def forward(
        self,
        hidden_states: torch.Tensor,
        attention_mask: torch.Tensor | None,
        **kwargs: Unpack[TransformersKwargs],
    ) -> torch.Tensor:
        # hidden_states: [B, S, D]
        residual = hidden_states
        hidden_states = self.self_attn_layer_norm(hidden_states)
        hidden_states, _ = self.self_attn(hidden_states, attention_mask=attention_mask, **kwargs)
        hidden_states = nn.functional.dropout(hidden_states, p=self.dropout, training=self.training)
        hidden_states = residual + hidden_states

        hidden_states = self._feed_forward(hidden_states)

        if hidden_states.dtype == torch.float16:
            # fp16 (the reference's GPU setting) can overflow in the residual stream; keep it finite.
            clamp_value = torch.finfo(hidden_states.dtype).max - 1000
            hidden_states = torch.clamp(hidden_states, min=-clamp_value, max=clamp_value)
        return hidden_states


class IndicTransDecoderLayer(IndicTransPreLNLayer):
    """Pre-LN layer: `x + CausalSelfAttn(LN(x))`, `x + CrossAttn(LN(x), encoder)`, then `x + FFN(LN(x))`."""

    def __init__(self, config: IndicTransConfig, layer_idx: int):
        super().__init__()
        embed_dim = config.decoder_embed_dim
        self.self_attn = IndicTransAttention(
            config, embed_dim, config.decoder_attention_heads, is_causal=True, layer_idx=layer_idx
        )
        self.self_attn_layer_norm = nn.LayerNorm(embed_dim)
        self.encoder_attn = IndicTransAttention(config, embed_dim, config.decoder_attention_heads, layer_idx=layer_idx)
        self.encoder_attn_layer_norm = nn.LayerNorm(embed_dim)
        self._build_feed_forward(config, embed_dim, config.decoder_ffn_dim)

    def forward(
        self,
        hidden_states: torch.Tensor,
        attention_mask: torch.Tensor | None,
        encoder_hidden_states: torch.Tensor,
        encoder_attention_mask: torch.Tensor | None = None,
        cache: EncoderDecoderCache | None = None,
        **kwargs: Unpack[TransformersKwargs],
    ) -> torch.Tensor:
        # hidden_states: [B, T, D]; encoder_hidden_states: [B, S, D]
        residual = hidden_states
        hidden_states = self.self_attn_layer_norm(hidden_states)
        hidden_states, _ = self.self_attn(hidden_states, attention_mask=attention_mask, cache=cache, **kwargs)
        hidden_states = nn.functional.dropout(hidden_states, p=self.dropout, training=self.training)
        hidden_states = residual + hidden_states

        residual = hidden_states
        hidden_states = self.encoder_attn_layer_norm(hidden_states)
        hidden_states, _ = self.encoder_attn(
            hidden_states,
            attention_mask=encoder_attention_mask,
            key_value_states=encoder_hidden_states,
            cache=cache,
            **kwargs,
        )
        hidden_states = nn.functional.dropout(hidden_states, p=self.dropout, training=self.training)
        hidden_states = residual + hidden_states

        return self._feed_forward(hidden_states)


class IndicTransPreTrainedModel(PreTrainedModel):
    """Loading, saving and initialization (normal with `config.init_std`, zero padding rows) of IndicTrans modules."""

    config: IndicTransConfig
    base_model_prefix = "model"
    supports_gradient_checkpointing = True
    _no_split_modules = ["IndicTransEncoderLayer", "IndicTransDecoderLayer"]
    _supports_sdpa = True


class IndicTransStack(IndicTransPreTrainedModel):
    """What the encoder and the decoder share: their embeddings (attribute names are the checkpoint keys)."""

    def _build_embeddings(self, config: IndicTransConfig, vocab_size: int, embed_dim: int, layerdrop: float) -> None:
        self.dropout = config.dropout
        self.layerdrop = layerdrop
        self.embed_tokens = IndicTransScaledWordEmbedding(
            vocab_size,
            embed_dim,
            config.pad_token_id,
            embed_scale=math.sqrt(embed_dim) if config.scale_embedding else 1.0,
        )
        self.embed_positions = IndicTransSinusoidalPositionalEmbedding(embed_dim, config.pad_token_id)
        self.layernorm_embedding = nn.LayerNorm(embed_dim) if config.layernorm_embedding else None

    def _add_positions(
        self, input_ids: torch.Tensor | None, inputs_embeds: torch.Tensor, past_length: int = 0
    ) -> torch.Tensor:
        """Token embeddings plus sinusoidal positions, then the optional embedding LayerNorm and dropout."""
        hidden_states = inputs_embeds + self.embed_positions(input_ids, inputs_embeds, past_length)
        if self.layernorm_embedding is not None:
            hidden_states = self.layernorm_embedding(hidden_states)
        return nn.functional.dropout(hidden_states, p=self.dropout, training=self.training)


class IndicTransEncoder(IndicTransStack):
    """Source embeddings followed by `config.encoder_layers` [`IndicTransEncoderLayer`] and a final LayerNorm."""

    _can_record_outputs = {
        "hidden_states": IndicTransEncoderLayer,
        "attentions": IndicTransAttention,
    }

    def __init__(self, config: IndicTransConfig):
        super().__init__(config)
        self._build_embeddings(config, config.encoder_vocab_size, config.encoder_embed_dim, config.encoder_layerdrop)
        self.layers = nn.ModuleList([IndicTransEncoderLayer(config) for _ in range(config.encoder_layers)])
        self.layer_norm = nn.LayerNorm(config.encoder_embed_dim)
        self.post_init()

    @capture_outputs
    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
        **kwargs: Unpack[TransformersKwargs],
    ) -> BaseModelOutput:
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("Pass exactly one of input_ids or inputs_embeds")
        if inputs_embeds is None:
            inputs_embeds = self.embed_tokens(input_ids)  # [B, S, D]

        hidden_states = self._add_positions(input_ids, inputs_embeds)  # [B, S, D]

        attention_mask = create_bidirectional_mask(
            config=self.config, inputs_embeds=inputs_embeds, attention_mask=attention_mask
        )  # [B, 1, S, S] or None

        for encoder_layer in self.layers:
            # LayerDrop (https://huggingface.co/papers/1909.11556): skip whole layers while training.
            if self.training and torch.rand([]) < self.layerdrop:
                continue
            hidden_states = encoder_layer(hidden_states, attention_mask, **kwargs)

        return BaseModelOutput(last_hidden_state=self.layer_norm(hidden_states))


class IndicTransDecoder(IndicTransStack):
    """Target embeddings followed by `config.decoder_layers` [`IndicTransDecoderLayer`] and a final LayerNorm."""

    _can_record_outputs = {
        "hidden_states": IndicTransDecoderLayer,
        "attentions": OutputRecorder(IndicTransAttention, index=1, layer_name="self_attn"),
        "cross_attentions": OutputRecorder(IndicTransAttention, index=1, layer_name="encoder_attn"),
    }

    def __init__(self, config: IndicTransConfig):
        super().__init__(config)
        self._build_embeddings(config, config.decoder_vocab_size, config.decoder_embed_dim, config.decoder_layerdrop)
        self.layers = nn.ModuleList(
            [IndicTransDecoderLayer(config, layer_idx=i) for i in range(config.decoder_layers)]
        )
        self.layer_norm = nn.LayerNorm(config.decoder_embed_dim)
        self.post_init()

    @merge_with_config_defaults
    @capture_outputs
    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        encoder_hidden_states: torch.Tensor | None = None,
        encoder_attention_mask: torch.Tensor | None = None,
        cache: EncoderDecoderCache | None = None,
        inputs_embeds: torch.Tensor | None = None,
        use_cache: bool | None = None,
        **kwargs: Unpack[TransformersKwargs],
    ) -> BaseModelOutputWithPastAndCrossAttentions:
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("Pass exactly one of decoder_input_ids or decoder_inputs_embeds")
        if inputs_embeds is None:
            inputs_embeds = self.embed_tokens(input_ids)  # [B, T, D]

        if use_cache and cache is None:
            cache = EncoderDecoderCache(DynamicCache(config=self.config), DynamicCache(config=self.config))
        past_length = cache.get_seq_length() if cache is not None else 0

        if attention_mask is None:
            batch_size, seq_len = inputs_embeds.shape[:2]
            attention_mask = torch.ones(batch_size, past_length + seq_len, device=inputs_embeds.device)
        attention_mask = create_causal_mask(
            config=self.config,
            inputs_embeds=inputs_embeds,
            attention_mask=attention_mask,
            cache=cache.self_attention_cache if cache is not None else None,
        )  # [B, 1, T, past + T] or None
        encoder_attention_mask = create_bidirectional_mask(
            config=self.config,
            inputs_embeds=inputs_embeds,
            attention_mask=encoder_attention_mask,
            encoder_hidden_states=encoder_hidden_states,
        )  # [B, 1, T, S] or None

        # Positions continue after the cached tokens.
        hidden_states = self._add_positions(input_ids, inputs_embeds, past_length)  # [B, T, D]

        for decoder_layer in self.layers:
            if self.training and torch.rand([]) < self.layerdrop:
                continue
            hidden_states = decoder_layer(
                hidden_states,
                attention_mask,
                encoder_hidden_states,  # positional, for gradient checkpointing
                encoder_attention_mask=encoder_attention_mask,
                cache=cache,
                **kwargs,
            )

        return BaseModelOutputWithPastAndCrossAttentions(
            last_hidden_state=self.layer_norm(hidden_states), cache=cache if use_cache else None
        )


class IndicTransModel(IndicTransPreTrainedModel):
    """The bare encoder-decoder, returning the decoder's last hidden states."""

    def __init__(self, config: IndicTransConfig):
        super().__init__(config)
        self.encoder = IndicTransEncoder(config)
        self.decoder = IndicTransDecoder(config)
        self.post_init()

    def get_input_embeddings(self) -> nn.Embedding:
        return self.encoder.embed_tokens

    def set_input_embeddings(self, value: nn.Embedding):
        self.encoder.embed_tokens = value

    @merge_with_config_defaults
    @capture_outputs
    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        decoder_input_ids: torch.LongTensor | None = None,
        decoder_attention_mask: torch.Tensor | None = None,
        encoder_outputs: BaseModelOutput | tuple[torch.Tensor, ...] | None = None,
        cache: EncoderDecoderCache | None = None,
        inputs_embeds: torch.Tensor | None = None,
        decoder_inputs_embeds: torch.Tensor | None = None,
        use_cache: bool | None = None,
        **kwargs: Unpack[TransformersKwargs],
    ) -> Seq2SeqModelOutput:
        r"""
        input_ids (`torch.LongTensor` of shape `(batch_size, source_length)`):
            Source ids from [`IndicTransTokenizer`] (language tags first, `</s>` last, padded on the left).
        decoder_input_ids (`torch.LongTensor` of shape `(batch_size, target_length)`):
            Target ids, starting with `config.decoder_start_token_id` (`</s>`). With a `cache`, only the new ones.
        encoder_outputs (`BaseModelOutput`, *optional*):
            Encoder output to reuse instead of running the encoder (as `generate` does).
        """
        if encoder_outputs is None:
            encoder_outputs = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, inputs_embeds=inputs_embeds, **kwargs
            )
        elif not isinstance(encoder_outputs, BaseModelOutput):
            encoder_outputs = BaseModelOutput(*encoder_outputs)

        decoder_outputs = self.decoder(
            input_ids=decoder_input_ids,
            attention_mask=decoder_attention_mask,
            encoder_hidden_states=encoder_outputs.last_hidden_state,
            encoder_attention_mask=attention_mask,
            cache=cache,
            inputs_embeds=decoder_inputs_embeds,
            use_cache=use_cache,
            **kwargs,
        )

        return Seq2SeqModelOutput(
            last_hidden_state=decoder_outputs.last_hidden_state,
            cache=decoder_outputs.cache,
            decoder_hidden_states=decoder_outputs.hidden_states,
            decoder_attentions=decoder_outputs.attentions,
            cross_attentions=decoder_outputs.cross_attentions,
            encoder_last_hidden_state=encoder_outputs.last_hidden_state,
            encoder_hidden_states=encoder_outputs.hidden_states,
            encoder_attentions=encoder_outputs.attentions,
        )


class IndicTransForConditionalGeneration(IndicTransPreTrainedModel, GenerationMixin):
    """IndicTrans2 translation model: [`IndicTransModel`] and a linear head over the target vocabulary."""

    # Tied only when `config.share_decoder_input_output_embed` (read as `tie_word_embeddings`). A checkpoint that
    # stores `lm_head.weight` (with the same values) loads as well as one that omits it.
    _tied_weights_keys = {"lm_head.weight": "model.decoder.embed_tokens.weight"}

    def __init__(self, config: IndicTransConfig):
        super().__init__(config)
        self.model = IndicTransModel(config)
        self.lm_head = nn.Linear(config.decoder_embed_dim, config.decoder_vocab_size, bias=False)
        self.post_init()

    @merge_with_config_defaults
    @capture_outputs
    def forward(
        self,
        input_ids: torch.LongTensor | None = None,
        attention_mask: torch.Tensor | None = None,
        decoder_input_ids: torch.LongTensor | None = None,
        decoder_attention_mask: torch.Tensor | None = None,
        encoder_outputs: BaseModelOutput | tuple[torch.Tensor, ...] | None = None,
        cache: EncoderDecoderCache | None = None,
        inputs_embeds: torch.Tensor | None = None,
        decoder_inputs_embeds: torch.Tensor | None = None,
        labels: torch.LongTensor | None = None,
        use_cache: bool | None = None,
        **kwargs: Unpack[TransformersKwargs],
    ) -> Seq2SeqLMOutput:
        r"""
        labels (`torch.LongTensor` of shape `(batch_size, target_length)`, *optional*):
            Target ids for the cross-entropy loss (`-100` is ignored). Without `decoder_input_ids`, the decoder reads
            the labels shifted right behind `config.decoder_start_token_id`.
        """
        if labels is not None and decoder_input_ids is None and decoder_inputs_embeds is None:
            decoder_input_ids = labels.new_full(labels.shape, self.config.decoder_start_token_id)
            decoder_input_ids[:, 1:] = labels[:, :-1].masked_fill(labels[:, :-1] == -100, self.config.pad_token_id)

        outputs = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            decoder_input_ids=decoder_input_ids,
            decoder_attention_mask=decoder_attention_mask,
            encoder_outputs=encoder_outputs,
            cache=cache,
            inputs_embeds=inputs_embeds,
            decoder_inputs_embeds=decoder_inputs_embeds,
            use_cache=use_cache,
            **kwargs,
        )
        logits = self.lm_head(outputs.last_hidden_state)  # [B, T, V_tgt]

        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(
                logits.view(-1, self.config.decoder_vocab_size), labels.to(logits.device).view(-1)
            )

        return Seq2SeqLMOutput(
            loss=loss,
            logits=logits,
            cache=outputs.cache,
            decoder_hidden_states=outputs.decoder_hidden_states,
            decoder_attentions=outputs.decoder_attentions,
            cross_attentions=outputs.cross_attentions,
            encoder_last_hidden_state=outputs.encoder_last_hidden_state,
            encoder_hidden_states=outputs.encoder_hidden_states,
            encoder_attentions=outputs.encoder_attentions,
        )


__all__ = [
    "IndicTransForConditionalGeneration",
    "IndicTransModel",
    "IndicTransPreTrainedModel",
]
