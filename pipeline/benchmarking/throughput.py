"""Throughput at corpus scale: sentences (or articles) per second that one device sustains through the project's
translator and summarizer, and the share of the device's peak arithmetic that is (model FLOPs utilization).

The models are real-size with random weights (`models`), the inputs real FLORES-200 sentences and CNN/DailyMail
articles prepared as a run prepares them (`inputs`), repeated up to the corpus size, with output lengths fixed
from real outputs, so the work per sentence is that of a trained model on real text. Each configuration runs
the same inputs in the same process after an untimed warm-up; the first is the baseline of the ratios.

A chat translator (a decoder-only instruction model, `TRANSLATORS` keys such as `qwen2.5-1.5B`) translates the same
FLORES sentences through the project's `chat` family: each sentence in the family's default prompt, rendered in the
model's chat template and tokenized as a run does, greedy (as chat models are run), with the same fixed number of
new tokens as IndicTrans2. Its rows say how many input tokens a sentence took (prompt included) next to
IndicTrans2's source tokens, and how many of them are the instructions around the sentence. When one runs,
IndicTrans2 also gets a greedy row, so that the two compare at the same decoding.

Model FLOPs are counted from the shapes (2 per multiply-add, matrix products only; norms, activations, softmax and
rotary embeddings left out). Encoder-decoder: the encoder over every source token; per generated token and beam,
the decoder's projections, its attention over the tokens so far and over the source, and the output layer over the
vocabulary; the cross-attention keys and values once per source token and beam. Decoder-only: the projections of
every layer for every token the model runs on (the prompt once, then each generated token but the last, fed back
one step at a time), causal attention over the tokens before each (query width times keys, for scores and for the
weighted values), and the output layer over the vocabulary once per generated token (`generate()` keeps the
prompt's logits for its last position only). Beams of a sentence all count: they are the work beam search asks for
(a decoder-only model's prompt is run once per beam, as `generate()` expands it before the first step).
Padding is not counted: it is work a batch does, not work the model asks for.
"""

from __future__ import annotations

import logging
import os
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
from pipeline.translation import Translator, TranslatorConfig, load_translator

log = logging.getLogger(__name__)

# The 1.1B IndicTrans2 (indic-en-1B) as the IndicTrans2 paper (Gala et al., TMLR 2023, section 6) describes it:
# 18 + 18 layers, width 1024, FFN 8192, 16 heads; vocabularies as the distilled model's.
INDICTRANS2_INDIC_EN_1B = models.ModelSize(
    "indictrans2-indic-en-1B", (18, 18), 1024, 8192, 16,
    {"encoder_vocab_size": 122706, "decoder_vocab_size": 32296, "layernorm_embedding": True,
     "share_decoder_input_output_embed": True},
)
# Keys of `--translators`: IndicTrans2 (encoder-decoder), or a chat model (decoder-only, asked in words).
TRANSLATORS = {"200M": models.INDICTRANS2_INDIC_EN_DIST_200M, "1B": INDICTRANS2_INDIC_EN_1B,
               "qwen2.5-1.5B": models.QWEN2_5_1_5B_INSTRUCT}
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
    beams: int | None = None  # None: the workload's

    @property
    def config_defaults(self) -> bool:
        """The translator's config defaults: the checkpoint's kernel and 4096 tokens / 32 sentences per batch."""
        return (self.attention, self.max_batch_tokens, self.max_batch_size) == ("auto", 4096, 32)


TRANSLATION_SETTINGS = (
    Setting("config defaults: 4096 tokens / 32 sentences per batch", share=8),
    Setting("sdpa attention, 4096 tokens / 32 sentences", "sdpa", share=8),
    Setting("batches sized from free memory (auto)", max_batch_tokens="auto", max_batch_size="auto"),
)
# IndicTrans2 decoding as a chat model does, run when a chat translator is measured too.
GREEDY_SETTING = Setting("greedy, config defaults: 4096 tokens / 32 sentences per batch", share=8, beams=1)
CHAT_SETTINGS = (  # the checkpoint's kernel is SDPA already
    GREEDY_SETTING,
    Setting("greedy, batches sized from free memory (auto)", max_batch_tokens="auto", max_batch_size="auto", beams=1),
)
SUMMARY_SETTINGS = (
    Setting("config default: 4 articles per batch", max_batch_size=4, share=8),
    Setting("batches sized from free memory (auto)", max_batch_size="auto"),
)


@dataclass(frozen=True)
class Timing:
    seconds: float  # wall time
    cpu_seconds: float  # CPU time of this process's threads: less sensitive than wall time to other work's share


@dataclass(frozen=True)
class Row:
    model: str
    setting: str
    items: int
    timing: Timing
    output_tokens: int  # generated tokens of the best beam of every item
    model_tflops: float
    batches: str  # the limits the setting resolved to
    device_peak_tflops: float | None
    attention: str  # the kernel the model ran with
    beams: int
    input_tokens: int  # source tokens of every item as the model saw them (a chat model's prompt included)
    instruction_tokens: int = 0  # tokens of every input that are not its text (a chat prompt's instructions)

    def to_dict(self) -> dict[str, Any]:
        seconds = self.timing.seconds
        mfu = self.model_tflops / seconds / self.device_peak_tflops if self.device_peak_tflops else None
        return {"model": self.model, "setting": self.setting, "beams": self.beams, "items": self.items,
                "seconds": round(seconds, 2), "cpu_seconds": round(self.timing.cpu_seconds, 2),
                "items_per_second": round(self.items / seconds, 2),
                "output_tokens_per_second": round(self.output_tokens / seconds, 1),
                "model_tflops_per_second": round(self.model_tflops / seconds, 3),
                "mfu": None if mfu is None else round(mfu, 4), "batches": self.batches, "attention": self.attention,
                "input_tokens": self.input_tokens, "input_tokens_per_item": round(self.input_tokens / self.items, 1),
                "instruction_tokens_per_item": self.instruction_tokens, "output_tokens": self.output_tokens,
                "output_tokens_per_item": round(self.output_tokens / self.items, 1)}


def _linear_params(module: torch.nn.Module) -> int:
    return sum(layer.weight.numel() for layer in module.modules() if isinstance(layer, torch.nn.Linear))


def _attention(width: int, layers: int, pairs: float) -> float:
    """Scores and weighted values of `pairs` query-key pairs in every layer: two products over the query width."""
    return 4 * width * layers * pairs


def _causal_pairs(positions: int) -> float:
    """Query-key pairs of `positions` tokens that each attend to themselves and to those before them."""
    return positions * (positions + 1) / 2


def _output_layer(width: int, vocabulary: int, tokens: int) -> float:
    return 2 * width * vocabulary * tokens


def _seq2seq_flops(model, steps: int, beams: int) -> Callable[[int], float]:
    """FLOPs of translating one source of a given length: the encoder once, the decoder `steps` times per beam."""
    config = model.config
    width = getattr(config, "decoder_embed_dim", None) or config.d_model
    layers = config.decoder_layers
    vocabulary = getattr(config, "decoder_vocab_size", None) or config.vocab_size
    encoder = _linear_params(model.get_encoder())
    cross_kv = 2 * width * width * layers  # keys and values of every layer, per source token
    decoder = _linear_params(model.get_decoder()) - cross_kv

    def flops(length: int) -> float:
        encode = 2 * encoder * length + _attention(width, config.encoder_layers, length * length)
        decode = (2 * cross_kv * length + 2 * decoder * steps + _output_layer(width, vocabulary, steps)
                  + _attention(width, layers, _causal_pairs(steps) + steps * length))
        return encode + beams * decode

    return flops


def _decoder_only_flops(model, steps: int, beams: int) -> Callable[[int], float]:
    """FLOPs of answering one prompt of a given length with `steps` new tokens per beam."""
    config = model.config
    query_width = config.num_attention_heads * (getattr(config, "head_dim", None)
                                                or config.hidden_size // config.num_attention_heads)
    stack = _linear_params(model.base_model)  # every layer's projections, without the output layer

    def flops(length: int) -> float:
        positions = length + steps - 1  # the last generated token is never run
        return beams * (2 * stack * positions + _output_layer(config.hidden_size, config.vocab_size, steps)
                        + _attention(query_width, config.num_hidden_layers, _causal_pairs(positions)))

    return flops


def generation_tflops(model, source_lengths: list[int], output_tokens: int, beams: int) -> float:
    """Model TFLOPs of generating `output_tokens` per beam for every source (see the module's note): an
    encoder-decoder's source, or a decoder-only model's prompt."""
    per_source = (_seq2seq_flops if model.config.is_encoder_decoder else _decoder_only_flops)(model, output_tokens, beams)
    return sum(map(per_source, source_lengths)) / 1e12


def _peak(device: torch.device) -> float | None:
    return PEAK_BF16_TFLOPS.get(torch.cuda.get_device_name(device)) if device.type == "cuda" else None


def _backend(model_dir: Path, attention: str, device: str, precision: str) -> TransformersBackend:
    """The project's transformers backend, loaded as a run loads it (its beam cache reorder included), with the
    given attention kernel."""
    return TransformersBackend(load_model(str(model_dir), None, "benchmark", device, precision, attention))


def _timed(run: Callable[[], list], synchronize: Callable[[], None]) -> tuple[Timing, list]:
    synchronize()
    start, cpu_start = time.perf_counter(), time.process_time()
    outputs = run()
    synchronize()
    timing = Timing(time.perf_counter() - start, time.process_time() - cpu_start)
    # On a shared machine the other work's share of the CPUs is part of the figure: the log says how busy it was.
    busy = f", load average over the last minute: {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    log.info(f"    {timing.seconds:.1f} s ({timing.cpu_seconds:.1f} CPU s{busy})")
    return timing, outputs


@dataclass(frozen=True)
class Options(Workload):
    sentences: int = 4096
    articles: int = 64
    translators: tuple[str, ...] = ("200M",)
    summarizer: bool = True
    sweep: tuple[int, ...] = ()  # translation batch sizes to compare (both attention kernels) instead of the settings
    defaults_only: bool = False  # translators: the config-default batch limits only (and IndicTrans2's greedy row)
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

    def _translation_settings(self, size: models.ModelSize) -> tuple[Setting, ...]:
        """A chat model decodes greedily; IndicTrans2 with the workload's beams, and greedily too when a chat
        translator is measured in the same run."""
        greedy = 1 if size.decoder_only else None
        if self.options.sweep:
            return tuple(Setting(f"{attention} attention, {batch} sentences per batch", attention, batch * 256, batch,
                                 beams=greedy)
                         for batch in self.options.sweep for attention in ("eager", "sdpa"))
        if size.decoder_only:
            settings = CHAT_SETTINGS
        else:
            chat = any(TRANSLATORS[key].decoder_only for key in self.options.translators)
            settings = TRANSLATION_SETTINGS + ((GREEDY_SETTING,) if chat else ())
        return tuple(setting for setting in settings if setting.config_defaults or not self.options.defaults_only)

    def _size(self, size: models.ModelSize) -> models.ModelSize:
        return size.scaled_down() if self.options.quick else size

    def translation_rows(self) -> list[Row]:
        options = self.options
        tokenizer_dir = options.shared_dir / "fixtures" / "indictrans2" / "tiny-indic-en"
        flores = options.shared_dir / "data" / "flores200"
        data = inputs.translation_inputs(flores, tokenizer_dir, 1012)
        picked = [index % len(data.sentences) for index in range(options.sentences)]  # the devtest, repeated
        sentences = [data.sentences[index] for index in picked]
        source_ids = [data.source_ids[index] for index in picked]
        output_tokens = self._capped(data.output_tokens)
        rows = []
        for key in options.translators:
            size = self._size(TRANSLATORS[key])
            log.info(f"building {size.name} with random weights ...")
            if size.decoder_only:
                chat_tokenizer = inputs.train_chat_tokenizer(flores, size.extra["vocab_size"],
                                                             options.work_dir / "chat-tokenizer")
                folder = models.build_chat(size, chat_tokenizer, options.work_dir / f"translator-{key}")
            else:
                folder = models.build_indictrans(size, tokenizer_dir, options.work_dir / f"translator-{key}")
            for setting in self._translation_settings(size):
                generation = GenerationConfig(num_beams=setting.beams or options.translation_beams,
                                              min_new_tokens=output_tokens, max_new_tokens=output_tokens)
                translator = self.translator(folder, "chat" if size.decoder_only else "indictrans2", setting,
                                             generation)
                ids = chat_source_ids(translator, sentences) if size.decoder_only else source_ids
                rows.append(self._translation_row(size, translator, setting, ids))
                del translator
                self._release()
        return rows

    def translator(self, folder: Path, family: str, setting: Setting, generation: GenerationConfig) -> Translator:
        """The translator of `folder` for one setting, loaded as a run loads it (`load_translator`)."""
        config = TranslatorConfig(model=str(folder), family=family, attention=setting.attention, generation=generation,
                                  max_batch_tokens=setting.max_batch_tokens, max_batch_size=setting.max_batch_size)
        return load_translator(config, "benchmark", self.options.device, self.options.precision)

    def _translation_row(self, size: models.ModelSize, translator: Translator, setting: Setting,
                         source_ids: list[list[int]]) -> Row:
        """One setting of one translator, loaded for it alone (its memory is free again once the caller drops it)."""
        generation = translator.config.generation
        translator.generate(source_ids[:8])  # warm-up: kernels chosen, memory pools filled
        part = self._part(source_ids, setting, translator.max_batch_size)
        log.info(f"  {size.name}: {setting.label}, {len(part)} sentences ...")
        timing, outputs = _timed(lambda: translator.generate(part), self.synchronize)
        if self.options.profile and setting == self._translation_settings(size)[-1]:
            self.profile(lambda: translator.generate(part[: translator.max_batch_size]))
        model = translator.backend.loaded.model
        return Row(
            size.name, setting.label, len(part), timing, sum(map(len, outputs)),
            generation_tflops(model, [len(ids) for ids in part], generation.max_new_tokens, generation.num_beams),
            f"{translator.max_batch_tokens} tokens / {translator.max_batch_size} sentences", _peak(self.device),
            model.config._attn_implementation, generation.num_beams, sum(map(len, part)),
            translator.family.prompt_tokens,
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
        timing, _ = _timed(lambda: summarizer.summarize(part), self.synchronize)
        source_ids = backend.tokenizer(part, truncation=True, max_length=summarizer.max_input_tokens)["input_ids"]
        model = backend.loaded.model
        return Row(
            name, setting.label, len(part), timing, len(part) * generation.max_new_tokens,
            generation_tflops(model, [len(ids) for ids in source_ids], generation.max_new_tokens, generation.num_beams),
            f"{summarizer.max_batch_size} articles", _peak(self.device), model.config._attn_implementation,
            generation.num_beams, sum(map(len, source_ids)),
        )

    def run(self) -> dict[str, Any]:
        rows = self.translation_rows() + (self.summary_rows() if self.options.summarizer else [])
        device = torch.cuda.get_device_name(self.device) if self.device.type == "cuda" else "cpu"
        return {"device": device, "precision": self.options.precision, "torch": torch.__version__,
                "options": {key: str(value) for key, value in vars(replace(self.options)).items()},
                "rows": [row.to_dict() for row in rows]}


def chat_source_ids(translator: Translator, sentences: list[str]) -> list[list[int]]:
    """A chat translator's inputs for `sentences`: each in its family's prompt and chat template, tokenized as a run
    tokenizes it (`Translator.translate`)."""
    return translator.tokenize([encoded.text for encoded in translator.family.encode(sentences)])
