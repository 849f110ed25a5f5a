"""`scripts/benchmark.py --quick` runs every path and its report says the exact paths gave the reference's outputs.

Only what the report says about outputs is checked: timings come from the benchmark itself, never from tests.
"""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from pipeline.benchmarking.suite import SUMMARY_PATHS, TRANSLATION_PATHS

HAS_CTRANSLATE2 = importlib.util.find_spec("ctranslate2") is not None


@pytest.fixture(scope="module")
def report(repo_root, flores_dir, indictrans_fixtures, news_summaries_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("benchmark") / "quick.json"
    environment = {**os.environ, "PIPELINE_SHARED_DIR": str(flores_dir.parents[1])}
    completed = subprocess.run(
        [sys.executable, str(repo_root / "scripts" / "benchmark.py"), "--quick", "--json", str(out)],
        cwd=repo_root, env=environment, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def labels(report, task):
    return [row["label"] for row in report["results"] if row["task"] == task]


def test_every_translation_path_is_measured(report):
    expected = [plan.label for plan in TRANSLATION_PATHS["cpu"] if HAS_CTRANSLATE2 or plan.conversion is None]
    assert labels(report, "translation") == expected


def test_both_summarizers_are_measured_with_both_paths(report):
    assert labels(report, "summary") == [plan.label for plan in SUMMARY_PATHS["cpu"]] * 2


def test_exact_paths_give_the_reference_outputs(report):
    exact = [row for row in report["results"] if row["exact"]]
    assert report["exact_paths_match"] and all(row["identical_check"] == 1.0 for row in exact)


def test_int8_paths_report_their_share_of_identical_outputs(report):
    approximate = [row for row in report["results"] if not row["exact"]]
    assert approximate and all(0.0 <= row["identical_check"] <= 1.0 for row in approximate)


def test_rows_carry_throughput_latency_and_memory(report):
    keys = {"inputs_per_second", "tokens_per_second", "p50_batch_seconds", "p95_batch_seconds", "peak_rss_mb", "speedup"}
    assert all(keys <= row.keys() for row in report["results"])
