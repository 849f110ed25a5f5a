"""The translator's backend keys: `backend`, `compute_type` and `threads`, checked when the config loads."""

import pytest

from pipeline.config import ConfigError, TranslatorConfig, load_config

CTRANSLATE2 = {"model": "converted", "backend": "ctranslate2"}


def test_backend_defaults_to_transformers():
    assert TranslatorConfig().backend == "transformers"


def test_ctranslate2_backend_takes_its_compute_type_and_threads():
    config = TranslatorConfig(**CTRANSLATE2, compute_type="int8", threads=2)
    assert (config.backend, config.compute_type, config.threads) == ("ctranslate2", "int8", 2)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["backend=onnx"], r"translate\.backend: unknown translator backend 'onnx'; known: ctranslate2, transformers"),
        (["backend=ctranslate2", "compute_type=int4"], r"translate\.compute_type: .*'int8_float32'"),
        (["backend=ctranslate2", "threads=-1"], r"translate\.threads: .*greater than or equal to 0"),
        (["compute_type=int8"], r"translate: compute_type: only the ctranslate2 backend uses it"),
        (["threads=4"], r"translate: threads: only the ctranslate2 backend uses it"),
    ],
    ids=["unknown-backend", "unknown-compute-type", "negative-threads", "compute-type-on-transformers",
         "threads-on-transformers"],
)
def test_impossible_backend_settings_are_named_with_their_key_and_file(tmp_path, overrides, message):
    path = tmp_path / "run.yaml"
    path.write_text("stages: [prepare, translate]\ntranslate: {model: m}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message + r".*run\.yaml"):
        load_config(path, [f"translate.{override}" for override in overrides])


def test_ctranslate2_refuses_sampling():
    with pytest.raises(ValueError, match="do_sample: the ctranslate2 backend"):
        TranslatorConfig(**CTRANSLATE2, generation={"do_sample": True})


def test_ctranslate2_refuses_a_beam_search_without_early_stopping():
    with pytest.raises(ValueError, match="early_stopping: the ctranslate2 backend always stops"):
        TranslatorConfig(**CTRANSLATE2, generation={"num_beams": 4, "early_stopping": False})
