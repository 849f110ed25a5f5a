"""`scripts/benchmark_segmentation.py --quick` prepares each kind of document with both counters, with a ratio each.

Only the report's shape and what the stage did are checked: timings come from the benchmark itself, never from tests.
"""

import importlib.util
import json

import pytest


@pytest.fixture(scope="module")
def benchmark_script(repo_root):
    script = repo_root / "scripts" / "benchmark_segmentation.py"
    spec = importlib.util.spec_from_file_location("benchmark_segmentation", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def report(benchmark_script, flores_dir, indictrans_fixtures, tmp_path_factory):
    out = tmp_path_factory.mktemp("segmentation") / "quick.json"
    assert benchmark_script.main(["--quick", "--shared-dir", str(flores_dir.parents[1]), "--json", str(out)]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_every_counter_text_and_size_is_timed(report):
    measured = [(row["counter"], row["text"], row["size_kb"]) for row in report["rows"]]
    assert measured == [
        (counter, text, size)
        for counter in ("words", "indictrans2") for text in ("punctuated", "unpunctuated") for size in (1, 4)
    ]
    rows = report["rows"]
    assert all(row["seconds"] > 0 and row["seconds_per_kb"] > 0 and row["kb"] >= row["size_kb"] for row in rows)


def test_documents_are_segmented_and_measured(report):
    assert all(row["segments"] >= 1 and row["measured"] > 0.9 for row in report["rows"])
    unpunctuated = [row for row in report["rows"] if row["text"] == "unpunctuated" and row["size_kb"] == 4]
    assert all(row["segments"] > 1 for row in unpunctuated)  # one sentence of 4 KB is over 256 tokens


def test_each_counter_and_text_has_its_ratio(report):
    assert [(r["counter"], r["text"], r["smallest_kb"], r["largest_kb"]) for r in report["ratios"]] == [
        (counter, text, 1, 4) for counter in ("words", "indictrans2") for text in ("punctuated", "unpunctuated")
    ]
    assert all(r["ratio"] > 0 for r in report["ratios"])


def test_an_unknown_counter_is_refused(benchmark_script, capsys):
    with pytest.raises(SystemExit) as exit_:
        benchmark_script.main(["--counters", "words,bpe"])
    assert exit_.value.code == 2 and "unknown counter(s) bpe" in capsys.readouterr().err
