"""The loader's beam-search cache reorder leaves the cross-attention cache alone, and beam search decodes the same."""

import torch
from transformers import AutoModelForSeq2SeqLM
from transformers.cache_utils import DynamicCache, EncoderDecoderCache

from pipeline.models.loading import load_model, reorder_self_attention_only


def cache_of(batch: int) -> EncoderDecoderCache:
    cache = EncoderDecoderCache(DynamicCache(), DynamicCache())
    cache.self_attention_cache.update(torch.arange(batch, dtype=torch.float).view(batch, 1, 1, 1), torch.zeros(batch, 1, 1, 1), 0)
    cache.cross_attention_cache.update(torch.arange(batch, dtype=torch.float).view(batch, 1, 1, 1), torch.zeros(batch, 1, 1, 1), 0)
    return cache


def test_reorder_moves_self_attention_states_between_beams():
    cache = reorder_self_attention_only(cache_of(3), torch.tensor([2, 2, 0]))
    assert cache.self_attention_cache.layers[0].keys.flatten().tolist() == [2.0, 2.0, 0.0]


def test_reorder_leaves_the_cross_attention_states_in_place():
    cache = reorder_self_attention_only(cache_of(3), torch.tensor([2, 2, 0]))
    assert cache.cross_attention_cache.layers[0].keys.flatten().tolist() == [0.0, 1.0, 2.0]


def test_loaded_models_decode_beams_as_the_plain_model_does(indictrans_fixtures):
    folder = indictrans_fixtures / "tiny-indic-en"
    plain = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    loaded = load_model(str(folder), None, "translate", "cpu", "fp32")
    inputs = loaded.tokenizer.pad({"input_ids": [[8, 4, 300, 301, 2], [8, 4, 500, 2]]}, return_tensors="pt")
    settings = {"num_beams": 4, "max_new_tokens": 12, "early_stopping": True}
    with torch.inference_mode():
        assert torch.equal(loaded.model.generate(**inputs, **settings), plain.generate(**inputs, **settings))
