#!/usr/bin/env python
"""Documents/s of the local engine and of the Ray engine with 1 and 2 actors: `python scripts/benchmark_engines.py`."""

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
            "Run scripts/run.py on one corpus of Hindi news-like documents (FLORES-200 sentences) with the tiny "
            "random-weight models, for the translation alone and for the 4-stage tiny pipeline: with the local "
            "engine, then with the Ray engine (a local Ray instance) with 1 and with 2 actors per model stage. "
            "Prints wall time, documents/s and the speed against the local engine of the same session, and checks "
            "that every Ray run wrote the local engine's records."
        ),
        epilog="Exit codes: 0 done and every run wrote the same records, 1 not. Needs Ray: pip install '.[ray]'.",
    )
    parser.add_argument("--documents", type=int, default=400, help="documents in the corpus (default: 400)")
    parser.add_argument("--json", type=Path, default=None, help="also write the report to this JSON file")
    parser.add_argument(
        "--shared-dir", type=Path, default=Path(os.environ.get("PIPELINE_SHARED_DIR", REPO_ROOT.parent / "shared")),
        help="where data/flores200 is read from (default: ../shared or $PIPELINE_SHARED_DIR)",
    )
    add_logging_options(parser)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args)
    from pipeline.benchmarking.engines import EngineBenchmark, table
    from pipeline.benchmarking.report import report_and_exit_code
    from pipeline.tiny_models import build_tiny_models

    with tempfile.TemporaryDirectory(prefix="benchmark-engines-") as scratch:
        models = build_tiny_models(Path(scratch) / "models")
        benchmark = EngineBenchmark(Path(scratch), args.shared_dir, args.documents, models, REPO_ROOT)
        return report_and_exit_code(benchmark.run, table, args.json)

if __name__ == "__main__":
    sys.exit(main())
