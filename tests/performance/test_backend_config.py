"""The backend keys of the translator and the summarizer: `backend`, `compute_type` and `threads`, checked when the
config loads."""

import pytest

from pipeline.config import ConfigError
from pipeline.run_config import load_config
from pipeline.summarization import SummarizerConfig
from pipeline.translation import TranslatorConfig

CTRANSLATE2 = {"model": "converted", "backend": "ctranslate2"}


SECTIONS = pytest.mark.parametrize("section", [TranslatorConfig, SummarizerConfig], ids=["translate", "summarize"])


@SECTIONS
def test_backend_defaults_to_transformers(section):
    assert section().backend == "transformers"


@SECTIONS
def test_ctranslate2_backend_takes_its_compute_type_and_threads(section):
    config = section(**CTRANSLATE2, compute_type="int8", threads=2)
    assert (config.backend, config.compute_type, config.threads) == ("ctranslate2", "int8", 2)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["backend=onnx"], r"{stage}\.backend: unknown backend 'onnx'; known: ctranslate2, transformers"),
        (["backend=ctranslate2", "compute_type=int4"], r"{stage}\.compute_type: .*'int8_float32'"),
        (["backend=ctranslate2", "threads=-1"], r"{stage}\.threads: .*greater than or equal to 0"),
        (["compute_type=int8"], r"{stage}: compute_type: only the ctranslate2 backend uses it"),
        (["threads=4"], r"{stage}: threads: only the ctranslate2 backend uses it"),
    ],
    ids=["unknown-backend", "unknown-compute-type", "negative-threads", "compute-type-on-transformers",
         "threads-on-transformers"],
)
@pytest.mark.parametrize("stage", ["translate", "summarize"])
def test_impossible_backend_settings_are_named_with_their_key_and_file(tmp_path, stage, overrides, message):
    path = tmp_path / "run.yaml"
    path.write_text(f"stages: [prepare, translate, summarize]\ntranslate: {{model: m}}\nsummarize: {{model: s}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message.format(stage=stage) + r".*run\.yaml"):
        load_config(path, [f"{stage}.{override}" for override in overrides])


@SECTIONS
def test_ctranslate2_refuses_sampling(section):
    with pytest.raises(ValueError, match="do_sample: the ctranslate2 backend"):
        section(**CTRANSLATE2, generation={"do_sample": True})


@SECTIONS
def test_ctranslate2_refuses_a_beam_search_without_early_stopping(section):
    with pytest.raises(ValueError, match="early_stopping: the ctranslate2 backend always stops"):
        section(**CTRANSLATE2, generation={"num_beams": 4, "early_stopping": False})
