"""Typed run configuration, validated when loaded and before any model is touched.

A run config is one YAML file: the ordered list of stages, then one section per stage. Every key is declared
here with its default; an unknown key, a wrong type or an impossible value is an error that names the key path
and the file, e.g. `translate.generation.num_beams: must be >= 1 (configs/default.yaml)`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class ConfigError(ValueError):
    """A config that cannot be run, with the key path and the file in its message."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GenerationConfig(_Section):
    """Decoding settings passed to `model.generate()`."""

    num_beams: int = Field(4, ge=1)
    do_sample: bool = False
    length_penalty: float = 1.0
    min_new_tokens: int = Field(0, ge=0)
    max_new_tokens: int = Field(256, ge=1)
    no_repeat_ngram_size: int = Field(0, ge=0)
    early_stopping: bool = True

    @model_validator(mode="after")
    def _min_not_above_max(self) -> GenerationConfig:
        if self.min_new_tokens > self.max_new_tokens:
            raise ValueError(
                f"min_new_tokens ({self.min_new_tokens}) must be <= max_new_tokens ({self.max_new_tokens})"
            )
        return self

    def generate_kwargs(self) -> dict[str, Any]:
        kwargs = self.model_dump()
        if self.num_beams == 1:  # transformers warns about beam-only flags under greedy decoding
            kwargs.pop("early_stopping")
            kwargs.pop("length_penalty")
        return kwargs


class InputConfig(_Section):
    """Field names of tabular and JSON inputs."""

    id_field: str = "id"
    text_field: str = "text"
    reference_summary_field: str = "reference_summary"
    reference_translation_field: str = "reference_translation"
    split: str | None = Field(None, description="split of a saved DatasetDict input; default: its only split")


class PrepareConfig(_Section):
    """Hindi (Indic) text preparation: normalization, sentence segmentation, chunking of long sentences."""

    language: str = "hin_Deva"
    max_segment_tokens: int = Field(256, ge=8, description="translator input limit; longer sentences are chunked")


CTRANSLATE2_COMPUTE_TYPES = ("default", "int8", "int8_float32", "float16", "bfloat16", "float32")


class ModelSettings(_Section):
    """A generating model and the backend that runs it (shared by the translator and the summarizer)."""

    model: str | None = None
    revision: str | None = None
    backend: str = Field("transformers", description="transformers, or ctranslate2 for a converted model")
    compute_type: Literal[CTRANSLATE2_COMPUTE_TYPES] = Field(
        "default", description="ctranslate2 only; default: the type the model was converted to"
    )
    threads: int = Field(0, ge=0, description="ctranslate2 only: CPU threads; 0: every CPU the process may use")
    generation: GenerationConfig = GenerationConfig()

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, backend: str) -> str:
        from pipeline.backends import BACKENDS

        BACKENDS.get(backend)  # raises with the list of known backends
        return backend

    @model_validator(mode="after")
    def _backend_settings(self) -> ModelSettings:
        if self.backend != "ctranslate2":
            for key, default in (("compute_type", "default"), ("threads", 0)):
                if getattr(self, key) != default:
                    raise ValueError(f"{key}: only the ctranslate2 backend uses it (backend is {self.backend!r})")
            return self
        if self.generation.do_sample:
            raise ValueError("generation.do_sample: the ctranslate2 backend decodes with beam search or greedily only")
        if self.generation.num_beams > 1 and not self.generation.early_stopping:
            raise ValueError(
                "generation.early_stopping: the ctranslate2 backend always stops a beam search once num_beams "
                "hypotheses are finished (early_stopping: true)"
            )
        return self


class TranslatorConfig(ModelSettings):
    """A seq2seq translator, the backend that runs it, and the model family adapter that speaks its conventions."""

    family: str = "indictrans2"
    src_lang: str = "hin_Deva"
    tgt_lang: str = "eng_Latn"
    max_batch_tokens: int = Field(4096, ge=16, description="padded source tokens per generate() call")
    max_batch_size: int = Field(32, ge=1)
    generation: GenerationConfig = GenerationConfig(num_beams=5, max_new_tokens=256)


class SummarizerConfig(ModelSettings):
    """An abstractive English summarizer and what to do with documents longer than its input limit."""

    family: str = "bart"
    strategy: Literal["truncate", "map_reduce"] = "truncate"
    max_input_tokens: int | None = Field(None, ge=16, description="default: the tokenizer's model_max_length")
    chunk_overlap_sentences: int = Field(1, ge=0)
    max_reduce_rounds: int = Field(3, ge=1)
    max_batch_size: int = Field(4, ge=1)
    generation: GenerationConfig = GenerationConfig(
        num_beams=4, length_penalty=2.0, min_new_tokens=56, max_new_tokens=142, no_repeat_ngram_size=3
    )


class LeadConfig(_Section):
    """The extractive lead-k baseline: the first k sentences of the English text."""

    k: int = Field(3, ge=1)


_DEVICE = re.compile(r"auto|cpu|cuda(:\d+)?")


class RunConfig(_Section):
    """One pipeline run: which stages, in which order, and how each is set up."""

    name: str | None = None
    stages: list[str] = Field(min_length=1)
    device: str = "auto"
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    batch_size: int = Field(8, ge=1, description="documents per batch; results are flushed after each batch")
    input: InputConfig = InputConfig()
    prepare: PrepareConfig = PrepareConfig()
    translate: TranslatorConfig = TranslatorConfig()
    summarize: SummarizerConfig = SummarizerConfig()
    lead_k: LeadConfig = LeadConfig()
    back_translate: TranslatorConfig = TranslatorConfig(src_lang="eng_Latn", tgt_lang="hin_Deva")

    @field_validator("device")
    @classmethod
    def _device_spec(cls, value: str) -> str:
        if not _DEVICE.fullmatch(value):
            raise ValueError(f"must be auto, cpu, cuda or cuda:N, not {value!r}")
        return value

    @field_validator("stages")
    @classmethod
    def _known_stages(cls, stages: list[str]) -> list[str]:
        from pipeline.stages import STAGES

        for name in stages:
            STAGES.get(name)  # raises with the list of known stages
        if len(set(stages)) != len(stages):
            raise ValueError(f"a stage is listed twice: {stages}")
        return stages

    @model_validator(mode="after")
    def _stages_fit_together(self) -> RunConfig:
        from pipeline.stages import STAGES

        for position, name in enumerate(self.stages):
            STAGES.get(name).check_config(self, self.stages[:position])
        return self


def _set_dotted(tree: dict[str, Any], dotted_key: str, value: Any) -> None:
    *parents, leaf = dotted_key.split(".")
    node = tree
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{dotted_key}: cannot set a key inside {part!r}, which is not a section (from --set)")
        node = child
    node[leaf] = value


def parse_override(assignment: str) -> tuple[str, Any]:
    """`translate.generation.num_beams=1` -> (`translate.generation.num_beams`, 1); values are parsed as YAML."""
    key, sep, raw = assignment.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {assignment!r}: expected KEY=VALUE, e.g. translate.generation.num_beams=1")
    return key.strip(), yaml.safe_load(raw) if raw.strip() else None


def _describe(error: ValidationError, source: str) -> str:
    lines = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        path = ".".join(str(part) for part in item["loc"])
        lines.append(f"{path}: {message} ({source})" if path else f"{message} ({source})")
    return "\n".join(lines)


def load_config(path: str | Path, overrides: list[str] = ()) -> RunConfig:
    """Read, override and validate a run config; every problem becomes a `ConfigError` naming key and file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys to values")
    raw.setdefault("name", path.stem)
    source = str(path)
    if overrides:
        for key, value in map(parse_override, overrides):
            _set_dotted(raw, key, value)
        source = f"{path} with --set {' '.join(overrides)}"
    return validate_config(raw, source)


def validate_config(raw: dict[str, Any], source: str = "<dict>") -> RunConfig:
    try:
        return RunConfig.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(_describe(error, source)) from None
