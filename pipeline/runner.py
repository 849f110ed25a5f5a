"""A run from input file to run folder: read documents as a stream, hand them to the engine, write what it returns.

The runner owns the edges (the input, the run folder, the manifest, the progress bar); the engine named by the
config (`engine: local` by default) decides how documents become batches and where the stages run. A document that
fails in a stage (an empty text, a generation error) is written to `errors.jsonl` with the stage and the reason,
and the run goes on with the others; a fault of the run itself (every document fails the same way) stops it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from pipeline.config import InputConfig, RunConfig
from pipeline.engines import ENGINES, BatchOutcome
from pipeline.errors import FlaggedResult, InputError, PipelineError, ResumeMismatchError, RunFault
from pipeline.io.inputs import read_documents
from pipeline.io.run_folder import Counts, Manifest, RunFolder, Session
from pipeline.provenance import now, package_versions
from pipeline.records import Document, flag_matches
from pipeline.run_config import validate_config
from pipeline.stages import Stage, StagePlan

# Failures of one stage, all with the same error, before any document got through it: the run's fault, not theirs.
RUN_FAULT_AFTER = 8

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSummary:
    output_dir: Path
    documents: int  # in the input
    results: int  # written by this session
    errors: int
    resumed: int  # already done when this session started
    counts: Counts  # of the whole run folder, every session included
    stopped: str | None = None  # why the session ended before the input did (interrupted)
    seconds: float = 0.0  # of this session's processing, from its models loaded to its last result written


@dataclass(frozen=True)
class InputScan:
    documents: int
    fingerprint: str  # of every document's id, text and references, in order
    characters: int  # of the documents' texts: the work a run has ahead (a dry run says it)


def scan_input(path: Path, config: InputConfig) -> InputScan:
    """Read the whole input once, in constant memory, before any model loads: a bad row anywhere is reported now,
    the progress bar knows its total, and a resume can tell whether the input is the one it started with."""
    digest, documents, characters = hashlib.sha256(), 0, 0
    for document in read_documents(path, config):
        documents += 1
        characters += len(document.source)
        for text in (document.id, document.source, *sorted(document.references.items())):
            digest.update(repr(text).encode("utf-8") + b"\0")
    if documents == 0:
        raise InputError(f"{path}: holds no documents")
    return InputScan(documents, digest.hexdigest(), characters)


def check_resumable(previous: Manifest, config: RunConfig, scan: InputScan, output_dir: Path) -> None:
    """A resumed run must make the outputs the first session would have made: same input, same settings that
    change outputs (batch sizes, engine and threads may differ)."""
    if previous.input_fingerprint is not None and previous.input_fingerprint != scan.fingerprint:
        raise ResumeMismatchError(
            f"cannot resume {output_dir}: the input differs from the one it started with ({previous.input}); "
            "resume with that input, or start a new run in another --output"
        )
    if previous.config is None:
        return
    try:
        before = validate_config(previous.config, str(output_dir / "manifest.json")).outcome_settings()
    except PipelineError as error:
        raise ResumeMismatchError(f"cannot resume {output_dir}: its config no longer loads ({error})") from None
    after = config.outcome_settings()
    changed = [key for key in dict.fromkeys([*before, *after]) if before.get(key) != after.get(key)]
    if changed:
        described = "; ".join(f"{key}: {before.get(key)!r} then, {after.get(key)!r} now" for key in changed)
        raise ResumeMismatchError(
            f"cannot resume {output_dir} with settings that change its outputs ({described}); "
            "resume with the config it started with, or start a new run in another --output"
        )


class _Pending:
    """The input's documents that are not done yet, counting those it skips."""

    def __init__(self, documents: Iterator[Document], done_ids) -> None:
        self._documents = documents
        self._done_ids = done_ids
        self.skipped = 0

    def __iter__(self) -> Iterator[Document]:
        for document in self._documents:
            if document.id in self._done_ids:
                self.skipped += 1
            else:
                yield document


@dataclass
class StageTotals:
    passed: int = 0  # documents that got through the stage (and failed a later one, or none)
    failed: int = 0
    seconds: float = 0.0  # of the documents that finished: the batches' time in the stage, shared evenly


class StageTally:
    """Per stage, what this session put through it, from what the engine returns (so the same for every engine).

    A document that fails a stage got through the stages before it; the seconds are those the results record
    (`stages.<key>.seconds`), since a failure carries no timings.
    """

    def __init__(self, stage_classes: tuple[type[Stage], ...]) -> None:
        self._keys = {stage.name: stage.record_key for stage in stage_classes}
        self.stages = {name: StageTotals() for name in self._keys}
        self.refused = 0  # failed before any stage (empty, too long)

    def observe(self, outcome: BatchOutcome) -> None:
        names = list(self.stages)
        for name, totals in self.stages.items():
            totals.passed += len(outcome.results)
            totals.seconds += sum(result.stages.get(self._keys[name], {}).get("seconds", 0.0)
                                  for result in outcome.results)
        for failure in outcome.failures:
            if failure.stage not in self.stages:
                self.refused += 1
                continue
            self.stages[failure.stage].failed += 1
            for earlier in names[: names.index(failure.stage)]:
                self.stages[earlier].passed += 1

    def lines(self) -> list[str]:
        """One line per stage: documents through it, failures in it, seconds in it."""
        refused = [f"input: {self.refused} documents refused (empty or over input.max_document_chars)"]
        return (refused if self.refused else []) + [
            f"{name}: {totals.passed} documents, {totals.failed} failed, {totals.seconds:.2f} s"
            for name, totals in self.stages.items()
        ]


def _stop_on_flags(outcome: BatchOutcome, kinds: Collection[str]) -> None:
    for result in outcome.results:
        for flag in result.flags:
            if matched := [kind for kind in kinds if flag_matches(flag, kind)]:
                raise FlaggedResult(
                    f"document {result.id!r} has the quality flag {flag} (--fail-on-flag {matched[0]}); its result is "
                    "written and the run stopped there"
                )


class _SegmentProgress:
    """Progress inside the batch in flight, as the bar's postfix: a batch of long documents takes minutes, and the
    document count alone would stand still meanwhile. Called from the engine's threads."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{stage}: {done}/{total} segments")


class RunFaultDetector:
    """Tells a fault of the run (a model that fails every input the same way) from faults of documents.

    Documents that failed a stage with the same error, `RUN_FAULT_AFTER` of them before any document got through
    that stage, mean the stage fails whatever the text: the run stops at once instead of failing every document.
    It reads what got through from `tally`, which must have observed the batch first.
    """

    def __init__(self, tally: StageTally) -> None:
        self._tally = tally
        self._same = Counter()  # (stage, error) -> failures

    def observe(self, outcome: BatchOutcome) -> None:
        for failure in outcome.failures:
            totals = self._tally.stages.get(failure.stage)
            if failure.document_fault or totals is None or totals.passed:
                continue
            self._same[failure.stage, failure.error] += 1
            if self._same[failure.stage, failure.error] >= RUN_FAULT_AFTER:
                raise RunFault(
                    f"stage {failure.stage!r} failed on the first {RUN_FAULT_AFTER} documents that reached it, all "
                    f"with the same error, so it would fail every document: {failure.error}\n  what to do: fix the "
                    "cause (model, device, settings), then continue with --resume (their errors are in errors.jsonl; "
                    "--retry-failed runs them again)"
                )


def _manifest(config: RunConfig, config_file: str | None, input_path: Path, input_name: str | None, output_dir: Path,
              plan: StagePlan,
              models: dict[str, dict], engine: dict, scan: InputScan, previous: Manifest | None) -> Manifest:
    placed = [model for model in models.values() if "device" in model]
    return Manifest(
        run_name=output_dir.name,
        config_file=config_file,
        config=config.to_dict(),
        stages=list(config.stages),
        outputs=plan.outputs,
        source_language=plan.source_language,
        engine=engine,
        models=models,
        versions=package_versions(),
        device=placed[0]["device"] if placed else "cpu",
        dtype=placed[0]["dtype"] if placed else None,
        input=input_name or str(input_path),
        input_fingerprint=scan.fingerprint,
        started_at=previous.started_at if previous and previous.started_at else now(),
        sessions=[*(previous.sessions if previous else []), Session(started_at=now())],
    )


def run_pipeline(
    config: RunConfig,
    input_path: str | Path,
    output_dir: str | Path,
    resume: bool = False,
    config_file: str | None = None,
    progress: bool = True,
    retry_failed: bool = False,
    stop_requested: Callable[[], bool] = lambda: False,
    input_name: str | None = None,
    fail_on_flags: Collection[str] = (),
) -> RunSummary:
    """Run the configured stages over the input into `output_dir`.

    `input_name` is how the manifest names the input when its path is not its name (standard input, spooled).
    `stop_requested` is asked after every batch: when it says yes, the session ends there, its work written, and
    the summary says `stopped`. A result with a flag of a kind in `fail_on_flags` (see `flag_matches`) stops the
    run with `FlaggedResult` once its batch is written. Errors are `PipelineError`s; the run folder is left resumable after any of them.
    """
    input_path, output_dir = Path(input_path), Path(output_dir)
    scan = scan_input(input_path, config.input)
    plan = StagePlan.of(config)
    with RunFolder(output_dir, resume or retry_failed, retry_failed, config.output) as folder:
        if folder.previous is not None:
            check_resumable(folder.previous, config, scan, output_dir)
        done_before = folder.results + folder.errors
        log.info("run: %s on engine %s; %d documents in %s (%d to do, %d already done); writing to %s",
                 " → ".join(config.stages), config.engine.name, scan.documents, input_name or input_path,
                 scan.documents - done_before, done_before, output_dir)
        segments = _SegmentProgress()
        engine = ENGINES.get(config.engine.name)(plan, segments)
        try:
            models = engine.start()
        except BaseException:
            engine.close()
            folder.abandon()
            raise
        with engine:
            manifest = _manifest(config, config_file, input_path, input_name, output_dir, plan, models, engine.describe(), scan,
                                 folder.previous)
            session = manifest.sessions[-1]
            folder.begin(manifest)
            pending = _Pending(read_documents(input_path, config.input), folder.done_ids)
            tally = StageTally(plan.stage_classes)
            detector = RunFaultDetector(tally)
            started = time.perf_counter()
            try:
                with tqdm(total=scan.documents, initial=done_before, unit="doc", disable=not progress) as bar:
                    segments.bar = None if bar.disable else bar
                    asked = time.perf_counter()
                    for outcome in engine.run(pending):
                        log.debug("batch: %d documents (%d results, %d failed) in %.2f s", outcome.documents,
                                  len(outcome.results), len(outcome.failures), time.perf_counter() - asked)
                        folder.append(outcome.results, outcome.failures)
                        session.results += len(outcome.results)
                        session.errors += len(outcome.failures)
                        session.oom_retried += sum(
                            any("oom_splits" in stage for stage in result.stages.values()) for result in outcome.results
                        )
                        bar.update(outcome.documents)
                        tally.observe(outcome)
                        detector.observe(outcome)
                        _stop_on_flags(outcome, fail_on_flags)
                        asked = time.perf_counter()  # the next batch's seconds: the engine's, not the writing's
                        if stop_requested():
                            session.stopped = "interrupted"
                            break
            except PipelineError as error:
                session.stopped = f"{type(error).__name__}: {str(error).splitlines()[0]}"
                error.resumable = True
                raise
            except KeyboardInterrupt:
                session.stopped = "interrupted at once: the batch in flight was not written"
                raise
            finally:
                try:
                    folder.flush()  # results waiting for their Parquet part count once they are on disk
                finally:
                    session.finished_at = now()
                    done = folder.results + folder.errors
                    manifest.counts = Counts(documents=scan.documents, results=folder.results, errors=folder.errors,
                                             resumed=pending.skipped, flags=dict(sorted(folder.flags.items())))
                    manifest.finished_at = now() if session.stopped is None and done >= scan.documents else None
                    folder.write_manifest(manifest)
                    for line in tally.lines():
                        log.info(line)
    return RunSummary(output_dir, scan.documents, session.results, session.errors, pending.skipped, manifest.counts,
                      session.stopped, time.perf_counter() - started)
