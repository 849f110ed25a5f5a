"""The config keys of a generating model and its backend, shared by the translator's and the summarizer's sections."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from pipeline.backends.base import BACKENDS
from pipeline.config import ConfigPath, Section
from pipeline.text.chat import ChatPrompt


class GenerationConfig(Section):
    """Decoding settings passed to `model.generate()`."""

    num_beams: int = Field(4, ge=1)
    do_sample: bool = False
    length_penalty: float = 1.0
    min_new_tokens: int = Field(0, ge=0)
    max_new_tokens: int = Field(256, ge=1)
    no_repeat_ngram_size: int = Field(0, ge=0)
    early_stopping: bool = True
    temperature: float | None = Field(None, gt=0, description="do_sample only; default: the model's own")
    top_p: float | None = Field(None, gt=0, le=1, description="do_sample only; default: the model's own")
    top_k: int | None = Field(None, ge=1, description="do_sample only; default: the model's own")

    @model_validator(mode="after")
    def _min_not_above_max(self) -> GenerationConfig:
        if self.min_new_tokens > self.max_new_tokens:
            raise ValueError(
                f"min_new_tokens ({self.min_new_tokens}) must be <= max_new_tokens ({self.max_new_tokens})"
            )
        for key in ("temperature", "top_p", "top_k"):
            if getattr(self, key) is not None and not self.do_sample:
                raise ValueError(f"{key}: a sampling setting; set do_sample: true to sample")
        return self

    def generate_kwargs(self) -> dict[str, Any]:
        kwargs = {key: value for key, value in self.model_dump().items() if value is not None}
        if self.num_beams == 1:  # transformers warns about beam-only flags under greedy decoding
            kwargs.pop("early_stopping")
            kwargs.pop("length_penalty")
        return kwargs


def count_or_auto(value: object, minimum: int) -> object:
    """A batch limit: a count, or `auto` (sized from the GPU's free memory when the model loads)."""
    if value == "auto" or (isinstance(value, int) and not isinstance(value, bool) and value >= minimum):
        return value
    raise ValueError(f"must be an integer >= {minimum}, or auto (sized from the GPU's free memory), not {value!r}")


CTRANSLATE2_COMPUTE_TYPES = ("default", "int8", "int8_float32", "float16", "bfloat16", "float32")


class ModelSettings(Section):
    """A generating model and the backend that runs it (shared by the translator and the summarizer)."""

    scheduling_keys = frozenset({"threads"})

    model: ConfigPath | None = None  # a hub id, or a folder (relative to the config file)
    revision: str | None = None
    backend: str = Field("transformers", description="transformers, or ctranslate2 for a converted model")
    compute_type: Literal[CTRANSLATE2_COMPUTE_TYPES] = Field(
        "default", description="ctranslate2 only; default: the type the model was converted to"
    )
    threads: int = Field(0, ge=0, description="ctranslate2 only: CPU threads; 0: every CPU the process may use")
    attention: Literal["auto", "eager", "sdpa"] = Field(
        "auto", description="transformers only; auto: the checkpoint's own kernel on a CPU, fused SDPA on a GPU"
    )
    generation: GenerationConfig = GenerationConfig()
    chat: ChatPrompt | None = Field(None, description="family chat only: how the model is asked (prompt, options)")

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, backend: str) -> str:
        BACKENDS.get(backend)  # raises with the list of known backends
        return backend

    @model_validator(mode="after")
    def _chat_settings(self) -> ModelSettings:
        if self.chat is not None and getattr(self, "family", "chat") != "chat":
            raise ValueError(f"chat: only the chat family is asked with a prompt (family is {self.family!r})")
        return self

    @model_validator(mode="after")
    def _backend_settings(self) -> ModelSettings:
        if self.backend != "ctranslate2":
            for key, default in (("compute_type", "default"), ("threads", 0)):
                if getattr(self, key) != default:
                    raise ValueError(f"{key}: only the ctranslate2 backend uses it (backend is {self.backend!r})")
            return self
        if self.attention != "auto":
            raise ValueError("attention: the transformers backend's setting; CTranslate2 chooses its own kernels")
        if self.generation.do_sample:
            raise ValueError("generation.do_sample: the ctranslate2 backend decodes with beam search or greedily only")
        if self.generation.num_beams > 1 and not self.generation.early_stopping:
            raise ValueError(
                "generation.early_stopping: the ctranslate2 backend always stops a beam search once num_beams "
                "hypotheses are finished (early_stopping: true)"
            )
        return self
