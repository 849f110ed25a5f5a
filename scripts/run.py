#!/usr/bin/env python
"""Translate and summarize a file of Hindi documents: `python scripts/run.py --config FILE --input PATH`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Run the configured stages (prepare → translate → summarize → back_translate, or any subset) over "
            "every document of INPUT and write results.jsonl, errors.jsonl and manifest.json to the output folder."
        ),
        epilog=(
            "Exit codes: 0 done (failed documents are listed in errors.jsonl), 2 bad config, input or output "
            "folder, 3 a model could not be loaded. Example: python scripts/run.py --config configs/tiny.yaml "
            "--input examples/hindi_news.jsonl"
        ),
    )
    parser.add_argument("--config", required=True, type=Path, help="run config (YAML), e.g. configs/default.yaml")
    parser.add_argument(
        "--input", required=True, type=Path,
        help="documents: .jsonl, .csv, .tsv, .parquet, .txt (documents separated by blank lines), "
        "a folder of .txt files, or a folder written by datasets' save_to_disk",
    )
    parser.add_argument(
        "--output", type=Path, default=None,
        help="run folder to write (default: outputs/<config name>-<timestamp>)",
    )
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override a config key, e.g. --set translate.generation.num_beams=1 (repeatable; values are YAML)",
    )
    parser.add_argument(
        "--resume", action="store_true",
        help="continue a run in --output: skip ids already in its results.jsonl, retry failed documents",
    )
    parser.add_argument(
        "--engine", metavar="NAME",
        help="what schedules the batches: local (default: this process, in input order); overrides the config's engine",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from transformers.utils import logging as transformers_logging

    from pipeline.errors import PipelineError
    from pipeline.run_config import load_config
    from pipeline.runner import run_pipeline

    transformers_logging.disable_progress_bar()  # one progress bar (documents), not one per weight file
    overrides = args.overrides + ([f"engine.name={args.engine}"] if args.engine else [])
    try:
        config = load_config(args.config, overrides)
        output = args.output or Path("outputs") / f"{config.name}-{datetime.now():%Y%m%d-%H%M%S}"
        summary = run_pipeline(
            config, args.input, output, resume=args.resume, config_file=str(args.config),
            progress=not args.no_progress,
        )
    except PipelineError as error:  # bad config, input, output folder or device: 2; a model that cannot load: 3
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    print(
        f"{summary.results} documents done, {summary.errors} failed (see errors.jsonl), "
        f"{summary.resumed} already done before; results in {summary.output_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
