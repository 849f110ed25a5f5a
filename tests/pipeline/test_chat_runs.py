"""The chat configs end to end on tiny models: a chat translator and summarizer (configs/chat.yaml), a Hindi article
summarized straight into English (configs/direct.yaml), and the direct run compared with the pipeline run."""

import importlib.util
import json
from pathlib import Path

import pytest

from pipeline.run_config import load_config
from pipeline.tiny_models import write_overlays

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
DOCUMENTS = [
    {"id": "rain", "text": "नई दिल्ली में सोमवार को तेज़ बारिश हुई। मौसम विभाग ने चेतावनी जारी की है।",
     "reference_summary": "Heavy rain fell in New Delhi; a warning was issued."},
    {"id": "scheme", "text": "सरकार ने किसानों के लिए नई योजना की घोषणा की।\n\nछात्रों ने परीक्षा के परिणाम पर ख़ुशी जताई।",
     "reference_summary": "The government announced a scheme for farmers."},
    {"id": "metro", "text": "मेट्रो की नई लाइन पर सेवा शनिवार से शुरू होगी।",
     "reference_summary": "The new metro line opens on Saturday."},
]


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def runs(tiny_models, tmp_path_factory, repo_root):
    """The default (IndicTrans2 + BART), chat and direct configs run on the same documents through their overlays."""
    root = tmp_path_factory.mktemp("chat-runs")
    overlays = root / "overlays"
    write_overlays(CONFIGS, tiny_models, overlays)
    documents = root / "news.jsonl"
    documents.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in DOCUMENTS), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("run_script", repo_root / "scripts" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    folders = {}
    for name in ("default", "chat", "direct"):
        folders[name] = root / name
        arguments = ["--config", str(CONFIGS / f"{name}.yaml"), "--overlay", str(overlays / f"{name}.yaml"),
                     "--input", str(documents), "--output", str(folders[name]), "--no-progress"]
        assert module.main(arguments) == 0, name
    return folders


def test_the_direct_config_summarizes_the_source_without_translating(runs):
    records = read_jsonl(runs["direct"] / "results.jsonl")
    assert [r["id"] for r in records] == [d["id"] for d in DOCUMENTS]
    assert all(r["summary"] and "translation" not in r for r in records)
    assert all(set(r["stages"]) == {"prepare", "summarize"} for r in records)
    manifest = json.loads((runs["direct"] / "manifest.json").read_text(encoding="utf-8"))
    declared = {field["name"]: field for field in manifest["outputs"]}
    assert declared["summary"]["language"] == "en" and declared["summary"]["column"] == "summary_en"


def test_the_manifest_records_what_the_chat_models_were_asked(runs):
    manifest = json.loads((runs["chat"] / "manifest.json").read_text(encoding="utf-8"))
    text = json.dumps(manifest)
    assert "Translate the text below to {tgt_name}." in text  # the sarvam-translate preset of configs/chat.yaml
    assert "sarvamai/sarvam-translate model card" in text
    assert "Summarize the following {src_name} news article in {tgt_name}" in text  # the summarizer's task default


def test_the_chat_config_translates_and_summarizes(runs):
    records = read_jsonl(runs["chat"] / "results.jsonl")
    assert all(r["translation"] and r["summary"] for r in records)
    assert all(r["stages"]["translate"]["tokens_in"] > 0 for r in records)
    # prepare.unit: paragraph: a paragraph of two sentences goes to the translator whole
    assert {r["id"]: r["stages"]["prepare"]["segments"] for r in records} == {"rain": 1, "scheme": 2, "metro": 1}


def test_evaluate_compares_the_pipeline_with_the_direct_summary(runs, repo_root):
    spec = importlib.util.spec_from_file_location("evaluate_script", repo_root / "scripts" / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = runs["direct"].parent / "pipeline-vs-direct"
    assert module.main([str(runs["default"]), "--compare", str(runs["direct"]), "--compare-output", str(out),
                        "--bootstrap-samples", "20"]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    summary = next(track for track in report["tracks"] if track["name"] == "summary")
    assert {(system["run"], system["documents"]) for system in summary["systems"]} == {
        ("default", len(DOCUMENTS)), ("direct", len(DOCUMENTS))}
    assert report["compare"]["manifest"]["stages"] == ["prepare", "summarize"]


def test_a_summarizer_of_english_is_refused_hindi_input_naming_the_key(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("stages: [prepare, summarize]\nsummarize: {model: facebook/bart-large-cnn, input: source}\n")
    with pytest.raises(Exception, match=r"summarize.input: a bart summarizer summarizes English in English.*hin_Deva"):
        load_config(config)


def test_the_readmes_overrides_make_a_run_direct_or_a_pipeline_with_a_chat_summarizer():
    from pipeline.stages.plan import StagePlan
    from pipeline.stages.summarize import summary_languages

    direct = load_config(CONFIGS / "chat.yaml", ["summarize.input=source", "summarize.language=eng_Latn"])
    assert summary_languages(direct) == ("hin_Deva", "eng_Latn")
    assert [f.language for f in StagePlan.of(direct).outputs if f.name == "summary"] == ["en"]
    it2_chat = load_config(CONFIGS / "default.yaml", [
        "summarize.family=chat", "summarize.model=Qwen/Qwen2.5-1.5B-Instruct",
        "summarize.generation={num_beams: 1, max_new_tokens: 200}"])
    assert it2_chat.sections["summarize"].generation.num_beams == 1
    assert summary_languages(it2_chat) == ("eng_Latn", "eng_Latn")
