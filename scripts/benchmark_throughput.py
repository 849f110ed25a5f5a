#!/usr/bin/env python
"""Sentences and articles per second at corpus scale, and the share of the device's peak: `--device cuda` on a GPU."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from pipeline.benchmarking.workload import add_workload_arguments, ready, workload
from pipeline.logs import add_logging_options, configure_logging

REPO_ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Translate FLORES-200 Hindi sentences (repeated up to --sentences) with real-size IndicTrans2 models "
            "and summarize CNN/DailyMail articles with a BART-large-CNN-sized model, all with random weights and "
            "output lengths fixed from real outputs, through the project's translator and summarizer: eager and "
            "SDPA attention, the default batch limits and limits sized from the GPU's free memory (auto). A chat "
            "translator (--translators ...,qwen2.5-1.5B: a Qwen2.5-1.5B-Instruct-shaped decoder with a ChatML "
            "tokenizer trained on FLORES dev) translates the same sentences from the chat family's prompt, "
            "greedily, with IndicTrans2's output length; IndicTrans2 then also runs greedily, for a row that "
            "compares at the same decoding. Prints items/s, generated tokens/s, input tokens per item (a chat "
            "model's prompt included), model TFLOP/s and the share of the device's bf16 peak (MFU)."
        ),
        epilog="Timings vary with the machine's load: compare rows of one run. Exit 2: the data or the device is missing.",
    )
    parser.add_argument("--sentences", type=int, default=None, help="default: 8192 on cuda, 64 on cpu, quick: 16")
    parser.add_argument("--articles", type=int, default=None, help="default: 256 on cuda, 4 on cpu, quick: 2")
    parser.add_argument("--translators", default="200M",
                        help="comma-separated: 200M (IndicTrans2 dist-200M), 1B (IndicTrans2 1B), qwen2.5-1.5B "
                             "(a chat model: decoder-only, asked in words, greedy; fp32 on 2 CPU cores takes minutes "
                             "for 32 sentences)")
    parser.add_argument("--no-summarizer", action="store_true", help="translation only")
    parser.add_argument("--sweep", default=None,
                        help="comma-separated translation batch sizes (sentences) to compare, both attention kernels, "
                             "instead of the standard settings")
    parser.add_argument("--defaults-only", action="store_true",
                        help="translators: only the config-default batch limits (4096 tokens / 32 sentences, the "
                             "checkpoint's attention), and IndicTrans2's greedy row when a chat translator runs: one "
                             "or two rows a model, for a CPU")
    parser.add_argument("--profile", action="store_true", help="also print torch.profiler's table for one batch")
    add_workload_arguments(parser, REPO_ROOT)
    add_logging_options(parser)
    return parser.parse_args(argv)


def table(report: dict) -> str:
    lines = [f"device: {report['device']} ({report['precision']}), torch {report['torch']}",
             ("| model | setting | attention | beams | items | s | CPU s | items/s | in tok/item | out tok/item "
              "| out tok/s | model TFLOP/s | MFU | batches |"),
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in report["rows"]:
        mfu = "n/a" if row["mfu"] is None else f"{100 * row['mfu']:.2f}%"
        instructions = row["instruction_tokens_per_item"]
        inputs = f"{row['input_tokens_per_item']}" + (f" ({instructions} instructions)" if instructions else "")
        lines.append(f"| {row['model']} | {row['setting']} | {row['attention']} | {row['beams']} | {row['items']} | "
                     f"{row['seconds']} | {row['cpu_seconds']} | {row['items_per_second']} | {inputs} | {row['output_tokens_per_item']} | "
                     f"{row['output_tokens_per_second']} | {row['model_tflops_per_second']} | {mfu} | "
                     f"{row['batches']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args)
    if not ready(args):
        return 2
    from pipeline.benchmarking.throughput import TRANSLATORS, Options, Throughput

    translators = tuple(key.strip() for key in args.translators.split(",") if key.strip())
    unknown = [key for key in translators if key not in TRANSLATORS]
    if unknown:
        print(f"error: --translators: unknown {', '.join(unknown)} (known: {', '.join(TRANSLATORS)})", file=sys.stderr)
        return 2
    cuda = args.device == "cuda"
    with tempfile.TemporaryDirectory(prefix="throughput-") as scratch:
        options = Options(
            **workload(args, Path(scratch)), sentences=args.sentences or (16 if args.quick else 8192 if cuda else 64),
            articles=args.articles or (2 if args.quick else 256 if cuda else 4),
            translators=translators, summarizer=not args.no_summarizer, profile=args.profile,
            defaults_only=args.defaults_only,
            sweep=tuple(int(size) for size in args.sweep.split(",")) if args.sweep else (),
        )
        report = Throughput(options).run()
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
