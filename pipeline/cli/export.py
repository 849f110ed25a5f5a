"""Export pipeline run folders as a Hugging Face dataset: Arrow, Parquet shards and a dataset card.

Columns come from the outputs each run's manifest declares, with their languages (a run that back-translates into
Bengali adds summary_bn); runs that give one column different languages are refused, to be exported separately.

Exit codes: 0 done, 2 bad input (arguments or run folders), 1 the export could not be written or pushed.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import datasets
from datasets.utils.py_utils import convert_file_size_to_int
from huggingface_hub import HfApi

from pipeline.errors import InputError
from pipeline.export.card import build_card
from pipeline.export.features import plan_columns
from pipeline.export.folder import ARROW_DIR, PARQUET_DIR, write_export
from pipeline.export.hub import HubError, check_access, upload
from pipeline.export.records import build_dataset
from pipeline.export.runs import Run, read_run

PROG = "export_dataset.py"
SPLIT_NAME = re.compile(r"^\w+(\.\w+)*$")  # what `datasets` accepts as a split name


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as a single line on stderr, like every other error of this script."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def shard_size(text: str) -> int:
    try:
        size = int(text) if text.isdigit() else convert_file_size_to_int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 500MB, 1GiB or a number of bytes")
    if size <= 0:
        raise argparse.ArgumentTypeError("the shard size must be positive")
    return size


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=prog,
        description=(
            "Export one or more pipeline run folders (written by scripts/run.py, optionally scored by "
            "scripts/evaluate.py) as a Hugging Face dataset with one split per run. DIR gets README.md (the "
            f"dataset card), {PARQUET_DIR}/ (Parquet shards, read by load_dataset(DIR) and the Hub) and "
            f"{ARROW_DIR}/ (save_to_disk output, read by load_from_disk(DIR/{ARROW_DIR})). Documents listed in a "
            "run's errors.jsonl are left out and counted in the card. Columns come from the outputs the runs' "
            "manifests declare, labelled with their languages; a run without a translate stage has a null "
            "translation and its input's source_language."
        ),
        epilog="exit status: 0 exported, 2 bad arguments or run folder, 1 the export could not be written or pushed",
    )
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR", help="run folder holding results.jsonl")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="export folder to create")
    parser.add_argument(
        "--split",
        action="append",
        metavar="NAME",
        help="split name for the run in the same position; give it once per RUN_DIR (default: train, for a single run)",
    )
    parser.add_argument(
        "--license",
        default="unknown",
        help="license identifier for the card's metadata, e.g. cc-by-4.0 (default: unknown)",
    )
    parser.add_argument(
        "--max-shard-size",
        type=shard_size,
        default="500MB",
        metavar="SIZE",
        help="largest Arrow and Parquet shard, e.g. 100MB or 1GiB (default: 500MB)",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace DIR if it exists and is not empty")
    parser.add_argument(
        "--push-to-hub",
        metavar="REPO",
        help="after the local export, upload the card and Parquet shards to this Hub dataset repo (user/name)",
    )
    parser.add_argument("--private", action="store_true", help="create the Hub repo as private (needs --push-to-hub)")
    parser.add_argument(
        "--token",
        help="Hub token for --push-to-hub (default: HF_TOKEN or the token saved by `hf auth login`)",
    )
    return parser


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    splits = _split_names(parser, args)
    _check_out(parser, args)
    try:
        runs = {split: read_run(path) for split, path in zip(splits, args.runs)}
        for run in runs.values():
            _check_exportable(run)
        plan = plan_columns(list(runs.values()))
    except InputError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return error.exit_code

    api = HfApi(token=args.token) if args.push_to_hub else None
    if api is not None:
        try:
            user = check_access(api)
        except HubError as error:
            print(f"{prog}: error: {error}; nothing was written", file=sys.stderr)
            return 1

    for split, run in runs.items():
        if run.unfinished:
            reasons = "; ".join(run.unfinished)
            print(f"{prog}: warning: split {split} ({run.stored.path}) is from an unfinished run: {reasons}",
                  file=sys.stderr)
    datasets.disable_progress_bars()
    dataset = build_dataset(runs, plan)
    try:
        write_export(dataset, build_card(dataset, runs, plan, args.license), args.out, args.max_shard_size)
    except OSError as error:
        print(f"{prog}: error: cannot write {args.out}: {error}", file=sys.stderr)
        return 1
    for split, run in runs.items():
        failed = len(run.stored.failures)
        print(f"{split}: {len(dataset[split])} examples from {run.stored.path}, {failed} failed documents left out")
    print(f"wrote {args.out}")

    if api is not None:
        try:
            print(f"pushed as {user}: {upload(api, args.out, args.push_to_hub, args.private)}")
        except HubError as error:
            print(f"{prog}: error: {error}; the local export in {args.out} is complete", file=sys.stderr)
            return 1
    return 0


def _split_names(parser: argparse.ArgumentParser, args: argparse.Namespace) -> list[str]:
    names = args.split or (["train"] if len(args.runs) == 1 else [])
    if len(names) != len(args.runs):
        parser.error(f"give --split once per RUN_DIR: {len(args.runs)} run folders, {len(names)} split names")
    for name in names:
        if not SPLIT_NAME.match(name):
            parser.error(f"split name {name!r} must be letters, digits and underscores (dots between parts)")
    if len(set(names)) != len(names):
        parser.error(f"split names must differ: {', '.join(names)}")
    return names


def _check_out(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    out = args.out.resolve()
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} is a file, not a folder")
    if args.out.is_dir() and any(args.out.iterdir()) and not args.overwrite:
        parser.error(f"--out {args.out} is not empty; pass --overwrite to replace it")
    for run in args.runs:
        if out == run.resolve() or out in run.resolve().parents:
            parser.error(f"--out {args.out} would replace the run folder {run}")
    if (args.private or args.token) and not args.push_to_hub:
        parser.error("--private and --token only apply with --push-to-hub")


def _check_exportable(run: Run) -> None:
    """An empty split cannot be read back by load_dataset, so a run with nothing to export is refused."""
    stored = run.stored
    if not stored.exported:
        raise InputError(
            f"{stored.path}: nothing to export ({len(stored.results)} results, {len(stored.failures)} failed documents)"
        )

