"""Loading a run config: the run-wide keys, each stage's section checked by the stage's own model, the engine's.

`pipeline.config` knows the run-wide keys; the stages and engines registered by name know their sections. This
module puts them together, before any model loads, and reports every problem at once, one line each, with its
key path and the file: `translate.generation.num_beams: Input should be greater than or equal to 1 (run.yaml)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from pipeline.config import (
    CONFIG_DIR, RUN_WIDE_KEYS, ConfigError, EngineConfig, Overlay, RunConfig, Section, beside, describe, dotted_leaves,
    names_a_path, read_config_file, read_yaml_mapping, suggestion,
)
from pipeline.engines import ENGINES
from pipeline.stages import STAGES

__all__ = ["ConfigError", "load_config", "read_overlay", "validate_config"]


def load_config(path: str | Path, overrides: list[str] = (), overlays: Sequence[str | Path] = ()) -> RunConfig:
    """Read a run config, merge the overlay files over it in order, then the `--set` overrides, and validate it;
    every problem becomes a `ConfigError` naming key and file."""
    raw, source = read_config_file(path, overrides, [read_overlay(Path(overlay)) for overlay in overlays])
    return validate_config(raw, source, Path(path).parent)


def read_overlay(path: Path) -> Overlay:
    """An overlay's keys as `--set` assignments; a model folder in it is relative to the overlay file, so an overlay
    written beside the models it names works from anywhere, whichever config it is laid over."""
    settings = []
    for key, value in dotted_leaves(read_yaml_mapping(path, "overlay")):
        first, *rest = key.split(".")
        model, location = (STAGES.get(first).config_model, rest) if first in STAGES else (RunConfig, [first, *rest])
        settings.append((key, beside(value, path.parent) if isinstance(value, str) and names_a_path(model, location)
                         else value))
    return Overlay(path, settings)


def validate_config(raw: dict[str, Any], source: str = "<dict>", config_dir: Path | None = None) -> RunConfig:
    """`config_dir`: the folder relative paths in the config are looked up in first (`pipeline.config.ConfigPath`)."""
    problems: list[str] = []
    context = {CONFIG_DIR: config_dir}
    run_wide = {key: value for key, value in raw.items() if key in RUN_WIDE_KEYS and key != "engine"}
    engine = _engine(raw.get("engine", "local"), source, problems, context)
    try:
        config = RunConfig.model_validate(run_wide, context=context)
    except ValidationError as error:
        problems += describe(error, source, model=RunConfig)
        config = None
    stages = config.stages if config is not None else []
    for name in stages:
        if name not in STAGES:
            problems.append(
                f"stages: unknown stage {name!r}{suggestion(name, STAGES)} (known: {', '.join(STAGES)}; {source})"
            )
    sections: dict[str, Section] = {}
    for key in raw:
        if key not in RUN_WIDE_KEYS and key not in STAGES:
            problems.append(f"{key}: unknown key{suggestion(key, [*RUN_WIDE_KEYS, *STAGES])} ({source})")
    for name in dict.fromkeys([*(name for name in stages if name in STAGES), *(key for key in raw if key in STAGES)]):
        section = _section(STAGES.get(name).config_model, raw.get(name), name, source, problems, context)
        if section is not None:
            sections[name] = section
    if problems or config is None or engine is None:
        raise ConfigError("\n".join(problems))
    config = config.model_copy(update={"sections": sections, "engine": engine})
    for position, name in enumerate(config.stages):
        try:
            STAGES.get(name).check_config(config, config.stages[:position])
        except ValueError as error:
            raise ConfigError(f"{error} ({source})") from None
    try:
        ENGINES.get(config.engine.name).check_config(config)
    except ValueError as error:
        raise ConfigError(f"{error} ({source})") from None
    return config


def _section(model: type[BaseModel], value: Any, key: str, source: str, problems: list[str],
             context: dict[str, Any]) -> Section | None:
    """`value` (a mapping, or nothing for all defaults) validated by `model`; problems are added with `key` in front."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        problems.append(f"{key}: must be a section of keys, not {type(value).__name__} ({source})")
        return None
    try:
        return model.model_validate(value, context=context)
    except ValidationError as error:
        problems += describe(error, source, prefix=key, model=model)
        return None


def _engine(value: Any, source: str, problems: list[str], context: dict[str, Any]) -> EngineConfig | None:
    """`engine: local`, or `engine: {name: ray, ray: {...}}`: the chosen engine and every engine section given."""
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        problems.append(f"engine: must be an engine name or a section, not {type(value).__name__} ({source})")
        return None
    name = value.get("name", "local")
    if not isinstance(name, str) or name not in ENGINES:
        problems.append(f"engine: unknown engine {name!r}; known: {', '.join(ENGINES)} ({source})")
        return None
    settings = {}
    for key in dict.fromkeys([name, *(key for key in value if key != "name")]):
        if key not in ENGINES:
            problems.append(f"engine.{key}: unknown key{suggestion(key, ENGINES)} ({source})")
            continue
        section = _section(ENGINES.get(key).config_model, value.get(key), f"engine.{key}", source, problems, context)
        if section is not None:
            settings[key] = section
    return EngineConfig(name=name, settings=settings)
