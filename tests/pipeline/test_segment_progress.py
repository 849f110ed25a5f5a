"""Progress inside a batch: the translator reports segments done after each of its batches, and the run's bar shows
them, so a batch of long documents does not sit still for minutes."""

import json

from pipeline.records import Document
from pipeline.run_config import load_config
from pipeline.runner import run_pipeline
from pipeline.stages import StagePlan

LONG = " ".join(f"वाक्य संख्या {n} यहाँ लिखा गया है।" for n in range(1, 10))


def test_the_translate_stage_reports_segments_done_after_each_of_its_batches(repo_root, tiny_overrides):
    config = load_config(repo_root / "configs" / "tiny.yaml",
                         [*tiny_overrides, "stages=[prepare,translate]", "translate.max_batch_size=2"])
    heard = []
    prepare, translate = StagePlan.of(config).build(progress=lambda *event: heard.append(event))
    documents = [Document("long", LONG, {})]
    prepare.process(documents)
    translate.process(documents)
    segments = len(documents[0].segments)
    assert segments == 9
    assert heard == [("translate", done, segments) for done in (2, 4, 6, 8, 9)]


def test_the_runs_progress_bar_shows_the_segments_of_the_batch_in_flight(repo_root, tiny_overrides, tmp_path, capsys):
    source = tmp_path / "input.jsonl"
    source.write_text(json.dumps({"id": "long", "text": LONG}, ensure_ascii=False) + "\n", encoding="utf-8")
    config = load_config(repo_root / "configs" / "tiny.yaml", [*tiny_overrides, "stages=[prepare,translate]"])
    run_pipeline(config, source, tmp_path / "run", progress=True)
    assert "translate: 9/9 segments" in capsys.readouterr().err
