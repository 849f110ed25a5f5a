"""Time the prepare stage per KB as documents grow (`scripts/benchmark_segmentation.py`, docs/performance.md).

Segmentation must cost time linear in a document's length, with or without sentence ends: the seconds per KB
of a 1 MB document should be those of a 16 KB one. Documents are FLORES-200 Hindi sentences run together,
punctuated as published, or with every danda, period, question and exclamation mark removed (one sentence as
long as the document, the case that used to be quadratic). Segments are measured with the word count (a run
without a translator) or with the tiny IndicTrans2 checkpoint's `count_tokens` (the translator's processor and
tokenizer: the cost of a real run). Each document is timed a few times and the fastest run kept; besides time,
the report says how many characters the counter was given per character of the document, which no load on the
machine changes.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pipeline.records import Document
from pipeline.stages.prepare import PrepareStage, count_words

log = logging.getLogger(__name__)

LANGUAGE = "hin_Deva"
MAX_SEGMENT_TOKENS = 256  # prepare's default
SENTENCE_ENDS = re.compile(r"[।॥|.?!]")
TEXTS = ("punctuated", "unpunctuated")


@dataclass(frozen=True)
class Options:
    sizes_kb: tuple[int, ...]
    counters: tuple[str, ...]  # "words", "indictrans2"
    flores_dir: Path
    tiny_indictrans: Path  # the tiny-indic-en checkpoint (for the "indictrans2" counter)
    repeats: int


@dataclass(frozen=True)
class Row:
    counter: str
    text: str
    size_kb: int  # asked for; `kb` is what the document holds
    kb: float
    segments: int
    seconds: float
    measured: float  # characters given to the counter per character of the prepared document

    @property
    def seconds_per_kb(self) -> float:
        return self.seconds / self.kb


def hindi_sentences(flores_dir: Path) -> list[str]:
    """FLORES-200 Hindi dev and devtest: 2009 sentences, about 660 KB."""
    files = (flores_dir / name for name in ("hin_Deva.dev", "hin_Deva.devtest"))
    return [line for file in files for line in file.read_text(encoding="utf-8").split("\n") if line.strip()]


def document(sentences: list[str], size_kb: int, text: str) -> str:
    """Sentences run together, from the first, until the document holds `size_kb` KB of UTF-8 (cycling if need be)."""
    if text == "unpunctuated":
        sentences = [SENTENCE_ENDS.sub("", sentence) for sentence in sentences]
    chosen: list[str] = []
    size = -1  # no space before the first sentence
    while size < size_kb * 1024:
        chosen.append(sentences[len(chosen) % len(sentences)])
        size += len(chosen[-1].encode("utf-8")) + 1
    return " ".join(chosen)


def _tiny_indictrans_counter(checkpoint: Path) -> Callable[[str], int]:
    from pipeline.translation import TranslatorConfig, load_translator

    config = TranslatorConfig(model=str(checkpoint), family="indictrans2")
    return load_translator(config, "translate", "cpu", "fp32").count_tokens


def counters(options: Options) -> Iterator[tuple[str, Callable[[str], int]]]:
    builders = {"words": lambda: count_words, "indictrans2": lambda: _tiny_indictrans_counter(options.tiny_indictrans)}
    for name in options.counters:
        yield name, builders[name]()


def prepare(source: str, count_tokens: Callable[[str], int], repeats: int) -> tuple[Document, float, float]:
    """The prepared document, the fastest of `repeats` runs of the stage on it, and the characters it measured."""
    measured: list[int] = []

    def counting(text: str) -> int:
        measured.append(len(text))
        return count_tokens(text)

    stage = PrepareStage(LANGUAGE, MAX_SEGMENT_TOKENS, counting)
    fastest = float("inf")
    for _ in range(repeats):
        measured.clear()
        prepared = Document(id="benchmark", source=source)
        start = time.perf_counter()
        stage.process([prepared])
        fastest = min(fastest, time.perf_counter() - start)
    characters = sum(len(segment.text) + len(segment.separator) for segment in prepared.segments)
    return prepared, fastest, sum(measured) / max(characters, 1)


def run(options: Options) -> dict[str, Any]:
    sentences = hindi_sentences(options.flores_dir)
    rows: list[Row] = []
    for counter, count_tokens in counters(options):
        for text in TEXTS:
            for size_kb in options.sizes_kb:
                source = document(sentences, size_kb, text)
                prepared, seconds, measured = prepare(source, count_tokens, options.repeats)
                kb = len(source.encode("utf-8")) / 1024
                rows.append(Row(counter, text, size_kb, kb, len(prepared.segments), seconds, measured))
                log.info(f"{counter} {text} {size_kb} KB: {seconds:.2f} s")
    return {
        "cpus": os.cpu_count(),
        "rows": [{**asdict(row), "seconds_per_kb": row.seconds_per_kb} for row in rows],
        "ratios": ratios(rows),
    }


def ratios(rows: list[Row]) -> list[dict[str, Any]]:
    """Per counter and text: seconds per KB of the largest document over that of the smallest (flat: about 1)."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        groups.setdefault((row.counter, row.text), []).append(row)
    summary = []
    for (counter, text), group in groups.items():
        smallest, largest = min(group, key=lambda row: row.kb), max(group, key=lambda row: row.kb)
        summary.append({
            "counter": counter, "text": text, "smallest_kb": smallest.size_kb, "largest_kb": largest.size_kb,
            "ratio": largest.seconds_per_kb / smallest.seconds_per_kb,
        })
    return summary


def table(report: dict[str, Any]) -> str:
    lines = [
        "| counter | text | size | segments | seconds | ms per KB | measured |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {row['counter']} | {row['text']} | {row['size_kb']} KB | {row['segments']} | {row['seconds']:.2f} | "
        f"{row['seconds_per_kb'] * 1000:.2f} | {row['measured']:.2f}x |"
        for row in report["rows"]
    ]
    lines += ["", "| counter | text | ms per KB, largest / smallest |", "|---|---|---:|"]
    lines += [
        f"| {ratio['counter']} | {ratio['text']} | {ratio['ratio']:.2f} "
        f"({ratio['largest_kb']} KB / {ratio['smallest_kb']} KB) |"
        for ratio in report["ratios"]
    ]
    return "\n".join(lines)
