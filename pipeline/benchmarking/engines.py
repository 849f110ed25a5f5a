"""Documents/s of one corpus under the local engine and the Ray engine with 1 and 2 actors per model stage.

Each run is `scripts/run.py` in a process of its own on the same corpus and tiny models (`scripts/benchmark_engines.py`,
docs/performance.md), so the figures are the whole run as a user sees it: imports, Ray's start, model loading,
reading, writing. The local engine's run is the baseline of the same session; every Ray run must write the very
records it wrote (timings aside).
"""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.benchmarking.memory import hindi_sentences, run_measured, write_corpus
from pipeline.benchmarking.report import RunFailed

log = logging.getLogger(__name__)

# The tiny pipeline (configs/tiny.yaml), and its translation alone: one model stage, where actors can only add up.
PIPELINES = {
    "prepare+translate": ["prepare", "translate"],
    "tiny (4 stages)": ["prepare", "translate", "summarize", "back_translate"],
}
MODEL_STAGES = ("translate", "summarize", "back_translate")


@dataclass(frozen=True)
class Variant:
    engine: str
    actors: int | None  # per model stage; None for the local engine

    @property
    def label(self) -> str:
        return "local" if self.actors is None else f"ray, {self.actors} actor{'s' * (self.actors > 1)} per model stage"

    def overrides(self, stages: list[str]) -> list[str]:
        if self.actors is None:
            return ["engine.name=local"]
        return ["engine.name=ray", *(f"engine.ray.stages.{stage}.min_actors={self.actors}"
                                     for stage in stages if stage in MODEL_STAGES)]


VARIANTS = (Variant("local", None), Variant("ray", 1), Variant("ray", 2))


def _records(folder: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    for row in rows:
        for stage in row["stages"].values():
            stage.pop("seconds", None)
    return rows


class EngineBenchmark:
    """`models` are the tiny models by name (`pipeline.tiny_models.build_tiny_models`)."""

    def __init__(self, work_dir: Path, shared_dir: Path, documents: int, models: dict[str, Path], repo_root: Path) -> None:
        self.work_dir, self.shared_dir, self.documents, self.models, self.repo_root = (
            work_dir, shared_dir, documents, models, repo_root)

    def _config(self, name: str, stages: list[str]) -> Path:
        config = yaml.safe_load((self.repo_root / "configs" / "tiny.yaml").read_text(encoding="utf-8"))
        config["stages"] = stages
        for section, model in (("translate", "marian-hi-en"), ("summarize", "bart-summarizer"),
                               ("back_translate", "marian-en-hi")):
            if section in stages:
                config[section]["model"] = str(self.models[model])
            else:
                config.pop(section, None)
        path = self.work_dir / f"{name.split()[0]}.yaml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        return path

    def run(self) -> dict[str, Any]:
        source, sentences = hindi_sentences(self.shared_dir)
        corpus = self.work_dir / "corpus.jsonl"
        write_corpus(corpus, self.documents, sentences)
        rows = []
        for pipeline, stages in PIPELINES.items():
            config = self._config(pipeline, stages)
            baseline = None
            for variant in VARIANTS:
                output = self.work_dir / f"{config.stem}-{variant.engine}-{variant.actors or 0}"
                log.info(f"run: {pipeline}, {variant.label}")
                command = [sys.executable, str(self.repo_root / "scripts" / "run.py"), "--config", str(config),
                           "--input", str(corpus), "--output", str(output), "--no-progress",
                           *(f"--set={override}" for override in variant.overrides(stages))]
                measured = run_measured(variant.label, command, self.documents, output.with_suffix(".log"))
                if measured.returncode != 0:
                    tail = output.with_suffix(".log").read_text(encoding="utf-8")[-3000:]
                    raise RunFailed(f"{pipeline}, {variant.label}: exited with {measured.returncode}:\n{tail}")
                records = _records(output)
                baseline = baseline or (records, measured.seconds)
                rows.append({
                    "pipeline": pipeline,
                    "engine": variant.label,
                    "seconds": round(measured.seconds, 1),
                    "documents_per_second": round(measured.documents_per_second, 2),
                    "vs_local": round(baseline[1] / measured.seconds, 2),
                    "peak_rss_mb_driver": round(measured.peak_rss_mb),
                    "same_records_as_local": records == baseline[0],
                })
        return {"documents": self.documents, "sentences": source, "rows": rows,
                "passed": all(row["same_records_as_local"] for row in rows)}


def table(report: dict[str, Any]) -> str:
    lines = ["| pipeline | engine | wall s | documents/s | speed vs local | same records as local |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {row['pipeline']} | {row['engine']} | {row['seconds']:.1f} | {row['documents_per_second']:.2f} | "
              f"{row['vs_local']:.2f}x | {'yes' if row['same_records_as_local'] else 'NO'} |" for row in report["rows"]]
    lines.append(f"\n{report['documents']} documents, sentences from {report['sentences']}")
    return "\n".join(lines)
