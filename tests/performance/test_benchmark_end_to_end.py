"""`scripts/benchmark_end_to_end.py --quick` and `scripts/benchmark_throughput.py --quick`: the whole run against
the naive composition, and the corpus-scale settings, on scaled-down models.

Only what the reports say about outputs and work is checked: timings come from the benchmarks, never from tests.
"""

import contextlib
import io
import json

import pytest


def run_benchmark(load_script, flores_dir, out, script, *arguments):
    """The script's main() in this process (no new interpreter to import torch again): its report and what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = load_script(script)(["--quick", "--shared-dir", str(flores_dir.parents[1]), "--json", str(out),
                                    *arguments])
    assert code == 0, printed.getvalue()[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), printed.getvalue()


@pytest.fixture(scope="module")
def end_to_end(load_script, flores_dir, indictrans_fixtures, news_summaries_dir, tmp_path_factory):
    return run_benchmark(load_script, flores_dir, tmp_path_factory.mktemp("e2e") / "report.json", "benchmark_end_to_end")


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


def test_the_throughput_benchmark_measures_every_setting(load_script, flores_dir, indictrans_fixtures,
                                                         news_summaries_dir, tmp_path):
    report, _ = run_benchmark(load_script, flores_dir, tmp_path / "throughput.json", "benchmark_throughput",
                              "--articles", "2")
    settings = [(row["model"], row["setting"]) for row in report["rows"]]
    assert len(settings) == 5 and settings[0][0] == "indictrans2-indic-en-dist-200M (quick)"
    assert report["rows"][1]["attention"] == "sdpa"
    # On a CPU `auto` means the config defaults; model FLOPs are counted whatever the device.
    assert all(row["batches"] == "4096 tokens / 32 sentences" for row in report["rows"][:3])
    assert all(row["model_tflops_per_second"] > 0 and row["mfu"] is None for row in report["rows"])
