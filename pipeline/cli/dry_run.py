"""`run --dry-run`: what a run would do, checked as far as it can be without loading a model or writing a file.

The config is valid when this starts. Each model is located (a local folder, or the local Hugging Face cache; never
downloaded) and placed on its device as a load would place it, the input is read once, and the plan is printed.
Every problem is listed, each as a run would report it, not only the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.backends import locate_model
from pipeline.config import RunConfig
from pipeline.errors import PipelineError
from pipeline.runner import scan_input
from pipeline.stages import STAGES


@dataclass
class DryRun:
    lines: list[str] = field(default_factory=list)  # the plan, for standard output
    problems: list[str] = field(default_factory=list)  # what would stop the run, each as the run would say it


def dry_run(config: RunConfig, input_path: Path, input_name: str, output: Path) -> DryRun:
    result = DryRun([
        f"stages: {' → '.join(config.stages)}",
        f"engine: {config.engine.name}; device: {config.device}; precision: {config.precision}",
        f"batches: {config.batch_size} documents each (results are written after each batch)",
    ])
    result.lines += _models(config, result.problems)
    try:
        scan = scan_input(input_path, config.input)
    except PipelineError as error:
        result.problems.append(str(error))
    else:
        batches = -(-scan.documents // config.batch_size)
        result.lines.append(f"input: {input_name}: {scan.documents} document{'s' * (scan.documents != 1)}, "
                            f"{scan.characters} characters, {batches} batch{'es' * (batches != 1)}")
    result.lines.append(f"output: {output} (a dry run writes nothing)")
    return result


def _models(config: RunConfig, problems: list[str]) -> list[str]:
    """One line per model (a model two stages share is loaded once): where it is, device, type, batch settings."""
    users: dict[str, list[str]] = {}
    for name in config.stages:
        for section in sorted(STAGES.get(name).model_sections(config)):
            users.setdefault(section, []).append(name)
    lines = ["models:" if users else "models: none (no stage loads one)"]
    for section, stages in users.items():
        settings = config.sections[section]
        batching = [f"{key} {getattr(settings, key)}" for key in sorted(type(settings).scheduling_keys)
                    if key in type(settings).model_fields]
        try:
            found = locate_model(settings, section, config.device, config.precision)
            where = f"at {found['files']}; {found['device']}, {found['dtype']}"
        except PipelineError as error:
            problems.append(str(error))
            where = "NOT FOUND (see below)"
        lines.append(
            f"  {section} (for {', '.join(stages)}): {settings.model} [{settings.backend}] {where}; beams "
            f"{settings.generation.num_beams}, max_new_tokens {settings.generation.max_new_tokens}; {', '.join(batching)}"
        )
    return lines
