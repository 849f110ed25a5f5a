"""report.json and scores.jsonl read back as the typed records the evaluator wrote (pipeline.io.evaluation_files)."""

import json

import pytest

from pipeline.errors import InputError
from pipeline.evaluation.bootstrap import BootstrapSettings
from pipeline.evaluation.records import read_run
from pipeline.evaluation.reports import write_reports
from pipeline.evaluation.suite import EvaluationSettings, evaluate
from pipeline.evaluation.tracks import choose_tracks
from pipeline.io.evaluation_files import read_report, read_scores
from pipeline.io.run_folder import Manifest, RunFolder
from pipeline.records import Result

TRANSLATION = "Heavy rain fell in Delhi on Monday. Schools were closed. The river rose by a metre."


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    results = [
        Result(f"d{i}", "दिल्ली में बारिश हुई।", {"translation": TRANSLATION, "summary": f"Rain in Delhi, day {i}."},
               {"reference_summary": "Heavy rain in Delhi closed schools."}, {"summarize": {"truncated": False}})
        for i in range(4)
    ]
    with RunFolder(folder, resume=False) as run:
        run.begin(Manifest(run_name="rain", stages=["summarize"]))
        run.append(results, [])
    settings = EvaluationSettings(tracks=choose_tracks(None, {}), bootstrap=BootstrapSettings(samples=20))
    evaluation = evaluate(read_run(folder), None, settings)
    write_reports(evaluation, folder)
    return folder, evaluation


def test_the_report_reads_back_as_written(evaluated):
    folder, evaluation = evaluated
    assert read_report(folder) == evaluation.report


def test_the_manifest_in_the_report_has_the_keys_of_manifest_json_only(evaluated):
    folder, _evaluation = evaluated
    written = json.loads((folder / "report.json").read_text(encoding="utf-8"))["input"]["manifest"]
    assert written == json.loads((folder / "manifest.json").read_text(encoding="utf-8")) != {}


def test_compression_and_novelty_are_written_for_english_summaries_only(evaluated):
    folder, _evaluation = evaluated
    statistics = {
        track["name"]: track["statistics"]
        for track in json.loads((folder / "report.json").read_text(encoding="utf-8"))["tracks"]
    }
    assert all({"compression_ratio", "novel_ngrams_percent"} <= set(row) for row in statistics["summary"])
    assert not any({"compression_ratio", "novel_ngrams_percent"} & set(row) for row in statistics["translation"])


def test_score_rows_read_back_as_written_with_their_lines(evaluated):
    folder, evaluation = evaluated
    rows = list(read_scores(folder))
    assert [row for _where, row in rows] == evaluation.scores
    assert rows[1][0] == f"{folder / 'scores.jsonl'}:2"


def test_a_score_that_is_not_a_number_is_refused_with_its_line(tmp_path):
    row = {"id": "a", "track": "summary", "run": "r", "output": "summary", "baseline": False,
           "scores": {"rouge1": "41.2"}, "words": 3, "source_words": None}
    (tmp_path / "scores.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"scores\.jsonl:1: 'scores' must map metric names to numbers"):
        list(read_scores(tmp_path))


def test_a_folder_that_was_not_evaluated_has_no_report_and_no_scores(tmp_path):
    assert read_report(tmp_path) is None and list(read_scores(tmp_path)) == []
