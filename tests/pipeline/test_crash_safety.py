"""Crash safety, measured: runs killed at random moments (SIGKILL) or asked to stop (SIGTERM, SIGINT) and resumed
until done never lose, duplicate or tear a record, and their manifest counts are true.

The default suite kills the model-free pipeline 20 times (and 6 times writing Parquet parts) and the tiny-model
pipeline 4 times; set PIPELINE_CRASH_KILLS=N to kill the tiny-model pipeline N times (e.g. 20: a few minutes).
"""

import json
import os
import random
import shlex
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from pipeline.io.run_folder import read_run_folder

TEXT = "नई दिल्ली में सोमवार को तेज़ बारिश हुई। मौसम विभाग ने चेतावनी जारी की। दस्तावेज़ {n} यहाँ समाप्त होता है।"


def write_documents(path, count):
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            text = "" if n % 37 == 5 else TEXT.format(n=n)  # a few empty ones: errors.jsonl gets lines too
            out.write(json.dumps({"id": f"d{n}", "text": text}, ensure_ascii=False) + "\n")
    return path


def lines(path):
    return path.read_bytes().count(b"\n") if path.exists() else 0


def written(run):
    return lines(run / "results.jsonl") + lines(run / "errors.jsonl")


def command(repo_root, config, documents, run, *extra):
    return [sys.executable, str(repo_root / "scripts" / "run.py"), "--config", str(config), "--input", str(documents),
            "--output", str(run), "--no-progress", *extra]


def assert_every_document_once(run, count):
    """Each input id in results.jsonl or errors.jsonl exactly once, every line whole, the manifest's counts true."""
    ids = []
    for name in ("results.jsonl", "errors.jsonl"):
        data = (run / name).read_bytes()
        assert not data or data.endswith(b"\n"), f"torn last line in {name}"
        ids += [json.loads(line)["id"] for line in data.decode("utf-8").splitlines()]
    assert sorted(ids) == sorted(f"d{n}" for n in range(count))
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    counts = manifest["counts"]
    assert counts["documents"] == count and manifest["finished_at"] is not None
    assert (counts["results"], counts["errors"]) == (lines(run / "results.jsonl"), lines(run / "errors.jsonl"))


def kill_and_resume(argv, run, kills, seed, max_batches=12, progress=written):
    """SIGKILL the run after a random number of new records (or of what `progress` counts), `kills` times, then let
    it finish; the kills done."""
    rng, done = random.Random(seed), 0
    while True:
        before = progress(run)
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        target = before + rng.randint(1, max_batches)
        while process.poll() is None and (done >= kills or progress(run) < target):
            time.sleep(0.01)
        if process.poll() is None:
            process.kill()
            process.wait()
            done += 1
            continue
        assert process.returncode == 0, process.stderr.read()
        return done


@pytest.fixture
def model_free(tmp_path):
    config = tmp_path / "model-free.yaml"
    config.write_text("stages: [prepare, lead_k]\nbatch_size: 1\n", encoding="utf-8")
    return config


def test_twenty_kills_at_random_moments_lose_and_repeat_nothing(repo_root, model_free, tmp_path):
    documents = write_documents(tmp_path / "input.jsonl", 400)
    argv = command(repo_root, model_free, documents, tmp_path / "run", "--resume")
    assert kill_and_resume(argv, tmp_path / "run", kills=20, seed=20261130) == 20
    assert_every_document_once(tmp_path / "run", 400)


def test_kills_of_the_tiny_model_pipeline_lose_and_repeat_nothing(repo_root, tiny_overrides, tmp_path):
    kills = int(os.environ.get("PIPELINE_CRASH_KILLS", "4"))
    documents = write_documents(tmp_path / "input.jsonl", 120 if kills <= 4 else 300)
    overrides = [argument for override in tiny_overrides for argument in ("--set", override)]
    argv = command(repo_root, repo_root / "configs" / "tiny.yaml", documents, tmp_path / "run", *overrides,
                   "--set", "stages=[prepare, translate]", "--set", "batch_size=2", "--resume")
    assert kill_and_resume(argv, tmp_path / "run", kills=kills, seed=7, max_batches=8) == kills
    count = sum(1 for _ in documents.open(encoding="utf-8"))
    assert_every_document_once(tmp_path / "run", count)


def parts(run):
    return sorted((run / "results").glob("part-*.parquet"))


def test_kills_of_a_run_writing_parquet_parts_lose_and_repeat_nothing(repo_root, tmp_path):
    """Killed as its parts appear, resumed until done: a half-written part is never read, and each id lands once."""
    config = tmp_path / "parquet.yaml"
    config.write_text("stages: [prepare, lead_k]\nbatch_size: 1\noutput: {results: parquet, shard_documents: 2}\n")
    documents = write_documents(tmp_path / "input.jsonl", 120)
    run = tmp_path / "run"
    argv = command(repo_root, config, documents, run, "--resume")
    assert kill_and_resume(argv, run, kills=6, seed=11, max_batches=4, progress=lambda run: len(parts(run))) == 6
    stored = read_run_folder(run)  # refuses an id twice in the parts
    done = [result.id for result in stored.results] + list(stored.failures)
    assert sorted(done) == sorted(f"d{n}" for n in range(120))
    assert not list((run / "results").glob("*.tmp"))
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    rows = sum(pq.ParquetFile(path).metadata.num_rows for path in parts(run))
    assert (manifest["counts"]["results"], manifest["counts"]["errors"]) == (rows, lines(run / "errors.jsonl"))
    assert manifest["finished_at"] is not None


@pytest.fixture
def running(repo_root, model_free, tmp_path):
    """A model-free run of 400 documents that has written its first records: (process, run folder)."""
    documents = write_documents(tmp_path / "input.jsonl", 400)
    run = tmp_path / "run"
    process = subprocess.Popen(command(repo_root, model_free, documents, run), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    while written(run) < 5:
        time.sleep(0.01)
    return process, run


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stop_signal_ends_after_the_batch_in_flight_with_the_command_that_continues(repo_root, running, signum):
    process, run = running
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "stopping after the batch in flight" in err and "Traceback" not in err
    continuation = err.split("continue with: ", 1)[1].strip()
    assert continuation.endswith("--resume") and f"--output {run}" in continuation
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sessions"][0]["stopped"] == "interrupted" and manifest["finished_at"] is None

    resumed = subprocess.run([sys.executable, *shlex.split(continuation)[1:]], capture_output=True, text=True,
                             cwd=repo_root, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert_every_document_once(run, 400)


def test_a_second_ctrl_c_stops_at_once(running):
    process, _ = running
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in err
    assert "continue with:" in err
