"""Paths in a config file are relative to that file, so a run works the same from any directory."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipeline.errors import ConfigError
from pipeline.run_config import load_config


@pytest.fixture
def layout(tmp_path, tiny_models, monkeypatch):
    """A project folder with its config in `configs/` and its models in `models/`, and the user somewhere else."""
    project = tmp_path / "project"
    (project / "configs").mkdir(parents=True)
    (project / "models").mkdir()
    (project / "models" / "hi-en").symlink_to(tiny_models["marian-hi-en"], target_is_directory=True)
    config = project / "configs" / "run.yaml"
    config.write_text(yaml.safe_dump({
        "stages": ["prepare", "translate"], "device": "cpu",
        "translate": {"model": "../models/hi-en", "family": "marian", "generation": {"max_new_tokens": 8}},
    }), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return project, config, elsewhere


def test_a_relative_model_path_means_the_folder_beside_the_config(layout):
    project, config, _ = layout
    loaded = load_config(config)
    assert loaded.sections["translate"].model == str((project / "models" / "hi-en").resolve())


def test_hub_ids_are_left_as_they_are(layout):
    _, config, _ = layout
    assert load_config(config, ["translate.model=ai4bharat/indictrans2-indic-en-dist-200M"]).sections[
        "translate"].model == "ai4bharat/indictrans2-indic-en-dist-200M"


def test_a_set_path_that_exists_from_the_current_directory_is_kept(layout, tiny_models):
    _, config, elsewhere = layout
    (elsewhere / "mine").symlink_to(tiny_models["marian-hi-en"], target_is_directory=True)
    assert load_config(config, ["translate.model=mine"]).sections["translate"].model == "mine"


def test_a_missing_relative_path_is_named_in_full(layout):
    project, config, _ = layout
    model = load_config(config, ["translate.model=../models/absent"]).sections["translate"].model
    assert model == str((project / "models" / "absent").resolve())  # what the load error will name


def test_a_run_started_from_another_directory_finds_the_models(layout, repo_root, tmp_path):
    _, config, elsewhere = layout
    source = tmp_path / "input.jsonl"
    source.write_text('{"id": "a", "text": "आज मौसम अच्छा है।"}\n', encoding="utf-8")
    completed = subprocess.run(
        [sys.executable, str(repo_root / "scripts" / "run.py"), "--config", str(config), "--input", str(source),
         "--output", str(tmp_path / "run"), "--no-progress"],
        cwd=elsewhere, capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").count("\n") == 1


def test_the_default_run_folder_is_under_the_projects_outputs(run_script, repo_root, tmp_path, monkeypatch, capsys):
    import shutil

    monkeypatch.chdir(tmp_path)
    config = tmp_path / "model-free-paths.yaml"
    config.write_text("stages: [prepare, lead_k]\n", encoding="utf-8")
    source = tmp_path / "input.jsonl"
    source.write_text('{"id": "a", "text": "आज मौसम अच्छा है।"}\n', encoding="utf-8")
    before = set((repo_root / "outputs").glob("model-free-paths-*"))
    assert run_script(["--config", str(config), "--input", str(source), "--no-progress"]) == 0
    made = set((repo_root / "outputs").glob("model-free-paths-*")) - before
    try:
        assert len(made) == 1 and (made.pop() / "results.jsonl").is_file()
        assert not (tmp_path / "outputs").exists()
    finally:
        for folder in set((repo_root / "outputs").glob("model-free-paths-*")) - before:
            shutil.rmtree(folder)


@pytest.fixture
def overlay(layout, tiny_models):
    """An overlay in `models/`, naming `./hi-en` (from `configs/`, another folder); a folder named like a family
    beside it must not turn the family into a path."""
    project, config, _ = layout
    (project / "models" / "marian").mkdir()
    path = project / "models" / "tiny.yaml"
    path.write_text(yaml.safe_dump({
        "translate": {"model": "./hi-en", "family": "marian", "generation": {"num_beams": 2}},
    }), encoding="utf-8")
    return config, path


def test_a_model_path_in_an_overlay_is_relative_to_the_overlay_file(layout, overlay):
    project, _, _ = layout
    config, path = overlay
    config.write_text(yaml.safe_dump({"stages": ["prepare", "translate"], "translate": {"model": "org/name"}}))
    translate = load_config(config, overlays=[path]).sections["translate"]
    assert translate.model == str((project / "models" / "hi-en").resolve())
    assert translate.family == "marian"


def test_an_overlay_merges_key_by_key_and_set_overrides_it(overlay):
    config, path = overlay
    translate = load_config(config, ["translate.generation.num_beams=3"], overlays=[path]).sections["translate"]
    assert (translate.generation.num_beams, translate.generation.max_new_tokens) == (3, 8)
    assert load_config(config, overlays=[path]).sections["translate"].generation.num_beams == 2


def test_a_bad_key_in_an_overlay_names_the_overlay(overlay):
    config, path = overlay
    path.write_text("translate:\n  beams: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"translate\.beams: unknown key.*with --overlay {path}"):
        load_config(config, overlays=[path])


def test_a_missing_overlay_is_one_line_and_exit_2(layout, run_script, tmp_path, capsys):
    _, config, _ = layout
    code = run_script(["--config", str(config), "--input", str(tmp_path / "in.jsonl"), "--overlay", "absent.yaml"])
    assert code == 2
    assert capsys.readouterr().err == "error: overlay not found: absent.yaml\n"


def test_the_resume_command_repeats_the_overlays_in_order():
    from pipeline.cli import run

    args = run.parse_args(["--config", "c.yaml", "--input", "in.jsonl", "--overlay", "a.yaml", "--overlay", "b.yaml",
                           "--set", "batch_size=2"])
    for prog in (None, "indic-pipeline run"):
        command = run.resume_command(args, Path("out"), prog)
        assert command.endswith("--output out --overlay a.yaml --overlay b.yaml --set batch_size=2 --resume")
    assert run.resume_command(args, Path("out"), "indic-pipeline run").startswith("indic-pipeline run --config c.yaml")
