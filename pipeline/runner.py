"""A run from input file to run folder: read documents as a stream, hand them to the engine, write what it returns.

The runner owns the edges (the input, the run folder, the manifest, the progress bar); the engine named by the
config (`engine: local` by default) decides how documents become batches and where the stages run. A document that
fails in a stage (an empty text, a generation error) is written to `errors.jsonl` with the stage and the reason,
and the run goes on with the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from pipeline.config import RunConfig
from pipeline.engines import ENGINES
from pipeline.io.inputs import count_documents, read_documents
from pipeline.io.run_folder import Counts, Manifest, RunFolder
from pipeline.provenance import now, package_versions
from pipeline.records import Document
from pipeline.stages import StagePlan


@dataclass(frozen=True)
class RunSummary:
    output_dir: Path
    documents: int
    results: int
    errors: int
    resumed: int


def _manifest(config: RunConfig, config_file: str | None, input_path: Path, output_dir: Path, plan: StagePlan,
              models: dict[str, dict], engine: dict) -> Manifest:
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
        input=str(input_path),
        started_at=now(),
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


def run_pipeline(
    config: RunConfig,
    input_path: str | Path,
    output_dir: str | Path,
    resume: bool = False,
    config_file: str | None = None,
    progress: bool = True,
) -> RunSummary:
    input_path, output_dir = Path(input_path), Path(output_dir)
    total = count_documents(input_path, config.input)  # the whole input is checked before any model loads
    plan = StagePlan.of(config)
    with RunFolder(output_dir, resume) as folder, ENGINES.get(config.engine.name)(plan) as engine:
        models = engine.start()
        manifest = _manifest(config, config_file, input_path, output_dir, plan, models, engine.describe())
        folder.write_manifest(manifest)
        pending = _Pending(read_documents(input_path, config.input), folder.done_ids)
        results = errors = 0
        with tqdm(total=total, initial=folder.done, unit="doc", disable=not progress) as bar:
            for outcome in engine.run(pending):
                folder.append(outcome.results, outcome.failures)
                results, errors = results + len(outcome.results), errors + len(outcome.failures)
                bar.update(outcome.documents)
        summary = RunSummary(output_dir, total, results, errors, pending.skipped)
        manifest.finished_at = now()
        # results: all of results.jsonl, earlier sessions included
        manifest.counts = Counts(documents=total, results=pending.skipped + results, errors=errors,
                                 resumed=pending.skipped)
        folder.write_manifest(manifest)
    return summary
