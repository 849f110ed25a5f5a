"""`--engine ray` with no Ray instance in this process: it starts one of its own (stopped when the run ends), or
checks the cluster address it is given.

Kept apart from test_ray_engine.py, whose module-scoped instance would otherwise be the one the engine finds.
"""

import json
import socket
import time

import pytest
import yaml

ray = pytest.importorskip("ray", reason="the Ray engine's tests need Ray: pip install '.[ray]'")


def test_actors_that_cannot_fit_the_local_instance_are_refused_not_waited_for(
    run_script, repo_root, tiny_overrides, tmp_path, capsys
):
    assert not ray.is_initialized()
    source = tmp_path / "input.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "आज मौसम अच्छा है।"}, ensure_ascii=False) + "\n", encoding="utf-8")
    config = yaml.safe_load((repo_root / "configs" / "tiny.yaml").read_text(encoding="utf-8"))
    config["engine"] = {"name": "ray", "ray": {"num_cpus": 2, "stages": {"translate": {"min_actors": 2, "num_cpus": 1}}}}
    config_file = tmp_path / "too-big.yaml"
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    code = run_script(["--config", str(config_file), "--input", str(source), "--output", str(tmp_path / "run"),
                       *(f"--set={override}" for override in tiny_overrides), "--quiet"])  # the error alone
    error = capsys.readouterr().err.strip()
    assert code == 2, error
    assert len(error.splitlines()) == 1
    # 2 translate actors x 1 CPU, summarize's and back_translate's one actor each at the default share of
    # (2 - 1) / 4 actors, and 1 for reading: 3.5
    assert "and reading ask for 3.5 CPUs, and this machine's Ray instance has 2" in error
    assert not (tmp_path / "run").exists()  # refused before any work: no run folder left behind
    assert not ray.is_initialized()  # the instance it started is stopped again


def test_an_address_nothing_answers_at_is_refused_at_once(run_script, repo_root, tmp_path, capsys):
    assert not ray.is_initialized()
    with socket.socket() as unused:  # a port that was free a moment ago: nothing listens there
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    source = tmp_path / "input.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "आज मौसम अच्छा है।"}, ensure_ascii=False) + "\n", encoding="utf-8")
    started = time.monotonic()
    code = run_script(["--config", str(repo_root / "configs" / "lead3.yaml"), "--set", "stages=[prepare, lead_k]",
                       "--input", str(source), "--output", str(tmp_path / "run"), "--ray-address", f"127.0.0.1:{port}",
                       "--quiet"])  # the error alone, without the run's plan line
    error = capsys.readouterr().err.strip()
    print(f"refused after {time.monotonic() - started:.1f} s")  # seen with -s; Ray alone waits for minutes
    assert code == 2 and error.startswith(f"error: engine.ray.address: nothing answers at 127.0.0.1:{port}")
    assert not (tmp_path / "run").exists()
