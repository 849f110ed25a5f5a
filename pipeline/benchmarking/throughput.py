"""Throughput at corpus scale: sentences (or articles) per second that one device sustains through the project's
translator and summarizer, and the share of the device's peak arithmetic that is (model FLOPs utilization).

The models are real-size with random weights (`models`), the inputs real FLORES-200 sentences and CNN/DailyMail
articles prepared as a run prepares them (`inputs`), repeated up to the corpus size, with output lengths fixed
from real outputs, so the work per sentence is that of a trained model on real text. Each configuration runs
the same inputs in the same process after an untimed warm-up; the first is the baseline of the ratios.

Model FLOPs are counted from the shapes (2 per multiply-add, matrix products only): the encoder over every source
token; per generated token and beam, the decoder's projections, its attention over the tokens so far and over the
source, and the output layer over the vocabulary; the cross-attention keys and values once per source token and
beam. Beams of a sentence all count: they are the work beam search asks for.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from pipeline.backends import GenerationConfig
from pipeline.backends.transformers_backend import TransformersBackend
from pipeline.benchmarking import inputs, models
from pipeline.benchmarking.workload import Workload
from pipeline.devices import resolve_placement
from pipeline.models.loading import load_model
from pipeline.summarization import Summarizer, SummarizerConfig
from pipeline.translation import TRANSLATION_FAMILIES, Translator, TranslatorConfig

log = logging.getLogger(__name__)

# The 1.1B IndicTrans2 (indic-en-1B) as the IndicTrans2 paper (Gala et al., TMLR 2023, section 6) describes it:
# 18 + 18 layers, width 1024, FFN 8192, 16 heads; vocabularies as the distilled model's.
INDICTRANS2_INDIC_EN_1B = models.ModelSize(
    "indictrans2-indic-en-1B", (18, 18), 1024, 8192, 16,
    {"encoder_vocab_size": 122706, "decoder_vocab_size": 32296, "layernorm_embedding": True,
     "share_decoder_input_output_embed": True},
)
TRANSLATORS = {"200M": models.INDICTRANS2_INDIC_EN_DIST_200M, "1B": INDICTRANS2_INDIC_EN_1B}
# Dense bf16 matrix peak of the device, from the vendor's datasheet (H100/H200 SXM: 989.5 TFLOP/s).
PEAK_BF16_TFLOPS = {"NVIDIA H200": 989.5, "NVIDIA H100 80GB HBM3": 989.5}


@dataclass(frozen=True)
class Setting:
    """One configuration of a model: attention kernel (`auto`: the checkpoint's) and batch limits (`auto`: from the
    device's free memory, as `max_batch_tokens: auto` sizes them in a run)."""

    label: str
    attention: str = "auto"
    max_batch_tokens: int | str = 4096
    max_batch_size: int | str = 32
    share: int = 1  # runs 1/share of the items: the config defaults' small batches need no whole corpus for a rate


TRANSLATION_SETTINGS = (
    Setting("config defaults: 4096 tokens / 32 sentences per batch", share=8),
    Setting("sdpa attention, 4096 tokens / 32 sentences", "sdpa", share=8),
    Setting("batches sized from free memory (auto)", max_batch_tokens="auto", max_batch_size="auto"),
)
SUMMARY_SETTINGS = (
    Setting("config default: 4 articles per batch", max_batch_size=4, share=8),
    Setting("batches sized from free memory (auto)", max_batch_size="auto"),
)


@dataclass(frozen=True)
class Row:
    model: str
    setting: str
    items: int
    seconds: float
    output_tokens: int  # generated tokens of the best beam of every item
    model_tflops: float
    batches: str  # the limits the setting resolved to
    device_peak_tflops: float | None
    attention: str  # the kernel the model ran with

    def to_dict(self) -> dict[str, Any]:
        per_second = self.items / self.seconds
        mfu = self.model_tflops / self.seconds / self.device_peak_tflops if self.device_peak_tflops else None
        return {"model": self.model, "setting": self.setting, "items": self.items, "seconds": round(self.seconds, 2),
                "items_per_second": round(per_second, 1),
                "output_tokens_per_second": round(self.output_tokens / self.seconds),
                "model_tflops_per_second": round(self.model_tflops / self.seconds, 2),
                "mfu": None if mfu is None else round(mfu, 4), "batches": self.batches, "attention": self.attention}


def _linear_params(module: torch.nn.Module) -> int:
    return sum(layer.weight.numel() for layer in module.modules() if isinstance(layer, torch.nn.Linear))


def generation_tflops(model, source_lengths: list[int], output_tokens: int, beams: int) -> float:
    """Model TFLOPs of encoding every source and decoding `output_tokens` per beam (see the module's note)."""
    config = model.config
    width = getattr(config, "decoder_embed_dim", None) or config.d_model
    layers = getattr(config, "decoder_layers", None)
    vocabulary = getattr(config, "decoder_vocab_size", None) or config.vocab_size
    encoder, decoder = model.get_encoder(), model.get_decoder()
    cross_kv = 2 * width * width * layers  # keys and values of every layer, per source token
    decoder_step = _linear_params(decoder) - cross_kv + width * vocabulary
    flops = 0.0
    for length in source_lengths:
        flops += 2 * _linear_params(encoder) * length + 4 * length * length * width * config.encoder_layers
        flops += beams * 2 * cross_kv * length
        steps = output_tokens
        attention = 4 * width * layers * (steps * (steps + 1) / 2 + steps * length)
        flops += beams * (2 * decoder_step * steps + attention)
    return flops / 1e12


def _peak(device: torch.device) -> float | None:
    return PEAK_BF16_TFLOPS.get(torch.cuda.get_device_name(device)) if device.type == "cuda" else None


def _backend(model_dir: Path, attention: str, device: str, precision: str) -> TransformersBackend:
    """The project's transformers backend, loaded as a run loads it (its beam cache reorder included), with the
    given attention kernel."""
    return TransformersBackend(load_model(str(model_dir), None, "benchmark", device, precision, attention))


def _timed(run: Callable[[], list], synchronize: Callable[[], None]) -> tuple[float, list]:
    synchronize()
    start = time.perf_counter()
    outputs = run()
    synchronize()
    return time.perf_counter() - start, outputs


@dataclass(frozen=True)
class Options(Workload):
    sentences: int = 4096
    articles: int = 64
    translators: tuple[str, ...] = ("200M",)
    summarizer: bool = True
    sweep: tuple[int, ...] = ()  # translation batch sizes to compare (both attention kernels) instead of the settings
    profile: bool = False  # also profile one batch of the largest setting: the CUDA kernels that take the time


class Throughput:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.device = resolve_placement(options.device, options.precision).device
        self.synchronize = torch.cuda.synchronize if self.device.type == "cuda" else (lambda: None)

    def _capped(self, length: int) -> int:
        return min(length, self.options.max_output_tokens or length)

    @staticmethod
    def _part(items: list, setting: Setting, batch: int) -> list:
        return items if setting.share == 1 else items[: max(len(items) // setting.share, 4 * batch)]

    def _translation_settings(self) -> tuple[Setting, ...]:
        if not self.options.sweep:
            return TRANSLATION_SETTINGS
        return tuple(Setting(f"{attention} attention, {size} sentences per batch", attention, size * 256, size)
                     for size in self.options.sweep for attention in ("eager", "sdpa"))

    def _size(self, size: models.ModelSize) -> models.ModelSize:
        return size.scaled_down() if self.options.quick else size

    def translation_rows(self) -> list[Row]:
        options = self.options
        tokenizer_dir = options.shared_dir / "fixtures" / "indictrans2" / "tiny-indic-en"
        flores = options.shared_dir / "data" / "flores200"
        data = inputs.translation_inputs(flores, tokenizer_dir, 1012)
        repeats = -(-options.sentences // len(data.source_ids))
        source_ids = (data.source_ids * repeats)[: options.sentences]
        output_tokens = self._capped(data.output_tokens)
        generation = GenerationConfig(num_beams=options.translation_beams, min_new_tokens=output_tokens,
                                      max_new_tokens=output_tokens)
        rows = []
        for key in options.translators:
            size = self._size(TRANSLATORS[key])
            log.info(f"building {size.name} with random weights ...")
            folder = models.build_indictrans(size, tokenizer_dir, options.work_dir / f"translator-{key}")
            for setting in self._translation_settings():
                rows.append(self._translation_row(size.name, folder, setting, source_ids, generation))
                self._release()
        return rows

    def _translation_row(self, name: str, folder: Path, setting: Setting, source_ids: list[list[int]],
                         generation: GenerationConfig) -> Row:
        """One setting of one translator, loaded for it alone (its memory is free again once this returns)."""
        backend = _backend(folder, setting.attention, self.options.device, self.options.precision)
        config = TranslatorConfig(model=str(folder), generation=generation, max_batch_tokens=setting.max_batch_tokens,
                                  max_batch_size=setting.max_batch_size)
        family = TRANSLATION_FAMILIES.get("indictrans2")(backend.tokenizer, "hin_Deva", "eng_Latn")
        translator = Translator(backend, family, config)
        translator.generate(source_ids[:8])  # warm-up: kernels chosen, memory pools filled
        part = self._part(source_ids, setting, translator.max_batch_size)
        log.info(f"  {name}: {setting.label}, {len(part)} sentences ...")
        seconds, outputs = _timed(lambda: translator.generate(part), self.synchronize)
        if self.options.profile and setting == self._translation_settings()[-1]:
            self.profile(lambda: translator.generate(part[: translator.max_batch_size]))
        model = backend.loaded.model
        return Row(
            name, setting.label, len(part), seconds, sum(map(len, outputs)),
            generation_tflops(model, [len(ids) for ids in part], generation.max_new_tokens, generation.num_beams),
            f"{translator.max_batch_tokens} tokens / {translator.max_batch_size} sentences", _peak(self.device),
            model.config._attn_implementation,
        )

    def _release(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.empty_cache()

    def profile(self, run: Callable[[], object]) -> None:
        """The kernels (and CPU operators) that take a batch's time, as torch.profiler counts them."""
        from torch.profiler import ProfilerActivity, profile

        activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if self.device.type == "cuda" else [])
        with profile(activities=activities) as profiled:
            run()
            self.synchronize()
        sort = "cuda_time_total" if self.device.type == "cuda" else "cpu_time_total"
        log.info(profiled.key_averages().table(sort_by=sort, row_limit=18, max_name_column_width=60))

    def summary_rows(self) -> list[Row]:
        options = self.options
        news = options.shared_dir / "data" / "news-summaries"
        articles = inputs.read_articles(news / "cnndm.jsonl")
        tokenizer_dir = inputs.train_bart_tokenizer(
            inputs.read_articles(news / "xsum.jsonl"), 50264, options.work_dir / "bart-tokenizer"
        )
        data = inputs.summary_inputs(news / "cnndm.jsonl", tokenizer_dir, len(articles))
        texts = (articles * -(-options.articles // len(articles)))[: options.articles]
        output_tokens = self._capped(data.output_tokens)
        generation = GenerationConfig(num_beams=options.summary_beams, min_new_tokens=output_tokens,
                                      max_new_tokens=output_tokens, length_penalty=2.0, no_repeat_ngram_size=3)
        size = self._size(models.BART_LARGE_CNN)
        log.info(f"building {size.name} with random weights ...")
        folder = models.build_bart(size, tokenizer_dir, options.work_dir / "summarizer")
        rows = []
        for setting in SUMMARY_SETTINGS:
            rows.append(self._summary_row(size.name, folder, setting, texts, generation))
            self._release()
        return rows

    def _summary_row(self, name: str, folder: Path, setting: Setting, texts: list[str],
                     generation: GenerationConfig) -> Row:
        backend = _backend(folder, setting.attention, self.options.device, self.options.precision)
        summarizer = Summarizer(backend, SummarizerConfig(model=str(folder), generation=generation,
                                                          max_batch_size=setting.max_batch_size))
        summarizer.summarize(texts[:2])
        part = self._part(texts, setting, summarizer.max_batch_size)
        log.info(f"  {name}: {setting.label}, {len(part)} articles ...")
        seconds, _ = _timed(lambda: summarizer.summarize(part), self.synchronize)
        source_ids = backend.tokenizer(part, truncation=True, max_length=summarizer.max_input_tokens)["input_ids"]
        model = backend.loaded.model
        return Row(
            name, setting.label, len(part), seconds, len(part) * generation.max_new_tokens,
            generation_tflops(model, [len(ids) for ids in source_ids], generation.max_new_tokens, generation.num_beams),
            f"{summarizer.max_batch_size} articles", _peak(self.device), model.config._attn_implementation,
        )

    def run(self) -> dict[str, Any]:
        rows = self.translation_rows() + (self.summary_rows() if self.options.summarizer else [])
        device = torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else "cpu"
        return {"device": device, "precision": self.options.precision, "torch": torch.__version__,
                "options": {key: str(value) for key, value in vars(replace(self.options)).items()},
                "rows": [row.to_dict() for row in rows]}
