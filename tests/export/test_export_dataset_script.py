"""scripts/export_dataset.py end to end, on synthetic run folders that follow scripts/run.py's contract.

The Hindi run is scored by scripts/evaluate.py, so its scores.jsonl and report.json are the evaluator's own.
Both read-back paths are checked against the input files: `load_from_disk(DIR/arrow)` and
`load_dataset(DIR)`, which only sees the Parquet shards through the card's `configs`.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import subprocess
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import datasets
import huggingface_hub
import pytest
import yaml
from datasets import Features, Sequence, Translation, Value
from huggingface_hub import HfApi

from pipeline.evaluation.bootstrap import MIN_DOCUMENTS

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "export_dataset.py"
SCORE_COLUMNS = {  # column -> (output, metric) of the evaluator's rows
    "summary_rouge1": ("summary", "rouge1"),
    "summary_rouge2": ("summary", "rouge2"),
    "summary_rougeL": ("summary", "rougeL"),
    "summary_rougeLsum": ("summary", "rougeLsum"),
    "translation_bleu": ("translation", "bleu"),
    "translation_chrfpp": ("translation", "chrf++"),
}
OOM = "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"
EMPTY_SUMMARY = "ValueError: empty summary"
SPLITS = ("train", "test")
NO_INTERVAL = f"none: fewer than {MIN_DOCUMENTS} documents"  # the card's interval of a score from so few documents

# Unicode that a normalizing or re-encoding export would alter: precomposed nukta letters (U+0958, U+095B,
# both excluded from NFC composition), a decomposed nukta, ZWJ and ZWNJ conjuncts, emoji ZWJ sequences, a
# flag, NFC and NFD "café", and U+2028, which some line splitters treat as a line break.
TRICKY_SOURCE = (
    "\u0958ानून के तहत \u095Bमीन और \u091c\u093cमीन दोनों लिखे जाते हैं। क्\u200dष और क्\u200cष अलग दिखते हैं।"
    "\u2028वैज्ञानिकों 👩🏽\u200d💻 ने 🇮🇳 में नया शोध प्रकाशित किया।"
)
TRICKY_TRANSLATION = (
    "Under the law, land is written both ways.\u2028Scientists 👩🏽\u200d💻 met at a café and a cafe\u0301."
)


def translate_stage(model: str = "ai4bharat/indictrans2-indic-en-dist-200M") -> dict:
    return {
        "model": model,
        "revision": "6a4b1c2",
        "device": "cuda:0",
        "dtype": "float16",
        "tokens_in": 58,
        "tokens_out": 41,
        "segments": 2,
        "seconds": 0.82,
    }


def summarize_stage(strategy: str = "map_reduce", truncated: bool = False) -> dict:
    return {
        "model": "facebook/bart-large-cnn",
        "revision": None,
        "strategy": strategy,
        "tokens_in": 41,
        "tokens_out": 17,
        "truncated": truncated,
        "chunks": 1,
        "seconds": 0.4,
    }


def back_translate_stage() -> dict:
    return translate_stage("ai4bharat/indictrans2-en-indic-dist-200M")


def hindi_bt_results() -> list[dict]:
    stages = {"translate": translate_stage(), "summarize": summarize_stage(), "back_translate": back_translate_stage()}
    return [
        {
            "id": "news-001",
            "source": "दिल्ली में आज सुबह से भारी बारिश हो रही है। "
            "मौसम विभाग ने अगले दो दिनों के लिए ऑरेंज अलर्ट जारी किया है।",
            "translation": "Heavy rain has been falling in Delhi since this morning. The weather department has "
            "issued an orange alert for the next two days.",
            "summary": "Heavy rain in Delhi; an orange alert is in place for two days.",
            "summary_hi": "दिल्ली में भारी बारिश; दो दिनों के लिए ऑरेंज अलर्ट।",
            "reference_summary": "Delhi has heavy rain and an orange alert for two days.",
            "reference_translation": "It has been raining heavily in Delhi since morning. The Met department "
            "has issued an orange alert for the next two days.",
            "stages": stages,
        },
        {
            "id": "news-002",
            "source": TRICKY_SOURCE,
            "translation": TRICKY_TRANSLATION,
            "summary": "Scientists 👩🏽\u200d💻 published new research in 🇮🇳 at a cafe\u0301.",
            "summary_hi": "वैज्ञानिकों ने \u095Bमीन पर नया शोध प्रकाशित किया।",
            "reference_summary": "New research was published.",
            "reference_translation": "Under the law both spellings of land are used.",
            "stages": {**stages, "summarize": summarize_stage(truncated=True)},
        },
        {
            "id": "news-003",
            "source": "मैच रद्द।",
            "translation": "Match cancelled.",
            "summary": None,
            "summary_hi": None,
            "reference_summary": "The match was cancelled.",
            "reference_translation": "Match called off.",
            "stages": {"translate": translate_stage()},
        },
        {
            "id": "news-004",
            "source": "संसद का सत्र सोमवार से शुरू होगा।",
            "translation": "The session of Parliament will begin on Monday.",
            "summary": None,
            "reference_summary": "Parliament meets on Monday.",
            "reference_translation": "Parliament's session starts Monday.",
            "stages": {"translate": translate_stage()},
        },
    ]


def hindi_bt_errors() -> list[dict]:
    return [
        {"id": "news-004", "stage": "summarize", "error": EMPTY_SUMMARY + "\nTraceback (most recent call last):"},
        {"id": "news-005", "stage": "translate", "error": OOM, "source": "बहुत लंबा दस्तावेज़ …"},
        {"id": "news-006", "stage": "translate", "error": OOM, "source": "एक और लंबा दस्तावेज़ …"},
    ]


def english_results() -> list[dict]:
    return [
        {
            "id": "en-001",
            "source": "The city council approved the new budget on Tuesday after a long debate over school funding.",
            "translation": None,
            "summary": "The council approved the budget.",
            "stages": {"summarize": summarize_stage("lead_k")},
        },
        {
            "id": "en-002",
            "source": "Résumé: the café reopened 🎉 after repairs.",
            "translation": None,
            "summary": "The café reopened.",
            "stages": {"summarize": summarize_stage("lead_k")},
        },
    ]


def translate_only_results() -> list[dict]:
    stage = translate_stage()
    return [
        {"id": f"tr-{n}", "source": hindi, "translation": english, "summary": None, "stages": {"translate": stage}}
        for n, (hindi, english) in enumerate(
            [("नमस्ते दुनिया।", "Hello world."), ("आज मौसम साफ़ है।", "The weather is clear today.")]
        )
    ]


def manifest(name: str, stages: list[str], results: list[dict], errors: Sequence[dict] = ()) -> dict:
    """The manifest of a finished run that wrote `results` and `errors`."""
    return {
        "run_name": name,
        "config_file": f"configs/{name}.yaml",
        "config": {"translate": {"batch_size": 8, "num_beams": 4}, "summarize": {"strategy": "map_reduce"}},
        "stages": stages,
        "models": {stage: {"model": "some/model", "revision": None} for stage in stages},
        "versions": {"python": "3.11", "torch": "2.4", "transformers": "5.0", "datasets": "5.2", "pipeline": "0.1"},
        "device": "cuda:0",
        "dtype": "float16",
        "input": "examples/news.jsonl",
        "started_at": "2025-01-01T10:00:00+00:00",
        "finished_at": "2025-01-01T10:05:00+00:00",
        "counts": {
            "documents": len(results) + len(errors), "results": len(results), "errors": len(errors), "resumed": 0
        },
    }


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")


def write_run(folder: Path, results: list[dict], *, errors=(), run_manifest=None) -> Path:
    folder.mkdir(parents=True)
    write_jsonl(folder / "results.jsonl", results)
    write_jsonl(folder / "errors.jsonl", list(errors))
    if run_manifest is not None:
        (folder / "manifest.json").write_text(json.dumps(run_manifest, ensure_ascii=False), encoding="utf-8")
    return folder


def run_script(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=120)


def load_script():
    spec = importlib.util.spec_from_file_location("export_dataset_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def front_matter(card: Path) -> dict:
    text = card.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text[4:].split("\n---\n", 1)[0])


def expected_features(*, back_translation: bool, references: bool, metrics: tuple[str, ...]) -> Features:
    string = Value("string")
    columns = {
        "id": string,
        "source_language": string,
        "source": string,
        "translation": Translation(languages=["hi", "en"]),
        "summary_en": string,
    }
    if back_translation:
        columns["summary_hi"] = string
    if references:
        columns.update(reference_translation=string, reference_summary=string)
    columns.update(translation_model=string, summarization_model=string)
    if back_translation:
        columns["back_translation_model"] = string
    columns["flags"] = Sequence(string)
    columns.update({metric: Value("float64") for metric in metrics})
    return Features(columns)


def assert_rows_match(rows: list[dict], results: list[dict], failed: set[str], scores: dict[str, dict]) -> None:
    """Every non-failed result, in input order, field by field; absent stages and scores read back as null."""
    kept = [result for result in results if result["id"] not in failed]
    assert [row["id"] for row in rows] == [result["id"] for result in kept]
    for row, result in zip(rows, kept):
        stages = result["stages"]
        assert row["source"] == result["source"]
        assert row["source_language"] == ("hi" if "translate" in stages else "en")
        english = result["translation"]
        assert row["translation"] == (None if english is None else {"hi": result["source"], "en": english})
        assert row["summary_en"] == result["summary"]
        for field in ("summary_hi", "reference_summary", "reference_translation"):
            if field in row:
                assert row[field] == result.get(field)
        for stage, column in (("translate", "translation_model"), ("summarize", "summarization_model")):
            assert row[column] == stages.get(stage, {}).get("model")
        if "back_translation_model" in row:
            assert row["back_translation_model"] == stages.get("back_translate", {}).get("model")
        assert row["flags"] == result.get("flags", [])  # results written before flags existed have none
        for column in SCORE_COLUMNS:
            if column in row:
                assert row[column] == scores.get(result["id"], {}).get(column)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, evaluate_run) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    hindi = write_run(
        root / "hi-news-bt",
        hindi_bt_results(),
        errors=hindi_bt_errors(),
        run_manifest=manifest("hi-news-bt", ["translate", "summarize", "back_translate"], hindi_bt_results(),
                              hindi_bt_errors()),
    )
    return {
        "train": evaluate_run(hindi),
        "test": write_run(
            root / "en-news", english_results(), run_manifest=manifest("en-news", ["summarize"], english_results())
        ),
    }


@pytest.fixture(scope="module")
def evaluator_scores(runs) -> dict[str, dict[str, float]]:
    """id -> score column -> the per-document score of the Hindi run's own output in its scores.jsonl."""
    lines = (runs["train"] / "scores.jsonl").read_text(encoding="utf-8").splitlines()
    own = [row for row in map(json.loads, lines) if row["run"] == "hi-news-bt" and not row["baseline"]]
    scores: dict[str, dict[str, float]] = {}
    for row in own:
        for column, (output, metric) in SCORE_COLUMNS.items():
            if row["output"] == output:
                scores.setdefault(row["id"], {})[column] = row["scores"][metric]
    return scores


@pytest.fixture(scope="module")
def report(runs) -> dict:
    return json.loads((runs["train"] / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def export(runs, tmp_path_factory) -> Path:
    """The two runs exported once, through the command line, as splits train and test."""
    out = tmp_path_factory.mktemp("export") / "dataset"
    completed = run_script(
        str(runs["train"]), str(runs["test"]), "--split", "train", "--split", "test", "--out", str(out),
        "--license", "cc-by-4.0",
    )
    assert completed.returncode == 0, completed.stderr
    return out


@pytest.fixture(scope="module")
def from_disk(export) -> datasets.DatasetDict:
    return datasets.load_from_disk(str(export / "arrow"))


@pytest.fixture(scope="module")
def from_parquet(export, tmp_path_factory) -> datasets.DatasetDict:
    return datasets.load_dataset(str(export), cache_dir=str(tmp_path_factory.mktemp("hf-cache")))


@pytest.fixture(params=["from_disk", "from_parquet"])
def loaded(request) -> datasets.DatasetDict:
    return request.getfixturevalue(request.param)


FAILED = {error["id"] for error in hindi_bt_errors()}
EXPORT_FEATURES = expected_features(back_translation=True, references=True, metrics=tuple(SCORE_COLUMNS))


def test_two_runs_become_two_splits(loaded):
    assert sorted(loaded) == ["test", "train"]


def test_every_split_has_the_declared_features(loaded):
    assert all(split.features == EXPORT_FEATURES for split in loaded.values())


def test_hindi_run_reads_back_field_by_field_without_failed_documents(loaded, evaluator_scores):
    assert_rows_match(loaded["train"].to_list(), hindi_bt_results(), FAILED, evaluator_scores)


def test_english_input_run_has_english_source_and_null_translation(loaded):
    assert_rows_match(loaded["test"].to_list(), english_results(), set(), {})


def test_unicode_is_not_normalized(loaded):
    assert unicodedata.normalize("NFC", TRICKY_SOURCE) != TRICKY_SOURCE != unicodedata.normalize("NFD", TRICKY_SOURCE)
    assert unicodedata.normalize("NFC", TRICKY_TRANSLATION) != TRICKY_TRANSLATION
    row = next(row for row in loaded["train"] if row["id"] == "news-002")
    assert (row["source"], row["translation"]["hi"], row["translation"]["en"]) == (
        TRICKY_SOURCE,
        TRICKY_SOURCE,
        TRICKY_TRANSLATION,
    )


def test_columns_that_are_null_in_a_split_keep_their_type(loaded):
    english = loaded["test"]
    assert english.features["summary_hi"] == Value("string") and set(english["summary_hi"]) == {None}
    assert english.features["translation_bleu"] == Value("float64") and set(english["translation_bleu"]) == {None}


def test_card_metadata_names_languages_license_size_and_tasks(export):
    metadata = front_matter(export / "README.md")
    assert metadata["language"] == ["hi", "en"]
    assert metadata["license"] == "cc-by-4.0"
    assert metadata["size_categories"] == ["n<1K"]
    assert metadata["task_categories"] == ["translation", "summarization"]


def test_card_data_files_cover_exactly_the_parquet_shards_of_each_split(export):
    (config,) = front_matter(export / "README.md")["configs"]
    matched = {entry["split"]: set(export.glob(entry["path"])) for entry in config["data_files"]}
    parquet = set(export.rglob("*.parquet"))
    assert matched == {split: {path for path in parquet if path.name.startswith(f"{split}-")} for split in SPLITS}
    assert all(matched.values())


def test_card_counts_failed_documents_by_stage_and_reason(export):
    card = (export / "README.md").read_text(encoding="utf-8")
    first_lines = [error["error"].splitlines()[0] for error in hindi_bt_errors()]
    assert f"{len(FAILED)} documents failed" in card
    assert f"| `train` | `translate` | {OOM} | {first_lines.count(OOM)} |" in card
    assert f"| `train` | `summarize` | {EMPTY_SUMMARY} | {first_lines.count(EMPTY_SUMMARY)} |" in card


@pytest.mark.parametrize("column", ["summary_rougeLsum", "translation_chrfpp"])
def test_card_shows_the_corpus_score_interval_and_signature_of_report_json(export, report, column):
    output, metric = SCORE_COLUMNS[column]
    systems = [system for track in report["tracks"] for system in track["systems"]]
    (system,) = [s for s in systems if (s["run"], s["output"], s["baseline"]) == ("hi-news-bt", output, False)]
    corpus = system["scores"][metric]
    interval = NO_INTERVAL if corpus["ci"] is None else f"95% [{corpus['ci'][0]:.2f}, {corpus['ci'][1]:.2f}]"
    card = (export / "README.md").read_text(encoding="utf-8")
    assert f"| `train` | `{column}` | {corpus['score']:.2f} | {interval} | {system['documents']} |" in card
    assert f"- `train` `{column}`: `{corpus['signature']}`" in card


def test_card_lists_models_with_revisions(export):
    card = (export / "README.md").read_text(encoding="utf-8")
    stage = translate_stage()
    kept = [result for result in hindi_bt_results() if result["id"] not in FAILED]
    translated = [result for result in kept if "translate" in result["stages"]]
    assert f"| `train` | `translate` | {stage['model']} | {stage['revision']} | {len(translated)} |" in card


def test_all_null_column_of_a_single_run_keeps_its_type(tmp_path):
    run = write_run(tmp_path / "translate-only", translate_only_results())
    out = tmp_path / "dataset"
    assert load_script().main([str(run), "--out", str(out)]) == 0
    for loaded_back in (
        datasets.load_from_disk(str(out / "arrow")),
        datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache")),
    ):
        train = loaded_back["train"]
        assert train.features == expected_features(back_translation=False, references=False, metrics=())
        assert set(train["summary_en"]) == set(train["summarization_model"]) == {None}


def test_small_max_shard_size_writes_several_shards_that_load_in_order(runs, evaluator_scores, tmp_path):
    out = tmp_path / "dataset"
    assert load_script().main([str(runs["train"]), "--out", str(out), "--max-shard-size", "1KB"]) == 0
    assert len(list((out / "data").glob("train-*.parquet"))) > 1
    loaded_back = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))
    assert_rows_match(loaded_back["train"].to_list(), hindi_bt_results(), FAILED, evaluator_scores)


def no_folder(run: Path) -> None:
    """Leaves the run folder absent."""


def empty_folder(run: Path) -> None:
    run.mkdir()


def malformed_third_line(run: Path) -> None:
    write_run(run, english_results())
    with (run / "results.jsonl").open("a", encoding="utf-8") as results:
        results.write('{"id": "en-003", "source": "cut off\n')


def error_without_message(run: Path) -> None:
    write_run(run, english_results(), errors=[{"id": "en-001", "stage": "summarize"}])


def repeated_id(run: Path) -> None:
    write_run(run, english_results() + english_results()[:1])


@pytest.mark.parametrize(
    "break_run, message",
    [
        (no_folder, "run folder not found"),
        (empty_folder, "results.jsonl: missing"),
        (malformed_third_line, "results.jsonl:3: malformed JSON"),
        (error_without_message, "errors.jsonl:1: 'error' must be a string"),
        (repeated_id, "results.jsonl:3: duplicate id 'en-001'"),
    ],
)
def test_bad_run_folder_exits_2_with_one_line_naming_the_file(tmp_path, capsys, break_run, message):
    run = tmp_path / "run"
    break_run(run)
    assert load_script().main([str(run), "--out", str(tmp_path / "dataset")]) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and str(run) in stderr and message in stderr
    assert not (tmp_path / "dataset").exists()


def test_an_unfinished_run_is_exported_with_a_one_line_warning_and_a_warning_in_the_card(tmp_path, capsys):
    unfinished = {**manifest("en-news", ["summarize"], english_results()), "finished_at": None}
    run = write_run(tmp_path / "run", english_results(), run_manifest=unfinished)
    assert load_script().main([str(run), "--out", str(tmp_path / "dataset")]) == 0
    warning = capsys.readouterr().err
    assert warning.count("\n") == 1 and f"split train ({run}) is from an unfinished run" in warning
    card = (tmp_path / "dataset" / "README.md").read_text(encoding="utf-8")
    assert "> **Warning: unfinished run.** Split `train` (run `en-news`): manifest.json has no finished_at" in card


def test_a_finished_run_is_exported_without_warning(runs, tmp_path, capsys):
    assert load_script().main([str(runs["test"]), "--out", str(tmp_path / "dataset")]) == 0
    assert capsys.readouterr().err == ""
    assert "Warning" not in (tmp_path / "dataset" / "README.md").read_text(encoding="utf-8")


def test_run_whose_documents_all_failed_is_refused(tmp_path, capsys):
    failure = {"id": "en-001", "stage": "summarize", "error": "ValueError: empty summary"}
    run = write_run(tmp_path / "run", english_results()[:1], errors=[failure])
    assert load_script().main([str(run), "--out", str(tmp_path / "dataset")]) == 2
    assert "nothing to export" in capsys.readouterr().err


def test_non_empty_out_is_left_alone_without_overwrite(runs, tmp_path):
    out = tmp_path / "dataset"
    out.mkdir()
    (out / "keep.txt").write_text("earlier work")
    with pytest.raises(SystemExit) as exit_info:
        load_script().main([str(runs["test"]), "--out", str(out)])
    assert exit_info.value.code == 2
    assert [path.name for path in out.iterdir()] == ["keep.txt"]


def test_overwrite_replaces_the_previous_export(runs, tmp_path):
    out = tmp_path / "dataset"
    out.mkdir()
    (out / "stale.parquet").write_text("old")
    assert load_script().main([str(runs["test"]), "--out", str(out), "--overwrite"]) == 0
    assert sorted(path.name for path in out.iterdir()) == ["README.md", "arrow", "data"]


def test_push_without_token_fails_before_writing_anything(runs, tmp_path):
    token_variables = {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH"}
    env = {key: value for key, value in os.environ.items() if key not in token_variables}
    env.update(HF_HOME=str(tmp_path / "hf-home"), HF_HUB_OFFLINE="1")
    out = tmp_path / "dataset"
    completed = run_script(str(runs["test"]), "--out", str(out), "--push-to-hub", "someone/hindi-news", env=env)
    assert completed.returncode == 1
    assert "no Hugging Face token" in completed.stderr and completed.stderr.count("\n") == 1
    assert not out.exists()


def test_push_while_offline_fails_before_writing_anything(runs, tmp_path, capsys):
    assert huggingface_hub.constants.is_offline_mode(), "tests/conftest.py sets HF_HUB_OFFLINE=1"
    out = tmp_path / "dataset"
    argv = [str(runs["test"]), "--out", str(out), "--push-to-hub", "someone/hindi-news", "--token", "hf_x"]
    assert load_script().main(argv) == 1
    assert "HF_HUB_OFFLINE" in capsys.readouterr().err
    assert not out.exists()


@pytest.fixture
def fake_hub(monkeypatch) -> SimpleNamespace:
    """Stands in for the Hub at the huggingface_hub boundary: HfApi's network methods are replaced, nothing is sent."""
    calls = SimpleNamespace(tokens=[], create_repo=[], upload_folder=[])

    def whoami(self, *args, **kwargs):
        calls.tokens.append(self.token)
        return {"name": "someone"}

    def create_repo(self, repo_id, **kwargs):
        calls.create_repo.append({"repo_id": repo_id, **kwargs})

    def upload_folder(self, **kwargs):
        calls.upload_folder.append(kwargs)
        return SimpleNamespace(commit_url=f"https://huggingface.co/datasets/{kwargs['repo_id']}/commit/abc")

    monkeypatch.setattr(HfApi, "whoami", whoami)
    monkeypatch.setattr(HfApi, "create_repo", create_repo)
    monkeypatch.setattr(HfApi, "upload_folder", upload_folder)
    return calls


def test_push_uploads_the_card_and_parquet_shards_only(runs, tmp_path, fake_hub):
    out = tmp_path / "dataset"
    argv = [str(runs["test"]), "--out", str(out), "--push-to-hub", "someone/hindi-news", "--private", "--token", "hf_x"]
    assert load_script().main(argv) == 0
    assert fake_hub.tokens == ["hf_x"]
    assert fake_hub.create_repo == [
        {"repo_id": "someone/hindi-news", "repo_type": "dataset", "private": True, "exist_ok": True}
    ]
    (upload,) = fake_hub.upload_folder
    assert (upload["repo_id"], upload["repo_type"]) == ("someone/hindi-news", "dataset")
    assert Path(upload["folder_path"]) == out
    files = [path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()]
    uploaded = {name for name in files if any(fnmatch.fnmatch(name, pattern) for pattern in upload["allow_patterns"])}
    parquet = {name for name in files if name.startswith("data/") and name.endswith(".parquet")}
    assert parquet and uploaded == {"README.md", *parquet}


def test_failed_upload_exits_1_and_keeps_the_local_export(runs, tmp_path, fake_hub, monkeypatch, capsys):
    def unreachable(self, **kwargs):
        raise ConnectionError("Network is unreachable")

    monkeypatch.setattr(HfApi, "upload_folder", unreachable)
    out = tmp_path / "dataset"
    assert load_script().main([str(runs["test"]), "--out", str(out), "--push-to-hub", "someone/hindi-news"]) == 1
    assert "Network is unreachable" in capsys.readouterr().err
    assert len(datasets.load_from_disk(str(out / "arrow"))["train"]) == len(english_results())
