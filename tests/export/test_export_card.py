"""Dataset card pieces: size buckets, the metric summary (report.json, else per-document means), failure reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from huggingface_hub import DatasetCard

from pipeline.export.card import build_card, failure_reasons, size_category
from pipeline.export.evaluation import CorpusReport, CorpusScore
from pipeline.export.features import plan_columns
from pipeline.export.records import build_dataset
from pipeline.export.runs import Run
from pipeline.io.run_folder import Counts, Manifest, StoredRun
from pipeline.records import Failure, Result


def result(identifier: str) -> Result:
    return Result(
        id=identifier,
        source="गाँव में नई सड़क बनी।",
        outputs={"translation": "A new road was built in the village.", "summary": "New road in the village."},
        references={},
        stages={"translate": {"model": "ai4bharat/indictrans2-indic-en-dist-200M", "revision": None}},
    )


RESULT = result("doc-1")


def make_run(results=(RESULT,), failures=None, scores=None, score_columns=(), report=None, manifest=None) -> Run:
    """A run folder (without manifest.json unless given), as read back, with what the evaluator scored of it."""
    stored = StoredRun(Path("runs/village"), manifest, list(results), failures or {}, {})
    return Run(stored, scores or {}, score_columns, report)


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


def card_of(run: Run) -> DatasetCard:
    plan = plan_columns([run])
    return build_card(build_dataset({"train": run}, plan), {"train": run}, plan, "mit")


SECOND = result("doc-2")
BLEU_SIGNATURE = "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0|bs:50|rs:12345|ci:95|numpy:2.4.6"


def test_card_shows_the_reported_corpus_score_with_interval_documents_and_signature():
    corpus = CorpusScore("translation_bleu", 30.0, (27.5, 32.25), BLEU_SIGNATURE, 2)
    run = make_run(
        results=(RESULT, SECOND),
        scores={"doc-1": {"translation_bleu": 10.0}, "doc-2": {"translation_bleu": 20.0}},
        score_columns=("translation_bleu",),
        report=CorpusReport(0.95, (corpus,)),
    )
    text = card_of(run).text
    assert "| `train` | `translation_bleu` | 30.00 | 95% [27.50, 32.25] | 2 |" in text
    assert "15.00" not in text  # the mean of the per-document scores
    assert f"- `train` `translation_bleu`: `{BLEU_SIGNATURE}`" in text


def test_card_averages_the_exported_scores_of_a_run_without_report():
    run = make_run(
        results=(RESULT, SECOND, result("doc-3")),
        scores={"doc-1": {"translation_bleu": 10.0}, "doc-3": {"translation_bleu": 15.0}},
        score_columns=("translation_bleu",),
    )
    assert "| `train` | `translation_bleu` | 12.50 | – | 2 |" in card_of(run).text


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
    assert "no manifest.json: run configuration unknown" in card_of(make_run()).text


def test_card_title_names_the_runs():
    run = make_run()
    assert yaml.safe_load(card_of(run).data.to_yaml())["pretty_name"].endswith(run.stored.name)


NLLB = "facebook/nllb-200-distilled-600M"
BART = "facebook/bart-large-cnn"


def finished_manifest(**changes) -> Manifest:
    """A manifest of a run that finished: one document, its one result; the summarizer named only here."""
    finished = {
        "run_name": "village",
        "stages": ["translate", "summarize"],
        "models": {"translate": {"model": NLLB, "revision": None}, "summarize": {"model": BART, "revision": "r1"}},
        "started_at": "2025-01-01T10:00:00+00:00",
        "finished_at": "2025-01-01T10:05:00+00:00",
        "counts": Counts(documents=1, results=1, errors=0, resumed=0),
    }
    return Manifest(**{**finished, **changes})


def nllb_result() -> Result:
    return Result(
        "doc-1", RESULT.source, RESULT.outputs, {}, {"translate": {"model": NLLB, "revision": None}, "summarize": {}}
    )


def test_card_names_the_models_of_the_manifest_and_of_the_results_and_no_other():
    text = card_of(make_run(results=(nllb_result(),), manifest=finished_manifest())).text
    overview = text.split("## Columns")[0]
    assert NLLB in overview and BART in overview
    assert f"| `train` | `translate` | {NLLB} | (unpinned) | 1 |" in text
    assert f"| `train` | `summarize` | {BART} | r1 | – (manifest.json only) |" in text
    assert "indictrans" not in text.lower()


def test_card_of_a_finished_run_has_no_warning():
    text = card_of(make_run(results=(nllb_result(),), manifest=finished_manifest())).text
    assert "unfinished" not in text.lower() and "warning" not in text.lower()


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"finished_at": None}, "manifest.json has no finished_at"),
        ({"counts": None}, "manifest.json has no counts"),
        ({"counts": Counts(documents=3, results=3, errors=0, resumed=0)}, "counts 3 results, results.jsonl holds 1"),
    ],
)
def test_card_warns_about_an_unfinished_run(changes, reason):
    text = card_of(make_run(results=(nllb_result(),), manifest=finished_manifest(**changes))).text
    title, warning = text.strip().split("\n\n")[:2]  # the card's text: its prose, after the metadata
    assert title.startswith("# ")
    assert warning.startswith("> **Warning: unfinished run.** Split `train` (run `village`)") and reason in warning
    assert "to None" not in text and "counts None" not in text
