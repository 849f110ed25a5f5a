"""`engine: ray` on a real local Ray instance (2 CPUs, started for this module, stopped after) with the tiny models.

The Ray engine must write what the local engine writes, lose and duplicate nothing when an actor dies, and resume
after its driver is killed.
"""

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from pipeline.run_config import load_config
from pipeline.runner import run_pipeline
from pipeline.stages import STAGES

ray = pytest.importorskip("ray", reason="the Ray engine's tests need Ray: pip install '.[ray]'")

# Stages placed like model stages (they name a section of their own as their model), so the Ray engine runs them as
# actor pools like translate or summarize: one kills the worker process it runs in on its second batch, once (an
# actor dying in the middle of a run); the other takes a known time per document (a run long enough to kill).
FAULT_MODULE = '''
import os
import time
from pathlib import Path

from pipeline.stages.base import STAGES, Stage


@STAGES.register("die_once")
class DieOnce(Stage):
    name = "die_once"

    def __init__(self):
        self.batches = 0

    @classmethod
    def model_sections(cls, config):
        return frozenset({"die_once"})

    @classmethod
    def build(cls, context):
        return cls()

    def process(self, documents):
        self.batches += 1
        marker = Path(os.environ["DIE_ONCE_MARKER"])
        if self.batches == 2 and not marker.exists():
            marker.write_text(str(os.getpid()))
            os._exit(1)


@STAGES.register("pace")
class Pace(Stage):
    name = "pace"

    @classmethod
    def model_sections(cls, config):
        return frozenset({"pace"})

    @classmethod
    def build(cls, context):
        return cls()

    def process(self, documents):
        time.sleep(0.02 * len(documents))
'''

HINDI = "भारत ने रविवार को खेले गए फ़ाइनल मुक़ाबले में ऑस्ट्रेलिया को छह विकेट से हरा दिया।"
HELD_OUT = {
    "empty": "",
    "whitespace": "   \n\t  \n",
    "long": " ".join([HINDI] * 400)[:30000],
    "code-mixed": "मैंने आज Python में एक नया script लिखा, जो CSV files को JSON में convert करता है।",
    "emoji": "आज मौसम बहुत अच्छा है 😀🎉 सब लोग पार्क में घूमने गए। 🌳",
    "urdu-script": "یہ ایک مثال کا جملہ ہے۔ آج موسم اچھا ہے۔",
    "news": "नई दिल्ली में सोमवार सुबह तेज़ बारिश हुई।\n\nमौसम विभाग के अनुसार बारिश जारी रहेगी।",
}


@pytest.fixture(scope="module")
def ray_instance(tmp_path_factory):
    """One local Ray instance for the module, whose workers can import the fault-injecting stage."""
    fault_dir = tmp_path_factory.mktemp("ray-fault")
    (fault_dir / "ray_fault_stages.py").write_text(FAULT_MODULE, encoding="utf-8")
    marker = fault_dir / "died"
    sys.path.insert(0, str(fault_dir))
    import ray_fault_stages  # noqa: F401  (registers die_once in this process too)

    python_path = os.pathsep.join([str(fault_dir), *filter(None, [os.environ.get("PYTHONPATH")])])
    ray.init(
        num_cpus=2, include_dashboard=False, logging_level=logging.ERROR,
        runtime_env={"env_vars": {"PYTHONPATH": python_path, "DIE_ONCE_MARKER": str(marker)}},
    )
    try:
        yield {"address": ray.get_runtime_context().gcs_address, "marker": marker, "python_path": python_path,
               "fault_dir": fault_dir}
    finally:
        ray.shutdown()
        sys.path.remove(str(fault_dir))
        sys.modules.pop("ray_fault_stages", None)
        STAGES._entries.pop("die_once", None)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    return path


def records(folder: Path, name: str = "results.jsonl") -> list[dict]:
    """A run folder's records without their timings, which differ from run to run."""
    rows = [json.loads(line) for line in (folder / name).read_text(encoding="utf-8").splitlines()]
    for row in rows:
        for stage in row.get("stages", {}).values():
            stage.pop("seconds", None)
    return rows


def test_held_out_documents_give_the_local_engines_records(ray_instance, repo_root, tiny_overrides, tmp_path):
    source = write_jsonl(tmp_path / "held-out.jsonl", [{"id": key, "text": text} for key, text in HELD_OUT.items()])
    folders = {}
    for engine in ("local", "ray"):
        config = load_config(repo_root / "configs" / "tiny.yaml", [*tiny_overrides, f"engine.name={engine}"])
        folders[engine] = tmp_path / engine
        summary = run_pipeline(config, source, folders[engine], progress=False)
        assert summary.documents == len(HELD_OUT)
    assert records(folders["ray"]) == records(folders["local"])
    assert records(folders["ray"], "errors.jsonl") == records(folders["local"], "errors.jsonl")
    assert {row["id"] for row in records(folders["ray"], "errors.jsonl")} == {"empty", "whitespace"}
    manifest = json.loads((folders["ray"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "ray" and manifest["engine"]["ray"] == ray.__version__
    # prepare measures segments with the translator's tokenizer, so it runs in the translator's actors
    placed = {tuple(step["stages"]): step for step in manifest["engine"]["steps"]}
    assert set(placed) == {("prepare", "translate"), ("summarize",), ("back_translate",)}
    assert all(step["workers"] == "actors" for step in placed.values())
    assert set(manifest["models"]) == {"translate", "summarize", "back_translate"}


def test_an_actor_that_dies_mid_run_loses_and_duplicates_nothing(ray_instance, tmp_path):
    documents = [{"id": f"doc-{number:03d}", "text": f"{HINDI} समाचार {number}।"} for number in range(24)]
    source = write_jsonl(tmp_path / "input.jsonl", documents)
    config_file = tmp_path / "die.yaml"
    config_file.write_text(yaml.safe_dump({
        "stages": ["prepare", "lead_k", "die_once"], "batch_size": 4, "engine": {"name": "ray"},
    }), encoding="utf-8")
    summary = run_pipeline(load_config(config_file), source, tmp_path / "run", progress=False)
    assert ray_instance["marker"].exists(), "the fault was not injected: no actor died"
    ids = [row["id"] for row in records(tmp_path / "run")]
    assert sorted(ids) == [document["id"] for document in documents]  # each once, none lost
    assert summary.errors == 0 and summary.counts.results == len(documents)


def test_resume_after_the_driver_is_killed_writes_every_id_once(ray_instance, repo_root, tmp_path):
    documents = [{"id": f"n{number:03d}", "text": f"{HINDI} खबर {number}।"} for number in range(200)]
    source = write_jsonl(tmp_path / "input.jsonl", documents)
    config_file = tmp_path / "paced.yaml"
    config_file.write_text(yaml.safe_dump({"stages": ["prepare", "lead_k", "pace"], "batch_size": 4}), encoding="utf-8")
    output = tmp_path / "run"
    arguments = ["--config", str(config_file), "--input", str(source), "--output", str(output), "--no-progress",
                 "--ray-address", ray_instance["address"]]
    # scripts/run.py as the command line runs it, with the paced stage registered first; Ray gives the workers of
    # a job that joins a cluster its driver's directory, so they find the stage's module there
    launch = ("import runpy, sys, ray_fault_stages; sys.argv = sys.argv[1:]; "
              "runpy.run_path(sys.argv[0], run_name='__main__')")
    command = [sys.executable, "-c", launch, str(repo_root / "scripts" / "run.py"), *arguments]
    environment = {**os.environ, "PYTHONPATH": ray_instance["python_path"]}
    driver = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment,
                              cwd=ray_instance["fault_dir"])
    results = output / "results.jsonl"
    deadline = time.monotonic() + 240
    while driver.poll() is None and time.monotonic() < deadline:
        if results.exists() and results.read_bytes().count(b"\n") >= 8:
            driver.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    driver.wait(timeout=60)
    assert driver.returncode == -signal.SIGKILL, driver.stderr.read().decode()[-2000:]
    done_at_kill = results.read_bytes().count(b"\n")
    assert 0 < done_at_kill < len(documents)

    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300, env=environment,
                             cwd=ray_instance["fault_dir"])
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    ids = [row["id"] for row in records(output)]
    assert sorted(ids) == [document["id"] for document in documents]
    manifest = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["results"] == len(documents) and manifest["counts"]["resumed"] >= done_at_kill
    assert manifest["finished_at"] is not None and manifest["engine"]["name"] == "ray"


def test_engine_settings_are_checked_against_the_run(repo_root, tmp_path):
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match=r"engine\.ray\.address: 'head' is not auto, HOST:PORT or ray://HOST:PORT"):
        load_config(repo_root / "configs" / "tiny.yaml", ["engine.name=ray", "engine.ray.address=head"])
    with pytest.raises(ConfigError, match=r"engine\.ray\.stages\.lead_k: not a stage of this run"):
        load_config(repo_root / "configs" / "tiny.yaml", ["engine.name=ray", "engine.ray.stages.lead_k.min_actors=2"])
    with pytest.raises(ConfigError, match=r"engine\.ray\.stages\.translate: runs in one step with prepare"):
        load_config(repo_root / "configs" / "tiny.yaml",
                    ["engine.name=ray", "engine.ray.stages.prepare.num_cpus=1", "engine.ray.stages.translate.num_cpus=1"])
    with pytest.raises(ConfigError, match=r"engine\.ray\.stages\.summarize\.max_actors: less than min_actors"):
        load_config(repo_root / "configs" / "tiny.yaml",
                    ["engine.name=ray", "engine.ray.stages.summarize.min_actors=2",
                     "engine.ray.stages.summarize.max_actors=1"])


def test_without_ray_the_engine_says_what_to_install(run_script, repo_root, tmp_path, monkeypatch, capsys):
    source = write_jsonl(tmp_path / "input.jsonl", [{"id": "a", "text": HINDI}])
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *args: None if name == "ray" else True)
    code = run_script(["--config", str(repo_root / "configs" / "lead3.yaml"), "--input", str(source),
                       "--output", str(tmp_path / "run"), "--engine", "ray"])
    error = capsys.readouterr().err.strip()
    assert code == 2 and error.startswith("error: engine: ray needs Ray Data: pip install '.[ray]'")
    assert len(error.splitlines()) == 1 and not (tmp_path / "run").exists()


