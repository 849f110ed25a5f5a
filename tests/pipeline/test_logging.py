"""What a run says while it works: the plan, models loading, one line per stage; --quiet, --verbose and --log-file."""

import json
import re
import subprocess
import sys

import pytest

from pipeline.engines import BatchOutcome
from pipeline.models.announce import byte_size, parameters
from pipeline.records import Failure, Result
from pipeline.runner import StageTally
from pipeline.stages import STAGES

TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"


@pytest.fixture
def documents(tmp_path):
    """Three documents, the second empty: refused before any stage."""
    texts = ["आज मौसम अच्छा है। खबर एक।", "   ", "सरकार ने नई योजना की घोषणा की।"]
    path = tmp_path / "input.jsonl"
    path.write_text("".join(json.dumps({"id": f"d{n}", "text": text}, ensure_ascii=False) + "\n"
                            for n, text in enumerate(texts)), encoding="utf-8")
    return path


def run(repo_root, tmp_path, documents, *options, config="configs/tiny.yaml"):
    """scripts/run.py in a process of its own, with its progress bar (not --no-progress)."""
    return subprocess.run(
        [sys.executable, "scripts/run.py", "--config", str(config), "--input", str(documents),
         "--output", str(tmp_path / "run"), *options],
        cwd=repo_root, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def translate_only(tiny_models):
    """configs/tiny.yaml cut to prepare and translate: one model to load."""
    return ["--set", "stages=[prepare,translate]", "--set", f"translate.model={tiny_models['marian-hi-en']}"]


@pytest.fixture
def model_free(tmp_path):
    config = tmp_path / "model-free.yaml"
    config.write_text("stages: [prepare, lead_k]\nbatch_size: 2\n", encoding="utf-8")
    return config


def test_a_run_names_its_plan_its_models_and_what_went_through_each_stage(repo_root, tmp_path, documents,
                                                                          translate_only):
    completed = run(repo_root, tmp_path, documents, *translate_only)
    assert completed.returncode == 0, completed.stderr
    err = completed.stderr
    assert re.search(rf"run: prepare → translate on engine local; 3 documents in {re.escape(str(documents))} "
                     rf"\(3 to do, 0 already done\); writing to {re.escape(str(tmp_path / 'run'))}\n", err)
    assert re.search(r"translate: loading \S+marian-hi-en on cpu \(float32\)\n", err)
    assert re.search(r"translate: \S+marian-hi-en loaded in \d+\.\d s: [\d.]+K parameters, [\d.]+ kB\n", err)
    assert "\ninput: 1 documents refused (empty or over input.max_document_chars)\n" in err
    assert re.search(r"\nprepare: 2 documents, 0 failed, \d+\.\d\d s\n", err)
    assert re.search(r"\ntranslate: 2 documents, 0 failed, \d+\.\d\d s\n", err)
    assert "batch:" not in err  # a debugging line
    assert completed.stdout.startswith("2 documents done, 1 failed")


def test_quiet_leaves_the_final_summary_and_the_log_file_everything_with_its_time(repo_root, tmp_path, documents,
                                                                                  translate_only):
    log_file = tmp_path / "run.log"
    log_file.write_text("an earlier run's line\n", encoding="utf-8")
    completed = run(repo_root, tmp_path, documents, *translate_only, "--quiet", "--log-file", str(log_file))
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""  # no plan, no model lines, no stage lines, no progress bar
    assert completed.stdout.startswith("2 documents done, 1 failed")

    logged = log_file.read_text(encoding="utf-8").splitlines()
    assert logged[0] == "an earlier run's line"  # appended to
    assert all(re.match(rf"{TIMESTAMP} (DEBUG|INFO|WARNING|ERROR) \S+: ", line) for line in logged[1:]), logged
    assert any(re.search(r" INFO pipeline\.models\.announce: translate: \S+marian-hi-en loaded in ", line)
               for line in logged)
    assert any(re.search(r" DEBUG pipeline\.runner: batch: 2 documents \(1 results, 1 failed\) in ", line)
               for line in logged)
    assert any(re.search(r" INFO pipeline\.runner: translate: 2 documents, 0 failed, \d+\.\d\d s$", line)
               for line in logged)


def test_quiet_still_says_what_went_wrong(repo_root, tmp_path, model_free):
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"id": "a", "text": " "}\n', encoding="utf-8")
    completed = run(repo_root, tmp_path, empty, "--quiet", config=model_free)
    assert completed.returncode == 4
    assert completed.stderr == f"error: every document failed; see {tmp_path / 'run' / 'errors.jsonl'}\n"


def test_verbose_adds_a_line_per_batch(repo_root, tmp_path, documents, model_free):
    completed = run(repo_root, tmp_path, documents, "--verbose", "--no-progress", config=model_free)
    assert completed.returncode == 0, completed.stderr
    batches = re.findall(r"^batch: (\d+) documents \((\d+) results, (\d+) failed\) in \d+\.\d\d s$",
                         completed.stderr, flags=re.MULTILINE)
    assert batches == [("2", "1", "1"), ("1", "1", "0")]  # batch_size 2: d0 and the empty d1, then d2
    assert re.search(r"^lead_k: 2 documents, 0 failed, ", completed.stderr, flags=re.MULTILINE)


def test_an_unwritable_log_file_is_one_line_and_exit_2(run_script, tmp_path, documents, model_free, capsys):
    target = tmp_path / "missing" / "run.log"
    with pytest.raises(SystemExit) as stopped:
        run_script(["--config", str(model_free), "--input", str(documents), "--output", str(tmp_path / "run"),
                    "--log-file", str(target)])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == f"error: --log-file {target}: cannot write it (No such file or directory)\n"
    assert not (tmp_path / "run").exists()


def result(identifier, seconds):
    """A finished document of prepare → translate → lead_k; lead_k records itself as `summarize`."""
    stages = {"prepare": {"seconds": seconds[0]}, "translate": {"seconds": seconds[1]},
              "summarize": {"seconds": seconds[2]}}
    return Result(identifier, "text", {}, {}, stages)


def test_the_stage_tally_counts_documents_through_each_stage_its_failures_and_its_seconds():
    tally = StageTally(tuple(STAGES.get(name) for name in ("prepare", "translate", "lead_k")))
    tally.observe(BatchOutcome(
        [result("a", (0.5, 2.0, 0.25)), result("b", (0.5, 2.0, 0.25))],
        [Failure("c", "translate", "ValueError: bad"), Failure("d", "input", "empty document", document_fault=True)],
    ))
    tally.observe(BatchOutcome([result("e", (1.0, 3.0, 0.5))], [Failure("f", "lead_k", "ValueError: bad")]))
    assert tally.lines() == [
        "input: 1 documents refused (empty or over input.max_document_chars)",
        "prepare: 5 documents, 0 failed, 2.00 s",  # a, b, e, and c and f, which failed later
        "translate: 4 documents, 1 failed, 7.00 s",
        "lead_k: 3 documents, 1 failed, 1.00 s",
    ]


def test_model_sizes_read_as_people_write_them():
    assert [parameters(n) for n in (211_234_567, 1_300_000_000, 48_000, 3_140_000)] == [
        "211M parameters", "1.3B parameters", "48K parameters", "3.1M parameters"]
    assert [byte_size(n) for n in (422_469_134, 48_100, 512)] == ["422 MB", "48 kB", "512 bytes"]
