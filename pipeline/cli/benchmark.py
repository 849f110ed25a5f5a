"""Side-by-side speed of the reference usage and the project's paths: `python scripts/benchmark.py [--quick]`."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from pipeline.cli import project_root
from pipeline.logs import add_logging_options, configure_logging

EXIT_UNAVAILABLE = 2
EXIT_FAILED = 1


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Build real-size IndicTrans2 (indic-en dist-200M), BART-large-CNN and distilBART-CNN-12-6 models with "
            "random weights, translate FLORES-200 Hindi sentences and summarize CNN/DailyMail articles with the "
            "reference usage and with every project path (each in a process of its own), print a table and check "
            "that the paths give the reference's outputs."
        ),
        epilog=(
            "Exit codes: 0 done, 1 a path failed or an exact path's outputs differ from the reference's, 2 the "
            "data or the device is missing. Timings vary with the machine's load: compare ratios within one run."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="scaled-down models and few inputs: under a minute")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu", help="cuda: bf16 and CTranslate2 16-bit")
    parser.add_argument("--json", type=Path, default=None, help="also write the report to this JSON file")
    parser.add_argument("--sentences", type=int, default=None, help="Hindi sentences (default: 48, quick: 8)")
    parser.add_argument("--articles", type=int, default=None, help="CNN/DailyMail articles (default: 4, quick: 2)")
    parser.add_argument("--work-dir", type=Path, default=None, help="where models are built (default: a temporary folder)")
    parser.add_argument(
        "--shared-dir", type=Path, default=Path(os.environ.get("PIPELINE_SHARED_DIR", project_root().parent / "shared")),
        help="the read-only data and fixtures (default: $PIPELINE_SHARED_DIR, or shared/ beside this project; beside "
        "the current directory for an installed package)",
    )
    add_logging_options(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    args = parse_args(argv, prog)
    configure_logging(args)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not (args.shared_dir / "data" / "flores200").exists():
        print(f"error: {args.shared_dir} lacks data/flores200 (set --shared-dir)", file=sys.stderr)
        return EXIT_UNAVAILABLE
    import torch

    if args.device == "cuda" and not torch.cuda.is_available():
        print("error: --device cuda, but torch sees no CUDA device (a CPU build of torch, or no driver)", file=sys.stderr)
        return EXIT_UNAVAILABLE

    from pipeline.benchmarking.report import report, table, write_json
    from pipeline.benchmarking.suite import Benchmark, Options

    with tempfile.TemporaryDirectory(prefix="benchmark-") as scratch:
        options = Options(
            work_dir=args.work_dir or Path(scratch), shared_dir=args.shared_dir, device=args.device, quick=args.quick,
            sentences=args.sentences or (8 if args.quick else 48), articles=args.articles or (2 if args.quick else 4),
            max_output_tokens=8 if args.quick else None, repeats=1 if args.quick else 2,
        )
        rows, context = Benchmark(options).run()
    document = report(rows, context)
    print(table(rows))
    for kind in ("skipped", "failed"):
        for line in context[kind]:
            print(f"{kind}: {line}")
    print(f"peak RSS includes {context['baseline_rss_mb']} MB of imported libraries in every process")
    if args.json:
        write_json(document, args.json)
    return 0 if document["exact_paths_match"] and document["complete"] else EXIT_FAILED
