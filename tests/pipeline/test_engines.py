"""The execution seam: the engine named by the config schedules the batches; the runner only writes what it yields."""

import json
from collections.abc import Iterable, Iterator

import pytest

from pipeline.config import ConfigError
from pipeline.engines import ENGINES, BatchOutcome, Executor, process_batch
from pipeline.records import Document
from pipeline.run_config import load_config
from pipeline.runner import run_pipeline

MODEL_FREE = "stages: [prepare, lead_k]\nbatch_size: 2\n"
TEXTS = [
    "नई दिल्ली में बारिश हुई। मौसम विभाग ने चेतावनी दी। स्कूल बंद रहे। लोग घरों में रहे।",
    "सरकार ने योजना की घोषणा की।",
    "",
    "भारत ने मैच जीता। खिलाड़ियों का स्वागत हुआ।",
    "मेट्रो सेवा शनिवार से शुरू होगी।",
]


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture
def documents(tmp_path):
    path = tmp_path / "input.jsonl"
    lines = [json.dumps({"id": f"d{i}", "text": text}, ensure_ascii=False) for i, text in enumerate(TEXTS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "model-free.yaml"
    path.write_text(MODEL_FREE, encoding="utf-8")
    return path


class OneAtATimeNewestFirst(Executor):
    """A different schedule: batches of one document, the whole input read first and run in reverse order."""

    name = "newest-first"

    def start(self):
        self._stages = self.plan.build()
        return {}

    def run(self, documents: Iterable[Document]) -> Iterator[BatchOutcome]:
        for document in reversed(list(documents)):
            yield process_batch(self._stages, [document], self.plan.config.input.max_document_chars)


@pytest.fixture
def newest_first(monkeypatch):
    monkeypatch.setitem(ENGINES._entries, OneAtATimeNewestFirst.name, OneAtATimeNewestFirst)


def test_the_local_engine_is_the_default_and_is_recorded_in_the_manifest(config_file, documents, tmp_path):
    config = load_config(config_file)
    assert config.engine.name == "local"
    summary = run_pipeline(config, documents, tmp_path / "run", progress=False)
    assert (summary.documents, summary.results, summary.errors) == (5, 4, 1)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"] == {"name": "local", "overlap": True}
    assert manifest["config"]["engine"] == {"name": "local", "local": {"overlap": True, "queued_batches": 2}}


def test_another_engine_plugs_into_the_same_runner_and_gives_the_same_records(
    config_file, documents, tmp_path, newest_first
):
    local = run_pipeline(load_config(config_file), documents, tmp_path / "local", progress=False)
    other = run_pipeline(load_config(config_file, ["engine=newest-first"]), documents, tmp_path / "other", progress=False)
    assert (other.results, other.errors) == (local.results, local.errors)

    def without_timings(path):
        records = read_jsonl(path)
        for record in records:
            for stage in record["stages"].values():
                stage.pop("seconds")
        return records

    local_records, other_records = without_timings(tmp_path / "local" / "results.jsonl"), without_timings(
        tmp_path / "other" / "results.jsonl"
    )
    assert [r["id"] for r in other_records] == ["d4", "d3", "d1", "d0"]  # its own order, the runner just writes it
    assert sorted(other_records, key=lambda r: r["id"]) == local_records
    assert read_jsonl(tmp_path / "other" / "errors.jsonl") == read_jsonl(tmp_path / "local" / "errors.jsonl")


def test_the_engine_option_overrides_the_config(run_script, config_file, documents, tmp_path, newest_first):
    code = run_script(["--config", str(config_file), "--input", str(documents), "--output", str(tmp_path / "run"),
                       "--engine", "newest-first", "--no-progress"])
    assert code == 0
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["engine"]["name"] == "newest-first"


@pytest.mark.parametrize(
    "engine, message",
    [
        ("spark", r"engine: unknown engine 'spark'; known: local, ray \(.*model-free\.yaml with --set engine=spark\)"),
        ("{name: local, local: {workers: 2}}", r"engine\.local\.workers: unknown key"),
        ("{name: local, dask: {}}", r"engine\.dask: unknown key"),
        ("{name: ray, ray: {num_gpus: -1}}", r"engine\.ray\.num_gpus: Input should be greater than or equal to 0"),
        ("[local]", r"engine: must be an engine name or a section"),
    ],
    ids=["unknown-engine", "unknown-setting", "unknown-engine-section", "bad-ray-setting", "not-a-name"],
)
def test_engine_settings_are_validated_like_every_other_key(config_file, engine, message):
    with pytest.raises(ConfigError, match=message):
        load_config(config_file, [f"engine={engine}"])


def test_a_batch_left_without_documents_is_no_error(config_file, tmp_path):
    """A batch whose only document is empty reaches the stages with nothing to do (it used to divide by zero)."""
    path = tmp_path / "empty.jsonl"
    path.write_text('{"id": "only", "text": "  "}\n', encoding="utf-8")
    summary = run_pipeline(load_config(config_file), path, tmp_path / "run", progress=False)
    assert (summary.results, summary.errors) == (0, 1)
    assert read_jsonl(tmp_path / "run" / "errors.jsonl")[0]["error"] == "empty document"
