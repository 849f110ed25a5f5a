"""Composing stages into a run: read documents, build stages, process batches, write the run folder.

A document that fails in a stage (an empty text, a generation error) is written to `errors.jsonl` with the
stage and the reason, and the run goes on with the others.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from pipeline.config import RunConfig
from pipeline.io.inputs import read_documents
from pipeline.io.run_folder import RunFolder
from pipeline.provenance import now, package_versions
from pipeline.records import Document, DocumentError
from pipeline.stages import STAGES, Stage, StageContext


@dataclass(frozen=True)
class RunSummary:
    output_dir: Path
    documents: int
    results: int
    errors: int
    resumed: int


def _error_record(document: Document, stage: str, error: BaseException) -> dict:
    reason = str(error) if isinstance(error, DocumentError) else f"{type(error).__name__}: {error}"
    return {"id": document.id, "stage": stage, "error": reason, "source": document.source}


def _apply(stage: Stage, documents: list[Document]) -> tuple[list[Document], list[dict]]:
    """Run a stage on a batch; if the batch fails, run it document by document to isolate the failures."""
    started = time.perf_counter()
    try:
        stage.process(documents)
    except Exception as error:
        if len(documents) == 1:
            return [], [_error_record(documents[0], stage.name, error)]
        succeeded, failed = [], []
        for document in documents:
            ok, errors = _apply(stage, [document])
            succeeded += ok
            failed += errors
        return succeeded, failed
    seconds = (time.perf_counter() - started) / len(documents)
    for document in documents:
        # Documents of a batch are processed together, so the time is the batch's, shared evenly.
        document.stages.setdefault(stage.record_key, {})["seconds"] = round(seconds, 4)
    return documents, []


def process_batch(stages: list[Stage], documents: list[Document]) -> tuple[list[Document], list[dict]]:
    errors = [_error_record(d, "input", DocumentError("empty document")) for d in documents if not d.source.strip()]
    live = [d for d in documents if d.source.strip()]
    for stage in stages:
        live, failed = _apply(stage, live)
        errors += failed
    return live, errors


def build_stages(config: RunConfig) -> list[Stage]:
    """Build every stage, loading its model; a model that cannot load stops the run here, before any work."""
    context = StageContext(config)
    return [STAGES.get(name).build(context) for name in config.stages]


def _manifest(config: RunConfig, config_file: str | None, input_path: Path, output_dir: Path, stages: list[Stage]) -> dict:
    described = {stage.name: stage.describe() for stage in stages}
    models = {name: description for name, description in described.items() if description is not None}
    placed = [m for m in models.values() if "device" in m]
    return {
        "run_name": output_dir.name,
        "config_file": config_file,
        "config": config.model_dump(mode="json"),
        "stages": list(config.stages),
        "models": models,
        "versions": package_versions(),
        "device": placed[0]["device"] if placed else "cpu",
        "dtype": placed[0]["dtype"] if placed else None,
        "input": str(input_path),
        "started_at": now(),
        "finished_at": None,
        "counts": None,
    }


def run_pipeline(
    config: RunConfig,
    input_path: str | Path,
    output_dir: str | Path,
    resume: bool = False,
    config_file: str | None = None,
    progress: bool = True,
) -> RunSummary:
    input_path, output_dir = Path(input_path), Path(output_dir)
    documents = read_documents(input_path, config.input)
    with RunFolder(output_dir, resume) as folder:
        pending = [d for d in documents if d.id not in folder.done_ids]
        stages = build_stages(config)
        manifest = _manifest(config, config_file, input_path, output_dir, stages)
        folder.write_manifest(manifest)
        results = errors = 0
        with tqdm(
            total=len(documents), initial=len(documents) - len(pending), unit="doc", disable=not progress
        ) as bar:
            for start in range(0, len(pending), config.batch_size):
                batch = pending[start : start + config.batch_size]
                done, failed = process_batch(stages, batch)
                folder.append([d.to_record() for d in done], failed)
                results, errors = results + len(done), errors + len(failed)
                bar.update(len(batch))
        summary = RunSummary(output_dir, len(documents), results, errors, len(documents) - len(pending))
        manifest.update(
            finished_at=now(),
            counts={
                "documents": len(documents),
                "results": summary.resumed + results,  # all of results.jsonl, earlier sessions included
                "errors": errors,
                "resumed": summary.resumed,
            },
        )
        folder.write_manifest(manifest)
    return summary
