"""The whole run, not one model call: `run_pipeline` (prepare → translate → summarize, results written) over a
corpus of Hindi documents, against the naive composition of the two models' reference usages, in the same run.

The corpus is FLORES-200 devtest Hindi, its sentences in order, grouped into paragraphs and documents of news
length; a larger corpus repeats it under new ids. Models are real-size with random weights (`models`), outputs of
fixed length set from real outputs (`inputs`), so the work is a trained model's on real text. The degeneration
guard is off in both paths: random weights loop, and the guard would then cut text the naive path keeps.

The naive composition is what a user writes from the model cards: per document, IndicTrans2's `example.py`
(its processor, batches of 4 sentences in input order, `generate()`), then BART's model card (one article per
`generate()`); sentences come from the same segmentation as the pipeline's, so both translate the same sentences
and their outputs can be compared.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import yaml

from pipeline.benchmarking import inputs, models
from pipeline.benchmarking.paths import REFERENCE_BATCH_SIZE
from pipeline.benchmarking.workload import Workload
from pipeline.run_config import load_config
from pipeline.runner import run_pipeline

log = logging.getLogger(__name__)
SENTENCES_PER_PARAGRAPH = 4


@dataclass(frozen=True)
class Options(Workload):
    documents: int = 4  # of the 1x corpus
    sentences_per_document: int = 24  # about 550 English words: a CNN/DailyMail article's length
    scales: tuple[int, ...] = (1, 4, 16)
    batch_size: int = 8  # documents per batch of the run


def write_corpus(flores_dir: Path, documents: int, sentences_per_document: int, path: Path) -> Path:
    """`documents` Hindi documents as JSON Lines, the FLORES sentences in order (repeated, under new ids, as needed)."""
    sentences = (flores_dir / "hin_Deva.devtest").read_text(encoding="utf-8").split("\n")
    sentences = [sentence for sentence in sentences if sentence.strip()]
    with path.open("w", encoding="utf-8") as stream:
        for number in range(documents):
            start = number * sentences_per_document
            own = [sentences[(start + offset) % len(sentences)] for offset in range(sentences_per_document)]
            paragraphs = [" ".join(own[i:i + SENTENCES_PER_PARAGRAPH]) for i in range(0, len(own), SENTENCES_PER_PARAGRAPH)]
            stream.write(json.dumps({"id": f"doc-{number:06d}", "text": "\n\n".join(paragraphs)}, ensure_ascii=False) + "\n")
    return path


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class Models:
    """The two real-size random-weight models and the fixed output lengths, built once per benchmark."""

    def __init__(self, options: Options) -> None:
        news = options.shared_dir / "data" / "news-summaries"
        tokenizer_dir = options.shared_dir / "fixtures" / "indictrans2" / "tiny-indic-en"
        translator, summarizer = models.INDICTRANS2_INDIC_EN_DIST_200M, models.BART_LARGE_CNN
        if options.quick:
            translator, summarizer = translator.scaled_down(), summarizer.scaled_down()
        cap = options.max_output_tokens
        translation = inputs.translation_inputs(options.shared_dir / "data" / "flores200", tokenizer_dir, 256)
        log.info(f"building {translator.name} and {summarizer.name} with random weights ...")
        self.translator = models.build_indictrans(translator, tokenizer_dir, options.work_dir / "translator")
        bart_tokenizer = inputs.train_bart_tokenizer(
            inputs.read_articles(news / "xsum.jsonl"), 50264, options.work_dir / "bart-tokenizer"
        )
        summary = inputs.summary_inputs(news / "cnndm.jsonl", bart_tokenizer, 64)
        self.summarizer = models.build_bart(summarizer, bart_tokenizer, options.work_dir / "summarizer")
        self.translation_tokens = min(translation.output_tokens, cap or translation.output_tokens)
        self.summary_tokens = min(summary.output_tokens, cap or summary.output_tokens)
        self.names = {"translator": translator.name, "summarizer": summarizer.name}


def run_config(options: Options, built: Models, overlap: bool) -> dict[str, Any]:
    """The run's config, as a user would write it: these models and lengths, batch limits `auto` (on a CPU the
    defaults, on a GPU sized from its free memory)."""
    fixed = lambda tokens: {"min_new_tokens": tokens, "max_new_tokens": tokens}  # noqa: E731
    return {
        "stages": ["prepare", "translate", "summarize"],
        "device": options.device, "precision": options.precision, "batch_size": options.batch_size,
        "engine": {"name": "local", "local": {"overlap": overlap}},
        "translate": {"model": str(built.translator), "family": "indictrans2", "guard": {"enabled": False},
                      "max_batch_tokens": "auto", "max_batch_size": "auto",
                      "generation": {"num_beams": options.translation_beams, **fixed(built.translation_tokens)}},
        "summarize": {"model": str(built.summarizer), "family": "bart", "guard": {"enabled": False},
                      "max_batch_size": "auto",
                      "generation": {"num_beams": options.summary_beams, "length_penalty": 2.0,
                                     "no_repeat_ngram_size": 3, **fixed(built.summary_tokens)}},
    }


@dataclass(frozen=True)
class RunMeasurement:
    label: str
    documents: int
    sentences: int
    source_tokens: int
    output_tokens: int  # translation and summary tokens generated
    seconds: float  # processing, models loaded
    stage_seconds: dict[str, float]  # summed over documents (a batch's time shared among its documents)
    outputs: dict[str, dict[str, str]]  # id -> {"translation", "summary"}
    overlapped: bool = False  # stages ran at the same time: their shares overlap and add up to more than 1

    def row(self, baseline: float | None = None) -> dict[str, Any]:
        shares = {stage: round(seconds / self.seconds, 3) for stage, seconds in self.stage_seconds.items()}
        row = {
            "path": self.label, "documents": self.documents, "seconds": round(self.seconds, 2),
            "documents_per_second": round(self.documents / self.seconds, 3),
            "sentences_per_second": round(self.sentences / self.seconds, 2),
            "tokens_per_second": round((self.source_tokens + self.output_tokens) / self.seconds, 1),
            "stage_share": shares,
        }
        if self.stage_seconds and not self.overlapped:  # what no stage accounts for: reading, writing, the runner
            row["other_share"] = round(1 - sum(self.stage_seconds.values()) / self.seconds, 3)
        if baseline is not None:
            row["speedup"] = round(baseline / self.seconds, 2)
        return row


def measure_pipeline(options: Options, built: Models, corpus: Path, label: str, overlap: bool) -> RunMeasurement:
    """`run_pipeline` as `scripts/run.py` calls it, from a config file, into a fresh run folder."""
    folder = options.work_dir / "runs" / label.replace(" ", "-").replace(",", "")
    config_file = folder.with_suffix(".yaml")
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(yaml.safe_dump(run_config(options, built, overlap)), encoding="utf-8")
    summary = run_pipeline(load_config(config_file), corpus, folder, config_file=str(config_file), progress=False)
    if summary.errors:
        raise RuntimeError(f"{label}: {summary.errors} documents failed; see {folder / 'errors.jsonl'}")
    results = _read_jsonl(folder / "results.jsonl")
    stage_seconds, sentences, source_tokens, output_tokens = Counter(), 0, 0, 0
    for result in results:
        for stage, metadata in result["stages"].items():
            stage_seconds[stage] += metadata.get("seconds", 0.0)
        sentences += result["stages"]["prepare"]["segments"]
        for stage in ("translate", "summarize"):
            source_tokens += result["stages"][stage]["tokens_in"]
            output_tokens += result["stages"][stage]["tokens_out"]
    outputs = {result["id"]: {"translation": result["translation"], "summary": result["summary"]} for result in results}
    return RunMeasurement(label, len(results), sentences, source_tokens, output_tokens, summary.seconds,
                          dict(stage_seconds), outputs, overlap)


def measure_naive(options: Options, built: Models, corpus: Path) -> RunMeasurement:
    """Per document: IndicTrans2's example.py on its sentences, then BART's model card on the translation."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from pipeline.devices import resolve_placement
    from pipeline.models.processing_indictrans import IndicTransProcessor
    from pipeline.text.indic import assemble, clean_whitespace, normalize, segment

    placement = resolve_placement(options.device, options.precision)
    load = lambda folder: AutoModelForSeq2SeqLM.from_pretrained(folder, dtype=placement.dtype).to(placement.device).eval()  # noqa: E731
    translator, summarizer = load(built.translator), load(built.summarizer)
    translator_tokenizer, summarizer_tokenizer = AutoTokenizer.from_pretrained(built.translator), AutoTokenizer.from_pretrained(built.summarizer)
    processor = IndicTransProcessor()
    translation_settings = {"num_beams": options.translation_beams, "min_new_tokens": built.translation_tokens,
                            "max_new_tokens": built.translation_tokens}
    summary_settings = {"num_beams": options.summary_beams, "length_penalty": 2.0, "no_repeat_ngram_size": 3,
                        "min_new_tokens": built.summary_tokens, "max_new_tokens": built.summary_tokens}

    def count_tokens(sentence: str) -> int:  # how the pipeline's prepare measures a sentence for IndicTrans2
        (prepared,) = processor.preprocess([sentence], "hin_Deva", "eng_Latn")
        return len(translator_tokenizer(prepared.text)["input_ids"])

    def run(documents: list[dict[str, Any]]) -> tuple[dict[str, dict[str, str]], int, int, int]:
        outputs, sentences, source_tokens, output_tokens = {}, 0, 0, 0
        for document in documents:
            segments = segment(clean_whitespace(normalize(document["text"], "hi")), "hi", 256, count_tokens)
            translated = []
            for first in range(0, len(segments), REFERENCE_BATCH_SIZE):
                batch = processor.preprocess([s.text for s in segments[first:first + REFERENCE_BATCH_SIZE]],
                                             "hin_Deva", "eng_Latn")
                encoded = translator_tokenizer([p.text for p in batch], padding="longest", truncation=True,
                                               return_tensors="pt").to(placement.device)
                generated = translator.generate(**encoded, **translation_settings)
                texts = translator_tokenizer.batch_decode(generated, skip_special_tokens=True)
                translated += processor.postprocess(texts, [p.entities for p in batch], "eng_Latn")
                source_tokens += int(encoded["attention_mask"].sum())
                output_tokens += len(batch) * built.translation_tokens
            english = assemble(segments, translated)
            encoded = summarizer_tokenizer([english], truncation=True, max_length=1024, return_tensors="pt").to(placement.device)
            generated = summarizer.generate(**encoded, **summary_settings)
            summary = summarizer_tokenizer.decode(generated[0], skip_special_tokens=True).strip()
            source_tokens += encoded["input_ids"].shape[1]
            output_tokens += built.summary_tokens
            sentences += len(segments)
            outputs[document["id"]] = {"translation": english, "summary": summary}
        return outputs, sentences, source_tokens, output_tokens

    documents = _read_jsonl(corpus)
    with torch.no_grad():
        run(documents[:1])  # untimed: first-call costs (kernel choice, lazy initializations), as the pipeline's warm-up
        start = time.perf_counter()
        outputs, sentences, source_tokens, output_tokens = run(documents)
        seconds = time.perf_counter() - start
    return RunMeasurement("naive composition (model cards, one document at a time)", len(documents), sentences,
                          source_tokens, output_tokens, seconds, {}, outputs)


def agreement(measured: RunMeasurement, reference: RunMeasurement) -> dict[str, float]:
    """Share of documents whose translation, and whose summary, equal the reference path's."""
    shared = [key for key in reference.outputs if key in measured.outputs]
    return {
        field: round(sum(measured.outputs[key][field] == reference.outputs[key][field] for key in shared) / len(shared), 3)
        for field in ("translation", "summary")
    }


class EndToEnd:
    def __init__(self, options: Options) -> None:
        self.options = options

    def run(self) -> dict[str, Any]:
        options = self.options
        built = Models(options)
        flores = options.shared_dir / "data" / "flores200"
        base = write_corpus(flores, options.documents, options.sentences_per_document, options.work_dir / "corpus-1x.jsonl")
        log.info("warm-up: one document through the pipeline (untimed) ...")
        warm_up = write_corpus(flores, 1, options.sentences_per_document, options.work_dir / "corpus-warm-up.jsonl")
        measure_pipeline(options, built, warm_up, "warm-up", overlap=True)
        log.info(f"1x corpus: {options.documents} documents; naive composition ...")
        naive = measure_naive(options, built, base)
        log.info("pipeline, stages one batch at a time (engine.local.overlap: false) ...")
        sequential = measure_pipeline(options, built, base, "run.py, overlap off", overlap=False)
        log.info("pipeline, stages overlapped (the default) ...")
        overlapped = measure_pipeline(options, built, base, "run.py, overlap on (default)", overlap=True)
        curve = []
        for scale in options.scales:
            corpus = base if scale == 1 else write_corpus(
                flores, options.documents * scale, options.sentences_per_document, options.work_dir / f"corpus-{scale}x.jsonl"
            )
            measured = overlapped if scale == 1 else measure_pipeline(options, built, corpus, f"run.py {scale}x", True)
            log.info(f"  {scale}x: {measured.documents} documents, {measured.documents / measured.seconds:.3f} documents/s")
            curve.append({"scale": scale, "documents": measured.documents, "seconds": round(measured.seconds, 2),
                          "documents_per_second": round(measured.documents / measured.seconds, 3)})
        rows = [naive.row(), sequential.row(naive.seconds), overlapped.row(naive.seconds)]
        rows[1]["agrees_with_naive"] = agreement(sequential, naive)
        rows[2]["agrees_with_naive"] = agreement(overlapped, naive)
        rows[2]["agrees_with_overlap_off"] = agreement(overlapped, sequential)
        return {
            "device": torch.cuda.get_device_name(0) if options.device == "cuda" else "cpu",
            "precision": options.precision, "models": built.names,
            "corpus": {"documents": options.documents, "sentences_per_document": options.sentences_per_document,
                       "batch_size": options.batch_size},
            "output_tokens": {"translation": built.translation_tokens, "summary": built.summary_tokens},
            "rows": rows, "overlap_gain": round(sequential.seconds / overlapped.seconds, 3), "cost_curve": curve,
        }
