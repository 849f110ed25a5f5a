"""`run --dry-run`: the plan of a run, every model found without loading or downloading it, nothing written."""

import json
import os
import shutil
import subprocess
import sys

import pytest


def dry_run(repo_root, tmp_path, *overrides, env=None):
    command = [sys.executable, "-m", "pipeline.cli", "run", "--config", str(repo_root / "configs" / "tiny.yaml"),
               "--input", str(repo_root / "examples" / "hindi_news.jsonl"), "--output", str(tmp_path / "run"),
               "--dry-run", *[item for override in overrides for item in ("--set", override)]]
    return subprocess.run(command, cwd=repo_root, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})})


def test_the_plan_names_stages_models_devices_batches_and_the_work(repo_root, tiny_models, tiny_overrides, tmp_path):
    completed = dry_run(repo_root, tmp_path, *tiny_overrides)
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert "stages: prepare → translate → summarize → back_translate" in out
    assert "engine: local; device: cpu; precision: auto" in out and "batches: 2 documents each" in out
    models = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert models["translate"].startswith(f"  translate (for prepare, translate): {tiny_models['marian-hi-en']} "
                                          f"[transformers] at {tiny_models['marian-hi-en']}; cpu, float32; beams 2")
    assert "max_batch_tokens 512" in models["translate"] and "max_batch_size 4" in models["summarize"]
    assert f"at {tiny_models['marian-en-hi']}; cpu, float32" in models["back_translate"]
    texts = [json.loads(line)["text"] for line in (repo_root / "examples" / "hindi_news.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    batches = -(-len(texts) // 2)
    assert f"{len(texts)} documents, {sum(map(len, texts))} characters, {batches} batches" in out
    assert not (tmp_path / "run").exists()


def test_every_model_that_cannot_be_found_is_listed_with_what_to_do(repo_root, tiny_overrides, tmp_path):
    completed = dry_run(repo_root, tmp_path, *tiny_overrides, f"translate.model={tmp_path / 'missing'}",
                        "summarize.model=someone/never-downloaded", env={"HF_HUB_CACHE": str(tmp_path / "empty-cache")})
    assert completed.returncode == 2
    problems = completed.stderr.split("error: ")[1:]
    assert len(problems) == 2, completed.stderr
    assert problems[0].startswith(f"cannot load model '{tmp_path / 'missing'}' for stage 'translate': no folder")
    assert "make_tiny_models.py" in problems[0]
    assert problems[1].startswith("cannot load model 'someone/never-downloaded' for stage 'summarize': not in the "
                                  "local Hugging Face cache")
    assert "hf download someone/never-downloaded" in problems[1]
    assert "NOT FOUND" in completed.stdout and "documents" in completed.stdout  # the rest of the plan is still there
    assert not (tmp_path / "run").exists()


def test_a_hub_id_is_found_in_the_local_cache(repo_root, tiny_models, tiny_overrides, tmp_path):
    cache = tmp_path / "hub"
    snapshot = cache / "models--someone--tiny-bart" / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    shutil.copy(tiny_models["bart-summarizer"] / "config.json", snapshot / "config.json")
    (cache / "models--someone--tiny-bart" / "refs").mkdir()
    (cache / "models--someone--tiny-bart" / "refs" / "main").write_text("0123abcd", encoding="utf-8")
    completed = dry_run(repo_root, tmp_path, *tiny_overrides, "summarize.model=someone/tiny-bart",
                        env={"HF_HUB_CACHE": str(cache)})
    assert completed.returncode == 0, completed.stderr
    assert f"someone/tiny-bart [transformers] at {snapshot}; cpu, float32" in completed.stdout


def test_a_ctranslate2_model_needs_its_converted_folder(repo_root, tiny_models, tiny_overrides, tmp_path):
    pytest.importorskip("ctranslate2")
    completed = dry_run(repo_root, tmp_path, *tiny_overrides, "translate.backend=ctranslate2")
    assert completed.returncode == 2
    assert "not a CTranslate2 model folder (no model.bin)" in completed.stderr
    assert "convert_ctranslate2.py" in completed.stderr
