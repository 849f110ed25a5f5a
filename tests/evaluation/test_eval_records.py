"""Readers: every input form gives the same records, and bad input names the file and line to fix."""

import json

import pyarrow
import pyarrow.parquet
import pytest

from pipeline.errors import InputError
from pipeline.evaluation.records import index_by_id, join_references, read_records, read_run

RECORDS = [
    {"id": "a", "summary": "Rain fell.", "systems": {"bart": "Rain fell in Delhi."}},
    {"id": "b", "summary": "Prices rose.", "systems": {"bart": "Prices rose again."}},
]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def test_dotted_field_path_reads_a_nested_value(tmp_path):
    record = read_records(write_jsonl(tmp_path / "out.jsonl", RECORDS))[0]
    assert record.text("systems.bart") == "Rain fell in Delhi."


def test_absent_field_reads_as_none(tmp_path):
    record = read_records(write_jsonl(tmp_path / "out.jsonl", RECORDS))[0]
    assert record.text("systems.pegasus") is None


def test_invalid_json_names_file_and_line(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b",\n', encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{path}:3: malformed JSON"):
        read_records(path)


def test_field_of_the_wrong_type_names_its_record(tmp_path):
    record = read_records(write_jsonl(tmp_path / "out.jsonl", [{"id": "a", "summary": 3}]))[0]
    with pytest.raises(InputError, match=r"out\.jsonl:1: field 'summary' must be text, not int"):
        record.text("summary")


def test_duplicate_ids_name_both_lines(tmp_path):
    records = read_records(write_jsonl(tmp_path / "out.jsonl", [RECORDS[0], RECORDS[1], RECORDS[0]]))
    with pytest.raises(InputError, match=r"out\.jsonl:3: duplicate id 'a' \(first at .*out\.jsonl:1\)"):
        index_by_id(records, "id")


def test_parquet_gives_the_same_records_as_jsonl(tmp_path):
    path = tmp_path / "out.parquet"
    pyarrow.parquet.write_table(pyarrow.Table.from_pylist(RECORDS), path)
    assert [record.data for record in read_records(path)] == RECORDS


def test_datasets_folder_gives_the_same_records_as_jsonl(tmp_path):
    import datasets
    datasets.Dataset.from_list(RECORDS).save_to_disk(str(tmp_path / "saved"))
    assert [record.data for record in read_records(tmp_path / "saved")] == RECORDS


def test_run_folder_brings_its_manifest_and_failures(tmp_path):
    results = [{"id": record["id"], "source": "...", "summary": record["summary"]} for record in RECORDS]
    write_jsonl(tmp_path / "results.jsonl", results)
    write_jsonl(tmp_path / "errors.jsonl", [{"id": "c", "stage": "translate", "error": "OOM", "source": "..."}])
    (tmp_path / "manifest.json").write_text(json.dumps({"run_name": "nightly"}), encoding="utf-8")
    run = read_run(tmp_path)
    assert (run.label, len(run.records), run.failures[0].id) == ("nightly", 2, "c")


def test_references_join_on_id_and_unmatched_ones_are_listed(tmp_path):
    run = read_run(write_jsonl(tmp_path / "out.jsonl", RECORDS))
    references = [{"id": "b", "reference_summary": "Prices went up."}, {"id": "z"}]
    references = write_jsonl(tmp_path / "refs.jsonl", references)
    joined = join_references(run, references, ["reference_summary"], "id")
    assert [record.text("reference_summary") for record in joined.records] == [None, "Prices went up."]
    assert joined.references_without_record == ["z"]


def test_missing_input_is_named(tmp_path):
    with pytest.raises(InputError, match=r"absent\.jsonl: no such file or directory"):
        read_run(tmp_path / "absent.jsonl")


def test_empty_and_whitespace_cells_of_a_csv_are_missing_texts(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("id,summary,reference_summary\na,Rain fell.,\nb,   ,\t \n", encoding="utf-8")
    records = read_records(path)
    assert [(record.text("summary"), record.text("reference_summary")) for record in records] == [
        ("Rain fell.", None),
        (None, None),
    ]


def test_an_empty_reference_in_the_references_file_does_not_replace_a_records_own(tmp_path):
    run = read_run(write_jsonl(tmp_path / "out.jsonl", [{**RECORDS[0], "reference_summary": "Rain."}, RECORDS[1]]))
    references = tmp_path / "refs.csv"
    references.write_text("id,reference_summary\na,\nb, \n", encoding="utf-8")
    joined = join_references(run, references, ["reference_summary"], "id")
    assert [record.text("reference_summary") for record in joined.records] == ["Rain.", None]


def test_records_without_a_references_record_are_listed(tmp_path):
    run = read_run(write_jsonl(tmp_path / "out.jsonl", RECORDS))
    references = write_jsonl(tmp_path / "refs.jsonl", [{"id": "b", "reference_summary": "Prices went up."}])
    assert join_references(run, references, ["reference_summary"], "id").records_without_references == ["a"]


def test_references_that_match_no_record_are_refused(tmp_path):
    run = read_run(write_jsonl(tmp_path / "out.jsonl", RECORDS))
    references = write_jsonl(tmp_path / "refs.jsonl", [{"id": "x", "reference_summary": "Rain."}, {"id": "y"}])
    with pytest.raises(InputError, match=rf"^{references}: none of its 2 ids matches a record of .*out\.jsonl"):
        join_references(run, references, ["reference_summary"], "id")


def test_a_run_folder_without_results_is_refused(tmp_path):
    (tmp_path / "results.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{tmp_path}/results\.jsonl: no results: nothing to evaluate$"):
        read_run(tmp_path)


def test_a_run_folder_whose_every_document_failed_is_refused(tmp_path):
    write_jsonl(tmp_path / "results.jsonl", [{"id": "a", "source": "...", "translation": "Rain fell."}])
    write_jsonl(tmp_path / "errors.jsonl", [{"id": key, "stage": "summarize", "error": "OOM"} for key in "ab"])
    with pytest.raises(InputError, match=rf"^{tmp_path}: every document failed \(2 in errors\.jsonl\): nothing"):
        read_run(tmp_path)


def test_ids_are_read_by_the_pipelines_rule_so_references_join_their_run(tmp_path):
    from pipeline.evaluation.records import Record

    assert Record({"id": " a "}, "refs.jsonl:1").identifier("id") == "a"  # as run.py strips the ids it reads
    assert Record({"id": 7}, "refs.jsonl:2").identifier("id") == "7"
    with pytest.raises(InputError, match=r"refs\.jsonl:3: id 'a\\nb' holds a control character"):
        Record({"id": "a\nb"}, "refs.jsonl:3").identifier("id")
    with pytest.raises(InputError, match=r"refs\.jsonl:4: record has no usable 'id'"):
        Record({"id": "  "}, "refs.jsonl:4").identifier("id")
