"""`scripts/run.py` end to end with the tiny models: outputs, resume, errors."""

import json
import re
import subprocess
import sys
from collections import Counter

import pytest

from pipeline.run_config import load_config
from pipeline.runner import run_pipeline
from pipeline.stages.translate import TranslateStage


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


@pytest.fixture
def hindi_input(tmp_path):
    """Six documents, one of them empty."""
    texts = [
        "नई दिल्ली में सोमवार को तेज़ बारिश हुई। मौसम विभाग ने चेतावनी जारी की।",
        "सरकार ने किसानों के लिए नई योजना की घोषणा की।\n\nइस पर 1,250 करोड़ रुपये ख़र्च होंगे।",
        "   ",
        "डॉ. शर्मा ने अस्पताल का उद्घाटन किया।",
        "भारत ने फ़ाइनल मुक़ाबले में जीत हासिल की।",
        "मेट्रो की नई लाइन पर सेवा शनिवार से शुरू होगी।",
    ]
    path = tmp_path / "input.jsonl"
    path.write_text(
        "".join(json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8",
    )
    return path


def test_tiny_run_writes_results_errors_and_manifest(repo_root, tiny_overrides, tmp_path):
    output = tmp_path / "run"
    command = [sys.executable, "scripts/run.py", "--config", "configs/tiny.yaml", "--input", "examples/hindi_news.jsonl",
               "--output", str(output), "--no-progress"]
    for override in tiny_overrides:
        command += ["--set", override]
    completed = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr

    examples = read_jsonl(repo_root / "examples" / "hindi_news.jsonl")
    results = read_jsonl(output / "results.jsonl")
    assert [r["id"] for r in results] == [e["id"] for e in examples]
    for result, example in zip(results, examples):
        assert result["source"] == example["text"]
        assert result["reference_summary"] == example["reference_summary"]
        assert result["translation"] and result["summary"] and result["summary_hi"]
        assert result["translation"].count("\n\n") == example["text"].count("\n\n")  # paragraphs kept
        assert set(result["stages"]) == {"prepare", "translate", "summarize", "back_translate"}
        summarize = result["stages"]["summarize"]
        assert summarize["chunks"] >= 1 and summarize["strategy"] == "map_reduce"
        assert (summarize["chunks"] > 1) == (summarize["tokens_in"] > 128)
        assert result["stages"]["translate"]["tokens_in"] > 0
    assert read_jsonl(output / "errors.jsonl") == []

    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    flags = dict(sorted(Counter(flag for result in results for flag in result["flags"]).items()))
    assert manifest["counts"] == {"documents": 5, "results": 5, "errors": 0, "resumed": 0, "flags": flags}
    assert manifest["stages"] == ["prepare", "translate", "summarize", "back_translate"]
    assert manifest["config"]["translate"]["model"] == tiny_overrides[0].split("=", 1)[1]
    assert manifest["models"]["translate"]["revision"] == "local"
    assert {"python", "torch", "transformers", "datasets", "pipeline"} <= set(manifest["versions"])
    assert manifest["device"] == "cpu" and manifest["dtype"] == "float32"
    assert manifest["started_at"] <= manifest["finished_at"]


def test_empty_document_is_recorded_as_an_error_and_the_run_goes_on(repo_root, tiny_overrides, hindi_input, tmp_path):
    config = load_config(repo_root / "configs" / "tiny.yaml", tiny_overrides)
    summary = run_pipeline(config, hindi_input, tmp_path / "run", progress=False)
    assert (summary.results, summary.errors) == (5, 1)
    (error,) = read_jsonl(tmp_path / "run" / "errors.jsonl")
    assert (error["id"], error["stage"], error["error"]) == ("d2", "input", "empty document")


def test_paragraph_unit_makes_fewer_segments_and_keeps_paragraph_breaks(repo_root, tiny_overrides, tmp_path):
    texts = {
        "short": "वह आया। वह गया। सब ठीक है।\n\nकल बारिश होगी। फिर धूप निकलेगी।",  # each paragraph fits
        "long": "नई दिल्ली में सोमवार को तेज़ बारिश हुई। मौसम विभाग ने चेतावनी जारी की।",  # 65 tokens: over the 64
    }
    path = tmp_path / "input.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": t}, ensure_ascii=False) + "\n" for k, t in texts.items()),
                    encoding="utf-8")
    results = {}
    for unit in ("sentence", "paragraph"):
        overrides = [*tiny_overrides, "stages=[prepare, translate]", f"prepare.unit={unit}"]
        run_pipeline(load_config(repo_root / "configs" / "tiny.yaml", overrides), path, tmp_path / unit, progress=False)
        results[unit] = {r["id"]: r for r in read_jsonl(tmp_path / unit / "results.jsonl")}
    counts = {
        unit: {k: (r["stages"]["prepare"]["segments"], r["stages"]["prepare"]["paragraphs"]) for k, r in rs.items()}
        for unit, rs in results.items()
    }
    assert counts["sentence"] == {"short": (5, 2), "long": (2, 1)}
    assert counts["paragraph"] == {"short": (2, 2), "long": (2, 1)}  # the long paragraph: a sentence a segment
    for result in results["paragraph"].values():
        assert result["translation"].count("\n\n") == result["source"].count("\n\n")
        assert result["stages"]["translate"]["segments"] == result["stages"]["prepare"]["segments"]


def test_a_failing_document_is_isolated_from_its_batch(repo_root, tiny_overrides, hindi_input, tmp_path, monkeypatch):
    config = load_config(repo_root / "configs" / "tiny.yaml", tiny_overrides + ["stages=[prepare, translate]"])
    original = TranslateStage.process

    def fail_on_d3(self, documents):
        if any(d.id == "d3" for d in documents):
            raise RuntimeError("generation failed")
        original(self, documents)

    monkeypatch.setattr(TranslateStage, "process", fail_on_d3)
    run_pipeline(config, hindi_input, tmp_path / "run", progress=False)
    assert [r["id"] for r in read_jsonl(tmp_path / "run" / "results.jsonl")] == ["d0", "d1", "d4", "d5"]
    errors = {e["id"]: e for e in read_jsonl(tmp_path / "run" / "errors.jsonl")}
    assert errors["d3"]["stage"] == "translate" and "generation failed" in errors["d3"]["error"]


def test_resume_after_a_crash_writes_every_id_exactly_once(repo_root, tiny_overrides, hindi_input, tmp_path, monkeypatch):
    config = load_config(repo_root / "configs" / "tiny.yaml", tiny_overrides + ["stages=[prepare, translate]"])
    original = TranslateStage.process
    calls = []

    def crash_on_second_batch(self, documents):
        calls.append(len(documents))
        if len(calls) == 2:
            raise KeyboardInterrupt  # the run dies: not a per-document error
        original(self, documents)

    monkeypatch.setattr(TranslateStage, "process", crash_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        run_pipeline(config, hindi_input, tmp_path / "run", progress=False)
    after_crash = [r["id"] for r in read_jsonl(tmp_path / "run" / "results.jsonl")]
    assert after_crash == ["d0", "d1"]  # the first batch (batch_size 2) was flushed

    monkeypatch.setattr(TranslateStage, "process", original)
    summary = run_pipeline(config, hindi_input, tmp_path / "run", resume=True, progress=False)
    ids = [r["id"] for r in read_jsonl(tmp_path / "run" / "results.jsonl")]
    assert sorted(ids) == ["d0", "d1", "d3", "d4", "d5"] and len(ids) == len(set(ids))
    assert summary.resumed == 2
    assert [e["id"] for e in read_jsonl(tmp_path / "run" / "errors.jsonl")] == ["d2"]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    # the tiny model's gibberish lacks d1's 1,250 (crore): the numbers check flags it
    flags = {"translation:number_missing": 1}
    assert manifest["counts"] == {"documents": 6, "results": 5, "errors": 1, "resumed": 2, "flags": flags}


def test_resume_cuts_a_torn_last_line(repo_root, tiny_overrides, hindi_input, tmp_path):
    config = load_config(repo_root / "configs" / "tiny.yaml", tiny_overrides + ["stages=[prepare, translate]"])
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "results.jsonl").write_text('{"id": "d0", "source": "x"}\n{"id": "d1", "sour', encoding="utf-8")
    run_pipeline(config, hindi_input, run_dir, resume=True, progress=False)
    ids = [r["id"] for r in read_jsonl(run_dir / "results.jsonl")]
    assert sorted(ids) == ["d0", "d1", "d3", "d4", "d5"]


def test_existing_results_without_resume_are_refused(run_script, repo_root, tiny_overrides, hindi_input, tmp_path, capsys):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "results.jsonl").write_text('{"id": "d0"}\n', encoding="utf-8")
    code = run_script(["--config", str(repo_root / "configs" / "lead3.yaml"), "--input", str(hindi_input),
                       "--output", str(tmp_path / "run")])
    assert code == 2
    assert "already holds results; pass --resume" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content, message",
    [
        (b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "x\xff"}\n', r"input.jsonl:2: not valid UTF-8 \(byte offset"),
        (b'{"id": "a", "text": "ok"}\n{"id": "b", "text": \n', r"input.jsonl:2: malformed JSON"),
        (b'{"id": "a", "body": "ok"}\n', r"input.jsonl:1: no 'text' field"),
    ],
    ids=["undecodable", "malformed-json", "missing-text-field"],
)
def test_bad_input_is_one_clear_line_and_exit_code_2(run_script, repo_root, tmp_path, capsys, content, message):
    path = tmp_path / "input.jsonl"
    path.write_bytes(content)
    code = run_script(["--config", str(repo_root / "configs" / "lead3.yaml"), "--input", str(path),
                       "--output", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert re.search(message, err)


def test_missing_input_and_unknown_format_exit_with_2(run_script, repo_root, tmp_path, capsys):
    config = str(repo_root / "configs" / "lead3.yaml")
    assert run_script(["--config", config, "--input", str(tmp_path / "none.jsonl")]) == 2
    assert "none.jsonl: no such file" in capsys.readouterr().err
    (tmp_path / "in.docx").write_bytes(b"PK")
    assert run_script(["--config", config, "--input", str(tmp_path / "in.docx")]) == 2
    assert "unknown input format '.docx'" in capsys.readouterr().err


def test_unloadable_model_stops_before_any_work_and_says_what_to_do(run_script, repo_root, hindi_input, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code = run_script(["--config", str(repo_root / "configs" / "lead3.yaml"), "--input", str(hindi_input),
                       "--output", str(tmp_path / "run")])
    err = capsys.readouterr().err
    assert code == 3
    assert "cannot load model 'ai4bharat/indictrans2-indic-en-dist-200M' for stage 'translate'" in err
    assert "HF_HUB_OFFLINE=1" in err and "translate.model" in err
    assert "Traceback" not in err
    assert not (tmp_path / "run").exists()  # nothing was done, so nothing is left behind


def test_missing_local_model_folder_points_at_the_tiny_model_builder(run_script, repo_root, hindi_input, tmp_path, capsys):
    code = run_script(["--config", str(repo_root / "configs" / "tiny.yaml"), "--input", str(hindi_input),
                       "--output", str(tmp_path / "run"), "--set", f"translate.model={tmp_path / 'missing'}"])
    assert code == 3
    assert "make_tiny_models.py" in capsys.readouterr().err


def test_help_explains_every_option(repo_root):
    completed = subprocess.run([sys.executable, "scripts/run.py", "--help"], cwd=repo_root, capture_output=True, text=True)
    assert completed.returncode == 0
    for option in ("--config", "--input", "--output", "--set", "--resume"):
        assert option in completed.stdout
