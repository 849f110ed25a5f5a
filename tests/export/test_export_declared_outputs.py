"""Outputs declared in a run's manifest reach the evaluation and the export without code naming them.

The run folders are written by the pipeline's own writer (`RunFolder`), with the outputs the stages of
configs/tiny.yaml declare: with its back-translation into Bengali (`summary_bn`), or with the output of a stage
that does not exist yet (`headline`). scripts/evaluate.py scores them in place and scripts/export_dataset.py
exports them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import datasets
import pytest
import yaml
from datasets import Translation, Value

from pipeline.io.run_folder import Counts, Manifest, RunFolder
from pipeline.records import OutputField, Result
from pipeline.run_config import load_config
from pipeline.stages import StagePlan

TRANSLATION, SUMMARY, SUMMARY_BN = StagePlan.of(
    load_config(Path(__file__).parents[2] / "configs" / "tiny.yaml", ["back_translate.tgt_lang=ben_Beng"])
).outputs
HEADLINE = OutputField("headline", "summary", "en", "reference_headline", "headline", "headline_en", "headline_model")

SOURCE = "दिल्ली में आज सुबह से भारी बारिश हो रही है। मौसम विभाग ने अलर्ट जारी किया है।"
ENGLISH = "Heavy rain has been falling in Delhi since this morning. The weather office has issued an alert."
DOCUMENTS = {  # id -> (summary_bn, reference_summary_bn)
    "rain-1": ("দিল্লিতে আজ ভারী বৃষ্টি হয়েছে। আবহাওয়া অফিস সতর্কতা জারি করেছে।", "দিল্লিতে ভারী বৃষ্টি। সতর্কতা জারি।"),
    "rain-2": ("রাস্তায় জল জমেছে। স্কুল বন্ধ।", "রাস্তায় জল জমেছে এবং স্কুল বন্ধ রয়েছে।"),
    "rain-3": ("বাজারে দাম বেড়েছে।", "বাজারে সবজির দাম বেড়েছে।"),
}
HEADLINES = {"rain-1": "Rain in Delhi", "rain-2": "Delhi streets flooded", "rain-3": "Prices rise"}


def model(name: str) -> dict:
    return {"model": name, "revision": None, "device": "cpu", "dtype": "float32"}


def of(key: str, texts: dict[str, dict[str, str]] | None) -> dict[str, str]:
    return {name: by_id[key] for name, by_id in (texts or {}).items()}


def write_run(folder: Path, outputs: list[OutputField], texts=None, references=None) -> Path:
    """A finished run: each document translated and summarized, with more texts and references (name -> id -> text)."""
    stages = {output.stage: model(f"{output.stage}/model") for output in outputs}
    results = [
        Result(
            key,
            SOURCE,
            {"translation": ENGLISH, "summary": "Heavy rain in Delhi.", **of(key, texts)},
            {"reference_summary": "Delhi had heavy rain.", **of(key, references)},
            stages,
        )
        for key in DOCUMENTS
    ]
    manifest = Manifest(run_name=folder.name, stages=list(stages), outputs=outputs, source_language="hi")
    with RunFolder(folder, resume=False) as run:
        run.begin(manifest)
        run.append(results, [])
        counts = Counts(documents=len(results), results=len(results), errors=0, resumed=0)
        run.write_manifest(manifest.model_copy(update={"finished_at": "2025-01-01T10:05:00+00:00", "counts": counts}))
    return folder


@pytest.fixture(scope="module")
def bengali(tmp_path_factory, evaluate_run) -> Path:
    summaries = {"summary_bn": {key: texts[0] for key, texts in DOCUMENTS.items()}}
    references = {"reference_summary_bn": {key: texts[1] for key, texts in DOCUMENTS.items()}}
    folder = tmp_path_factory.mktemp("runs") / "news-bn"
    return evaluate_run(write_run(folder, [TRANSLATION, SUMMARY, SUMMARY_BN], summaries, references))


@pytest.fixture(scope="module")
def headline(tmp_path_factory, evaluate_run) -> Path:
    references = {"reference_headline": {key: f"{text}, officials say" for key, text in HEADLINES.items()}}
    folder = tmp_path_factory.mktemp("runs") / "news-headline"
    return evaluate_run(write_run(folder, [TRANSLATION, SUMMARY, HEADLINE], {"headline": HEADLINES}, references))


def report_of(run: Path) -> dict:
    return json.loads((run / "report.json").read_text(encoding="utf-8"))


def track(run: Path, name: str) -> dict:
    return next(track for track in report_of(run)["tracks"] if track["name"] == name)


def exported(export_dataset, run: Path, out: Path) -> tuple[datasets.Dataset, dict]:
    assert export_dataset([str(run), "--out", str(out)]) == 0
    card = (out / "README.md").read_text(encoding="utf-8")
    return datasets.load_from_disk(str(out / "arrow"))["train"], yaml.safe_load(card.split("---\n")[1])


def test_a_bengali_back_translation_is_scored_on_its_own_track_with_unicode_rouge(bengali):
    summary_bn = track(bengali, "summary_bn")
    assert (summary_bn["language"], summary_bn["reference_field"]) == ("bn", "reference_summary_bn")
    (system,) = summary_bn["systems"]
    assert system["documents"] == len(DOCUMENTS)
    assert system["scores"]["rouge1"]["score"] > 0  # rouge_score's own tokenizer drops every Bengali word
    assert "|tok:unicode|stem:no|" in system["scores"]["rouge1"]["signature"]
    assert "|split:pysbd-hi|" in system["scores"]["rougeLsum"]["signature"]  # sentences end at the danda
    assert "summary_hi" not in [track["name"] for track in report_of(bengali)["tracks"]]


def test_a_bengali_back_translation_is_exported_as_summary_bn_and_labelled_bn(bengali, export_dataset, tmp_path):
    split, metadata = exported(export_dataset, bengali, tmp_path / "dataset")
    assert split["summary_bn"] == [texts[0] for texts in DOCUMENTS.values()]
    assert split.features["summary_bn"] == Value("string") and "summary_hi" not in split.features
    assert split.features["translation"] == Translation(languages=["hi", "en"])
    assert split["back_translation_model"] == ["back_translate/model"] * len(DOCUMENTS)
    assert split["reference_summary_bn"] == [texts[1] for texts in DOCUMENTS.values()]
    assert all(score is not None for score in split["summary_bn_rouge1"])
    assert metadata["language"] == ["hi", "en", "bn"]


def test_a_new_stages_output_is_scored_as_declared(headline):
    declared = track(headline, "headline")
    assert (declared["language"], declared["family"]) == ("en", "rouge")
    assert declared["reference_field"] == "reference_headline"
    system = next(system for system in declared["systems"] if system["output"] == "headline")
    assert system["documents"] == len(HEADLINES)
    assert set(system["scores"]) == {"rouge1", "rouge2", "rougeL", "rougeLsum"}


def test_a_new_stages_output_is_exported_in_its_declared_columns(headline, export_dataset, tmp_path):
    split, _metadata = exported(export_dataset, headline, tmp_path / "dataset")
    assert split["headline_en"] == list(HEADLINES.values())
    assert split["headline_model"] == ["headline/model"] * len(HEADLINES)
    assert split["reference_headline"] == [f"{text}, officials say" for text in HEADLINES.values()]
    assert all(score is not None for score in split["headline_rougeLsum"])


def test_runs_whose_translations_differ_in_language_are_not_exported_together(
    bengali, export_dataset, tmp_path, capsys
):
    bengali_source = OutputField(**{**TRANSLATION.to_dict(), "source_language": "bn"})
    other = write_run(tmp_path / "news-from-bn", [bengali_source, SUMMARY])
    argv = [str(bengali), str(other), "--split", "hi", "--split", "bn", "--out", str(tmp_path / "dataset")]
    assert export_dataset(argv) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and "'translation'" in stderr and "hi→en" in stderr and "bn→en" in stderr
    assert not (tmp_path / "dataset").exists()


NO_MODEL_LIBRARIES = """
import runpy, sys
commands = [("evaluate", [{run!r}, "--bootstrap-samples", "20"]), ("export_dataset", [{run!r}, "--out", {out!r}])]
for script, arguments in commands:
    sys.argv = [f"scripts/{{script}}.py", *arguments]
    try:
        runpy.run_path(f"scripts/{{script}}.py", run_name="__main__")
    except SystemExit as finished:
        assert finished.code == 0, (script, finished.code)
    loaded = sorted({{"torch", "transformers"}} & set(sys.modules))
    assert not loaded, f"scripts/{{script}}.py imported {{loaded}}"
"""


def test_evaluating_and_exporting_a_run_imports_neither_torch_nor_transformers(repo_root, tmp_path):
    run = write_run(tmp_path / "run", [TRANSLATION, SUMMARY])
    code = NO_MODEL_LIBRARIES.format(run=str(run), out=str(tmp_path / "dataset"))
    finished = subprocess.run([sys.executable, "-c", code], cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-2000:]
