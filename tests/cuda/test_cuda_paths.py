"""The same computations on a CUDA device: skipped on machines without one (CI has none).

Run them on a GPU machine with `python -m pytest tests/cuda -m cuda`.
"""

import json

import pytest
import torch
from safetensors.torch import load_file
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

import pipeline.models.indictrans  # noqa: F401  (registers the IndicTrans auto classes)
from pipeline.run_config import load_config
from pipeline.runner import run_pipeline

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device"),
]


def golden_batch(fixtures, name="b1"):
    expected = load_file(fixtures / "golden" / "model" / "tiny-indic-en" / "expected_logits.safetensors")
    return {key.split(".", 1)[1]: value for key, value in expected.items() if key.startswith(name + ".")}, expected


@pytest.mark.parametrize("attention", ["eager", "sdpa"])
def test_indictrans_fp32_logits_on_cuda_match_the_reference(indictrans_fixtures, attention):
    batch, expected = golden_batch(indictrans_fixtures)
    model = AutoModelForSeq2SeqLM.from_pretrained(
        indictrans_fixtures / "tiny-indic-en", attn_implementation=attention
    ).to("cuda").eval()
    with torch.inference_mode():
        outputs = model(
            input_ids=batch["input_ids"].cuda(), attention_mask=batch["attention_mask"].cuda(),
            decoder_input_ids=batch["decoder_input_ids"].cuda(), use_cache=False,
        )
    subset = expected["vocab_subset"].cuda()
    logits = outputs.logits.float()[..., subset]
    torch.testing.assert_close(logits.cpu(), batch["logits_at_vocab_subset"], atol=1e-4, rtol=0)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_indictrans_half_precision_on_cuda_generates_like_fp32(indictrans_fixtures, dtype):
    folder = indictrans_fixtures / "tiny-indic-en"
    tokenizer = AutoTokenizer.from_pretrained(folder)
    records = [json.loads(line) for line in (indictrans_fixtures / "golden" / "e2e_tiny-indic-en.jsonl").read_text(encoding="utf-8").split("\n") if line]
    inputs = tokenizer([r["preprocessed"] for r in records[:4]], padding="longest", return_tensors="pt").to("cuda")
    reference = AutoModelForSeq2SeqLM.from_pretrained(folder).to("cuda").eval()
    half = AutoModelForSeq2SeqLM.from_pretrained(folder, dtype=dtype).to("cuda").eval()
    with torch.inference_mode():
        expected = reference.generate(**inputs, num_beams=1, max_new_tokens=24)
        got = half.generate(**inputs, num_beams=1, max_new_tokens=24)
        logits = half(**inputs, decoder_input_ids=expected[:, :8]).logits
    assert torch.isfinite(logits).all()
    assert expected.tolist() == [r["generated_ids"] for r in records[:4]]
    # Half precision may flip a near-tie; most tokens must agree.
    agreement = (got[:, : expected.shape[1]] == expected[:, : got.shape[1]]).float().mean().item()
    assert agreement > 0.8


def test_tiny_pipeline_runs_on_cuda_in_bf16(repo_root, tiny_overrides, tmp_path):
    config = load_config(repo_root / "configs" / "tiny.yaml", tiny_overrides + ["device=auto"])
    summary = run_pipeline(config, repo_root / "examples" / "hindi_news.jsonl", tmp_path / "run", progress=False)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert summary.results == 5 and summary.errors == 0
    expected_dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float32"
    assert (manifest["device"], manifest["dtype"]) == ("cuda:0", expected_dtype)
    results = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").split("\n") if line]
    assert all(r["stages"]["translate"]["device"] == "cuda:0" for r in results)


def test_pipeline_translator_on_cuda_gives_the_reference_outputs(indictrans_fixtures):
    from pipeline.translation import TranslatorConfig, load_translator

    records = [json.loads(line) for line in (indictrans_fixtures / "golden" / "e2e_tiny-indic-en.jsonl").read_text(encoding="utf-8").split("\n") if line]
    config = TranslatorConfig(model=str(indictrans_fixtures / "tiny-indic-en"), generation={"num_beams": 1, "max_new_tokens": 24})
    translator = load_translator(config, "translate", "cuda", "fp32")
    assert [t.text for t in translator.translate([r["input"] for r in records])] == [r["output"] for r in records]


def test_auto_batch_limits_come_from_free_memory_and_attention_stays_the_checkpoints_on_cuda(indictrans_fixtures):
    from pipeline.translation import TranslatorConfig, load_translator
    from pipeline.translation.translator import AUTO_MAX_SENTENCES

    config = TranslatorConfig(model=str(indictrans_fixtures / "tiny-indic-en"), max_batch_tokens="auto",
                              max_batch_size="auto", generation={"num_beams": 5, "max_new_tokens": 16})
    translator = load_translator(config, "translate", "cuda", "bf16")
    described = translator.describe()
    reference = AutoModelForSeq2SeqLM.from_pretrained(indictrans_fixtures / "tiny-indic-en")
    assert described["attention"] == reference.config._attn_implementation
    assert translator.max_batch_tokens > 4096
    assert translator.max_batch_size == min(translator.max_batch_tokens // 8, AUTO_MAX_SENTENCES)
    (translation,) = translator.translate(["भारत ने मैच जीता।"])
    assert translation.tokens_out > 0
