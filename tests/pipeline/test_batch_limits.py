"""`max_batch_tokens` / `max_batch_size: auto` and `attention: auto`: sized from the GPU's memory on a GPU, the
CPU defaults (and the checkpoint's own attention kernel, so the reference's outputs) on a CPU."""

import pytest

from pipeline.config import ConfigError
from pipeline.run_config import load_config
from pipeline.summarization import SummarizerConfig, load_summarizer
from pipeline.translation import TranslatorConfig, load_translator
from pipeline.translation.translator import batch_limits


def test_auto_takes_the_memory_budget_or_the_cpu_defaults_and_a_count_stays_a_count():
    assert batch_limits("auto", "auto", None) == (4096, 32)
    assert batch_limits("auto", "auto", 80_000) == (80_000, 2048)  # beyond, beam search's cache reorder costs more
    assert batch_limits("auto", "auto", 8_000) == (8_000, 1000)
    assert batch_limits(2048, "auto", 80_000) == (2048, 256)
    assert batch_limits("auto", 16, 80_000) == (80_000, 16)
    assert batch_limits(512, 8, 80_000) == (512, 8)


def test_auto_on_the_cpu_gives_the_defaults_and_the_checkpoints_attention(indictrans_fixtures, tiny_models):
    translator = load_translator(
        TranslatorConfig(model=str(indictrans_fixtures / "tiny-indic-en"), max_batch_tokens="auto",
                         max_batch_size="auto"),
        "translate", "cpu", "fp32",
    )
    described = translator.describe()
    assert (described["max_batch_tokens"], described["max_batch_size"]) == (4096, 32)
    from transformers import AutoModelForSeq2SeqLM

    reference = AutoModelForSeq2SeqLM.from_pretrained(indictrans_fixtures / "tiny-indic-en")
    assert described["attention"] == reference.config._attn_implementation  # as the reference loads it
    summarizer = load_summarizer(
        SummarizerConfig(model=str(tiny_models["bart-summarizer"]), max_batch_size="auto",
                         generation={"min_new_tokens": 4, "max_new_tokens": 16}), "cpu", "fp32"
    )
    assert summarizer.describe()["max_batch_size"] == 4


@pytest.mark.parametrize("value, message", [
    ("huge", "must be an integer >= 16, or auto"),
    (8, "must be an integer >= 16, or auto"),
])
def test_a_bad_batch_limit_is_refused_with_the_key_and_the_file(repo_root, tiny_overrides, value, message):
    with pytest.raises(ConfigError, match=rf"translate\.max_batch_tokens: {message}.*tiny\.yaml"):
        load_config(repo_root / "configs" / "tiny.yaml", [*tiny_overrides, f"translate.max_batch_tokens={value}"])


def test_attention_is_a_transformers_setting(tmp_path):
    with pytest.raises(ValueError, match="attention: the transformers backend's setting"):
        TranslatorConfig(model="m", backend="ctranslate2", attention="sdpa")
