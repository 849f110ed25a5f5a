"""`scripts/benchmark_end_to_end.py --quick` and `scripts/benchmark_throughput.py --quick`: the whole run against
the naive composition, and the corpus-scale settings, on scaled-down models.

Only what the reports say about outputs and work is checked: timings come from the benchmarks, never from tests.
"""

import json
import os
import subprocess
import sys

import pytest


def run_benchmark(repo_root, flores_dir, out, script, *arguments):
    environment = {**os.environ, "PIPELINE_SHARED_DIR": str(flores_dir.parents[1])}
    completed = subprocess.run(
        [sys.executable, str(repo_root / "scripts" / script), "--quick", "--json", str(out), *arguments],
        cwd=repo_root, env=environment, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), completed.stdout


@pytest.fixture(scope="module")
def end_to_end(repo_root, flores_dir, indictrans_fixtures, news_summaries_dir, tmp_path_factory):
    return run_benchmark(repo_root, flores_dir, tmp_path_factory.mktemp("e2e") / "report.json",
                         "benchmark_end_to_end.py")


def test_the_pipeline_gives_the_naive_compositions_outputs_whatever_its_schedule(end_to_end):
    report, _ = end_to_end
    naive, sequential, overlapped = report["rows"]
    assert naive["path"].startswith("naive composition")
    assert sequential["agrees_with_naive"] == {"translation": 1.0, "summary": 1.0}
    assert overlapped["agrees_with_naive"] == {"translation": 1.0, "summary": 1.0}
    assert overlapped["agrees_with_overlap_off"] == {"translation": 1.0, "summary": 1.0}


def test_every_path_did_the_same_work_and_the_report_has_shares_and_the_cost_curve(end_to_end):
    report, printed = end_to_end
    rows = report["rows"]
    assert {row["documents"] for row in rows} == {2}
    assert set(rows[1]["stage_share"]) == {"prepare", "translate", "summarize"}
    assert [point["scale"] for point in report["cost_curve"]] == [1, 2]
    assert [point["documents"] for point in report["cost_curve"]] == [2, 4]
    assert "overlap gain" in printed and "cost curve" in printed


def test_the_throughput_benchmark_measures_every_setting(repo_root, flores_dir, indictrans_fixtures,
                                                         news_summaries_dir, tmp_path):
    report, _ = run_benchmark(repo_root, flores_dir, tmp_path / "throughput.json", "benchmark_throughput.py",
                              "--articles", "2")
    settings = [(row["model"], row["setting"]) for row in report["rows"]]
    assert len(settings) == 5 and settings[0][0] == "indictrans2-indic-en-dist-200M (quick)"
    assert report["rows"][1]["attention"] == "sdpa"
    # On a CPU `auto` means the config defaults; model FLOPs are counted whatever the device.
    assert all(row["batches"] == "4096 tokens / 32 sentences" for row in report["rows"][:3])
    assert all(row["model_tflops_per_second"] > 0 and row["mfu"] is None for row in report["rows"])
