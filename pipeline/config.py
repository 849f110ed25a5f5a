"""Run-wide config keys, and the machinery every config section shares.

A run config is one YAML file: run-wide keys (declared here), the `engine`, and one section per stage. A stage
declares its own section's model beside its code (`Stage.config_model`), an engine likewise, and
`pipeline.run_config` validates each section against its owner's model. Every problem becomes a `ConfigError`
that names the key path and the file, e.g. `translate.generation.num_beams: must be >= 1 (configs/default.yaml)`.
Nothing here imports a model library: a config is checked before anything heavy loads.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from pipeline.errors import ConfigError

__all__ = [
    "ConfigError", "EngineConfig", "InputConfig", "OutputConfig", "Overlay", "RunConfig", "Section", "beside",
    "dotted_leaves", "names_a_path", "parse_override", "read_config_file", "read_yaml_mapping",
]


CONFIG_DIR = "config_dir"  # validation context: the folder of the config file being loaded


def _beside_config(value: str | None, info: ValidationInfo) -> str | None:
    directory = (info.context or {}).get(CONFIG_DIR)
    return value if value is None or directory is None else beside(value, directory)


def beside(value: str, directory: Path) -> str:
    """A relative path means the file beside the config (or overlay) in `directory`, wherever the run is started
    from; a path that exists only from the current directory (a `--set` value) is kept, and so is a hub id
    (`org/name`)."""
    if Path(value).is_absolute():
        return value
    found = Path(directory) / value
    if found.exists() or (not Path(value).exists() and _looks_like_a_path(value)):
        return str(found.resolve())  # missing too: the error names the full path it looked at
    return value


def _looks_like_a_path(value: str) -> bool:
    """`./x`, `../x`, `a/b/c`: never a hub id, which is `name` or `org/name`."""
    return value.startswith(".") or value.count("/") > 1 or "\\" in value


# A path (a model folder, later a glossary) that a config file names relative to itself.
ConfigPath = Annotated[str, AfterValidator(_beside_config)]


class Section(BaseModel):
    """A typed config section: every key declared with its default; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # Keys that change how the work is scheduled but not what comes out (a resume may change them).
    scheduling_keys: ClassVar[frozenset[str]] = frozenset()

    def outcome_settings(self, prefix: str = "") -> dict[str, Any]:
        """Every key that can change the outputs, as `dotted.key: value`, subsections included."""
        settings: dict[str, Any] = {}
        for key in type(self).model_fields:
            if key in self.scheduling_keys:
                continue
            value, dotted = getattr(self, key), f"{prefix}{key}"
            if isinstance(value, Section):
                settings.update(value.outcome_settings(f"{dotted}."))
            else:
                settings[dotted] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        return settings


class InputConfig(Section):
    """Field names of tabular and JSON inputs."""

    id_field: str = "id"
    text_field: str = "text"
    reference_summary_field: str = "reference_summary"
    reference_translation_field: str = "reference_translation"
    split: str | None = Field(None, description="split of a saved DatasetDict input; default: its only split")
    max_document_chars: int = Field(
        1_000_000, ge=1, description="a longer document is refused (errors.jsonl) instead of stalling the run"
    )


class OutputConfig(Section):
    """How the run folder stores results: one JSON Lines file, or Parquet parts for runs too large for one file."""

    # Parts are cut differently, but they hold the same records: a resume may change these.
    scheduling_keys = frozenset({"shard_documents", "flush_seconds"})

    results: Literal["jsonl", "parquet"] = Field(
        "jsonl", description="results.jsonl, or results/part-NNNNN.parquet (the same fields; stages as JSON text)"
    )
    shard_documents: int = Field(10_000, ge=1, description="parquet: results per part file")
    flush_seconds: float = Field(
        60, gt=0, description="parquet: a part is written once its oldest result waited this long (at most this "
        "much work is lost when a run is killed)"
    )


class EngineConfig(BaseModel):
    """Which engine schedules the batches (`engine: local`), and the settings of engines by name (`engine.ray.*`)."""

    model_config = ConfigDict(frozen=True)

    name: str = "local"
    settings: dict[str, Section] = Field(default_factory=dict)  # engine name -> its validated section

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **{name: section.model_dump(mode="json") for name, section in self.settings.items()}}


_DEVICE = re.compile(r"auto|cpu|cuda(:\d+)?")
RUN_WIDE_KEYS = ("name", "stages", "device", "precision", "batch_size", "engine", "input", "output")


class RunConfig(Section):
    """One pipeline run: which stages in which order, where they run, and each stage's own section."""

    scheduling_keys = frozenset({"name", "batch_size", "engine", "sections"})

    name: str | None = None
    stages: list[str] = Field(min_length=1)
    device: str = "auto"
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    batch_size: int = Field(8, ge=1, description="documents per batch; results are flushed after each batch")
    engine: EngineConfig = EngineConfig()
    input: InputConfig = InputConfig()
    output: OutputConfig = OutputConfig()
    # Stage name -> its section, validated against the stage's own model (see pipeline.run_config).
    sections: dict[str, Section] = Field(default_factory=dict)

    @field_validator("device")
    @classmethod
    def _device_spec(cls, value: str) -> str:
        if not _DEVICE.fullmatch(value):
            raise ValueError(f"must be auto, cpu, cuda or cuda:N, not {value!r}")
        return value

    @field_validator("stages")
    @classmethod
    def _stages_once(cls, stages: list[str]) -> list[str]:
        if len(set(stages)) != len(stages):
            raise ValueError(f"a stage is listed twice: {stages}")
        return stages

    def outcome_settings(self, prefix: str = "") -> dict[str, Any]:
        """Every key that can change the outputs; a resumed run must agree with the first session on all of them."""
        settings = super().outcome_settings(prefix)
        for name, section in self.sections.items():
            if name in self.stages:
                settings.update(section.outcome_settings(f"{prefix}{name}."))
        return settings

    def to_dict(self) -> dict[str, Any]:
        """The resolved config as the YAML a user would write: run-wide keys, then one key per section.

        Loading it again gives the same config, so a run's manifest is a config that reproduces it.
        """
        flat = self.model_dump(mode="json", exclude={"engine", "sections"})
        flat["engine"] = self.engine.to_dict()
        flat.update({name: section.model_dump(mode="json") for name, section in self.sections.items()})
        order = {key: position for position, key in enumerate(RUN_WIDE_KEYS)}
        return dict(sorted(flat.items(), key=lambda item: order.get(item[0], len(order))))


def _set_dotted(tree: dict[str, Any], dotted_key: str, value: Any) -> None:
    *parents, leaf = dotted_key.split(".")
    node = tree
    for part in parents:
        child = node.setdefault(part, {})
        if isinstance(child, str) and part == "engine":  # `engine: local` is short for `engine: {name: local}`
            child = node[part] = {"name": child}
        if not isinstance(child, dict):
            raise ConfigError(f"{dotted_key}: cannot set a key inside {part!r}, which is not a section (from --set)")
        node = child
    node[leaf] = value


def parse_override(assignment: str) -> tuple[str, Any]:
    """`translate.generation.num_beams=1` -> (`translate.generation.num_beams`, 1); values are parsed as YAML."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {assignment!r}: expected KEY=VALUE, e.g. translate.generation.num_beams=1")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as error:
        raise ConfigError(f"--set {assignment!r}: the value is not valid YAML ({' '.join(str(error).split())})") from None
    return key.strip(), value


@dataclass(frozen=True)
class Overlay:
    """A YAML file of keys merged over a config (`scripts/run.py --overlay`), as the `--set` assignments it makes."""

    path: Path
    settings: list[tuple[str, Any]]  # (dotted key, value), its paths already resolved beside the overlay file


def read_yaml_mapping(path: Path, kind: str = "config file") -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{kind} not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: a folder, not a {kind}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys to values")
    return raw


def dotted_leaves(tree: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """`{translate: {generation: {num_beams: 1}}}` -> [(`translate.generation.num_beams`, 1)]: what `--set` assigns."""
    leaves = []
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        leaves += dotted_leaves(value, f"{dotted}.") if isinstance(value, dict) else [(dotted, value)]
    return leaves


def read_config_file(
    path: str | Path, overrides: list[str] = (), overlays: Sequence[Overlay] = ()
) -> tuple[dict[str, Any], str]:
    """The YAML mapping of a config file with overlays, then `--set` overrides, applied; how to name it in errors."""
    path = Path(path)
    raw = read_yaml_mapping(path)
    raw.setdefault("name", path.stem)
    settings = [*(setting for overlay in overlays for setting in overlay.settings), *map(parse_override, overrides)]
    for key, value in settings:
        _set_dotted(raw, key, value)
    changes = [f"--overlay {overlay.path}" for overlay in overlays]
    changes += [f"--set {' '.join(overrides)}"] if overrides else []
    return raw, f"{path} with {' '.join(changes)}" if changes else str(path)


def describe(error: ValidationError, source: str, prefix: str = "", model: type[BaseModel] | None = None) -> list[str]:
    """One line per problem: `key.path: what is wrong (source)`; `prefix` is the section's own key path.

    With the section's `model`, an unknown key names the nearest known one (`batchsize` -> `batch_size`).
    """
    lines = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key" + suggestion(str(item["loc"][-1]), _keys_at(model, item["loc"][:-1]))
        path = ".".join(part for part in (prefix, *map(str, item["loc"])) if part)
        lines.append(f"{path}: {message} ({source})" if path else f"{message} ({source})")
    return lines


def suggestion(key: str, known: Iterable[str]) -> str:
    """`; did you mean 'batch_size'?` for the nearest of `known`, or nothing when none is near."""
    nearest = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean {nearest[0]!r}?" if nearest else ""


def _keys_at(model: type[BaseModel] | None, location: tuple[Any, ...]) -> list[str]:
    """The keys the (sub)section at `location` of `model` declares; none where the path leaves the models."""
    parts = iter(location)
    for part in parts:
        field = model.model_fields.get(str(part)) if model is not None else None
        if field is None:
            return []
        model = _section_model(field.annotation)
        if get_origin(field.annotation) is dict:
            next(parts, None)  # the mapping's key (`engine.ray.stages.<stage>`): its value is the next section
    return list(model.model_fields) if model is not None else []


def names_a_path(model: type[BaseModel], location: list[str]) -> bool:
    """Whether the key at `location` of `model` is a `ConfigPath`, a path relative to the file that sets it."""
    if not location:
        return False  # a whole section
    for part in location:
        field = model.model_fields.get(part) if model is not None else None
        if field is None:
            return False
        model = _section_model(field.annotation)
    nested = (meta for argument in get_args(field.annotation) for meta in getattr(argument, "__metadata__", ()))
    return any(getattr(meta, "func", None) is _beside_config for meta in (*field.metadata, *nested))


def _section_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds: itself, inside `X | None`, or as the values of a `dict[str, X]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in reversed(get_args(annotation)):
        if (model := _section_model(argument)) is not None:
            return model
    return None
