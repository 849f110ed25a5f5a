"""What a user does, end to end: run two pipelines, score both run folders, export them as one dataset.

The tiny run (configs/tiny.yaml on the session's tiny random models) and the lead-3 run (configs/lead3.yaml
on the tiny IndicTrans2 checkpoint of ../shared, skipped without it) translate examples/hindi_news.jsonl;
scripts/evaluate.py scores each folder in place, and scripts/export_dataset.py exports both as two splits.
"""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pytest
import yaml

from pipeline.evaluation.bootstrap import MIN_DOCUMENTS
from pipeline.run_config import load_config
from pipeline.runner import run_pipeline

SPLITS = ("tiny", "lead3")
NO_INTERVAL = f"none: fewer than {MIN_DOCUMENTS} documents"  # the card's interval of a score from five documents
SCORE_COLUMNS = {  # column -> (output, metric) of the evaluator's rows; examples have no Hindi reference summary
    **{f"summary_{metric}": ("summary", metric) for metric in ("rouge1", "rouge2", "rougeL", "rougeLsum")},
    "translation_bleu": ("translation", "bleu"),
    "translation_chrfpp": ("translation", "chrf++"),
}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def own_rows(run: Path) -> list[dict]:
    """scores.jsonl rows of the run's own outputs: its folder name is its label, lead-3 rows are baselines."""
    return [row for row in read_jsonl(run / "scores.jsonl") if row["run"] == run.name and not row["baseline"]]


def expected_rows(run: Path, flags: list[str]) -> list[dict]:
    """results.jsonl in the columns of docs/export.md, with the evaluator's per-document scores; `flags`: every flag
    of the export's examples, one boolean column each."""
    scores = {(row["id"], row["output"]): row["scores"] for row in own_rows(run)}
    return [
        {
            "id": result["id"],
            "source_language": "hi",
            "source": result["source"],
            "translation": {"hi": result["source"], "en": result["translation"]},
            "summary_en": result["summary"],
            "summary_hi": result.get("summary_hi"),
            "reference_translation": result.get("reference_translation"),
            "reference_summary": result.get("reference_summary"),
            "translation_model": result["stages"]["translate"]["model"],
            "summarization_model": result["stages"]["summarize"]["model"],
            "back_translation_model": result["stages"].get("back_translate", {}).get("model"),
            "flags": result["flags"],
            **{"flag_" + flag.replace(":", "_"): flag in result["flags"] for flag in flags},
            **{
                column: scores.get((result["id"], output), {}).get(metric)
                for column, (output, metric) in SCORE_COLUMNS.items()
            },
        }
        for result in read_jsonl(run / "results.jsonl")
    ]


@pytest.fixture(scope="module")
def runs(repo_root, tmp_path_factory, tiny_overrides, indictrans_fixtures, evaluate_run) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    lead3_overrides = [
        f"translate.model={indictrans_fixtures / 'tiny-indic-en'}",
        "translate.generation.num_beams=1",
        "translate.generation.max_new_tokens=16",
    ]
    configs = {"tiny": ("configs/tiny.yaml", tiny_overrides), "lead3": ("configs/lead3.yaml", lead3_overrides)}
    for split, (config_file, overrides) in configs.items():
        config = load_config(repo_root / config_file, overrides)
        summary = run_pipeline(config, repo_root / "examples" / "hindi_news.jsonl", root / split, progress=False)
        assert summary.errors == 0
        evaluate_run(root / split)
    return {split: root / split for split in SPLITS}


@pytest.fixture(scope="module")
def export(runs, tmp_path_factory, export_dataset) -> Path:
    out = tmp_path_factory.mktemp("export") / "dataset"
    splits = [option for split in SPLITS for option in ("--split", split)]
    assert export_dataset([*map(str, runs.values()), *splits, "--out", str(out), "--license", "cc-by-4.0"]) == 0
    return out


@pytest.fixture(scope="module")
def loaded(export, tmp_path_factory) -> dict[str, datasets.DatasetDict]:
    return {
        "load_dataset": datasets.load_dataset(str(export), cache_dir=str(tmp_path_factory.mktemp("hf-cache"))),
        "load_from_disk": datasets.load_from_disk(str(export / "arrow")),
    }


def card(export: Path) -> str:
    return (export / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("loader", ["load_dataset", "load_from_disk"])
def test_each_split_reads_back_as_its_results_with_the_evaluators_scores(runs, loaded, loader, split):
    flags = sorted({flag for run in runs.values() for result in read_jsonl(run / "results.jsonl") for flag in result["flags"]})
    assert flags  # the tiny models' gibberish is flagged, so the boolean columns are there to check
    assert loaded[loader][split].to_list() == expected_rows(runs[split], flags)


@pytest.mark.parametrize("split", SPLITS)
def test_every_score_column_has_scores_in_each_split(loaded, split):
    exported = loaded["load_dataset"][split]
    assert all(any(value is not None for value in exported[column]) for column in SCORE_COLUMNS)


def test_card_metadata_names_languages_license_size_and_both_splits(export):
    metadata = yaml.safe_load(card(export).split("---\n")[1])
    assert (metadata["language"], metadata["license"], metadata["size_categories"]) == (
        ["hi", "en"],
        "cc-by-4.0",
        ["n<1K"],
    )
    (config,) = metadata["configs"]
    assert config["data_files"] == [{"split": split, "path": f"data/{split}-*.parquet"} for split in SPLITS]


@pytest.mark.parametrize("split", SPLITS)
def test_card_shows_the_corpus_scores_and_signatures_of_each_runs_report(runs, export, split):
    report = json.loads((runs[split] / "report.json").read_text(encoding="utf-8"))
    columns = {pair: column for column, pair in SCORE_COLUMNS.items()}
    own = [system for track in report["tracks"] for system in track["systems"] if not system["baseline"]]
    reported = [
        (columns[system["output"], metric], corpus, system["documents"])
        for system in own
        for metric, corpus in system["scores"].items()
    ]
    assert [column for column, _corpus, _documents in reported] == list(SCORE_COLUMNS)
    text = card(export)
    for column, corpus, documents in reported:
        interval = NO_INTERVAL if corpus["ci"] is None else f"95% [{corpus['ci'][0]:.2f}, {corpus['ci'][1]:.2f}]"
        assert f"| `{split}` | `{column}` | {corpus['score']:.2f} | {interval} | {documents} |" in text
        assert f"- `{split}` `{column}`: `{corpus['signature']}`" in text
