"""Reading run folders: what counts as exported, which score fields are metrics, and error locations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from pipeline.export.runs import RunFormatError, read_run

RESULTS = [
    {"id": "doc-1", "source": "बाज़ार में आज तेज़ी रही।", "translation": "The market rose today.", "summary": None},
    {"id": "doc-2", "source": "बारिश से फ़सल को नुक़सान हुआ।", "translation": "Rain hurt the crop.", "summary": None},
]


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_bytes(b"".join(line.encode("utf-8") + b"\n" for line in lines))


def write_run(folder: Path, *, errors: Sequence[dict] = (), scores: Sequence[dict] = ()) -> Path:
    folder.mkdir()
    write_lines(folder / "results.jsonl", [json.dumps(record, ensure_ascii=False) for record in RESULTS])
    write_lines(folder / "errors.jsonl", [json.dumps(record) for record in errors])
    write_lines(folder / "scores.jsonl", [json.dumps(record) for record in scores])
    return folder


def test_documents_in_errors_jsonl_are_not_exported_even_with_a_result(tmp_path):
    run = read_run(write_run(tmp_path / "run", errors=[{"id": "doc-2", "stage": "summarize", "error": "boom"}]))
    assert [result["id"] for result in run.exported] == ["doc-1"]


def test_the_latest_error_of_a_document_is_its_reason(tmp_path):
    errors = [
        {"id": "doc-2", "stage": "translate", "error": "RuntimeError: CUDA out of memory"},
        {"id": "doc-2", "stage": "summarize", "error": "ValueError: empty summary"},
    ]
    run = read_run(write_run(tmp_path / "run", errors=errors))
    assert (run.failures["doc-2"].stage, run.failures["doc-2"].error) == ("summarize", "ValueError: empty summary")


def test_only_numeric_score_fields_are_metrics(tmp_path):
    scores = [
        {"id": "doc-1", "bleu": 12.5, "chrf++": 40, "system": "indictrans2", "final": True},
        {"id": "doc-2", "bleu": None, "rougeL": 0.4},
    ]
    run = read_run(write_run(tmp_path / "run", scores=scores))
    assert run.metric_names == ("bleu", "chrf++", "rougeL")
    assert run.scores == {"doc-1": {"bleu": 12.5, "chrf++": 40.0}, "doc-2": {"rougeL": 0.4}}


def test_blank_lines_are_skipped(tmp_path):
    folder = write_run(tmp_path / "run")
    write_lines(folder / "results.jsonl", ["", json.dumps(RESULTS[0]), "   "])
    assert [result["id"] for result in read_run(folder).results] == ["doc-1"]


def test_a_line_that_is_not_utf8_is_reported_with_its_number(tmp_path):
    folder = write_run(tmp_path / "run")
    (folder / "results.jsonl").write_bytes(json.dumps(RESULTS[0]).encode() + b"\n" + "बाज़ार".encode("utf-16") + b"\n")
    with pytest.raises(RunFormatError, match=r"results\.jsonl:2: not UTF-8"):
        read_run(folder)


def test_a_record_that_is_not_an_object_is_reported_with_its_line(tmp_path):
    folder = write_run(tmp_path / "run")
    write_lines(folder / "scores.jsonl", ['["doc-1", 0.5]'])
    with pytest.raises(RunFormatError, match=r"scores\.jsonl:1: expected a JSON object"):
        read_run(folder)


def test_a_malformed_manifest_names_the_file(tmp_path):
    folder = write_run(tmp_path / "run")
    (folder / "manifest.json").write_text('{"run_name": "x",\n', encoding="utf-8")
    with pytest.raises(RunFormatError, match=r"manifest\.json:2: not valid JSON"):
        read_run(folder)


def test_the_run_is_named_after_its_folder_without_a_manifest(tmp_path):
    assert read_run(write_run(tmp_path / "hindi-news-v1")).name == "hindi-news-v1"
