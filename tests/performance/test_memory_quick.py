"""`scripts/measure_memory.py --quick` runs both corpora and an interrupted, resumed run, each written exactly once.

Only what the report says about the run folders is checked, and the memory ratio, which at these sizes is the
imported libraries' over themselves: timings come from the script itself, never from tests.
"""

import json
import subprocess
import sys

import pytest


@pytest.fixture(scope="module")
def report(repo_root, tmp_path_factory):
    out = tmp_path_factory.mktemp("memory") / "quick.json"
    completed = subprocess.run(
        [sys.executable, str(repo_root / "scripts" / "measure_memory.py"), "--quick", "--json", str(out)],
        cwd=repo_root, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_both_sizes_are_measured(report):
    small, large = report["runs"]
    assert 0 < small["documents"] < large["documents"]
    assert all(run["peak_rss_mb"] > 0 and run["seconds"] > 0 for run in report["runs"])


def test_every_document_is_written_exactly_once(report):
    for run in report["runs"]:
        written = run["written"]
        assert run["exactly_once"] and written["results"] == written["unique_ids"] == run["documents"]


def test_both_given_and_derived_ids_are_exercised(report):
    written = report["runs"][0]["written"]
    assert written["given_ids_found"] > 0 and written["derived_ids"] > 0


def test_a_killed_run_resumes_to_every_document_once(report):
    resume, documents = report["resume"], report["runs"][1]["documents"]
    assert 0 < resume["done_at_kill"] == resume["skipped_on_resume"] < documents
    assert resume["written"]["results"] == resume["written"]["unique_ids"] == resume["manifest_results"] == documents
    assert resume["same_ids_as_uninterrupted_run"] and resume["passed"]


def test_peak_memory_does_not_grow_with_the_corpus(report):
    assert report["ratio"] <= report["max_ratio"]
