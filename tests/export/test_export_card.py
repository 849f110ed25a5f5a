"""Dataset card pieces: size buckets, the metric summary (report.json has no fixed shape), failure reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.export.card import build_card, failure_reasons, metric_summary, report_metrics, size_category
from pipeline.export.features import plan_columns
from pipeline.export.records import build_dataset
from pipeline.export.runs import Failure, Run

RESULT = {
    "id": "doc-1",
    "source": "गाँव में नई सड़क बनी।",
    "translation": "A new road was built in the village.",
    "summary": "New road in the village.",
    "stages": {"translate": {"model": "ai4bharat/indictrans2-indic-en-dist-200M", "revision": None}},
}


def make_run(**fields) -> Run:
    defaults = dict(
        path=Path("runs/village"),
        results=(RESULT,),
        failures={},
        scores={},
        metric_names=(),
        manifest=None,
        report=None,
    )
    return Run(**{**defaults, **fields})


@pytest.mark.parametrize(
    "examples, category",
    [
        (0, "n<1K"),
        (999, "n<1K"),
        (1_000, "1K<n<10K"),
        (9_999, "1K<n<10K"),
        (10_000, "10K<n<100K"),
        (2_500_000, "1M<n<10M"),
        (10**12, "n>1T"),
    ],
)
def test_size_category_is_the_hub_bucket_for_the_example_count(examples, category):
    assert size_category(examples) == category


@pytest.mark.parametrize(
    "report",
    [
        {"bleu": 21.5, "chrf++": 48.0, "model": "x"},
        {"metrics": {"bleu": 21.5, "chrf++": 48.0}, "run": "village"},
        {"bleu": {"score": 21.5, "ci": [20.0, 23.0]}, "chrf++": {"mean": 48.0}},
        [{"metric": "bleu", "score": 21.5}, {"name": "chrf++", "value": 48.0}, {"note": "no metric"}],
    ],
    ids=["mapping", "nested-metrics", "score-objects", "rows"],
)
def test_report_metrics_reads_the_known_report_shapes(report):
    assert report_metrics(report) == {"bleu": 21.5, "chrf++": 48.0}


def test_metric_summary_prefers_the_evaluators_report():
    run = make_run(report={"bleu": 30.0})
    assert metric_summary(run, {"bleu": [10.0, 20.0]}) == [("bleu", 30.0, "report.json")]


def test_metric_summary_averages_scored_documents_when_the_report_is_unreadable():
    run = make_run(report="corpus bleu 30")
    assert metric_summary(run, {"bleu": [10.0, None, 20.0], "rouge1": [None]}) == [
        ("bleu", 15.0, "mean over 2 scored documents")
    ]


def test_failure_reasons_group_by_stage_and_first_line_of_the_error():
    oom = "RuntimeError: CUDA out of memory.\nTraceback (most recent call last):"
    failures = {
        "a": Failure("a", "translate", oom),
        "b": Failure("b", "translate", oom.replace("Traceback", "Other trace")),
        "c": Failure("c", "summarize", oom),
    }
    assert failure_reasons(make_run(failures=failures)) == [
        ("translate", "RuntimeError: CUDA out of memory.", 2),
        ("summarize", "RuntimeError: CUDA out of memory.", 1),
    ]


def test_card_of_a_run_without_manifest_says_its_configuration_is_unknown():
    run = make_run()
    plan = plan_columns([run])
    card = build_card(build_dataset({"train": run}, plan), {"train": run}, plan, "mit")
    assert "no manifest.json: run configuration unknown" in card.text
    assert yaml.safe_load(card.data.to_yaml())["pretty_name"].endswith(run.path.name)
