"""Hostile inputs: each is processed, or refused before any model loads with one line naming the file and line.

| input | verdict |
|---|---|
| UTF-8 with a byte-order mark (any format) | processed, the mark dropped |
| UTF-16 (a byte-order mark) | refused: convert to UTF-8 |
| UTF-16 without a mark, a binary file: raw NUL bytes | refused, with the byte offset |
| Latin-1 (invalid UTF-8) | refused, with the byte offset |
| NUL written as a JSON escape (`\\u0000`) | processed: a character, kept |
| a lone surrogate escape (`"\\ud800"`) in any JSON string | refused: it cannot be written back as UTF-8 |
| ids: string or integer | processed (`7` is the id "7"); null or blank: derived from the text |
| ids: float, bool, object, list; control characters | refused |
| duplicate ids (`7` and `"7"` included) | refused, naming both lines |
| a 1 MB "word", a 50 MB line, 100k documents | read, streamed (a run fails a document over max_document_chars) |
| a line, or a document, longer than `MAX_RECORD` | refused |

The big sizes run only with PIPELINE_HOSTILE_SCALE=1 (a 50 MB line, 100k documents: about two minutes).
"""

import json
import os
import re
import time
import tracemalloc

import pytest

from pipeline.config import InputConfig
from pipeline.io import inputs
from pipeline.io.inputs import InputError, read_documents, read_rows

DEFAULTS = InputConfig()
SENTENCES = "पहला वाक्य। दूसरा वाक्य।"
GOOD = json.dumps({"id": "ok", "text": SENTENCES}, ensure_ascii=False) + "\n"
WORD = "क" * 333_334  # one 1 MB "word": no space to split it on

slow_hostile = pytest.mark.skipif(
    not os.environ.get("PIPELINE_HOSTILE_SCALE"), reason="big hostile inputs: set PIPELINE_HOSTILE_SCALE=1"
)

# Broken files: refused by every reader of the format, run inputs and evaluation files alike.
FILE_REFUSALS = {
    "csv-quote-never-closed": ("input.csv", 'id,text\nok,fine\nb,"never closed\nc,swallowed\n',
                               r"input\.csv:3: a quote opened in this record is never closed"),
    "csv-quote-closed-later": ("input.csv", 'id,text\nb,"opened\nc,"closed" then more\n',
                               r"input\.csv:2: malformed quoting"),
    "csv-extra-field": ("input.csv", "id,text\nok,fine\nb,one,two\n", r"input\.csv:3: 3 fields where the header has 2"),
    "csv-no-text-cell": ("input.csv", "id,text\nok,fine\nb\n",
                         r"input\.csv:3: 1 of the header's 2 fields, and no 'text' cell"),
    "csv-column-twice": ("input.csv", "id,text,text\nok,a,b\n",
                         r"input\.csv:1: the header names the column 'text' twice"),
    "utf16-jsonl": ("input.jsonl", GOOD.encode("utf-16"), r"input\.jsonl:1: .*UTF-16.*convert it to UTF-8"),
    "utf16-csv": ("input.csv", "id,text\nok,fine\n".encode("utf-16"), r"input\.csv:1: .*UTF-16"),
    "utf16-txt": ("input.txt", "पहला\n".encode("utf-16"), r"input\.txt:1: .*UTF-16"),
    "utf16-no-mark": ("input.jsonl", GOOD.encode("utf-16-le"), r"input\.jsonl:1: a NUL byte \(byte offset 1\)"),
    "latin1-txt": ("input.txt", "ok\n\ncafé\n".encode("latin-1"), r"input\.txt:3: not valid UTF-8 \(byte offset 7"),
    "latin1-csv": ("input.csv", "id,text\nok,café\n".encode("latin-1"), r"input\.csv:2: not valid UTF-8"),
    "nul-byte-txt": ("input.txt", b"ok\n\nab\x00c\n", r"input\.txt:3: a NUL byte \(byte offset 6\)"),
    "nul-byte-csv": ("input.csv", b"id,text\nok,a\x00b\n", r"input\.csv:2: a NUL byte \(byte offset 12\)"),
    "nul-byte-jsonl": ("input.jsonl", GOOD.encode() + b'{"text": "a\x00"}\n', r"input\.jsonl:2: a NUL byte"),
    "json-number-too-long": ("input.jsonl", GOOD + '{"text": "x", "n": ' + "1" * 5000 + "}\n",
                             r"input\.jsonl:2: malformed JSON \(Exceeds the limit"),
    "json-nested-too-deep": ("input.jsonl", GOOD + "[" * 100_000 + "]" * 100_000 + "\n",
                             r"input\.jsonl:2: malformed JSON \(maximum recursion depth"),
    "lone-surrogate-text": ("input.jsonl", GOOD + '{"id": "b", "text": "x\\ud800y"}\n',
                            r"input\.jsonl:2: field 'text' holds a lone surrogate"),
    "lone-surrogate-reference": ("input.jsonl", GOOD + '{"id": "b", "text": "x", "reference_summary": "\\uDC00"}\n',
                                 r"input\.jsonl:2: field 'reference_summary' holds a lone surrogate"),
    "lone-surrogate-id": ("input.jsonl", GOOD + '{"id": "\\udfff", "text": "x"}\n',
                          r"input\.jsonl:2: field 'id' holds a lone surrogate"),
    "lone-surrogate-nested": ("input.jsonl", GOOD + '{"text": "x", "meta": {"tags": ["\\ud83d"]}}\n',
                              r"input\.jsonl:2: field 'meta\.tags\.0' holds a lone surrogate"),
}

# Well-formed files whose documents cannot be run: refused by run inputs.
DOCUMENT_REFUSALS = {
    "float-id": ("input.jsonl", GOOD + '{"id": 7.0, "text": "x"}\n',
                 r"input\.jsonl:2: id must be text or a whole number, not float \(7\.0\)"),
    "bool-id": ("input.jsonl", GOOD + '{"id": true, "text": "x"}\n', r"input\.jsonl:2: id must be .*, not bool"),
    "object-id": ("input.jsonl", GOOD + '{"id": {"n": 1}, "text": "x"}\n', r"input\.jsonl:2: id must be .*, not dict"),
    "list-id": ("input.jsonl", GOOD + '{"id": [1], "text": "x"}\n', r"input\.jsonl:2: id must be .*, not list"),
    "newline-in-id": ("input.jsonl", GOOD + '{"id": "a\\nb", "text": "x"}\n',
                      r"input\.jsonl:2: id 'a\\nb' holds a control character"),
    "nul-in-id": ("input.jsonl", GOOD + '{"id": "a\\u0000", "text": "x"}\n',
                  r"input\.jsonl:2: id .* control character"),
    "number-and-string-id": ("input.jsonl", '{"id": 7, "text": "x"}\n{"id": "7", "text": "y"}\n',
                             r"input\.jsonl:2: id '7' was already used at .*input\.jsonl:1$"),
    "reference-not-text": ("input.jsonl", GOOD + '{"id": "b", "text": "x", "reference_summary": 3}\n',
                           r"input\.jsonl:2: field 'reference_summary' must be text, not int"),
}

# Processed: file name, content, the ids of the results.
PROCESSED = {
    "utf8-mark-jsonl": ("input.jsonl", "\ufeff" + GOOD, ["ok"]),
    "utf8-mark-csv": ("input.csv", f"\ufeffid,text\nok,{SENTENCES}\n", ["ok"]),
    "utf8-mark-tsv": ("input.tsv", f"\ufeffid\ttext\nok\t{SENTENCES}\n", ["ok"]),
    "nul-escape": ("input.jsonl", json.dumps({"id": "ok", "text": SENTENCES + "\0"}) + "\n", ["ok"]),
    "surrogate-pair-escape": ("input.jsonl", '{"id": "ok", "text": "\\ud83d\\ude00 वाक्य।"}\n', ["ok"]),
    "int-null-blank-and-slash-ids": (
        "input.jsonl",
        "".join(json.dumps({"id": i, "text": f"{SENTENCES} {n}"}) + "\n" for n, i in enumerate([7, None, " ", "a/b"])),
        ["7", "derived", "derived", "a/b"],
    ),
    "csv-short-row": ("input.csv", f"id,text,reference_summary\nok,{SENTENCES}\n", ["ok"]),
    "word-jsonl": ("input.jsonl", GOOD + json.dumps({"id": "word", "text": WORD}) + "\n", ["ok", "word"]),
    "word-csv": ("input.csv", f"id,text\nok,{SENTENCES}\nword,{WORD}\n", ["ok", "word"]),
    "word-txt": ("input.txt", f"{SENTENCES}\n\n{WORD}\n", ["derived", "derived"]),
}


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def run_in_process(run_script, tmp_path, path, capsys):
    """`scripts/run.py` on `path` with a model-free config: (exit status, stderr lines)."""
    config = tmp_path / "lead.yaml"
    config.write_text("stages: [prepare, lead_k]\n", encoding="utf-8")
    code = run_script(["--config", str(config), "--input", str(path), "--output", str(tmp_path / "run"),
                       "--no-progress"])
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize("case", list(FILE_REFUSALS))
def test_read_rows_refuses_a_broken_file_with_its_line(tmp_path, case):
    name, content, message = FILE_REFUSALS[case]
    with pytest.raises(InputError, match=message):
        list(read_rows(write(tmp_path, name, content)))


@pytest.mark.parametrize("case", list(FILE_REFUSALS) + list(DOCUMENT_REFUSALS))
def test_run_refuses_a_hostile_input_with_one_line_and_exit_2(run_script, tmp_path, capsys, case):
    name, content, message = {**FILE_REFUSALS, **DOCUMENT_REFUSALS}[case]
    code, err = run_in_process(run_script, tmp_path, write(tmp_path, name, content), capsys)
    assert (code, len(err)) == (2, 1), err
    assert re.search(message, err[0]), err[0]
    assert not (tmp_path / "run" / "results.jsonl").exists()


@pytest.mark.parametrize("case", list(PROCESSED))
def test_run_processes_a_hostile_input_that_holds_documents(run_script, tmp_path, capsys, case):
    name, content, ids = PROCESSED[case]
    code, err = run_in_process(run_script, tmp_path, write(tmp_path, name, content), capsys)
    assert code == 0, err
    results = (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    results = [json.loads(line) for line in results]
    assert [r["id"] if r["id"] in ids else "derived" for r in results] == ids


def test_a_nul_escape_is_kept_and_a_surrogate_pair_is_one_character(tmp_path):
    path = write(tmp_path, "in.jsonl", '{"id": "a", "text": "x\\u0000y"}\n{"id": "b", "text": "\\ud83d\\ude00"}\n')
    assert [d.source for d in read_documents(path, DEFAULTS)] == ["x\0y", "\U0001F600"]


def test_ids_are_strings_or_integers_and_null_or_blank_means_derived(tmp_path):
    records = [{"id": 7, "text": "a"}, {"id": " a/b ", "text": "b"}, {"id": None, "text": "c"}, {"id": "", "text": "d"}]
    path = write(tmp_path, "in.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    ids = [d.id for d in read_documents(path, DEFAULTS)]
    assert ids[:2] == ["7", "a/b"] and all(i.startswith("doc-") for i in ids[2:])


def test_parquet_ids_follow_the_same_rule(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": [1, 2], "text": ["a", "b"]}), tmp_path / "ints.parquet")
    assert [d.id for d in read_documents(tmp_path / "ints.parquet", DEFAULTS)] == ["1", "2"]
    pq.write_table(pa.table({"id": [1.5, 2.0], "text": ["a", "b"]}), tmp_path / "floats.parquet")
    with pytest.raises(InputError, match=r"floats\.parquet, row 1: id must be text or a whole number, not float"):
        list(read_documents(tmp_path / "floats.parquet", DEFAULTS))


def test_a_file_name_with_a_control_character_is_refused_as_an_id(tmp_path):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a\nb.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"id 'a\\nb' holds a control character"):
        list(read_documents(tmp_path / "news", DEFAULTS))


def test_a_file_name_that_is_not_utf8_is_refused_in_one_line(run_script, tmp_path, capsys):
    (tmp_path / "news").mkdir()
    with open(os.path.join(os.fsencode(tmp_path / "news"), b"caf\xe9.txt"), "w", encoding="utf-8") as file:
        file.write(SENTENCES)
    code, err = run_in_process(run_script, tmp_path, tmp_path / "news", capsys)
    assert (code, len(err)) == (2, 1), err
    assert re.search(r"news/caf\\xe9\.txt: the file name is not UTF-8", err[0]), err[0]


def test_a_parquet_file_damaged_in_the_middle_is_refused_from_the_row_it_reached(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": [f"text {n} " * 10 for n in range(4000)]}), path, row_group_size=1000)
    data = bytearray(path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 2000] = b"A" * 2000
    path.write_bytes(data)
    with pytest.raises(InputError, match=r"in\.parquet: not a readable Parquet file from row \d+ on"):
        list(read_documents(path, DEFAULTS))


def test_a_utf8_mark_is_dropped_from_each_file_of_a_folder(tmp_path):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text("\ufeffपहला", encoding="utf-8")
    assert [d.source for d in read_documents(tmp_path / "news", DEFAULTS)] == ["पहला"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("in.jsonl", GOOD + json.dumps({"text": "x" * 2000}) + "\n", r"in\.jsonl:2: a line longer than 1,000 bytes"),
        ("in.csv", "id,text\nok,fine\nb,\"" + "x\n" * 600 + '"\n', r"in\.csv:3: a field of more than 1,000 characters"),
        ("in.txt", "ok\n\n" + "xxxx\n" * 600, r"in\.txt:3: a document of more than 1,000 characters"),
    ],
    ids=["jsonl-line", "csv-field", "txt-block"],
)
def test_a_record_over_the_limit_is_refused_before_it_fills_memory(tmp_path, monkeypatch, name, content, message):
    monkeypatch.setattr(inputs, "MAX_RECORD", 1000)
    with pytest.raises(InputError, match=message):
        list(read_rows(write(tmp_path, name, content)))


def test_a_file_of_a_folder_over_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_RECORD", 1000)
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text("x\n" * 600, encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.txt:1: a document of more than 1,000 characters"):
        list(read_rows(tmp_path / "news"))


def counted(path):
    """(documents, seconds, peak MiB of Python allocations) of reading the whole input, as a run does first."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        documents = sum(1 for _ in read_documents(path, DEFAULTS))
        return documents, time.perf_counter() - started, tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@slow_hostile
@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".txt"])
def test_a_50_megabyte_line_is_read_in_memory_bounded_by_the_line(tmp_path, suffix):
    text = (SENTENCES + " ") * (50_000_000 // len((SENTENCES + " ").encode()))
    content = {
        ".jsonl": GOOD + json.dumps({"id": "big", "text": text}, ensure_ascii=False) + "\n",
        ".csv": f"id,text\nok,{SENTENCES}\nbig,{text}\n",
        ".txt": f"{SENTENCES}\n\n{text}\n",
    }[suffix]
    path = write(tmp_path, "big" + suffix, content)
    count, seconds, peak = counted(path)
    print(f"50 MB line ({suffix}): {seconds:.1f} s, peak {peak:.0f} MiB of Python allocations")
    assert count == 2
    assert peak < 6 * path.stat().st_size / 2**20  # the bytes, the decoded line, the parsed text: no more


@slow_hostile
def test_100k_documents_stream_in_constant_memory(run_script, tmp_path, capsys):
    path = tmp_path / "many.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for n in range(100_000):
            record = {"id": f"d{n}", "text": f"दस्तावेज़ {n}। {SENTENCES}"}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    count, seconds, peak = counted(path)
    print(f"100k documents: read in {seconds:.1f} s, peak {peak:.1f} MiB of Python allocations")
    assert count == 100_000
    assert peak < 20  # MiB: 16-byte id fingerprints (a few copies while merging); 100k documents kept would be ~55
    started = time.perf_counter()
    code, err = run_in_process(run_script, tmp_path, path, capsys)
    print(f"100k documents: run (prepare, lead_k) in {time.perf_counter() - started:.0f} s")
    assert code == 0, err
    with (tmp_path / "run" / "results.jsonl").open(encoding="utf-8") as results:
        assert sum(1 for _ in results) == 100_000
