"""The ways of running a model that the benchmark compares, each registered under the name the report uses.

`reference` paths use a model the way its published example does: IndicTrans2's `example.py` translates fixed
batches of 4 sentences in input order, padded to the longest, under `torch.no_grad()`, with the attention its
config.json names (eager); BART's model card summarizes one article per call. The other paths are the project's
own code: `load_translator` (transformers or ctranslate2 backend) and `load_summarizer`, which sort inputs by
length and batch them under a token budget. Every runner is called in a process of its own (see `measure`).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from pipeline.backends import GenerationConfig, until_eos
from pipeline.benchmarking.measure import BatchTimer, Measurement, peak_rss_mb
from pipeline.devices import resolve_placement
from pipeline.models import indictrans  # noqa: F401  (the reference usage loads IndicTrans2 through the Auto classes)
from pipeline.registry import Registry
from pipeline.summarization import SummarizerConfig, load_summarizer
from pipeline.translation import Translator, TranslatorConfig, load_translator

REFERENCE_BATCH_SIZE = 4  # IndicTrans2's example.py


@dataclass(frozen=True)
class Job:
    """One path's work: a model, its inputs, and how to decode them."""

    path: str
    model_dir: str
    source_ids: list[list[int]]
    output_tokens: int  # fixed length of every output (min_new_tokens == max_new_tokens)
    num_beams: int
    device: str
    precision: str
    texts: tuple[str, ...] = ()  # the articles, for the project's summarizer (it tokenizes them itself)
    settings: tuple[tuple[str, object], ...] = ()  # further generation settings, e.g. BART's length penalty
    compute_type: str = "default"
    max_batch_size: int | None = None  # the project translator's, when not its config default
    repeats: int = 1  # timed runs; the fastest is reported

    def generation(self, num_beams: int | None = None) -> GenerationConfig:
        return GenerationConfig(
            num_beams=num_beams or self.num_beams, min_new_tokens=self.output_tokens,
            max_new_tokens=self.output_tokens, **dict(self.settings),
        )


PATHS: Registry[Callable[[Job], Measurement]] = Registry("benchmark path")
Runner = Callable[[GenerationConfig], list]  # decodes every input of a job with the given settings

# bart-large-cnn's generation settings (its generation_config), which the model card's example uses.
SUMMARY_SETTINGS = (("length_penalty", 2.0), ("no_repeat_ngram_size", 3), ("early_stopping", True))
WARM_UP = GenerationConfig(num_beams=1, max_new_tokens=2)  # one short untimed call per path: lazy initializations


def _measure(
    job: Job, run: Runner, warm_up: Callable[[], object], timer: BatchTimer, check: bool, dtype: str
) -> Measurement:
    """Warm up (untimed), time `run` on every input `job.repeats` times and keep the fastest run (the one least
    disturbed by other work on the machine), then for `check` decode greedily for the identity check."""
    warm_up()
    runs = []
    for _ in range(job.repeats):
        timer.seconds.clear()
        start = time.perf_counter()
        outputs = run(job.generation())
        runs.append((time.perf_counter() - start, list(timer.seconds), outputs))
    seconds, batch_seconds, outputs = min(runs, key=lambda timed: timed[0])
    check_outputs = run(job.generation(num_beams=1)) if check else []
    return Measurement(
        job.path, len(job.source_ids), len(job.source_ids) * job.output_tokens, seconds, batch_seconds,
        peak_rss_mb(), outputs, check_outputs, {"dtype": dtype, "runs_seconds": [round(r[0], 2) for r in runs]},
    )


def _dtype(model: nn.Module) -> str:
    return str(model.dtype).removeprefix("torch.")


def _reference_model(job: Job):
    placement = resolve_placement(job.device, job.precision)
    model = AutoModelForSeq2SeqLM.from_pretrained(job.model_dir, dtype=placement.dtype).to(placement.device).eval()
    return model, AutoTokenizer.from_pretrained(job.model_dir), placement.device


@PATHS.register("reference")
def reference_translation(job: Job) -> Measurement:
    """example.py: batches of 4 in input order, padded to the longest, `generate()` under no_grad."""
    model, tokenizer, device = _reference_model(job)
    timer = BatchTimer()
    eos = {model.generation_config.eos_token_id}

    @timer.wrap
    def translate_batch(batch: list[list[int]], generation: GenerationConfig) -> list[list[int]]:
        inputs = tokenizer.pad({"input_ids": batch}, return_tensors="pt").to(device)
        with torch.no_grad():
            generated = model.generate(**inputs, **generation.generate_kwargs(), use_cache=True)
        return [until_eos(row[1:], eos) for row in generated.tolist()]

    def run(generation: GenerationConfig) -> list[list[int]]:
        ids = job.source_ids
        return [
            row for start in range(0, len(ids), REFERENCE_BATCH_SIZE)
            for row in translate_batch(ids[start:start + REFERENCE_BATCH_SIZE], generation)
        ]

    warm_up = lambda: translate_batch(job.source_ids[:2], WARM_UP)  # noqa: E731
    return _measure(job, run, warm_up, timer, check=True, dtype=_dtype(model))


def _project_translator(
    job: Job, backend: str, prepare: Callable[[Translator], None] = lambda _: None, dtype: str | None = None
) -> Measurement:
    batching = {"max_batch_size": job.max_batch_size} if job.max_batch_size else {}
    config = TranslatorConfig(model=job.model_dir, backend=backend, compute_type=job.compute_type,
                              generation=job.generation(), **batching)
    translator = load_translator(config, "translate", job.device, job.precision)
    prepare(translator)
    timer = BatchTimer()
    translator.backend.generate = timer.wrap(translator.backend.generate)

    def run(generation: GenerationConfig) -> list[list[int]]:
        settings = config.model_copy(update={"generation": generation})
        return Translator(translator.backend, translator.family, settings).generate(job.source_ids)

    warm_up = lambda: translator.backend.generate(job.source_ids[:2], WARM_UP)  # noqa: E731
    return _measure(job, run, warm_up, timer, check=True, dtype=dtype or translator.describe()["dtype"])


@PATHS.register("transformers")
def transformers_translation(job: Job) -> Measurement:
    """The pipeline's translator with its default backend."""
    return _project_translator(job, "transformers")


def _quantize_linear_layers(translator: Translator) -> None:
    """PyTorch dynamic int8 quantization of every nn.Linear (weights int8, activations quantized per batch)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch 2.13 announces the removal of quantized tensors; they still work
        torch.ao.quantization.quantize_dynamic(translator.backend.loaded.model, {nn.Linear}, torch.qint8, inplace=True)


@PATHS.register("transformers-int8")
def transformers_int8_translation(job: Job) -> Measurement:
    """The pipeline's translator after `quantize_dynamic` (CPU only)."""
    return _project_translator(job, "transformers", _quantize_linear_layers, dtype="qint8 (dynamic)")


@PATHS.register("ctranslate2")
def ctranslate2_translation(job: Job) -> Measurement:
    """The pipeline's translator with the ctranslate2 backend on a converted model."""
    return _project_translator(job, "ctranslate2")


@PATHS.register("reference-summary")
def reference_summary(job: Job) -> Measurement:
    """The model card's usage: one article per `generate()` call."""
    model, tokenizer, device = _reference_model(job)
    timer = BatchTimer()

    @timer.wrap
    def summarize_one(ids: list[int], generation: GenerationConfig) -> str:
        with torch.no_grad():
            generated = model.generate(torch.tensor([ids], device=device), **generation.generate_kwargs())
        return tokenizer.decode(generated[0], skip_special_tokens=True).strip()

    def run(generation: GenerationConfig) -> list[str]:
        return [summarize_one(ids, generation) for ids in job.source_ids]

    warm_up = lambda: summarize_one(job.source_ids[0][:16], WARM_UP)  # noqa: E731
    return _measure(job, run, warm_up, timer, check=False, dtype=_dtype(model))


def _project_summarizer(job: Job, backend: str) -> Measurement:
    """The pipeline's summarizer: articles sorted by length, batches of up to 4."""
    config = SummarizerConfig(model=job.model_dir, backend=backend, compute_type=job.compute_type, max_batch_size=4,
                              generation=job.generation())
    summarizer = load_summarizer(config, job.device, job.precision)
    timer = BatchTimer()
    summarizer.backend.generate = timer.wrap(summarizer.backend.generate)

    def run(_: GenerationConfig) -> list[str]:
        return [summary.text for summary in summarizer.summarize(list(job.texts))]

    warm_up = lambda: summarizer.backend.generate([job.source_ids[0][:16]], WARM_UP)  # noqa: E731
    return _measure(job, run, warm_up, timer, check=False, dtype=summarizer.describe()["dtype"])


@PATHS.register("summarizer")
def project_summary(job: Job) -> Measurement:
    """The pipeline's summarizer with its default backend."""
    return _project_summarizer(job, "transformers")


@PATHS.register("summarizer-ctranslate2")
def ctranslate2_summary(job: Job) -> Measurement:
    """The pipeline's summarizer with the ctranslate2 backend on a converted model."""
    return _project_summarizer(job, "ctranslate2")
