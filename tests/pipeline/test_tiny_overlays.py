"""Every shipped config runs on the tiny models through the overlay scripts/make_tiny_models.py writes for it."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.run_config import load_config
from pipeline.tiny_models import tiny_overlay, write_overlays

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "configs").glob("*.yaml"))
DOCUMENTS = [
    {"id": "rain", "text": "नई दिल्ली में सोमवार को तेज़ बारिश हुई। मौसम विभाग ने चेतावनी जारी की है।"},
    {"id": "scheme", "text": "सरकार ने किसानों के लिए नई योजना की घोषणा की।\n\nछात्रों ने परीक्षा के परिणाम पर ख़ुशी जताई।"},
    {"id": "metro", "text": "मेट्रो की नई लाइन पर सेवा शनिवार से शुरू होगी।"},
]


@pytest.fixture(scope="module")
def overlays(tiny_models):
    """The overlays, written beside the session's tiny models as make_tiny_models.py writes them."""
    folder = tiny_models["marian-hi-en"].parent / "overlays"
    written = write_overlays(CONFIGS[0].parent, tiny_models, folder)
    missing = {config.name: why for config, why in written.items() if why != str(folder / config.name)}
    # Only the CTranslate2 conversions are optional (pip install '.[fast]').
    assert not missing or (importlib.util.find_spec("ctranslate2") is None and set(missing) == {"ctranslate2.yaml"})
    return folder


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    path = tmp_path_factory.mktemp("input") / "news.jsonl"
    lines = [json.dumps(document, ensure_ascii=False) + "\n" for document in DOCUMENTS]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def results(folder):
    return [json.loads(line) for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("config", CONFIGS, ids=[config.stem for config in CONFIGS])
def test_each_shipped_config_runs_on_the_tiny_models_with_its_overlay(config, overlays, documents, run_script, tmp_path,
                                                                      tiny_models):
    if not (overlays / config.name).is_file():
        pytest.skip("CTranslate2 is not installed, so the tiny models were not converted")
    output = tmp_path / "run"
    assert run_script(["--config", str(config), "--overlay", str(overlays / config.name), "--input", str(documents),
                       "--output", str(output), "--no-progress"]) == 0
    records = results(output)
    assert [record["id"] for record in records] == [document["id"] for document in DOCUMENTS]
    stages = load_config(config).stages
    written = [name for stage, name in (("translate", "translation"), ("summarize", "summary")) if stage in stages]
    assert written and all(record[name] for record in records for name in written)
    models = {meta.get("model", "") for record in records for meta in record["stages"].values()}
    folders = {model for model in models if os.path.isabs(model)}  # not lead_3, which is no model folder
    assert folders and folders <= {str(path.resolve()) for path in tiny_models.values()}, folders


def test_an_overlay_holds_only_what_must_change(overlays):
    default = yaml.safe_load((overlays / "default.yaml").read_text(encoding="utf-8"))
    assert default == {
        "translate": {"model": "../indictrans2-hi-en", "generation": {"max_new_tokens": 12}},
        "summarize": {"model": "../bart-summarizer", "generation": {"min_new_tokens": 4, "max_new_tokens": 16}},
    }
    tiny = yaml.safe_load((overlays / "tiny.yaml").read_text(encoding="utf-8"))
    assert all(set(section) == {"model"} for section in tiny.values())  # its lengths already fit the tiny models


def test_a_config_no_tiny_model_stands_in_for_gets_no_overlay(tiny_models, tmp_path):
    config = tmp_path / "pegasus.yaml"
    config.write_text("stages: [summarize]\nsummarize: {model: google/pegasus-xsum, family: pegasus}\n")
    with pytest.raises(ValueError, match="summarize: no tiny model stands in for family pegasus"):
        tiny_overlay(load_config(config), tiny_models, tmp_path)
    assert write_overlays(tmp_path, tiny_models, tmp_path / "overlays")[config].startswith("no overlay: summarize:")


def test_run_py_overlay_from_another_directory(overlays, documents, repo_root, tmp_path):
    """The command line a README reader types, started elsewhere: the overlay's paths are the overlay file's."""
    output = tmp_path / "run"
    completed = subprocess.run(
        [sys.executable, str(repo_root / "scripts" / "run.py"), "--config", str(repo_root / "configs" / "default.yaml"),
         "--overlay", os.path.relpath(overlays / "default.yaml", tmp_path), "--input", str(documents),
         "--output", str(output), "--no-progress"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert [bool(record["summary"]) for record in results(output)] == [True] * len(DOCUMENTS)
