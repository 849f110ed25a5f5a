"""Where a command's log lines go: `--verbose`, `--quiet` and `--log-file`, for every script alike.

Library modules log through `logging.getLogger(__name__)` and never configure anything; a command adds these
options to its parser and calls `configure_logging` once. The console gets short lines without timestamps (INFO by
default), written above any progress bar instead of through it; a log file gets every line down to DEBUG with its
time, whatever the console shows. Results (tables, summaries) stay the commands' own prints.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from tqdm import tqdm

EXIT_USAGE = 2
PROJECT_LOGGER = "pipeline"  # the project's modules; other libraries' warnings still reach the handlers
FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_installed: list[logging.Handler] = []  # this module's handlers on the root logger, replaced by the next call


class _ConsoleFormatter(logging.Formatter):
    """The message alone; a warning or an error says which it is, as the commands' own error lines do."""

    def format(self, record: logging.LogRecord) -> str:
        message = super().format(record)
        return f"{record.levelname.lower()}: {message}" if record.levelno >= logging.WARNING else message


class _AboveProgressBars(logging.Handler):
    """Writes through `tqdm.write`, which clears the progress bars, prints the line and draws them again.

    It writes to whatever `sys.stderr` is when the line is logged, so a command run in-process (tests) never keeps
    a stream that has since been closed.
    """

    def emit(self, record: logging.LogRecord) -> None:
        try:
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:  # noqa: BLE001 - a handler never raises: logging reports its own failures
            self.handleError(record)


def add_logging_options(parser: argparse.ArgumentParser) -> None:
    """--verbose, --quiet and --log-file on a command's parser."""
    group = parser.add_argument_group("logging")
    levels = group.add_mutually_exclusive_group()
    levels.add_argument("--verbose", "-v", action="store_true", help="also debugging lines (e.g. one per batch)")
    levels.add_argument(
        "--quiet", "-q", action="store_true",
        help="only warnings, errors and the final summary: no progress lines, no progress bar",
    )
    group.add_argument(
        "--log-file", type=Path, metavar="FILE",
        help="append every line, debugging lines included, with its time, to FILE (whatever --quiet says)",
    )


def configure_logging(args: argparse.Namespace) -> None:
    """Install the handlers the options ask for, replacing those of an earlier call (a command run again in-process).

    A --log-file that cannot be opened ends the command with one line and exit status 2, like a bad option.
    """
    root = logging.getLogger()
    while _installed:
        handler = _installed.pop()
        root.removeHandler(handler)
        handler.close()
    console = _AboveProgressBars(logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO)
    console.setFormatter(_ConsoleFormatter())
    handlers: list[logging.Handler] = [console]
    if args.log_file is not None:
        try:
            to_file = logging.FileHandler(args.log_file, mode="a", encoding="utf-8")
        except OSError as error:
            print(f"error: --log-file {args.log_file}: cannot write it ({error.strerror or error})", file=sys.stderr)
            raise SystemExit(EXIT_USAGE) from None
        to_file.setLevel(logging.DEBUG)
        to_file.setFormatter(logging.Formatter(FILE_FORMAT))
        handlers.append(to_file)
    for handler in handlers:
        root.addHandler(handler)
    _installed.extend(handlers)
    logging.getLogger(PROJECT_LOGGER).setLevel(min(handler.level for handler in handlers))
