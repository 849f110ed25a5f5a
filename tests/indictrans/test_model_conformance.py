"""IndicTransForConditionalGeneration reproduces the official model's recorded outputs on both tiny checkpoints.

Goldens: ../shared/fixtures/indictrans2/golden/model/<checkpoint>/ (official code, fp32, eager attention, CPU).
"""

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer

import pipeline.models.indictrans  # noqa: F401  (registers the IndicTrans auto classes)
from pipeline.models.indictrans import (
    IndicTransConfig,
    IndicTransForConditionalGeneration,
    IndicTransTokenizer,
    register_auto_classes,
)

CHECKPOINTS = ("tiny-indic-en", "tiny-en-indic")
BATCHES = ("b0", "b1", "b2")
ATOL = 1e-4  # README: fp32 differences are expected at <= 1e-5


@pytest.fixture(scope="module", autouse=True)
def single_cpu_thread():
    """These models are tiny: per-op threading overhead dominates, and is large on a shared CPU."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module", params=CHECKPOINTS)
def checkpoint(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def checkpoint_dir(indictrans_fixtures, checkpoint) -> Path:
    return indictrans_fixtures / checkpoint


@pytest.fixture(scope="module")
def expected(indictrans_fixtures, checkpoint) -> dict[str, torch.Tensor]:
    return load_file(indictrans_fixtures / "golden" / "model" / checkpoint / "expected_logits.safetensors")


@pytest.fixture(scope="module")
def generate_records(indictrans_fixtures, checkpoint) -> list[dict]:
    path = indictrans_fixtures / "golden" / "model" / checkpoint / "generate.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module", params=("eager", "sdpa"))
def attention(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def eager_model(checkpoint_dir) -> IndicTransForConditionalGeneration:
    """The reference's setting; the tests that run once per checkpoint use it."""
    return IndicTransForConditionalGeneration.from_pretrained(checkpoint_dir, attn_implementation="eager").eval()


@pytest.fixture(scope="module")
def model(checkpoint_dir, attention, eager_model) -> IndicTransForConditionalGeneration:
    if attention == "eager":
        return eager_model
    return IndicTransForConditionalGeneration.from_pretrained(checkpoint_dir, attn_implementation=attention).eval()


def forward(model, expected, batch: str):
    """The recorded call: `model(input_ids, attention_mask, decoder_input_ids, use_cache=False)`."""
    with torch.no_grad():
        return model(
            input_ids=expected[f"{batch}.input_ids"],
            attention_mask=expected[f"{batch}.attention_mask"],
            decoder_input_ids=expected[f"{batch}.decoder_input_ids"],
            use_cache=False,
            output_hidden_states=True,
        )


@pytest.fixture(scope="module")
def outputs(model, expected) -> dict:
    return {batch: forward(model, expected, batch) for batch in BATCHES}


def max_abs_diff(actual: torch.Tensor, reference: torch.Tensor) -> float:
    assert actual.shape == reference.shape
    return (actual.float() - reference.float()).abs().max().item()


@pytest.mark.parametrize("batch", BATCHES)
def test_encoder_last_hidden_state_matches_reference(outputs, expected, batch):
    actual = outputs[batch].encoder_last_hidden_state
    assert max_abs_diff(actual, expected[f"{batch}.encoder_last_hidden_state"]) <= ATOL


@pytest.mark.parametrize("batch", BATCHES)
def test_decoder_last_hidden_state_matches_reference(outputs, expected, batch):
    actual = outputs[batch].decoder_hidden_states[-1]
    assert max_abs_diff(actual, expected[f"{batch}.decoder_last_hidden_state"]) <= ATOL


@pytest.mark.parametrize("batch", BATCHES)
def test_logits_at_vocab_subset_match_reference(outputs, expected, batch):
    actual = outputs[batch].logits[..., expected["vocab_subset"]]
    assert max_abs_diff(actual, expected[f"{batch}.logits_at_vocab_subset"]) <= ATOL


@pytest.mark.parametrize("batch", BATCHES)
def test_logsumexp_over_full_vocabulary_matches_reference(outputs, expected, batch):
    actual = torch.logsumexp(outputs[batch].logits.double(), dim=-1)
    assert max_abs_diff(actual, expected[f"{batch}.logsumexp"]) <= ATOL


@pytest.mark.parametrize("batch", BATCHES)
def test_argmax_matches_reference(outputs, expected, batch):
    assert torch.equal(outputs[batch].logits.argmax(dim=-1), expected[f"{batch}.argmax"])


@pytest.mark.parametrize("batch", BATCHES)
def test_top10_matches_reference(outputs, expected, batch):
    values, indices = outputs[batch].logits.topk(10, dim=-1)
    assert torch.equal(indices, expected[f"{batch}.top10_indices"])
    assert max_abs_diff(values, expected[f"{batch}.top10_values"]) <= ATOL


def test_full_logits_of_first_batch_match_reference(outputs, expected):
    assert max_abs_diff(outputs["b0"].logits, expected["b0.logits"]) <= ATOL


def test_cached_step_by_step_decoding_matches_full_forward(eager_model, expected):
    """With a KV cache each step sees one token; positions must continue after the cached ones."""
    decoder_input_ids = expected["b2.decoder_input_ids"]
    with torch.no_grad():
        encoder_outputs = eager_model.get_encoder()(
            input_ids=expected["b2.input_ids"], attention_mask=expected["b2.attention_mask"]
        )
        cache, step_logits = None, []
        for step in range(decoder_input_ids.shape[1]):
            out = eager_model(
                encoder_outputs=encoder_outputs,
                attention_mask=expected["b2.attention_mask"],
                decoder_input_ids=decoder_input_ids[:, step : step + 1],
                cache=cache,
                use_cache=True,
            )
            cache = out.cache
            step_logits.append(out.logits)
    assert cache.get_seq_length() == decoder_input_ids.shape[1]
    incremental = torch.cat(step_logits, dim=1)[..., expected["vocab_subset"]]
    assert max_abs_diff(incremental, expected["b2.logits_at_vocab_subset"]) <= ATOL


def generate(model, expected, record: dict, use_cache: bool):
    batch = f"b{record['batch']}"
    with torch.no_grad():
        return model.generate(
            input_ids=expected[f"{batch}.input_ids"],
            attention_mask=expected[f"{batch}.attention_mask"],
            use_cache=use_cache,
            return_dict_in_generate=True,
            output_scores=True,
            **record["generate_kwargs"],
        )


def test_greedy_search_with_cache_reproduces_reference(model, expected, generate_records):
    records = [r for r in generate_records if r["mode"] == "greedy"]
    sequences = [generate(model, expected, r, use_cache=True).sequences.tolist() for r in records]
    assert sequences == [r["sequences"] for r in records]


def test_greedy_search_without_cache_reproduces_reference(eager_model, expected, generate_records):
    records = [r for r in generate_records if r["mode"] == "greedy"]
    sequences = [generate(eager_model, expected, r, use_cache=False).sequences.tolist() for r in records]
    assert sequences == [r["sequences"] for r in records]


def test_beam_search_with_cache_reproduces_reference(model, expected, generate_records):
    records = [r for r in generate_records if r["mode"].startswith("beam")]
    outputs = [generate(model, expected, r, use_cache=True) for r in records]
    assert [out.sequences.tolist() for out in outputs] == [r["sequences"] for r in records]
    for out, record in zip(outputs, records):
        assert max_abs_diff(out.sequences_scores, torch.tensor(record["sequences_scores"])) <= ATOL, record["mode"]


def test_beam_search_without_cache_reproduces_reference(eager_model, expected, generate_records):
    records = [r for r in generate_records if r["mode"].startswith("beam")]
    outputs = [generate(eager_model, expected, r, use_cache=False) for r in records]
    assert [out.sequences.tolist() for out in outputs] == [r["sequences"] for r in records]
    for out, record in zip(outputs, records):
        reference = torch.tensor(record["sequences_scores_use_cache_false"])
        assert max_abs_diff(out.sequences_scores, reference) <= ATOL, record["mode"]


def test_lm_head_is_tied_to_decoder_embeddings_exactly_when_configured(eager_model):
    tied = eager_model.lm_head.weight is eager_model.model.decoder.embed_tokens.weight
    assert tied == eager_model.config.share_decoder_input_output_embed


def test_tied_checkpoint_without_lm_head_in_its_file_ties_on_load(indictrans_fixtures, tmp_path):
    source = indictrans_fixtures / "tiny-en-indic"
    reference = load_file(indictrans_fixtures / "golden" / "model" / "tiny-en-indic" / "expected_logits.safetensors")
    state_dict = load_file(source / "model.safetensors")
    del state_dict["lm_head.weight"]
    save_file(state_dict, tmp_path / "model.safetensors", metadata={"format": "pt"})
    (tmp_path / "config.json").write_bytes((source / "config.json").read_bytes())

    model = IndicTransForConditionalGeneration.from_pretrained(tmp_path).eval()

    assert model.lm_head.weight is model.model.decoder.embed_tokens.weight
    assert max_abs_diff(forward(model, reference, "b0").logits, reference["b0.logits"]) <= ATOL


def test_saved_folder_reloads_with_auto_classes_to_identical_logits(eager_model, checkpoint_dir, expected, tmp_path):
    eager_model.save_pretrained(tmp_path)
    IndicTransTokenizer.from_pretrained(checkpoint_dir).save_pretrained(tmp_path)

    reloaded = AutoModelForSeq2SeqLM.from_pretrained(tmp_path, attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(tmp_path)

    assert type(reloaded) is IndicTransForConditionalGeneration
    assert type(tokenizer) is IndicTransTokenizer
    for batch in BATCHES:
        assert torch.equal(forward(reloaded, expected, batch).logits, forward(eager_model, expected, batch).logits)


@pytest.mark.parametrize(("dtype", "atol"), [(torch.bfloat16, 0.25), (torch.float16, 0.05)])
def test_half_precision_load_on_cpu_gives_finite_logits_close_to_fp32(
    checkpoint_dir, expected, monkeypatch, dtype, atol
):
    def refuse_half(*args, **kwargs):
        raise AssertionError(".half() is not supported on CPU and must not be called")

    monkeypatch.setattr(torch.nn.Module, "half", refuse_half)
    monkeypatch.setattr(torch.Tensor, "half", refuse_half)

    model = IndicTransForConditionalGeneration.from_pretrained(checkpoint_dir, dtype=dtype).eval()
    logits = forward(model, expected, "b2").logits

    assert model.dtype == dtype and logits.dtype == dtype
    assert torch.isfinite(logits).all()
    assert max_abs_diff(logits[..., expected["vocab_subset"]], expected["b2.logits_at_vocab_subset"]) <= atol


def test_sdpa_is_the_default_attention(checkpoint_dir):
    model = IndicTransForConditionalGeneration.from_pretrained(checkpoint_dir)
    assert model.config._attn_implementation == "sdpa"


def test_auto_classes_load_the_checkpoint_without_remote_code(checkpoint_dir):
    # config.json and tokenizer_config.json carry an `auto_map` to .py files that are not in the folder.
    config = AutoConfig.from_pretrained(checkpoint_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(checkpoint_dir)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint_dir)

    assert type(config) is IndicTransConfig
    assert type(model) is IndicTransForConditionalGeneration
    assert type(tokenizer) is IndicTransTokenizer
    assert not hasattr(config, "auto_map")


def test_config_exposes_generation_attribute_names(checkpoint_dir):
    config = IndicTransConfig.from_pretrained(checkpoint_dir)
    assert config.vocab_size == config.decoder_vocab_size
    assert config.get_text_config(decoder=True).vocab_size == config.decoder_vocab_size
    assert config.hidden_size == config.encoder_embed_dim
    assert config.num_hidden_layers == config.encoder_layers
    assert config.num_attention_heads == config.encoder_attention_heads
    assert config.tie_word_embeddings == config.share_decoder_input_output_embed


def test_saved_config_drops_the_remote_code_auto_map(checkpoint_dir, tmp_path):
    IndicTransConfig.from_pretrained(checkpoint_dir).save_pretrained(tmp_path)
    saved = json.loads((tmp_path / "config.json").read_text(encoding="utf-8"))
    assert saved["model_type"] == "IndicTrans"
    assert "auto_map" not in saved


def test_register_auto_classes_can_be_called_again():
    register_auto_classes()
    register_auto_classes()
    assert AutoConfig.for_model("IndicTrans").__class__ is IndicTransConfig
