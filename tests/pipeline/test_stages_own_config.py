"""Stages own their config sections and declare what they add to result records; a new stage is one class."""

import importlib.util
import json

import datasets
import pytest
from pydantic import Field

from pipeline.config import ConfigError, Section
from pipeline.records import Document, OutputField
from pipeline.run_config import load_config, validate_config
from pipeline.runner import run_pipeline
from pipeline.stages import STAGES, Stage, StagePlan


class HeadlineConfig(Section):
    words: int = Field(4, ge=1)


class HeadlineStage(Stage):
    """What adding a stage takes: this class and its registration, nothing else."""

    name = "headline"
    config_model = HeadlineConfig

    def __init__(self, words: int) -> None:
        self.words = words

    @classmethod
    def declare_outputs(cls, config, language):
        return [OutputField("headline", "summary", language, "reference_headline", cls.name, f"headline_{language}",
                            "headline_model")]

    @classmethod
    def build(cls, context):
        return cls(context.section("headline").words)

    def process(self, documents: list[Document]) -> None:
        for document in documents:
            document.outputs["headline"] = " ".join(document.english.split()[: self.words])
            document.stages[self.name] = {"words": self.words}


@pytest.fixture
def headline_stage(monkeypatch):
    monkeypatch.setitem(STAGES._entries, HeadlineStage.name, HeadlineStage)


def write(tmp_path, text, name="run.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_registered_stage_runs_with_its_own_section_and_output(headline_stage, tmp_path):
    config = load_config(write(tmp_path, "stages: [prepare, lead_k, headline]\nheadline:\n  words: 2\n"))
    assert config.sections["headline"] == HeadlineConfig(words=2)
    documents = tmp_path / "in.jsonl"
    documents.write_text(json.dumps({"id": "a", "text": "नई दिल्ली में बारिश हुई। स्कूल बंद रहे।"}) + "\n", encoding="utf-8")
    run_pipeline(config, documents, tmp_path / "run", progress=False)
    (record,) = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert list(record) == ["id", "source", "summary", "headline", "flags", "stages"]  # outputs in stage order
    assert record["headline"] == "नई दिल्ली"
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert [output["name"] for output in manifest["outputs"]] == ["summary", "headline"]
    assert manifest["outputs"][1]["language"] == "hi" and manifest["source_language"] == "hi"


def script(repo_root, name):
    spec = importlib.util.spec_from_file_location(f"{name}_script", repo_root / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_a_new_stage_output_is_scored_and_exported_without_edits_there(headline_stage, repo_root, tmp_path):
    config = load_config(write(tmp_path, "stages: [prepare, lead_k, headline]\n"))
    texts = {"a": "नई दिल्ली में बारिश हुई। स्कूल बंद रहे।", "b": "भारत ने मैच जीता। खिलाड़ियों का स्वागत हुआ।"}
    documents, references = tmp_path / "in.jsonl", tmp_path / "refs.jsonl"
    documents.write_text("".join(json.dumps({"id": k, "text": t}) + "\n" for k, t in texts.items()), encoding="utf-8")
    references.write_text("".join(json.dumps({"id": k, "reference_headline": t.split("।")[0]}) + "\n"
                                  for k, t in texts.items()), encoding="utf-8")
    run_pipeline(config, documents, tmp_path / "run", progress=False)

    evaluate = script(repo_root, "evaluate")
    assert evaluate([str(tmp_path / "run"), "--references", str(references), "--bootstrap-samples", "20"]) == 0
    report = json.loads((tmp_path / "run" / "report.json").read_text(encoding="utf-8"))
    (track,) = [track for track in report["tracks"] if track["name"] == "headline"]
    assert (track["language"], track["reference_field"], track["family"]) == ("hi", "reference_headline", "rouge")
    assert track["systems"][0]["documents"] == 2

    assert script(repo_root, "export_dataset")([str(tmp_path / "run"), "--out", str(tmp_path / "export")]) == 0
    exported = datasets.load_dataset(str(tmp_path / "export"), split="train")
    assert exported["headline_hi"] == ["नई दिल्ली में बारिश", "भारत ने मैच जीता।"]  # the first four words
    assert {"headline_model", "headline_rouge1"} <= set(exported.column_names)


def test_a_stage_section_is_checked_by_the_stage_model_with_key_and_file(headline_stage, tmp_path):
    path = write(tmp_path, "stages: [prepare, headline]\nheadline:\n  words: 0\n  colour: red\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    lines = str(raised.value).splitlines()
    assert any(line.startswith("headline.words: Input should be greater than or equal to 1 (") for line in lines)
    assert any(line.startswith("headline.colour: unknown key (") and "run.yaml" in line for line in lines)


def test_a_section_of_an_unknown_stage_is_an_unknown_key(tmp_path):
    with pytest.raises(ConfigError, match=r"^headline: unknown key \(.*run\.yaml\)$"):
        load_config(write(tmp_path, "stages: [prepare, lead_k]\nheadline: {words: 2}\n"))


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, "stages: [prepare, lead_k]\nbatch_size: 0\nlead_k: {k: 0}\nprepare: {colour: red}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    keys = sorted(line.split(":")[0] for line in str(raised.value).splitlines())
    assert keys == ["batch_size", "lead_k.k", "prepare.colour"]


def test_output_fields_carry_their_languages(tmp_path):
    config = load_config(
        write(tmp_path, "stages: [prepare, translate, summarize, back_translate]\nprepare: {language: ben_Beng}\n"
              "translate: {model: m, src_lang: ben_Beng}\nsummarize: {model: s}\n"
              "back_translate: {model: b, tgt_lang: ben_Beng}\n")
    )
    plan = StagePlan.of(config)
    assert plan.source_language == "bn"
    described = [(o.name, o.kind, o.language, o.source_language, o.reference, o.column) for o in plan.outputs]
    assert described == [
        ("translation", "translation", "en", "bn", "reference_translation", "translation"),
        ("summary", "summary", "en", None, "reference_summary", "summary_en"),
        ("summary_bn", "summary", "bn", "en", "reference_summary_bn", "summary_bn"),
    ]


def test_a_run_without_prepare_summarizes_english_input(tmp_path):
    plan = StagePlan.of(load_config(write(tmp_path, "stages: [summarize]\nsummarize: {model: s}\n")))
    assert plan.source_language == "en"
    assert [(o.name, o.language) for o in plan.outputs] == [("summary", "en")]


@pytest.mark.parametrize("name", ["default", "bilingual", "ctranslate2", "tiny"])
def test_the_resolved_config_loads_again_to_the_same_config(repo_root, name):
    """The manifest records `config.to_dict()`: a config that reproduces the run."""
    config = load_config(repo_root / "configs" / f"{name}.yaml")
    again = validate_config(json.loads(json.dumps(config.to_dict())), "manifest.json")
    assert again == config
    assert list(config.to_dict())[:7] == ["name", "stages", "device", "precision", "batch_size", "engine", "input"]
