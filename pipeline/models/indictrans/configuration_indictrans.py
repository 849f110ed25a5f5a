"""IndicTrans2 model configuration.

Reads the `config.json` of the released AI4Bharat checkpoints as it is (the field names are the fairseq ones the
official conversion script wrote), so those folders load without the hub's remote code.
"""

from huggingface_hub.dataclasses import strict
from transformers import PreTrainedConfig


@strict
class IndicTransConfig(PreTrainedConfig):
    r"""
    Configuration of an IndicTrans2 encoder-decoder transformer (fairseq `transformer` architecture with separate
    source and target vocabularies and sinusoidal positions).

    Args:
        encoder_vocab_size (`int`, *optional*):
            Size of the source vocabulary (`dict.SRC.json`), i.e. of `model.encoder.embed_tokens`.
        decoder_vocab_size (`int`, *optional*):
            Size of the target vocabulary (`dict.TGT.json`), i.e. of `model.decoder.embed_tokens` and `lm_head`.
            Also readable as `vocab_size`, which is what generation utilities look at.
        encoder_embed_dim (`int`, *optional*, defaults to 512):
            Width of the encoder (embeddings, attention and residual stream). Also readable as `hidden_size`.
        decoder_embed_dim (`int`, *optional*, defaults to 512):
            Width of the decoder and the input width of `lm_head`.
        max_source_positions (`int`, *optional*, defaults to 210):
            Longest source the model was trained on. Positions are sinusoidal, so longer inputs still run.
        max_target_positions (`int`, *optional*, defaults to 210):
            Longest target the model was trained on. Positions are sinusoidal, so longer outputs still run.
        encoder_layers (`int`, *optional*, defaults to 6):
            Number of encoder layers. Also readable as `num_hidden_layers`.
        encoder_ffn_dim (`int`, *optional*, defaults to 2048):
            Inner width of the feed-forward block of each encoder layer.
        encoder_attention_heads (`int`, *optional*, defaults to 8):
            Attention heads per encoder layer. Also readable as `num_attention_heads`.
        decoder_layers (`int`, *optional*, defaults to 6):
            Number of decoder layers.
        decoder_ffn_dim (`int`, *optional*, defaults to 2048):
            Inner width of the feed-forward block of each decoder layer.
        decoder_attention_heads (`int`, *optional*, defaults to 8):
            Attention heads per decoder layer (self- and cross-attention).
        encoder_layerdrop (`float`, *optional*, defaults to 0.0):
            Probability of skipping a whole encoder layer during training (LayerDrop).
        decoder_layerdrop (`float`, *optional*, defaults to 0.0):
            Probability of skipping a whole decoder layer during training (LayerDrop).
        use_cache (`bool`, *optional*, defaults to `True`):
            Whether the decoder returns its key/value cache, so that generation feeds one new token per step.
        is_encoder_decoder (`bool`, *optional*, defaults to `True`):
            Always true; tells the generation utilities to run the encoder once and then decode.
        activation_function (`str`, *optional*, defaults to `"relu"`):
            Feed-forward non-linearity, a key of `transformers.activations.ACT2FN` (the released checkpoints use
            `"gelu"`, the exact erf form).
        encoder_normalize_before (`bool`, *optional*, defaults to `True`):
            Pre-LN encoder: each sub-layer normalizes its input, and a final `layer_norm` follows the last layer.
            Every released checkpoint is pre-LN; post-LN (`False`, the fairseq default) is not implemented.
        decoder_normalize_before (`bool`, *optional*, defaults to `True`):
            Same as `encoder_normalize_before`, for the decoder.
        layernorm_embedding (`bool`, *optional*, defaults to `False`):
            Whether a LayerNorm (`layernorm_embedding`) is applied to the sum of token and position embeddings, in
            both encoder and decoder.
        share_decoder_input_output_embed (`bool`, *optional*, defaults to `False`):
            Whether `lm_head` shares its weight with the decoder's token embeddings. Also readable as
            `tie_word_embeddings`, the name the loading and saving code of `transformers` uses.
        dropout (`float`, *optional*, defaults to 0.1):
            Dropout on embeddings and on every sub-layer output (training only).
        attention_dropout (`float`, *optional*, defaults to 0.0):
            Dropout on attention probabilities (training only).
        activation_dropout (`float`, *optional*, defaults to 0.0):
            Dropout after the feed-forward non-linearity (training only).
        init_std (`float`, *optional*, defaults to 0.02):
            Standard deviation of the normal initialization of linear and embedding weights.
        scale_embedding (`bool`, *optional*, defaults to `True`):
            Whether token embeddings are multiplied by `sqrt(embed_dim)` before positions are added.
        decoder_start_token_id (`int`, *optional*, defaults to 2):
            First decoder input; IndicTrans2 starts decoding from `</s>`.
        pad_token_id (`int`, *optional*, defaults to 1):
            Padding id of both vocabularies; padded positions get the all-zero position embedding.
        bos_token_id (`int`, *optional*, defaults to 0):
            `<s>`; present in the vocabularies but never produced by the tokenizer.
        eos_token_id (`int`, *optional*, defaults to 2):
            `</s>`, appended to every source and ending generation.
    """

    model_type = "IndicTrans"
    attribute_map = {
        "vocab_size": "decoder_vocab_size",
        "hidden_size": "encoder_embed_dim",
        "num_attention_heads": "encoder_attention_heads",
        "num_hidden_layers": "encoder_layers",
        "tie_word_embeddings": "share_decoder_input_output_embed",
    }

    encoder_vocab_size: int | None = None
    decoder_vocab_size: int | None = None
    encoder_embed_dim: int = 512
    decoder_embed_dim: int = 512
    max_source_positions: int = 210
    max_target_positions: int = 210
    encoder_layers: int = 6
    encoder_ffn_dim: int = 2048
    encoder_attention_heads: int = 8
    decoder_layers: int = 6
    decoder_ffn_dim: int = 2048
    decoder_attention_heads: int = 8
    encoder_layerdrop: float | int = 0.0
    decoder_layerdrop: float | int = 0.0
    use_cache: bool = True
    is_encoder_decoder: bool = True
    activation_function: str = "relu"
    encoder_normalize_before: bool = True
    decoder_normalize_before: bool = True
    layernorm_embedding: bool = False
    share_decoder_input_output_embed: bool = False
    dropout: float | int = 0.1
    attention_dropout: float | int = 0.0
    activation_dropout: float | int = 0.0
    init_std: float = 0.02
    scale_embedding: bool = True
    decoder_start_token_id: int | None = 2
    pad_token_id: int | None = 1
    bos_token_id: int | None = 0
    eos_token_id: int | list[int] | None = 2

    def __post_init__(self, **kwargs):
        # The hub configs point `auto_map` at their remote modeling code, which these classes replace; keeping it
        # would also write it back on `save_pretrained`.
        kwargs.pop("auto_map", None)
        super().__post_init__(**kwargs)

    def validate_normalize_before(self):
        """Only pre-LN stacks are implemented, which is what every released checkpoint uses."""
        if not (self.encoder_normalize_before and self.decoder_normalize_before):
            raise ValueError("IndicTransConfig supports only encoder_normalize_before=decoder_normalize_before=True")


__all__ = ["IndicTransConfig"]
