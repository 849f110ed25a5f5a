"""Faults and misuse of a run never lose work or pass silently: each known failure, reproduced, as a test."""

import errno
import json
import os
import re

import pytest

from pipeline.io.run_folder import RunFolder
from pipeline.stages.lead import LeadStage
from pipeline.stages.prepare import PrepareStage

MODEL_FREE = "stages: [prepare, lead_k]\nbatch_size: 2\n"
TEXTS = [f"नई दिल्ली में बारिश हुई। दस्तावेज़ संख्या {n} है।" for n in range(12)]


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def manifest(run):
    return json.loads((run / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "model-free.yaml"
    path.write_text(MODEL_FREE, encoding="utf-8")
    return path


def write_input(path, texts):
    path.write_text("".join(json.dumps({"id": f"d{n}", "text": t}, ensure_ascii=False) + "\n"
                            for n, t in enumerate(texts)), encoding="utf-8")
    return path


@pytest.fixture
def documents(tmp_path):
    return write_input(tmp_path / "input.jsonl", TEXTS)


@pytest.fixture
def run(run_script, config, documents, tmp_path, capsys):
    """scripts/run.py in-process: (exit code, stderr) for the model-free config over `documents`."""

    def run(*options, input_path=None, output=None, config_path=None):
        arguments = ["--config", str(config_path or config), "--input", str(input_path or documents),
                     "--output", str(output or tmp_path / "run"), "--no-progress", *options]
        code = run_script(arguments)
        return code, capsys.readouterr().err

    return run


def fail_documents(monkeypatch, stage_class, failing_ids, error=lambda document: ValueError(f"bad {document.id}")):
    original = stage_class.process

    def process(self, documents):
        for document in documents:
            if document.id in failing_ids:
                raise error(document)
        original(self, documents)

    monkeypatch.setattr(stage_class, "process", process)


def test_a_batch_whose_documents_all_failed_a_stage_goes_on_to_the_next(run, monkeypatch, tmp_path):
    fail_documents(monkeypatch, PrepareStage, {"d0", "d1"})  # the whole first batch: lead_k gets no document
    code, err = run()
    assert code == 0, err
    assert [e["id"] for e in read_jsonl(tmp_path / "run" / "errors.jsonl")] == ["d0", "d1"]
    assert len(read_jsonl(tmp_path / "run" / "results.jsonl")) == 10


def test_resume_keeps_every_error_written_before_and_does_not_run_those_documents_again(run, monkeypatch, tmp_path):
    fail_documents(monkeypatch, PrepareStage, {"d3"})
    calls = []
    original = LeadStage.process

    def crash_on_third_batch(self, documents):
        calls.append([d.id for d in documents])
        if len(calls) == 3:
            raise KeyboardInterrupt  # dies at once: the third batch is lost
        original(self, documents)

    monkeypatch.setattr(LeadStage, "process", crash_on_third_batch)
    code, err = run()
    assert code == 130 and "continue with:" in err and "--resume" in err
    assert [e["id"] for e in read_jsonl(tmp_path / "run" / "errors.jsonl")] == ["d3"]

    monkeypatch.setattr(LeadStage, "process", original)
    code, err = run("--resume")
    assert code == 0, err
    assert [e["id"] for e in read_jsonl(tmp_path / "run" / "errors.jsonl")] == ["d3"]  # kept, not run again
    results = [r["id"] for r in read_jsonl(tmp_path / "run" / "results.jsonl")]
    assert sorted(results) == sorted(f"d{n}" for n in range(12) if n != 3) and len(results) == 11


def test_retry_failed_runs_the_failed_documents_again_and_keeps_the_old_errors(run, monkeypatch, tmp_path):
    fail_documents(monkeypatch, PrepareStage, {"d3"})
    run()
    monkeypatch.undo()
    code, err = run("--retry-failed")
    assert code == 0, err
    assert read_jsonl(tmp_path / "run" / "errors.jsonl") == []
    assert "d3" in {r["id"] for r in read_jsonl(tmp_path / "run" / "results.jsonl")}
    (kept,) = (tmp_path / "run").glob("errors.before-*.jsonl")
    assert [e["id"] for e in read_jsonl(kept)] == ["d3"]


def test_resume_with_settings_that_change_outputs_is_refused_naming_them(run, tmp_path):
    assert run()[0] == 0
    code, err = run("--resume", "--set", "lead_k.k=1", "--set", "prepare.max_segment_tokens=64")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "lead_k.k: 3 then, 1 now" in err and "prepare.max_segment_tokens: 256 then, 64 now" in err


def test_resume_with_another_input_is_refused(run, tmp_path):
    assert run()[0] == 0
    other = write_input(tmp_path / "other.jsonl", [*TEXTS, "एक और दस्तावेज़।"])
    code, err = run("--resume", input_path=other)
    assert code == 2 and "the input differs from the one it started with" in err


def test_resume_accepts_scheduling_changes_and_keeps_the_first_start_and_true_counts(run, monkeypatch, tmp_path):
    original = LeadStage.process
    calls = []

    def crash_on_second_batch(self, documents):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        original(self, documents)

    monkeypatch.setattr(LeadStage, "process", crash_on_second_batch)
    run()
    first = manifest(tmp_path / "run")
    assert first["finished_at"] is None and first["sessions"][0]["stopped"].startswith("interrupted")
    monkeypatch.undo()
    code, err = run("--resume", "--set", "batch_size=5", "--engine", "local")
    assert code == 0, err
    second = manifest(tmp_path / "run")
    assert second["started_at"] == first["started_at"]
    assert second["counts"] == {"documents": 12, "results": 12, "errors": 0, "resumed": 2, "flags": {}}
    assert [s["results"] for s in second["sessions"]] == [2, 10] and second["finished_at"]


def test_a_fault_of_the_run_stops_it_at_once_with_what_to_do(run, monkeypatch, tmp_path):
    many = write_input(tmp_path / "many.jsonl", TEXTS * 3)
    fail_documents(monkeypatch, LeadStage, {f"d{n}" for n in range(36)},
                   error=lambda document: RuntimeError("CUDA error: an illegal memory access was encountered"))
    code, err = run(input_path=many)
    assert code == 4
    assert "failed on the first 8 documents that reached it, all with the same error" in err
    assert "continue with:" in err and "Traceback" not in err
    assert len(read_jsonl(tmp_path / "run" / "errors.jsonl")) == 8  # stopped there, not after all 36


def test_documents_failing_each_their_own_way_do_not_stop_the_run(run, monkeypatch, tmp_path):
    many = write_input(tmp_path / "many.jsonl", TEXTS * 2)
    fail_documents(monkeypatch, LeadStage, {f"d{n}" for n in range(0, 24, 2)})  # ValueError naming each id
    code, err = run(input_path=many)
    assert code == 0, err
    assert len(read_jsonl(tmp_path / "run" / "errors.jsonl")) == 12


def test_a_run_in_which_every_document_failed_exits_non_zero(run, tmp_path):
    empty = write_input(tmp_path / "empty.jsonl", ["", "   ", "\n"])
    code, err = run(input_path=empty)
    assert code == 4 and "every document failed" in err


def test_an_input_without_documents_is_refused(run, tmp_path):
    (tmp_path / "none.jsonl").write_text("\n\n", encoding="utf-8")
    code, err = run(input_path=tmp_path / "none.jsonl")
    assert code == 2 and "none.jsonl: holds no documents" in err


def test_a_generation_longer_than_the_position_table_is_refused_when_the_model_loads(
    run_script, repo_root, tiny_overrides, documents, tmp_path, capsys
):
    code = run_script(["--config", str(repo_root / "configs" / "tiny.yaml"), "--input", str(documents),
                       "--output", str(tmp_path / "run"), *[a for o in tiny_overrides for a in ("--set", o)],
                       "--set", "translate.generation.max_new_tokens=256", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert "translate.generation.max_new_tokens (256) must be < 128, the decoder positions of" in err
    assert not (tmp_path / "run").exists()


def test_output_that_is_a_file_is_one_line_and_exit_2(run, tmp_path):
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    code, err = run(output=tmp_path / "taken")
    assert code == 2 and err.strip() == f"error: {tmp_path / 'taken'}: a file, not a folder; choose another --output"


def test_a_second_run_on_a_folder_in_use_is_refused_naming_the_holder(run, tmp_path):
    with RunFolder(tmp_path / "run", resume=False):
        code, err = run()
    assert code == 2
    assert re.search(rf"is being written by another run \(process {os.getpid()}, started .*\)", err)


def test_a_lock_left_by_a_dead_run_is_taken_over(run, tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / ".lock").write_text("process 999999999, started yesterday\n", encoding="utf-8")
    code, err = run()
    assert code == 0, err


def test_a_full_disk_leaves_no_torn_line_and_the_run_resumable(run, monkeypatch, tmp_path):
    real_write, calls = os.write, []

    def write(fd, data):
        calls.append(fd)
        if len(calls) == 4:  # after the lock's and two batches', the third batch: half lands, then the disk is full
            real_write(fd, bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    code, err = run("--quiet")  # no progress lines: what is left is what the error says
    assert code == 2 and len(err.strip().splitlines()) == 2  # the error, and how to continue
    assert "cannot write results (No space left on device)" in err
    results = (tmp_path / "run" / "results.jsonl").read_bytes()
    assert results.endswith(b"\n") and len(read_jsonl(tmp_path / "run" / "results.jsonl")) == 4
    monkeypatch.undo()
    assert run("--resume")[0] == 0
    assert len(read_jsonl(tmp_path / "run" / "results.jsonl")) == 12


def test_an_unwritable_output_is_one_line_and_exit_2(run, monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "mkdir", refuse)
    code, err = run(output=tmp_path / "new" / "run")
    assert code == 2 and err.strip() == f"error: {tmp_path / 'new' / 'run'}: cannot write the run folder (Permission denied)"


def test_a_damaged_results_file_is_named_with_its_line_on_resume(run, tmp_path):
    run()
    path = tmp_path / "run" / "results.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1][:20]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, err = run("--resume")
    assert code == 2 and f"{path}:2: malformed JSON" in err and "Traceback" not in err


def test_a_document_over_the_size_limit_is_an_error_of_its_own(run, tmp_path):
    long = write_input(tmp_path / "long.jsonl", ["छोटा दस्तावेज़।", "लंबा " * 3000])
    code, err = run("--set", "input.max_document_chars=5000", input_path=long)
    assert code == 0, err
    (error,) = read_jsonl(tmp_path / "run" / "errors.jsonl")
    assert error["error"] == "document of 15000 characters is over input.max_document_chars (5000)"
    assert error["stage"] == "input" and len(error["source"]) == 1000


def test_ids_cannot_escape_the_run_folder(run, tmp_path):
    hostile = tmp_path / "hostile.jsonl"
    hostile.write_text("".join(json.dumps({"id": i, "text": "नई दिल्ली में बारिश हुई।"}) + "\n"
                               for i in ("../../escaped", "/etc/passwd", "..", "a/../../b")), encoding="utf-8")
    code, err = run(input_path=hostile)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.jsonl", "input.jsonl", "model-free.yaml", "run"]
    assert {p.name for p in (tmp_path / "run").iterdir()} == {".lock", "errors.jsonl", "manifest.json", "results.jsonl"}
