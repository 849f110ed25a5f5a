#!/usr/bin/env python
"""Peak memory of a model-free run on a small and a large corpus: `python scripts/measure_memory.py [--quick]`."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from pipeline.logs import add_logging_options, configure_logging

REPO_ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Write two corpora of Hindi news-like documents (sentences of FLORES-200 Hindi devtest; half of the "
            "documents with an id, half with one derived from the text), run scripts/run.py on each with a "
            "model-free config (prepare + lead_k), each in a process of its own, and report its wall time, "
            "documents/s and peak RSS. Then kill a run of the larger corpus halfway, --resume it, and check that "
            "every document was written exactly once."
        ),
        epilog=(
            "Exit codes: 0 the larger run's peak RSS is at most 1.2x the smaller's and every check passed, 1 not. "
            "A run of one document shows what the imported libraries alone take. The large default corpus is "
            "about 1 GB and its runs take several minutes each on 2 cores."
        ),
    )
    parser.add_argument("--quick", action="store_true", help="50 and 500 documents: the checks, in seconds")
    parser.add_argument("--small", type=int, metavar="N", help="documents in the smaller corpus (default: 20000)")
    parser.add_argument("--large", type=int, metavar="N", help="documents in the larger corpus (default: 400000)")
    parser.add_argument("--json", type=Path, default=None, help="also write the report to this JSON file")
    parser.add_argument(
        "--work-dir", type=Path, default=None,
        help="where corpora and run folders are written and kept (default: a temporary folder, removed)",
    )
    parser.add_argument(
        "--shared-dir", type=Path, default=Path(os.environ.get("PIPELINE_SHARED_DIR", REPO_ROOT.parent / "shared")),
        help="where data/flores200 is read from (default: ../shared or $PIPELINE_SHARED_DIR); without it, a few "
        "built-in Hindi sentences",
    )
    add_logging_options(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args)
    from pipeline.benchmarking.memory import MemoryMeasurement, Options, table
    from pipeline.benchmarking.report import report_and_exit_code

    sizes = (args.small or (50 if args.quick else 20000), args.large or (500 if args.quick else 400000))
    with tempfile.TemporaryDirectory(prefix="measure-memory-") as scratch:
        work_dir = args.work_dir or Path(scratch)
        work_dir.mkdir(parents=True, exist_ok=True)
        options = Options(sizes, work_dir, args.shared_dir, REPO_ROOT / "scripts" / "run.py")
        measurement = MemoryMeasurement(options)
        return report_and_exit_code(measurement.run, table, args.json)

if __name__ == "__main__":
    sys.exit(main())
