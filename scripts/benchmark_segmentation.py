#!/usr/bin/env python
"""Seconds per KB of the prepare stage as documents grow: `python scripts/benchmark_segmentation.py [--quick]`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipeline.logs import add_logging_options, configure_logging

REPO_ROOT = Path(__file__).resolve().parents[1]
EXIT_UNAVAILABLE = 2
COUNTERS = ("words", "indictrans2")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Prepare (normalize, split into sentences, chunk to 256 tokens) Hindi documents of growing size made of "
            "FLORES-200 sentences, punctuated and with every sentence end removed, measuring segments with the "
            "word count and with the tiny IndicTrans2 checkpoint's tokenizer. Prints seconds per KB for each, and "
            "per counter and text the ratio of the largest document's seconds per KB to the smallest's: about 1 "
            "when segmentation is linear in the document's length."
        ),
        epilog=(
            "Exit codes: 0 done, 2 the data or the checkpoint is missing. Timings vary with the machine's load: "
            "compare ratios within one run; the 'measured' column (characters given to the counter per character "
            "of the document) does not depend on the load. The full run takes a few minutes on 2 cores."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="1 and 4 KB documents, one run each: a smoke test")
    parser.add_argument(
        "--sizes", type=lambda text: tuple(int(size) for size in text.split(",")), default=None,
        help="document sizes in KB, comma-separated (default: 16,64,256,1024)",
    )
    parser.add_argument(
        "--counters", type=lambda text: tuple(text.split(",")), default=COUNTERS,
        help=f"how segments are measured, comma-separated (default: {','.join(COUNTERS)})",
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="runs per document, the fastest kept (default: 3, quick: 1)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the report to this JSON file")
    parser.add_argument(
        "--shared-dir", type=Path, default=Path(os.environ.get("PIPELINE_SHARED_DIR", REPO_ROOT.parent / "shared")),
        help="the read-only data and fixtures (default: ../shared or $PIPELINE_SHARED_DIR)",
    )
    add_logging_options(parser)
    args = parser.parse_args(argv)
    if unknown := set(args.counters) - set(COUNTERS):
        parser.error(f"unknown counter(s) {', '.join(sorted(unknown))}; choose from {', '.join(COUNTERS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    flores_dir = args.shared_dir / "data" / "flores200"
    checkpoint = args.shared_dir / "fixtures" / "indictrans2" / "tiny-indic-en"
    for needed, path in (("data/flores200", flores_dir), ("fixtures/indictrans2/tiny-indic-en", checkpoint)):
        if not path.exists():
            print(f"error: {args.shared_dir} lacks {needed} (set --shared-dir)", file=sys.stderr)
            return EXIT_UNAVAILABLE
    from pipeline.benchmarking.report import write_json
    from pipeline.benchmarking.segmentation import Options, run, table

    options = Options(
        sizes_kb=args.sizes or ((1, 4) if args.quick else (16, 64, 256, 1024)), counters=args.counters,
        flores_dir=flores_dir, tiny_indictrans=checkpoint, repeats=args.repeats or (1 if args.quick else 3),
    )
    report = run(options)
    print(table(report))
    if args.json:
        write_json(report, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
