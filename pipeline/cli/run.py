"""Translate and summarize a file of Hindi documents: `indic-pipeline run --config FILE --input PATH`, or
`python scripts/run.py ...`, the same code."""

from __future__ import annotations

import argparse
import shlex
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli import project_root
from pipeline.logs import add_logging_options, configure_logging

if TYPE_CHECKING:
    from pipeline.config import RunConfig

EPILOG = """\
exit codes:
  0    done (documents that failed are listed in errors.jsonl)
  2    a bad config, input or output folder (one line says which file, line or key); with --dry-run, any problem
  3    a model could not be loaded (the line says what to do)
  4    the run stopped on a fault of its own (every document would fail the same way), or every document failed
  5    a result has a quality flag named by --fail-on-flag (it is written; --resume continues after it)
  130  interrupted (Ctrl-C or SIGTERM): the line says how to continue with --resume

example: python scripts/run.py --config configs/tiny.yaml --input examples/hindi_news.jsonl"""
EXIT_USAGE = 2
EXIT_EVERY_DOCUMENT_FAILED = 4
EXIT_INTERRUPTED = 130


def parse_args(argv: list[str] | None = None, prog: str | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Run the configured stages (prepare → translate → summarize → back_translate, or any subset) over "
            "every document of INPUT and write results.jsonl (or results/part-*.parquet with output.results: parquet), "
            "errors.jsonl and manifest.json to the output folder."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", required=True, type=Path, help="run config (YAML), e.g. configs/default.yaml")
    parser.add_argument(
        "--input", required=True, type=Path,
        help="documents: .jsonl, .csv, .tsv, .parquet, .txt (documents separated by blank lines), "
        "a folder of .txt files, a folder written by datasets' save_to_disk, or - for JSON Lines on standard input",
    )
    parser.add_argument(
        "--output", type=Path, default=None,
        help="run folder to write (default: this project's outputs/<config name>-<timestamp>, wherever you run it from; "
        "the current directory's outputs/ for a package installed outside its source folder)",
    )
    parser.add_argument(
        "--overlay", dest="overlays", action="append", default=[], type=Path, metavar="FILE",
        help="a YAML file of config keys merged over --config, before --set (repeatable, in order); model folders "
        "in it are relative to the overlay file, e.g. .tiny-models/overlays/default.yaml from make_tiny_models.py",
    )
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override a config key, e.g. --set translate.generation.num_beams=1 (repeatable; values are YAML)",
    )
    parser.add_argument(
        "--resume", action="store_true",
        help="continue a run in --output with the same input and settings: skip the ids already in its "
        "results or errors.jsonl",
    )
    parser.add_argument(
        "--retry-failed", action="store_true",
        help="like --resume, and run the documents of errors.jsonl again (the old errors.jsonl is kept beside it)",
    )
    parser.add_argument(
        "--engine", metavar="NAME",
        help="what schedules the batches: local (default: this process, in input order) or ray (a Ray Data job: "
        "a local Ray instance, or the cluster of --ray-address; pip install '.[ray]'); overrides the config's engine",
    )
    parser.add_argument(
        "--ray-address", metavar="ADDRESS",
        help="join a running Ray cluster (auto, or ray://host:10001) instead of starting a local instance; "
        "implies --engine ray",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")
    parser.add_argument(
        "--fail-on-flag", action="append", default=[], metavar="KIND", dest="fail_on_flags",
        help="stop (exit 5) once a result has a quality flag of this kind: a flag (translation:loop), an output "
        "(translation: any of its flags) or a problem (loop: on any output); repeatable. The flagged result is "
        "written; --resume continues after it",
    )
    parser.add_argument(
        "--dry-run", action="store_true",
        help="check everything a run checks before its first model loads, then print the plan (stages, models and "
        "where they are, devices, batch settings, documents and characters of the input) and exit: models are "
        "found in their folder or the local Hugging Face cache, never downloaded nor loaded; nothing is written",
    )
    add_logging_options(parser)
    return parser.parse_args(argv)


@contextmanager
def input_file(given: Path) -> Iterator[Path]:
    """`-` is JSON Lines on standard input, spooled to a temporary file: a run reads its input twice (once to check
    all of it and count before any model loads, once to run), and a pipe can be read once."""
    if str(given) != "-":
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="run-stdin-") as folder:
        spooled = Path(folder) / "standard-input.jsonl"
        with spooled.open("wb") as copy:
            shutil.copyfileobj(sys.stdin.buffer, copy)
        yield spooled


class StopOnSignal:
    """Ctrl-C or SIGTERM once: finish the batch in flight, write it, stop. Twice: stop at once (that batch is lost)."""

    def __init__(self) -> None:
        self.requested = False

    def __enter__(self) -> StopOnSignal:
        self._previous = {sig: signal.signal(sig, self._handle) for sig in (signal.SIGINT, signal.SIGTERM)}
        return self

    def _handle(self, signum: int, frame: object) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nstopping after the batch in flight (Ctrl-C again to stop at once)", file=sys.stderr, flush=True)

    def __exit__(self, *exc_info: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def resume_command(args: argparse.Namespace, output: Path, prog: str | None) -> str:
    """The command line that continues this run where it stopped: `prog` (`indic-pipeline run`), or the script."""
    script = project_root() / "scripts" / "run.py"
    try:
        script = script.relative_to(Path.cwd())
    except ValueError:
        pass
    command = [*(shlex.split(prog) if prog else ["python", str(script)]),
               "--config", str(args.config), "--input", str(args.input), "--output", str(output)]
    for overlay in args.overlays:
        command += ["--overlay", str(overlay)]
    for override in args.overrides:
        command += ["--set", override]
    if args.engine:
        command += ["--engine", args.engine]
    if args.ray_address:
        command += ["--ray-address", args.ray_address]
    return shlex.join([*command, "--resume"])


def check_flag_kinds(kinds: list[str], config: RunConfig) -> None:
    """A kind that no flag of this run can have would never stop it: refused, with the kinds there are."""
    from pipeline.errors import ConfigError
    from pipeline.stages import StagePlan
    from pipeline.stages.translate import FLAG_PROBLEMS as PROBLEMS

    outputs = [output.name for output in StagePlan.of(config).outputs]
    known = [*outputs, *PROBLEMS, *(f"{output}:{problem}" for output in outputs for problem in PROBLEMS)]
    for kind in kinds:
        if kind not in known:
            raise ConfigError(
                f"--fail-on-flag {kind}: no flag of this run is of that kind; give an output ({', '.join(outputs)}), "
                f"a problem ({', '.join(PROBLEMS)}) or both as output:problem"
            )


def dry_run_report(config: RunConfig, given_input: Path, output: Path) -> int:
    """Print the plan of `--dry-run`, and its problems on standard error: exit 2 when there is any."""
    from pipeline.cli.dry_run import dry_run

    with input_file(given_input) as input_path:
        checked = dry_run(config, input_path, "<standard input>" if input_path != given_input else str(given_input),
                          output)
    print("\n".join(checked.lines))
    for problem in checked.problems:
        print(f"error: {problem}", file=sys.stderr)
    return EXIT_USAGE if checked.problems else 0


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """`prog`: the command that started this one, for help and the `--resume` line (default: `python scripts/run.py`)."""
    args = parse_args(argv, prog)
    configure_logging(args)
    from pipeline.errors import PipelineError
    from pipeline.io.inputs import check_input
    from pipeline.run_config import load_config

    if args.ray_address and args.engine not in (None, "ray"):
        print(f"error: --ray-address is for --engine ray, not {args.engine}", file=sys.stderr)
        return EXIT_USAGE
    engine = "ray" if args.ray_address else args.engine
    overrides = [*args.overrides, *([f"engine.name={engine}"] if engine else []),
                 *([f"engine.ray.address={args.ray_address}"] if args.ray_address else [])]
    output = args.output
    if str(output) == "-":
        print("error: --output -: a run writes a folder (results, errors, manifest; what --resume needs); give a "
              "folder and read its results.jsonl", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = load_config(args.config, overrides, args.overlays)
        output = output or project_root() / "outputs" / f"{config.name}-{datetime.now():%Y%m%d-%H%M%S}"
        if str(args.input) != "-":
            check_input(args.input)  # a missing input is refused before anything heavy is imported
        check_flag_kinds(args.fail_on_flags, config)
        if args.dry_run:
            return dry_run_report(config, args.input, output)
        from pipeline.runner import run_pipeline

        if any(getattr(config.sections[name], "model", None) for name in config.stages):
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # one progress bar (documents), not one per weight file
        with StopOnSignal() as stop, input_file(args.input) as input_path:
            summary = run_pipeline(
                config, input_path, output, resume=args.resume, config_file=str(args.config),
                progress=not (args.no_progress or args.quiet), retry_failed=args.retry_failed,
                stop_requested=lambda: stop.requested,
                input_name="<standard input>" if input_path != args.input else None,
                fail_on_flags=args.fail_on_flags,
            )
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        if error.resumable:
            print(f"continue with: {resume_command(args, output, prog)}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"interrupted at once; the batch in flight was not written; continue with: "
              f"{resume_command(args, output, prog)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    counts = summary.counts
    if summary.stopped:
        print(
            f"stopped: {counts.results + counts.errors} of {counts.documents} documents done ({counts.results} "
            f"results, {counts.errors} failed); continue with: {resume_command(args, output, prog)}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(
        f"{summary.results} documents done, {summary.errors} failed (see errors.jsonl), "
        f"{summary.resumed} already done before; results in {summary.output_dir}"
    )
    if counts.results == 0:
        print(f"error: every document failed; see {summary.output_dir / 'errors.jsonl'}", file=sys.stderr)
        return EXIT_EVERY_DOCUMENT_FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main())
