"""`--engine ray` without an address starts a Ray instance of its own, and stops it when the run ends.

Kept apart from test_ray_engine.py, whose module-scoped instance would otherwise be the one the engine finds.
"""

import json

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
                       *(f"--set={override}" for override in tiny_overrides)])
    error = capsys.readouterr().err.strip()
    assert code == 2, error
    assert len(error.splitlines()) == 1
    # 2 translate actors x 1 CPU, summarize's and back_translate's one actor each at the default share of
    # (2 - 1) / 4 actors, and 1 for reading: 3.5
    assert "and reading ask for 3.5 CPUs, and this machine's Ray instance has 2" in error
    assert not (tmp_path / "run").exists()  # refused before any work: no run folder left behind
    assert not ray.is_initialized()  # the instance it started is stopped again
