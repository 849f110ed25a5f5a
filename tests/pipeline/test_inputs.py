import json

import pytest

from pipeline.config import InputConfig
from pipeline.io.inputs import InputError, read_documents

DEFAULTS = InputConfig()


def read_all(path, config):
    """Every document of an input: `read_documents` streams them, and raises when the stream reaches a bad row."""
    return list(read_documents(path, config))


HINDI = ["पहला दस्तावेज़।", "दूसरा दस्तावेज़।\nदूसरी पंक्ति।"]


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_jsonl_with_ids_and_references(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "text": HINDI[0], "reference_summary": "First.", "reference_translation": "First document."},
        {"id": 7, "text": HINDI[1]},
    ])
    documents = read_all(path, DEFAULTS)
    assert [(d.id, d.source) for d in documents] == [("a", HINDI[0]), ("7", HINDI[1])]
    assert documents[0].references == {"reference_summary": "First.", "reference_translation": "First document."}
    assert documents[1].references == {}


def test_configured_field_names_are_used(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"doc": "x", "body": HINDI[0], "gold": "Sum."}])
    config = InputConfig(id_field="doc", text_field="body", reference_summary_field="gold")
    (document,) = read_all(path, config)
    assert (document.id, document.source, document.references) == ("x", HINDI[0], {"reference_summary": "Sum."})


def test_missing_ids_are_derived_from_the_text_deterministically(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": HINDI[0]}, {"text": HINDI[1]}, {"text": HINDI[0]}])
    first = [d.id for d in read_all(path, DEFAULTS)]
    second = [d.id for d in read_all(path, DEFAULTS)]
    assert first == second
    assert len(set(first)) == 3 and first[2] == first[0] + "-2"


def test_csv_and_tsv(tmp_path):
    (tmp_path / "in.csv").write_text('id,text\na,"पहला, दस्तावेज़"\nb,"कई\nपंक्तियाँ"\n', encoding="utf-8")
    (tmp_path / "in.tsv").write_text("id\ttext\na\tपहला\n", encoding="utf-8")
    assert [d.source for d in read_all(tmp_path / "in.csv", DEFAULTS)] == ["पहला, दस्तावेज़", "कई\nपंक्तियाँ"]
    assert [d.source for d in read_all(tmp_path / "in.tsv", DEFAULTS)] == ["पहला"]


def test_parquet(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["a", "b"], "text": HINDI}), tmp_path / "in.parquet")
    assert [d.source for d in read_all(tmp_path / "in.parquet", DEFAULTS)] == HINDI


def test_text_file_holds_one_document_per_blank_line_separated_block(tmp_path):
    (tmp_path / "in.txt").write_text(f"\n{HINDI[0]}\n\n\n{HINDI[1]}\n", encoding="utf-8")
    assert [d.source for d in read_all(tmp_path / "in.txt", DEFAULTS)] == HINDI


def test_folder_of_text_files_is_one_document_per_file_named_by_path(tmp_path):
    (tmp_path / "news" / "sport").mkdir(parents=True)
    (tmp_path / "news" / "a.txt").write_text(HINDI[0], encoding="utf-8")
    (tmp_path / "news" / "sport" / "b.txt").write_text(HINDI[1], encoding="utf-8")
    documents = read_all(tmp_path / "news", DEFAULTS)
    assert [(d.id, d.source) for d in documents] == [("a", HINDI[0]), ("sport/b", HINDI[1])]


def test_saved_dataset_folder(tmp_path):
    import datasets

    datasets.Dataset.from_dict({"id": ["a", "b"], "text": HINDI}).save_to_disk(str(tmp_path / "ds"))
    assert [d.source for d in read_all(tmp_path / "ds", DEFAULTS)] == HINDI


def test_dataset_dict_with_several_splits_needs_a_split(tmp_path):
    import datasets

    split = datasets.Dataset.from_dict({"text": HINDI})
    datasets.DatasetDict({"train": split, "test": split}).save_to_disk(str(tmp_path / "ds"))
    with pytest.raises(InputError, match="input.split"):
        read_all(tmp_path / "ds", DEFAULTS)
    assert len(read_all(tmp_path / "ds", InputConfig(split="test"))) == 2


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file"):
        read_all(tmp_path / "nope.jsonl", DEFAULTS)


def test_undecodable_bytes_give_line_and_byte_offset(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "\xff\xfe"}\n')
    with pytest.raises(InputError, match=r"in\.jsonl:2: not valid UTF-8 \(byte offset 25"):
        read_all(path, DEFAULTS)


def test_malformed_json_gives_the_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "ok"}\n\n{"text": "broken"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"in\.jsonl:3: malformed JSON"):
        read_all(path, DEFAULTS)


def test_missing_text_field_names_the_field_and_line(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": "ok"}, {"body": "x"}])
    with pytest.raises(InputError, match=r"in\.jsonl:2: no 'text' field .*input\.text_field"):
        read_all(path, DEFAULTS)


def test_unknown_format_lists_the_known_ones(tmp_path):
    (tmp_path / "in.xml").write_text("<doc/>", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown input format '\.xml'; use one of .*\.jsonl"):
        read_all(tmp_path / "in.xml", DEFAULTS)


def test_duplicate_ids_name_both_places(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}])
    with pytest.raises(InputError, match=r"in\.jsonl:2: id 'a' was already used at .*in\.jsonl:1"):
        read_all(path, DEFAULTS)


def test_json_strings_may_hold_unicode_line_separators(tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "एक\u2028दो"}])
    assert read_all(path, DEFAULTS)[0].source == "एक\u2028दो"


def test_documents_stream_before_the_rest_of_the_input_is_read(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "x"}\n{"id": "b", "text": "y"}\n{"id": "c", "text": \n', encoding="utf-8")
    stream = read_documents(path, DEFAULTS)
    assert [next(stream).id, next(stream).id] == ["a", "b"]
    with pytest.raises(InputError, match=r"in\.jsonl:3: malformed JSON"):
        next(stream)


def test_a_duplicate_id_far_from_its_first_use_names_both_places(tmp_path):
    records = [{"id": f"n{i}", "text": f"text {i}"} for i in range(6000)] + [{"id": "n10", "text": "again"}]
    path = write_jsonl(tmp_path / "in.jsonl", records)
    with pytest.raises(InputError, match=r"in\.jsonl:6001: id 'n10' was already used at .*in\.jsonl:11$"):
        read_all(path, DEFAULTS)


def test_folder_documents_come_in_sorted_path_order(tmp_path):
    for name in ("b.txt", "a.txt", "a/z.txt", "a/b/c.txt", "a-b.txt"):
        (tmp_path / "news" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "news" / name).write_text(name, encoding="utf-8")
    expected = [p.relative_to(tmp_path / "news").with_suffix("").as_posix() for p in sorted((tmp_path / "news").rglob("*.txt"))]
    assert [d.id for d in read_all(tmp_path / "news", DEFAULTS)] == expected == ["a/b/c", "a/z", "a-b", "a", "b"]


# Malformed CSV (a quote never closed, ragged rows, a column named twice): tests/pipeline/test_hostile_inputs.py.
def write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_row_may_leave_out_trailing_optional_cells(tmp_path):
    path = write_csv(tmp_path / "in.csv", "id,text,reference_summary\na,पहला\nb,दूसरा,Second.\n")
    documents = read_all(path, DEFAULTS)
    assert [(d.id, d.source, d.references) for d in documents] == [
        ("a", "पहला", {}), ("b", "दूसरा", {"reference_summary": "Second."})
    ]


def test_csv_record_is_named_by_its_first_line(tmp_path):
    path = write_csv(tmp_path / "in.csv", 'id,text\na,"two\nlines"\na,again\n')
    with pytest.raises(InputError, match=r"in\.csv:4: id 'a' was already used at .*in\.csv:2$"):
        read_all(path, DEFAULTS)


def test_csv_blank_lines_are_skipped(tmp_path):
    path = write_csv(tmp_path / "in.csv", "\nid,text\n\na,x\n\n")
    assert [(d.id, d.source) for d in read_all(path, DEFAULTS)] == [("a", "x")]
