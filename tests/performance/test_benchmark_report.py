"""How the benchmark summarizes a path: percentiles, shares of identical outputs, the mismatch flag."""

from pipeline.benchmarking.measure import Measurement
from pipeline.benchmarking.report import Row, report, table


def measurement(path="p", seconds=2.0, outputs=((1, 2), (3,)), checks=((1,), (2,)), batches=(0.5, 1.5, 0.1, 0.2)):
    return Measurement(path, 2, 20, seconds, list(batches), 1000.0, list(outputs), list(checks), {"dtype": "float32"})


def test_latency_percentiles_use_the_nearest_rank():
    timed = measurement(batches=(0.4, 0.1, 0.3, 0.2))
    assert (timed.latency_percentile(50), timed.latency_percentile(95)) == (0.2, 0.4)


def test_speedup_is_the_reference_time_over_the_path_time():
    row = Row("translation", "m", "fast", True, measurement(seconds=1.0), measurement(seconds=3.0))
    assert row.as_dict()["speedup"] == 3.0


def test_identity_is_judged_on_the_greedy_check_outputs():
    row = Row("translation", "m", "beam differs", True, measurement(outputs=((9,), (3,))), measurement())
    assert (row.identical_check, row.identical_timed) == (1.0, 0.5)


def test_an_exact_path_with_different_outputs_fails_the_report():
    row = Row("translation", "m", "broken", True, measurement(checks=((1,), (7,))), measurement())
    assert report([row], {})["exact_paths_match"] is False
    assert "50% MISMATCH" in table([row])


def test_an_approximate_path_only_reports_its_share():
    row = Row("translation", "m", "int8", False, measurement(checks=((1,), (7,))), measurement())
    assert report([row], {})["exact_paths_match"] is True
    assert "MISMATCH" not in table([row])
