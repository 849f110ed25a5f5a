"""One benchmark run: build the models, prepare the inputs, run every path in its own process, compare.

Every ratio in the report is between paths measured in the same run on the same machine, so the machine's speed
cancels out; its load does not always (another process can slow one path and not the next), which is why each
translation path keeps the fastest of `repeats` timed runs.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import platform
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
import transformers

from pipeline.benchmarking import inputs, models
from pipeline.benchmarking.measure import IsolatedRunner, Measurement, peak_rss_mb
from pipeline.benchmarking.paths import PATHS, SUMMARY_SETTINGS, Job
from pipeline.benchmarking.report import Row

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PathPlan:
    """A path of the report: which runner, with which CTranslate2 model and compute type."""

    label: str
    runner: str
    exact: bool = True  # same precision as the reference, so the same outputs are required
    conversion: str | None = None  # quantization of the CTranslate2 model folder it runs
    compute_type: str = "default"
    max_batch_size: int | None = None  # translate.max_batch_size, when not the config default


TRANSLATION_PATHS = {
    "cpu": (
        PathPlan("reference: example.py (batches of 4)", "reference"),
        PathPlan("transformers backend", "transformers"),
        PathPlan("transformers + torch dynamic int8", "transformers-int8", exact=False),
        PathPlan("ctranslate2 float32", "ctranslate2", conversion="float32", compute_type="float32"),
        # In int8, CTranslate2 is as fast with 8 sentences per batch as with 32 on CPU, with far less memory; it runs
        # int8 as int8_float32 there (the dtype column says so), so one row covers both.
        PathPlan("ctranslate2 int8, batches of 8", "ctranslate2", exact=False, conversion="int8",
                 compute_type="int8", max_batch_size=8),
    ),
    # On a GPU everything runs in 16-bit types, where batch composition alone changes some outputs: shares only.
    "cuda": (
        PathPlan("reference: example.py (batches of 4), bf16", "reference"),
        PathPlan("transformers backend, bf16", "transformers", exact=False),
        PathPlan("ctranslate2 bfloat16", "ctranslate2", exact=False, conversion="float32", compute_type="bfloat16"),
        PathPlan("ctranslate2 float16", "ctranslate2", exact=False, conversion="float32", compute_type="float16"),
        PathPlan("ctranslate2 int8 (int8_float16)", "ctranslate2", exact=False, conversion="int8", compute_type="int8"),
    ),
}
SUMMARY_PATHS = {
    "cpu": (
        PathPlan("reference: model card (one article per call)", "reference-summary"),
        PathPlan("summarizer (sorted batches of 4)", "summarizer"),
        PathPlan("summarizer, ctranslate2 int8", "summarizer-ctranslate2", exact=False, conversion="int8",
                 compute_type="int8"),
    ),
    "cuda": (
        PathPlan("reference: model card (one article per call), bf16", "reference-summary"),
        PathPlan("summarizer (sorted batches of 4), bf16", "summarizer", exact=False),
        PathPlan("summarizer, ctranslate2 bfloat16", "summarizer-ctranslate2", exact=False, conversion="float32",
                 compute_type="bfloat16"),
    ),
}
PRECISION = {"cpu": "fp32", "cuda": "bf16"}


@dataclass(frozen=True)
class Options:
    work_dir: Path
    shared_dir: Path
    device: str = "cpu"
    quick: bool = False
    sentences: int = 48
    articles: int = 4
    translation_beams: int = 5  # example.py
    summary_beams: int = 4  # bart-large-cnn
    max_output_tokens: int | None = None  # cap on the data-driven output lengths (--quick)
    repeats: int = 2  # timed translation runs per path, the fastest reported; summaries run once (minutes each)


def ctranslate2_status(device: str) -> str | None:
    """Why the CTranslate2 paths cannot run here, or None when they can."""
    if importlib.util.find_spec("ctranslate2") is None:
        return "ctranslate2 is not installed (pip install '.[fast]'): its paths are skipped"
    import ctranslate2

    if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
        return "ctranslate2 sees no CUDA device (its wheel's CUDA 12 libraries or driver are missing): skipped"
    return None


def _capped(length: int, options: Options) -> int:
    return min(length, options.max_output_tokens or length)


def _sizes(options: Options) -> dict[str, models.ModelSize]:
    sizes = {
        "translator": models.INDICTRANS2_INDIC_EN_DIST_200M,
        "bart-large-cnn": models.BART_LARGE_CNN,
        "distilbart-cnn-12-6": models.DISTILBART_CNN_12_6,
    }
    return {key: size.scaled_down() for key, size in sizes.items()} if options.quick else sizes


def _workload(job: Job) -> dict[str, int]:
    return {"inputs": len(job.source_ids), "source_tokens": sum(map(len, job.source_ids)),
            "output_tokens_each": job.output_tokens, "num_beams": job.num_beams, "timed_runs": job.repeats}


class Benchmark:
    """Runs the paths of one device and collects the report rows."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.runner = IsolatedRunner()
        self.sizes = _sizes(options)
        self.skipped: list[str] = []  # paths this machine cannot run, and why
        self.failed: list[str] = []  # paths that broke while running, and how

    def _run(self, plans: tuple[PathPlan, ...], task: str, model: str, job: Job, folders: dict[str | None, Path]) -> list[Row]:
        """Measure each plan in its own process; a path that fails is reported as such, after the reference."""
        measurements: list[tuple[PathPlan, Measurement]] = []
        for plan in plans:
            if plan.conversion is not None and plan.conversion not in folders:
                continue
            log.info(f"  {task} / {model}: {plan.label} ...")
            planned = replace(job, path=plan.runner, model_dir=str(folders[plan.conversion]),
                              compute_type=plan.compute_type, max_batch_size=plan.max_batch_size)
            try:
                measurements.append((plan, self.runner(PATHS.get(plan.runner), planned)))
            except Exception as error:  # noqa: BLE001 - any failure of one path is reported, the others still run
                if not measurements:
                    raise  # without the reference there is nothing to compare with
                reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                self.failed.append(f"{task} / {model}: {plan.label}: {reason}")
                log.info(f"    failed: {reason}")
        reference = measurements[0][1]
        return [Row(task, model, plan.label, plan.exact, measurement, reference) for plan, measurement in measurements]

    def _converted(self, plans: tuple[PathPlan, ...], model_dir: Path, out_prefix: Path) -> dict[str, Path]:
        """The CTranslate2 folders the plans need, by quantization; none when CTranslate2 cannot run here."""
        reason = ctranslate2_status(self.options.device)
        if reason:
            if reason not in self.skipped:
                self.skipped.append(reason)
                log.info(reason)
            return {}
        from pipeline.models.convert_ctranslate2 import convert_to_ctranslate2

        folders = {}
        for quantization in sorted({plan.conversion for plan in plans if plan.conversion}):
            log.info(f"converting {model_dir.name} to CTranslate2 ({quantization}) ...")
            folders[quantization] = convert_to_ctranslate2(
                model_dir, out_prefix.with_name(f"{out_prefix.name}-{quantization}"), quantization, force=True
            )
        return folders

    def translation(self) -> tuple[list[Row], dict[str, Any]]:
        options, work = self.options, self.options.work_dir
        fixture = options.shared_dir / "fixtures" / "indictrans2" / "tiny-indic-en"
        size = self.sizes["translator"]
        log.info(f"building {size.name} with random weights ...")
        folders: dict[str | None, Path] = {None: models.build_indictrans(size, fixture, work / "indictrans2")}
        data = inputs.translation_inputs(options.shared_dir / "data" / "flores200", folders[None], options.sentences)
        plans = TRANSLATION_PATHS[options.device]
        folders.update(self._converted(plans, folders[None], work / "indictrans2-ct2"))
        job = Job("", "", data.source_ids, _capped(data.output_tokens, options), options.translation_beams,
                  options.device, PRECISION[options.device], repeats=options.repeats)
        return self._run(plans, "translation", size.name, job, folders), {"model": models.describe(size), **_workload(job)}

    def summaries(self) -> tuple[list[Row], dict[str, Any]]:
        options, work = self.options, self.options.work_dir
        news = options.shared_dir / "data" / "news-summaries"
        tokenizer_dir = inputs.train_bart_tokenizer(
            inputs.read_articles(news / "xsum.jsonl"), models.BART_LARGE_CNN.extra["vocab_size"], work / "bart-tokenizer"
        )
        data = inputs.summary_inputs(news / "cnndm.jsonl", tokenizer_dir, options.articles)
        job = Job("", "", data.source_ids, _capped(data.output_tokens, options), options.summary_beams,
                  options.device, PRECISION[options.device], texts=tuple(data.articles), settings=SUMMARY_SETTINGS)
        rows, described = [], []
        for key in ("bart-large-cnn", "distilbart-cnn-12-6"):
            size = self.sizes[key]
            log.info(f"building {size.name} with random weights ...")
            folders: dict[str | None, Path] = {None: models.build_bart(size, tokenizer_dir, work / key)}
            folders.update(self._converted(SUMMARY_PATHS[options.device], folders[None], work / f"{key}-ct2"))
            rows += self._run(SUMMARY_PATHS[options.device], "summary", size.name, job, folders)
            described.append(models.describe(size))
        return rows, {"models": described, **_workload(job)}

    def run(self) -> tuple[list[Row], dict[str, Any]]:
        baseline = self.runner(peak_rss_mb)  # a measuring process before it loads anything: the libraries
        translation_rows, translation = self.translation()
        summary_rows, summary = self.summaries()
        context = {
            "machine": machine(self.options.device),
            "options": {"quick": self.options.quick, "device": self.options.device},
            "baseline_rss_mb": round(baseline),
            "translation": translation,
            "summary": summary,
            "skipped": self.skipped,
            "failed": self.failed,
        }
        return translation_rows + summary_rows, context


def machine(device: str) -> dict[str, Any]:
    """What the numbers were measured on."""
    described = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
    }
    if importlib.util.find_spec("ctranslate2"):
        import ctranslate2

        described["ctranslate2"] = ctranslate2.__version__
    if device == "cuda":
        described["gpu"] = torch.cuda.get_device_name(0)
    return described

