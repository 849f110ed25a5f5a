"""Reading run folders: what counts as exported, which of the evaluator's scores are the run's, error locations."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.evaluation.bootstrap import MIN_DOCUMENTS
from pipeline.export.evaluation import score_column
from pipeline.export.runs import read_run

RESULTS = [
    {"id": "doc-1", "source": "बाज़ार में आज तेज़ी रही।", "translation": "The market rose today.", "summary": None},
    {"id": "doc-2", "source": "बारिश से फ़सल को नुक़सान हुआ।", "translation": "Rain hurt the crop.", "summary": None},
]


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_bytes(b"".join(line.encode("utf-8") + b"\n" for line in lines))


MARKET, CROP = "The market went up today.", "The crop was damaged by rain."
SCORED = [  # with outputs and references for the evaluator's summary and translation tracks
    {**RESULTS[0], "summary": "Markets rose.", "reference_summary": MARKET, "reference_translation": MARKET},
    {**RESULTS[1], "summary": "Rain damaged crops.", "reference_summary": CROP, "reference_translation": CROP},
]
SCORED_RESULTS = [{**SCORED[n % 2], "id": f"doc-{n + 1}"} for n in range(MIN_DOCUMENTS)]  # enough for intervals
OWN_COLUMNS = (
    "summary_rouge1",
    "summary_rouge2",
    "summary_rougeL",
    "summary_rougeLsum",
    "translation_bleu",
    "translation_chrfpp",
)


def write_run(
    folder: Path, results: Sequence[dict] = RESULTS, *, errors: Sequence[dict] = (), name: str | None = None
) -> Path:
    folder.mkdir()
    write_lines(folder / "results.jsonl", [json.dumps(record, ensure_ascii=False) for record in results])
    write_lines(folder / "errors.jsonl", [json.dumps(record) for record in errors])
    if name is not None:
        (folder / "manifest.json").write_text(json.dumps({"run_name": name}), encoding="utf-8")
    return folder


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory, evaluate_run) -> Path:
    """A run scored by the evaluator with its lead-3 baseline, then compared with a second run (in a folder of
    its own, compare-ours-vs-other, beside them)."""
    root = tmp_path_factory.mktemp("evaluated")
    theirs = [{**result, "summary": "Officials spoke."} for result in SCORED_RESULTS]
    other = write_run(root / "other", theirs, name="other-run")
    ours = evaluate_run(write_run(root / "ours", SCORED_RESULTS, name="our-run"))
    return evaluate_run(ours, "--compare", str(other))


def test_documents_in_errors_jsonl_are_not_exported_even_with_a_result(tmp_path):
    run = read_run(write_run(tmp_path / "run", errors=[{"id": "doc-2", "stage": "summarize", "error": "boom"}]))
    assert [result.id for result in run.stored.exported] == ["doc-1"]


def test_the_latest_error_of_a_document_is_its_reason(tmp_path):
    errors = [
        {"id": "doc-2", "stage": "translate", "error": "RuntimeError: CUDA out of memory"},
        {"id": "doc-2", "stage": "summarize", "error": "ValueError: empty summary"},
    ]
    run = read_run(write_run(tmp_path / "run", errors=errors))
    failure = run.stored.failures["doc-2"]
    assert (failure.stage, failure.error) == ("summarize", "ValueError: empty summary")


def test_score_columns_are_the_runs_own_outputs_by_metric(evaluated):
    assert read_run(evaluated).score_columns == OWN_COLUMNS


def test_score_columns_hold_the_runs_own_per_document_scores(evaluated):
    rows = read_jsonl(evaluated / "scores.jsonl")
    own = {(row["id"], row["output"]): row["scores"] for row in rows if row["run"] == "our-run" and not row["baseline"]}
    scores = read_run(evaluated).scores
    assert scores["doc-2"]["summary_rouge1"] == own["doc-2", "summary"]["rouge1"]
    assert scores["doc-1"]["translation_chrfpp"] == own["doc-1", "translation"]["chrf++"]


@pytest.mark.parametrize(
    "output, metric, column",
    [
        ("summary", "rouge1", "summary_rouge1"),
        ("summary_hi", "rougeLsum", "summary_hi_rougeLsum"),
        ("translation", "chrf++", "translation_chrfpp"),
        ("systems.bart", "rouge2", "systems_bart_rouge2"),
    ],
)
def test_score_columns_are_named_output_underscore_metric_in_plain_identifiers(output, metric, column):
    assert score_column(output, metric) == column


def test_report_gives_the_corpus_score_interval_and_signature_of_each_own_column(evaluated):
    report = json.loads((evaluated / "report.json").read_text(encoding="utf-8"))
    translation = next(track for track in report["tracks"] if track["name"] == "translation")
    ours = next(system for system in translation["systems"] if system["run"] == "our-run")
    corpus = {score.column: score for score in read_run(evaluated).report.scores}
    assert tuple(corpus) == OWN_COLUMNS
    chrf, read = ours["scores"]["chrf++"], corpus["translation_chrfpp"]
    assert (read.score, list(read.interval), read.signature) == (chrf["score"], chrf["ci"], chrf["signature"])


def test_a_run_folder_holding_a_comparison_of_an_older_version_exports_only_its_own_scores(evaluated, tmp_path):
    """Before comparisons had a folder of their own, --compare wrote its report, other run's rows included, into
    the first run's folder."""
    older = shutil.copytree(evaluated, tmp_path / "ours")
    for name in ("report.json", "scores.jsonl"):
        shutil.copyfile(evaluated.parent / "compare-ours-vs-other" / name, older / name)
    assert "other-run" in (older / "scores.jsonl").read_text(encoding="utf-8")
    run = read_run(older)
    assert run.score_columns == OWN_COLUMNS
    assert tuple(score.column for score in run.report.scores) == OWN_COLUMNS


def test_run_without_report_has_no_corpus_scores(tmp_path):
    assert read_run(write_run(tmp_path / "run")).report is None


def test_scores_of_a_run_evaluated_under_another_name_are_refused(tmp_path, evaluate_run):
    folder = evaluate_run(write_run(tmp_path / "run", SCORED_RESULTS, name="before"))
    (folder / "manifest.json").write_text(json.dumps({"run_name": "after"}), encoding="utf-8")
    with pytest.raises(InputError, match=r"scores\.jsonl: no rows of run 'after' \(only of 'before'\)"):
        read_run(folder)


def test_a_score_row_without_a_scores_object_is_reported_with_its_line(tmp_path):
    folder = write_run(tmp_path / "run")
    flat = {"id": "doc-1", "track": "summary", "run": "run", "output": "summary", "baseline": False, "rouge1": 40.0}
    write_lines(folder / "scores.jsonl", [json.dumps(flat)])
    with pytest.raises(InputError, match=r"scores\.jsonl:1: 'scores' must map metric names to numbers"):
        read_run(folder)


def test_a_report_json_not_written_by_the_evaluator_is_refused(tmp_path):
    folder = write_run(tmp_path / "run")
    (folder / "report.json").write_text(json.dumps({"metrics": {"bleu": 21.5}}), encoding="utf-8")
    with pytest.raises(InputError, match=r"report\.json: not a report written by scripts/evaluate\.py"):
        read_run(folder)


def test_blank_lines_are_skipped(tmp_path):
    folder = write_run(tmp_path / "run")
    write_lines(folder / "results.jsonl", ["", json.dumps(RESULTS[0]), "   "])
    assert [result.id for result in read_run(folder).stored.results] == ["doc-1"]


def test_a_line_that_is_not_utf8_is_reported_with_its_number(tmp_path):
    folder = write_run(tmp_path / "run")
    (folder / "results.jsonl").write_bytes(json.dumps(RESULTS[0]).encode() + b"\n" + "बाज़ार".encode("utf-16") + b"\n")
    with pytest.raises(InputError, match=r"results\.jsonl:2: not valid UTF-8"):
        read_run(folder)


def test_a_record_that_is_not_an_object_is_reported_with_its_line(tmp_path):
    folder = write_run(tmp_path / "run")
    write_lines(folder / "scores.jsonl", ['["doc-1", 0.5]'])
    with pytest.raises(InputError, match=r"scores\.jsonl:1: expected a JSON object per line"):
        read_run(folder)


def test_a_malformed_manifest_names_the_file(tmp_path):
    folder = write_run(tmp_path / "run")
    (folder / "manifest.json").write_text('{"run_name": "x",\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest\.json:2: malformed JSON"):
        read_run(folder)


def test_the_run_is_named_after_its_folder_without_a_manifest(tmp_path):
    assert read_run(write_run(tmp_path / "hindi-news-v1")).stored.name == "hindi-news-v1"
