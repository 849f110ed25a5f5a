"""`engine.local.overlap`: stages of consecutive batches in threads of their own must write exactly what the
one-batch-at-a-time loop writes, stop cleanly when asked, and carry a bad input row's error to the runner."""

import json
import threading
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.run_config import load_config
from pipeline.runner import run_pipeline

HINDI = [
    "नई दिल्ली में सोमवार सुबह तेज़ बारिश हुई। मौसम विभाग ने चेतावनी दी।",
    "",
    "सरकार ने 1,87,500 रुपये की योजना की घोषणा की, www.example.com पर देखें।",
    "भारत ने मैच जीता।\n\nखिलाड़ियों का स्वागत हुआ। लोग सड़कों पर उतरे।",
    "मेट्रो सेवा शनिवार से शुरू होगी।",
    " ".join(["भारत ने रविवार को खेले गए फ़ाइनल मुक़ाबले में ऑस्ट्रेलिया को हरा दिया।"] * 12),
]


def write_input(path: Path, copies: int = 3) -> Path:
    rows = [{"id": f"d{n}-{i}", "text": text} for n in range(copies) for i, text in enumerate(HINDI)]
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def records(folder: Path, name: str) -> list[dict]:
    """A run folder's records without their timings, which differ from run to run."""
    rows = [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines()]
    for row in rows:
        for stage in row.get("stages", {}).values():
            stage.pop("seconds", None)
    return rows


def run(repo_root, overrides, source, folder, **kwargs):
    config = load_config(repo_root / "configs" / "tiny.yaml", ["batch_size=2", *overrides])
    return run_pipeline(config, source, folder, progress=False, **kwargs)


@pytest.fixture
def indictrans_overrides(tiny_overrides, indictrans_fixtures):
    """The tiny config with the real IndicTrans2 tokenizer and processor: `prepare` measures with the translator
    that `translate` runs, the one object two threads share."""
    return [*tiny_overrides, f"translate.model={indictrans_fixtures / 'tiny-indic-en'}", "translate.family=indictrans2",
            "translate.generation.max_new_tokens=16"]


@pytest.mark.parametrize("translator", ["marian", "indictrans2"])
def test_overlapped_stages_write_what_the_sequential_loop_writes(
    repo_root, tiny_overrides, indictrans_overrides, translator, tmp_path
):
    overrides = tiny_overrides if translator == "marian" else indictrans_overrides
    source = write_input(tmp_path / "input.jsonl")
    for overlap in ("true", "false"):
        summary = run(repo_root, [*overrides, f"engine.local.overlap={overlap}"], source, tmp_path / overlap)
        assert (summary.documents, summary.results, summary.errors) == (18, 15, 3)
    for name in ("results.jsonl", "errors.jsonl"):
        assert records(tmp_path / "true", name) == records(tmp_path / "false", name)
    manifest = json.loads((tmp_path / "true" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == {"name": "local", "overlap": True}


def test_a_stop_after_the_first_batch_joins_every_thread_and_the_resume_finishes_the_same(
    repo_root, tiny_overrides, tmp_path
):
    source = write_input(tmp_path / "input.jsonl")
    threads_before = threading.active_count()
    stopped = run(repo_root, tiny_overrides, source, tmp_path / "run", stop_requested=lambda: True)
    assert stopped.stopped == "interrupted" and stopped.results + stopped.errors == 2  # one batch of two, written
    assert threading.active_count() == threads_before  # no engine thread left running a model
    resumed = run(repo_root, tiny_overrides, source, tmp_path / "run", resume=True)
    assert resumed.resumed == 2 and resumed.counts.results + resumed.counts.errors == 18
    run(repo_root, [*tiny_overrides, "engine.local.overlap=false"], source, tmp_path / "sequential")
    key = lambda row: row["id"]  # noqa: E731
    for name in ("results.jsonl", "errors.jsonl"):
        assert sorted(records(tmp_path / "run", name), key=key) == sorted(records(tmp_path / "sequential", name), key=key)


def test_a_bad_row_in_the_middle_is_raised_after_the_batches_before_it_are_written(repo_root, tiny_overrides, tmp_path):
    source = write_input(tmp_path / "input.jsonl", copies=1)
    with source.open("a", encoding="utf-8") as stream:
        stream.write("{not json\n")
    config = load_config(repo_root / "configs" / "tiny.yaml", ["batch_size=2", *tiny_overrides])
    # scan_input reads the whole input first and would refuse it; the engine's own reading is what is tested here.
    from pipeline.engines import ENGINES
    from pipeline.io.inputs import read_documents
    from pipeline.stages import StagePlan

    engine = ENGINES.get("local")(StagePlan.of(config))
    engine.start()
    outcomes = []
    with engine, pytest.raises(InputError, match=r"input.jsonl:7"):
        for outcome in engine.run(read_documents(source, config.input)):
            outcomes.append(outcome)
    assert sum(outcome.documents for outcome in outcomes) == len(HINDI)
