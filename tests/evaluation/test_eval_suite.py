"""Evaluation of runs: what is scored, what is listed as unscored, the lead baseline and the run comparison."""

from pathlib import Path

import pytest

from pipeline.evaluation.bootstrap import MIN_DOCUMENTS, BootstrapSettings
from pipeline.evaluation.records import Record, Run
from pipeline.evaluation.suite import EvaluationSettings, evaluate
from pipeline.evaluation.tracks import Track

SUMMARY = Track("summary", ("summary",), "reference_summary", "en", "rouge")
TRANSLATION = Track("translation", ("translation",), "reference_translation", "en", "translation")
SETTINGS = EvaluationSettings(tracks=(SUMMARY, TRANSLATION), bootstrap=BootstrapSettings(samples=200))

ARTICLE = (
    "Heavy rain flooded the old town on Monday. Rescue teams moved two hundred families to schools. "
    "The river is expected to fall by Thursday. Officials blamed blocked drains for the damage."
)


def make_run(label, summaries, references, translation=ARTICLE):
    """One record per document of the run; a summary or reference absent from the dicts is absent from it."""
    records = [
        Record(
            {
                "id": key,
                "source": "सोमवार को भारी बारिश हुई।",
                "translation": translation,
                **({"summary": summaries[key]} if key in summaries else {}),
                **({"reference_summary": references[key]} if key in references else {}),
            },
            f"{label}.jsonl:{line}",
        )
        for line, key in enumerate(dict.fromkeys([*summaries, *references]), start=1)
    ]
    return Run(label, Path(f"{label}.jsonl"), records)


SUMMARIES = {f"d{i}": f"Rain flooded the town and {i} families moved to schools." for i in range(12)}
REFERENCES = {f"d{i}": f"Floods hit the old town; {i} families were moved to schools." for i in range(10)}


def track(report, name):
    return next(t for t in report.tracks if t.name == name)


def system(track_report, output):
    return next(s for s in track_report.systems if s.output == output)


def test_records_without_reference_are_counted_and_listed_not_scored():
    summary = track(evaluate(make_run("run", SUMMARIES, REFERENCES), None, SETTINGS).report, "summary")
    assert summary.missing_reference == ["d10", "d11"]
    assert system(summary, "summary").documents == 10


def test_records_with_a_reference_but_no_output_are_listed_per_system():
    summaries = {key: text for key, text in SUMMARIES.items() if key != "d3"}
    summary = track(evaluate(make_run("run", summaries, REFERENCES), None, SETTINGS).report, "summary")
    assert system(summary, "summary").missing_hypothesis == ["d3"]


def test_lead_baseline_is_scored_from_the_english_translation():
    summary = track(evaluate(make_run("run", SUMMARIES, REFERENCES), None, SETTINGS).report, "summary")
    lead = system(summary, "lead-3")
    assert lead.baseline and lead.documents == 10
    assert [c.baseline.output for c in summary.comparisons] == ["lead-3"]


def test_no_lead_baseline_without_an_english_source():
    run = make_run("run", SUMMARIES, REFERENCES, translation=None)
    summary = track(evaluate(run, None, SETTINGS).report, "summary")
    assert [s.output for s in summary.systems] == ["summary"]


def test_track_without_outputs_is_skipped_with_a_notice():
    hindi = Track("summary_hi", ("summary_hi",), "reference_summary_hi", "hi", "rouge")
    settings = EvaluationSettings(tracks=(SUMMARY, hindi), bootstrap=BootstrapSettings(samples=200))
    report = evaluate(make_run("run", SUMMARIES, REFERENCES), None, settings).report
    assert [t.name for t in report.tracks] == ["summary"]
    assert "track 'summary_hi' skipped: no record has summary_hi" in report.notices


def test_track_with_outputs_but_no_references_has_no_scores():
    report = evaluate(make_run("run", SUMMARIES, REFERENCES), None, SETTINGS).report
    assert system(track(report, "translation"), "translation").scores == {}
    assert len(track(report, "translation").missing_reference) == 12


def test_every_corpus_score_has_an_interval_around_it_and_a_signature():
    summary = track(evaluate(make_run("run", SUMMARIES, REFERENCES), None, SETTINGS).report, "summary")
    for name, score in system(summary, "summary").scores.items():
        assert score.ci[0] <= score.score <= score.ci[1], name
        assert score.signature.startswith(name) and "|bs:200|rs:12345|" in score.signature


def test_comparison_pairs_the_same_output_of_two_runs_on_shared_ids():
    references = {key: f"Floods hit the old town; {key} families were moved to schools." for key in SUMMARIES}
    worse = {key: "Officials spoke." for key in list(SUMMARIES)[:MIN_DOCUMENTS]}
    evaluation = evaluate(make_run("ours", SUMMARIES, references), make_run("theirs", worse, {}), SETTINGS)
    comparison = track(evaluation.report, "summary").comparisons[-1]
    pair = (comparison.system.run, comparison.baseline.run, comparison.documents)
    assert pair == ("ours", "theirs", MIN_DOCUMENTS) and len(SUMMARIES) > MIN_DOCUMENTS
    assert comparison.metrics["rouge1"].difference > 0 and comparison.metrics["rouge1"].significant


def test_per_document_rows_average_to_the_corpus_rouge():
    evaluation = evaluate(make_run("run", SUMMARIES, REFERENCES), None, SETTINGS)
    rows = [r for r in evaluation.scores if r.track == "summary" and r.output == "summary"]
    corpus = system(track(evaluation.report, "summary"), "summary").scores["rouge2"].score
    assert sum(row.scores["rouge2"] for row in rows) / len(rows) == pytest.approx(corpus)


def test_per_document_rows_mark_the_lead_baseline():
    rows = evaluate(make_run("run", SUMMARIES, REFERENCES), None, SETTINGS).scores
    baseline_outputs = {row.output for row in rows if row.baseline}
    system_outputs = {row.output for row in rows if not row.baseline}
    assert (baseline_outputs, system_outputs) == ({"lead-3"}, {"summary"})


def test_bertscore_is_skipped_with_a_notice_without_a_model():
    report = evaluate(make_run("run", SUMMARIES, REFERENCES), None, SETTINGS).report
    assert "BERTScore skipped: no --bertscore-model folder given" in report.notices


def test_empty_or_whitespace_references_are_missing_references_counted_in_a_notice():
    references = {**REFERENCES, "d1": "", "d2": " \n\t"}
    report = evaluate(make_run("run", SUMMARIES, references), None, SETTINGS).report
    summary = track(report, "summary")
    assert summary.missing_reference == ["d1", "d2", "d10", "d11"]
    assert system(summary, "summary").documents == 8
    assert "track 'summary': 2 empty or whitespace-only references (reference_summary) not scored" in report.notices


def test_empty_or_whitespace_outputs_are_missing_outputs_counted_in_a_notice():
    summaries = {**SUMMARIES, "d3": "   "}
    report = evaluate(make_run("run", summaries, REFERENCES), None, SETTINGS).report
    assert system(track(report, "summary"), "summary").missing_hypothesis == ["d3"]
    assert "track 'summary': 1 empty or whitespace-only output (run · summary) not scored" in report.notices


def test_too_few_documents_give_scores_without_intervals_and_untested_comparisons():
    one = {"d0": SUMMARIES["d0"]}
    evaluation = evaluate(
        make_run("ours", one, {"d0": REFERENCES["d0"]}), make_run("theirs", {"d0": "Officials spoke."}, {}), SETTINGS
    )
    summary = track(evaluation.report, "summary")
    assert all(score.ci is None for score in system(summary, "summary").scores.values())
    comparison = summary.comparisons[-1]
    assert (comparison.baseline.run, comparison.documents) == ("theirs", 1)
    assert comparison.note == f"not tested: 1 shared document, fewer than {MIN_DOCUMENTS}"
    results = comparison.metrics.values()
    assert all(not result.significant and result.p_value is None and result.ci is None for result in results)
    assert any(f"at least {MIN_DOCUMENTS} documents" in notice for notice in evaluation.report.notices)
