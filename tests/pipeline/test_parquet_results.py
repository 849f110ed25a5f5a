"""`output.results: parquet`: the run folder's results as Parquet parts, with the records of results.jsonl.

Model-free runs (`prepare`, `lead_k`), so every check runs in seconds without a model.
"""

import errno
import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import datasets
import pyarrow
import pyarrow.parquet as pq
import pytest

from pipeline.config import OutputConfig
from pipeline.errors import InputError, OutputError, ResumeMismatchError
from pipeline.io import run_folder
from pipeline.io.run_folder import Manifest, RunFolder, read_run_folder
from pipeline.records import OutputField, Result
from pipeline.run_config import validate_config
from pipeline.runner import run_pipeline

TEXTS = [f"नई दिल्ली में बारिश हुई। दस्तावेज़ संख्या {n} है। कल धूप निकलेगी।" for n in range(10)]
IDS = [f"d{n}" for n in range(10)]


def write_input(path, rows):
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


@pytest.fixture
def documents(tmp_path):
    """Ten documents, some with references (of one kind or both), and an empty one, which fails."""
    rows = [{"id": identifier, "text": text} for identifier, text in zip(IDS, TEXTS)]
    for row in rows[1::2]:
        row["reference_summary"] = "नई दिल्ली में बारिश हुई।"
    rows[3]["reference_translation"] = "It rained in New Delhi."
    return write_input(tmp_path / "input.jsonl", [*rows, {"id": "empty", "text": " "}])


def run(documents, folder, results="parquet", resume=False, stop_requested=lambda: False, **output):
    output = {"results": results, **output}
    config = validate_config({"stages": ["prepare", "lead_k"], "batch_size": 2, "output": output})
    return run_pipeline(config, documents, folder, resume=resume, progress=False, stop_requested=stop_requested)


def stop_after(batches):
    """A `stop_requested` that says yes after that many batches."""
    asked = []

    def stop():
        asked.append(1)
        return len(asked) >= batches

    return stop


def parts(folder):
    return sorted((folder / "results").glob("part-*.parquet"))


def part_ids(folder):
    return [i for path in parts(folder) for i in pq.read_table(path, columns=["id"])["id"].to_pylist()]


def manifest(folder):
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def timeless_records(folder):
    """The results read back as `Result.to_dict()`, without the seconds a stage took (they differ from run to run)."""
    records = [result.to_dict() for result in read_run_folder(folder).results]
    for record in records:
        for stage in record["stages"].values():
            stage.pop("seconds", None)
    return records


@pytest.fixture
def both(documents, tmp_path):
    """The same input run into results.jsonl and into Parquet parts of three results, in folders of the same name."""
    folders = {results: tmp_path / results / "run" for results in ("jsonl", "parquet")}
    for results, folder in folders.items():
        run(documents, folder, results, shard_documents=3)
    return folders


def test_a_parquet_run_holds_the_records_and_counts_of_a_jsonl_run(both):
    jsonl, parquet = timeless_records(both["jsonl"]), timeless_records(both["parquet"])
    assert [record["id"] for record in parquet] == IDS
    assert parquet == jsonl
    assert manifest(both["parquet"])["counts"] == manifest(both["jsonl"])["counts"]
    assert (both["parquet"] / "errors.jsonl").read_text() == (both["jsonl"] / "errors.jsonl").read_text()
    assert not (both["parquet"] / "results.jsonl").exists()


def test_parts_hold_shard_documents_results_each_and_the_rest_at_the_end(both):
    assert [path.name for path in parts(both["parquet"])] == [f"part-0000{n}.parquet" for n in range(4)]
    assert [pq.ParquetFile(path).metadata.num_rows for path in parts(both["parquet"])] == [3, 3, 3, 1]


def test_the_columns_are_typed_and_stages_is_json_text(both):
    schema = pq.read_schema(parts(both["parquet"])[0])
    assert schema.names == ["id", "source", "summary", "reference_summary", "reference_translation", "flags", "stages"]
    assert schema.field("flags").type == pyarrow.list_(pyarrow.string())
    assert schema.field("stages").type == pyarrow.string()
    first = pq.read_table(parts(both["parquet"])[0]).to_pylist()[0]
    assert json.loads(first["stages"])["summarize"]["model"] == "lead_3"
    assert first["reference_summary"] is None  # the input had none for d0


def test_flags_and_nested_stages_come_back_as_written_and_a_resume_counts_the_flags(tmp_path):
    summary = OutputField("summary", "summary", "en", "reference_summary", "summarize", "summary_en", "summary_model")
    results = [
        Result(f"r{n}", "स्रोत", {"summary": f"summary {n}" if n else None},
               {"reference_summary": "r"} if n % 2 else {},
               {"summarize": {"model": "m", "chunks": [n, 2], "nested": {"deep": [{"x": None}]}}},
               ["summary:loop", "summary:empty"] if n else [])
        for n in range(4)
    ]
    output = OutputConfig(results="parquet", shard_documents=3)
    with RunFolder(tmp_path / "run", resume=False, output=output) as folder:
        folder.begin(Manifest(outputs=[summary]))
        folder.append(results, [])
        assert folder.results == 3  # the fourth waits for its part, which closing the folder writes
    assert [result.to_dict() for result in read_run_folder(tmp_path / "run").results] == [r.to_dict() for r in results]
    with RunFolder(tmp_path / "run", resume=True, output=output) as folder:
        assert folder.results == 4 and folder.flags == Counter({"summary:loop": 3, "summary:empty": 3})
        assert all(result.id in folder.done_ids for result in results)


def test_datasets_loads_the_parts(both, tmp_path):
    loaded = datasets.load_dataset(
        "parquet", data_files=str(both["parquet"] / "results" / "part-*.parquet"), cache_dir=str(tmp_path / "cache")
    )
    assert loaded["train"]["id"] == IDS
    assert loaded["train"].features["flags"] == datasets.List(datasets.Value("string"))


def test_a_part_is_written_once_its_oldest_result_waited_flush_seconds(documents, tmp_path, monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(run_folder, "monotonic", lambda: clock[0])
    folder, seen = tmp_path / "run", []

    def after_batch():
        seen.append(len(parts(folder)))
        clock[0] += 40  # a batch every 40 seconds: the oldest of two batches has waited 80 > 60
        return False

    run(documents, folder, stop_requested=after_batch)
    assert seen == [0, 0, 1, 1, 1, 2]  # the last batch only failed, but the four before it had waited 80
    assert [pq.ParquetFile(path).metadata.num_rows for path in parts(folder)] == [6, 4]


def test_a_resume_after_a_stop_writes_every_id_once_and_counts_what_is_on_disk(documents, tmp_path):
    folder = tmp_path / "run"
    first = run(documents, folder, shard_documents=3, stop_requested=stop_after(2))
    assert first.stopped == "interrupted"
    assert [pq.ParquetFile(path).metadata.num_rows for path in parts(folder)] == [3, 1]  # the rest at the stop
    assert manifest(folder)["counts"]["results"] == 4
    # The parts' size and age are scheduling: a resume may change them.
    summary = run(documents, folder, resume=True, shard_documents=4, flush_seconds=5)
    assert summary.stopped is None and summary.resumed == 4
    assert Counter(part_ids(folder)) == Counter(IDS)
    assert [pq.ParquetFile(path).metadata.num_rows for path in parts(folder)] == [3, 1, 4, 2]
    counts = manifest(folder)["counts"]
    assert (counts["results"], counts["errors"]) == (10, 1) and manifest(folder)["finished_at"]


def test_a_full_disk_keeps_no_half_part_counts_what_is_on_disk_and_the_run_resumable(documents, tmp_path, monkeypatch):
    real_write, calls = pq.write_table, []

    def write_table(table, where, **options):
        calls.append(where)
        if len(calls) == 2:
            Path(where).write_bytes(b"PAR1 half")
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(table, where, **options)

    monkeypatch.setattr(pq, "write_table", write_table)
    folder = tmp_path / "run"
    with pytest.raises(OutputError, match=r"cannot write results \(No space left on device\); the 3 results waiting"):
        run(documents, folder, shard_documents=3)
    assert sorted(path.name for path in (folder / "results").iterdir()) == ["part-00000.parquet"]
    assert manifest(folder)["counts"]["results"] == 3
    monkeypatch.undo()
    run(documents, folder, resume=True, shard_documents=3)
    assert Counter(part_ids(folder)) == Counter(IDS)


def test_a_part_left_half_written_is_ignored_and_removed_by_the_next_session(documents, tmp_path):
    folder = tmp_path / "run"
    run(documents, folder, stop_requested=stop_after(1))
    leftover = folder / "results" / "part-00001.parquet.tmp"
    leftover.write_bytes(b"PAR1 and then the power went out")
    assert [result.id for result in read_run_folder(folder).results] == ["d0", "d1"]
    with RunFolder(folder, resume=True, output=OutputConfig(results="parquet")) as opened:
        assert not leftover.exists()
        assert opened.results == 2
    run(documents, folder, resume=True)
    assert Counter(part_ids(folder)) == Counter(IDS)


@pytest.fixture
def only_empty_documents(tmp_path):
    return write_input(tmp_path / "empty.jsonl", [{"id": "e1", "text": ""}, {"id": "e2", "text": " "}])


@pytest.mark.parametrize("input_fixture", ["documents", "only_empty_documents"])
def test_a_resume_that_changes_the_results_format_is_refused(input_fixture, request, tmp_path):
    """Refused whether the first session wrote results (the folder says so) or not (its config does)."""
    documents, folder = request.getfixturevalue(input_fixture), tmp_path / "run"
    run(documents, folder, "jsonl", stop_requested=stop_after(1))
    with pytest.raises(ResumeMismatchError, match=r"output\.results"):
        run(documents, folder, "parquet", resume=True)
    assert not parts(folder)


def test_a_folder_with_both_formats_is_refused_in_one_line(both):
    (both["parquet"] / "results.jsonl").write_text(json.dumps({"id": "d0", "source": "x"}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds both results.jsonl and Parquet parts") as refused:
        read_run_folder(both["parquet"])
    assert "\n" not in str(refused.value)


def test_a_bad_row_is_named_by_its_part_and_row(both):
    path = parts(both["parquet"])[1]
    table = pq.read_table(path)
    stages = table["stages"].to_pylist()
    stages[1] = "{not json"
    pq.write_table(table.set_column(table.schema.get_field_index("stages"), "stages", pyarrow.array(stages)), path)
    with pytest.raises(InputError, match=rf"^{re.escape(str(path))}: row 2: 'stages' is not valid JSON$"):
        read_run_folder(both["parquet"])


def test_locations_name_the_part_and_row(both):
    part = both["parquet"] / "results" / "part-00001.parquet"
    assert read_run_folder(both["parquet"]).locations["d4"] == f"{part}: row 2"


def script_main(repo_root, name):
    spec = importlib.util.spec_from_file_location(f"{name}_script", repo_root / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_evaluate_scores_a_parquet_run_as_it_scores_a_jsonl_run(both, repo_root):
    evaluate = script_main(repo_root, "evaluate")
    for folder in both.values():
        assert evaluate([str(folder), "--bootstrap-samples", "50"]) == 0
    reports = {name: json.loads((folder / "report.json").read_text(encoding="utf-8")) for name, folder in both.items()}
    assert reports["parquet"]["tracks"] == reports["jsonl"]["tracks"] and reports["jsonl"]["tracks"]
    scores = {name: (folder / "scores.jsonl").read_text(encoding="utf-8") for name, folder in both.items()}
    assert scores["parquet"] == scores["jsonl"] and len(scores["jsonl"].splitlines()) >= 5


def test_export_makes_the_same_dataset_from_a_parquet_run(both, repo_root, tmp_path):
    export = script_main(repo_root, "export_dataset")
    rows = {}
    for name, folder in both.items():
        assert export([str(folder), "--out", str(tmp_path / f"export-{name}")]) == 0
        rows[name] = datasets.load_from_disk(str(tmp_path / f"export-{name}" / "arrow"))["train"].to_list()
    assert rows["parquet"] == rows["jsonl"] and [row["id"] for row in rows["jsonl"]] == IDS


def test_reading_a_run_folder_imports_neither_pyarrow_nor_torch_until_a_parquet_folder_needs_it():
    code = "import sys, pipeline.io.run_folder; print(sorted({'pyarrow', 'torch'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"
