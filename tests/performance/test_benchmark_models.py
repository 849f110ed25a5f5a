"""The benchmark's random-weight models: published shapes, finite outputs, the same weights for the same seed."""

import pytest
import torch

from pipeline.benchmarking.models import (
    BART_LARGE_CNN,
    INDICTRANS2_INDIC_EN_DIST_200M,
    QWEN2_5_1_5B_INSTRUCT,
    bart_config,
    build_indictrans,
    check_finite,
    indictrans_config,
    qwen2_config,
)
from pipeline.models.indictrans import IndicTransForConditionalGeneration


def test_indictrans_shape_is_the_published_dist_200m():
    config = indictrans_config(INDICTRANS2_INDIC_EN_DIST_200M)
    assert (config.encoder_layers, config.decoder_layers, config.encoder_embed_dim, config.encoder_ffn_dim) == (18, 18, 512, 2048)
    assert (config.encoder_vocab_size, config.decoder_vocab_size, config.layernorm_embedding) == (122706, 32296, True)


def test_bart_large_shape_is_the_published_one():
    config = bart_config(BART_LARGE_CNN)
    assert (config.encoder_layers, config.decoder_layers, config.d_model, config.vocab_size) == (12, 12, 1024, 50264)


def test_qwen_shape_is_the_published_qwen2_5_1_5b_instruct():
    config = qwen2_config(QWEN2_5_1_5B_INSTRUCT)
    assert (config.num_hidden_layers, config.hidden_size, config.intermediate_size) == (28, 1536, 8960)
    assert (config.num_attention_heads, config.num_key_value_heads, config.vocab_size) == (12, 2, 151936)
    assert config.tie_word_embeddings and config.rope_parameters["rope_theta"] == 1e6
    assert QWEN2_5_1_5B_INSTRUCT.scaled_down().layers == (0, 2)  # still decoder-only


@pytest.fixture(scope="module")
def quick_indictrans(indictrans_fixtures, tmp_path_factory):
    size = INDICTRANS2_INDIC_EN_DIST_200M.scaled_down()
    folder = build_indictrans(size, indictrans_fixtures / "tiny-indic-en", tmp_path_factory.mktemp("it2") / "model")
    return size, folder


def test_built_folder_loads_with_eager_attention_as_published(quick_indictrans):
    _, folder = quick_indictrans
    model = IndicTransForConditionalGeneration.from_pretrained(folder)
    assert model.config._attn_implementation == "eager"


def test_random_weights_give_finite_logits(quick_indictrans):
    model = IndicTransForConditionalGeneration.from_pretrained(quick_indictrans[1]).eval()
    with torch.no_grad():
        logits = model(input_ids=torch.tensor([[8, 4, 300, 2]]), decoder_input_ids=torch.tensor([[2]])).logits
    assert torch.isfinite(logits).all()


def test_a_model_that_overflows_is_refused(quick_indictrans):
    model = IndicTransForConditionalGeneration.from_pretrained(quick_indictrans[1]).eval()
    with torch.no_grad():
        model.model.encoder.layers[0].fc1.weight.fill_(float("inf"))
    with pytest.raises(ValueError, match="non-finite logits"):
        check_finite(model)


def test_same_seed_gives_the_same_weights(quick_indictrans, indictrans_fixtures, tmp_path):
    size, folder = quick_indictrans
    again = build_indictrans(size, indictrans_fixtures / "tiny-indic-en", tmp_path / "again")
    first = IndicTransForConditionalGeneration.from_pretrained(folder).state_dict()
    second = IndicTransForConditionalGeneration.from_pretrained(again).state_dict()
    assert all(torch.equal(first[name], second[name]) for name in first)
