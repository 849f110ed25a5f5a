"""CUDA out of memory in the middle of a run: the batch is halved and run again, never failing its documents."""

import json

import pytest
import torch

from pipeline.batching import BatchTooLarge, run_batched
from pipeline.run_config import load_config
from pipeline.runner import run_pipeline

HINDI = [
    "नई दिल्ली में सोमवार सुबह तेज़ बारिश हुई। मौसम विभाग ने चेतावनी दी। स्कूल बंद रहे।",
    "सरकार ने योजना की घोषणा की। किसानों को लाभ मिलेगा।",
    "भारत ने मैच जीता। खिलाड़ियों का स्वागत हुआ। लोग सड़कों पर उतरे। जश्न मनाया गया।",
    "मेट्रो सेवा शनिवार से शुरू होगी।",
]


def test_a_batch_that_does_not_fit_is_halved_until_it_does_and_answers_in_input_order():
    splits = []

    def run_batch(batch):
        if len(batch) > 3:
            raise BatchTooLarge(f"{len(batch)} inputs")
        return [item * 10 for item in batch]

    items = list(range(10))
    results = run_batched(items, [5] * 10, run_batch, max_tokens=1000, max_size=10, on_split=splits.append)
    assert results == [item * 10 for item in items]
    assert splits == [10, 5, 5]  # 10 -> 5 + 5 -> (2 + 3) + (2 + 3)


def test_a_single_input_that_does_not_fit_still_fails():
    def run_batch(batch):
        raise BatchTooLarge("1 input")

    with pytest.raises(BatchTooLarge):
        run_batched(["only"], [5], run_batch, max_tokens=1000, max_size=10)


def records(folder, name="results.jsonl"):
    rows = [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines()]
    for row in rows:
        for stage in row["stages"].values():
            stage.pop("seconds", None)
    return rows


def test_out_of_memory_in_generate_halves_the_batch_and_is_counted_in_the_manifest(
    repo_root, tiny_overrides, tmp_path, monkeypatch
):
    source = tmp_path / "input.jsonl"
    source.write_text("".join(json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) + "\n"
                              for i, text in enumerate(HINDI)), encoding="utf-8")
    config = load_config(repo_root / "configs" / "tiny.yaml", [*tiny_overrides, "batch_size=4"])
    run_pipeline(config, source, tmp_path / "fits", progress=False)

    from pipeline.models import loading

    real_generate = loading.generate_batch

    def generate_within_two_rows(loaded, input_ids, **kwargs):
        if len(input_ids) > 2:  # what a GPU with little free memory does to a large batch
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return real_generate(loaded, input_ids, **kwargs)

    monkeypatch.setattr(loading, "generate_batch", generate_within_two_rows)
    summary = run_pipeline(config, source, tmp_path / "halved", progress=False)

    assert (summary.results, summary.errors) == (len(HINDI), 0)
    halved, fits = records(tmp_path / "halved"), records(tmp_path / "fits")
    assert all(row["stages"]["translate"]["oom_splits"] > 0 for row in halved)
    for row in halved:
        for stage in row["stages"].values():
            stage.pop("oom_splits", None)
    assert halved == fits  # the same translations and summaries, from smaller batches
    manifest = json.loads((tmp_path / "halved" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sessions"][-1]["oom_retried"] == len(HINDI)
