"""`indic-pipeline COMMAND [OPTIONS]`: one console command for the project's commands.

Only the chosen command's module is imported, so `indic-pipeline run` with a bad config never pays for the
export's `datasets` or the benchmark's torch.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NamedTuple

from pipeline.config import suggestion

PROG = "indic-pipeline"


class Command(NamedTuple):
    module: str
    summary: str


COMMANDS = {
    "run": Command("pipeline.cli.run", "translate and summarize the documents of a file into a run folder"),
    "evaluate": Command("pipeline.cli.evaluate",
                        "score a run (or a file) against references: report.json/.md/.html and scores.jsonl"),
    "export": Command("pipeline.cli.export",
                      "export run folders as a Hugging Face dataset with a dataset card"),
    "benchmark": Command("pipeline.cli.benchmark",
                         "speed of the reference usage against each of the project's paths, same outputs checked"),
    "convert": Command("pipeline.cli.convert",
                       "convert an IndicTrans2, BART or chat model folder into a CTranslate2 model"),
    "make-tiny-models": Command("pipeline.cli.make_tiny_models",
                                "write tiny random-weight models and an overlay per config to run it on them"),
}


def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    width = max(map(len, COMMANDS))
    listing = "\n".join(f"  {name:<{width}}  {command.summary}" for name, command in COMMANDS.items())
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Hindi (and other Indic) → English translation and summarization pipeline.",
        epilog=f"commands:\n{listing}\n\n{prog} COMMAND --help explains a command's options; each command is also "
        "scripts/<name>.py in the project (e.g. scripts/run.py), the same code.\n"
        f"example: {prog} run --config configs/tiny.yaml --input examples/hindi_news.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="%(prog)s [-h] COMMAND [OPTIONS ...]",
    )
    parser.add_argument("command", metavar="COMMAND", help="one of the commands below, then its own options")
    return parser


def main(argv: list[str] | None = None, prog: str = PROG) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(prog)
    if not argv or argv[0].startswith("-"):
        parser.parse_args(argv[:1])  # --help, or the one-line error that COMMAND is missing
    name, arguments = argv[0], argv[1:]
    if name not in COMMANDS:
        parser.error(f"unknown command {name!r}{suggestion(name, COMMANDS)} (choose from {', '.join(COMMANDS)})")
    return importlib.import_module(COMMANDS[name].module).main(arguments, prog=f"{prog} {name}")
