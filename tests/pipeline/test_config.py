from pathlib import Path

import pytest

from pipeline.config import ConfigError, parse_override
from pipeline.run_config import load_config

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs").glob("*.yaml"))


def write(tmp_path: Path, text: str, name: str = "run.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_every_shipped_config_validates(path):
    config = load_config(path)
    assert config.name == path.stem
    assert config.stages


def test_shipped_configs_cover_the_documented_set():
    assert {p.stem for p in CONFIGS} >= {"default", "cpu-fast", "ctranslate2", "nllb", "marian", "lead3", "bilingual", "tiny"}


def test_unknown_key_is_named_with_its_path_and_file(tmp_path):
    path = write(tmp_path, "stages: [lead_k]\nlead_k:\n  k: 3\n  kk: 4\n")
    with pytest.raises(ConfigError, match=r"lead_k\.kk: unknown key; did you mean 'k'\? \(.*run\.yaml\)"):
        load_config(path)


def test_wrong_type_is_named_with_its_path(tmp_path):
    path = write(tmp_path, "stages: [lead_k]\nlead_k:\n  k: three\n")
    with pytest.raises(ConfigError, match=r"lead_k\.k: .*integer.*run\.yaml"):
        load_config(path)


def test_impossible_value_is_refused_before_any_model_loads(tmp_path):
    path = write(
        tmp_path,
        "stages: [summarize]\nsummarize:\n  model: does/not-exist\n  generation:\n"
        "    min_new_tokens: 100\n    max_new_tokens: 50\n",
    )
    with pytest.raises(ConfigError, match=r"summarize\.generation: .*min_new_tokens \(100\) must be <= max_new_tokens \(50\)"):
        load_config(path)


def test_num_beams_must_be_positive(tmp_path):
    path = write(tmp_path, "stages: [lead_k]\ntranslate:\n  generation:\n    num_beams: 0\n")
    with pytest.raises(ConfigError, match=r"translate\.generation\.num_beams: .*greater than or equal to 1"):
        load_config(path)


def test_unknown_stage_lists_the_known_ones(tmp_path):
    path = write(tmp_path, "stages: [prepare, transalte]\n")
    with pytest.raises(ConfigError, match=r"stages: unknown stage 'transalte'; did you mean 'translate'\? \(known: .*translate"):
        load_config(path)


def test_translate_without_prepare_is_refused(tmp_path):
    path = write(tmp_path, "stages: [translate]\ntranslate:\n  model: x\n")
    with pytest.raises(ConfigError, match="translate needs the prepare stage before it"):
        load_config(path)


def test_a_model_stage_needs_a_model(tmp_path):
    path = write(tmp_path, "stages: [summarize]\n")
    with pytest.raises(ConfigError, match=r"summarize\.model: required"):
        load_config(path)


def test_back_translation_needs_a_summary_first(tmp_path):
    path = write(tmp_path, "stages: [prepare, translate, back_translate]\ntranslate: {model: x}\nback_translate: {model: y}\n")
    with pytest.raises(ConfigError, match="back_translate needs a summary"):
        load_config(path)


def test_unknown_translation_family_lists_the_known_ones(tmp_path):
    path = write(tmp_path, "stages: [prepare, translate]\ntranslate: {model: x, family: fairseq}\n")
    with pytest.raises(ConfigError, match=r"translate\.family: unknown translation family 'fairseq'; known: .*marian"):
        load_config(path)


def test_unknown_language_lists_the_flores_codes(tmp_path):
    path = write(tmp_path, "stages: [prepare]\nprepare: {language: hindi}\n")
    with pytest.raises(ConfigError, match=r"prepare\.language: unknown language code 'hindi'.*hin_Deva"):
        load_config(path)


def test_unknown_prepare_unit_names_the_key_and_the_units(tmp_path):
    path = write(tmp_path, "stages: [prepare]\nprepare: {unit: document}\n")
    with pytest.raises(ConfigError, match=r"prepare\.unit: Input should be 'sentence' or 'paragraph'"):
        load_config(path)


def test_fp16_is_refused_for_t5_summarizers(tmp_path):
    path = write(tmp_path, "stages: [summarize]\nprecision: fp16\nsummarize: {model: t5-small, family: t5}\n")
    with pytest.raises(ConfigError, match="fp16 is refused for t5"):
        load_config(path)


def test_bad_device_spec_is_refused(tmp_path):
    path = write(tmp_path, "stages: [lead_k]\ndevice: gpu\n")
    with pytest.raises(ConfigError, match=r"device: must be auto, cpu, cuda or cuda:N"):
        load_config(path)


def test_set_overrides_any_nested_key():
    config = load_config(CONFIGS[0].parent / "default.yaml", ["translate.generation.num_beams=1", "batch_size=3"])
    assert config.sections["translate"].generation.num_beams == 1
    assert config.batch_size == 3


def test_set_errors_name_the_override(tmp_path):
    with pytest.raises(ConfigError, match=r"lead_k\.k: .*with --set lead_k\.k=0"):
        load_config(write(tmp_path, "stages: [lead_k]\n"), ["lead_k.k=0"])


def test_override_values_are_parsed_as_yaml():
    assert parse_override("stages=[prepare, translate]") == ("stages", ["prepare", "translate"])
    assert parse_override("translate.revision=null") == ("translate.revision", None)


def test_override_without_equals_sign_is_an_error():
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        parse_override("translate.model")


def test_missing_config_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_malformed_yaml_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match=r"run\.yaml: not valid YAML"):
        load_config(write(tmp_path, "stages: [a\n b: c"))


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("{results: csv}", r"output\.results: Input should be 'jsonl' or 'parquet' \(.*run\.yaml\)"),
        ("{shards: 3}", r"output\.shards: unknown key \(.*run\.yaml\)"),
        ("{shard_documents: 0}", r"output\.shard_documents: .*greater than or equal to 1 \(.*run\.yaml\)"),
        ("{flush_seconds: 0}", r"output\.flush_seconds: .*greater than 0 \(.*run\.yaml\)"),
        ("parquet", r"output: .*valid dictionary.* \(.*run\.yaml\)"),
    ],
)
def test_output_keys_are_checked_with_their_path_and_file(tmp_path, output, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, f"stages: [lead_k]\noutput: {output}\n"))


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_results_are_jsonl_unless_a_config_asks_for_parquet(path):
    assert load_config(path).output.results == "jsonl"
    assert load_config(path, ["output.results=parquet"]).output.results == "parquet"


@pytest.mark.parametrize(
    "override, message",
    [
        ("batchsize=4", r"^batchsize: unknown key; did you mean 'batch_size'\? \("),
        ("translate.generation.num_beam=2", r"^translate\.generation\.num_beam: unknown key; did you mean 'num_beams'\?"),
        ("summarise.model=x", r"^summarise: unknown key; did you mean 'summarize'\?"),
        ("input.text_feild=body", r"^input\.text_feild: unknown key; did you mean 'text_field'\?"),
        ("engine={name: ray, ray: {stages: {translate: {min_actor: 2}}}}",
         r"^engine\.ray\.stages\.translate\.min_actor: unknown key; did you mean 'min_actors'\?"),
        ("engine={name: local, rey: {}}", r"^engine\.rey: unknown key; did you mean 'ray'\?"),
        ("translate.zzz=1", r"^translate\.zzz: unknown key \("),  # nothing near: no guess
    ],
    ids=["run-wide", "nested", "section", "input", "engine-stage", "engine", "no-guess"],
)
def test_an_unknown_key_names_the_nearest_known_one(repo_root, override, message):
    with pytest.raises(ConfigError, match=message):
        load_config(repo_root / "configs" / "tiny.yaml", [override])
