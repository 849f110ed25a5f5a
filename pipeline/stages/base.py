"""The stage interface, the context stages are built in, and the registry configs name stages from.

A stage is one class in one module: its config section's model (`config_model`), the checks that need the whole
run config (`check_config`), the fields it adds to result records (`declare_outputs`), how it loads (`build`) and
what it does to a batch of documents (`process`). Registering it under a name (`@STAGES.register`) is the rest.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from pipeline.config import RunConfig, Section
from pipeline.records import Document, OutputField
from pipeline.registry import Registry

if TYPE_CHECKING:
    from pipeline.translation import Translator

STAGES: Registry[type[Stage]] = Registry("stage")


class NoSettings(Section):
    """The section of a stage without settings: it accepts no keys."""


StageProgress = Callable[[str, int, int], None]  # (stage, units done, units in the call): progress inside a batch


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


class StageContext:
    """What stages of one run share: the config, translators loaded once even when two stages use one, and where
    to report progress inside a batch (a long document's segments)."""

    def __init__(self, config: RunConfig, progress: StageProgress = _no_progress) -> None:
        self.config = config
        self.progress = progress
        self._translators: dict[str, Translator] = {}

    def section(self, name: str) -> Any:
        return self.config.sections[name]

    def translator(self, section: str) -> Translator:
        """The translator configured in `section` (`translate` or `back_translate`), loaded on first use."""
        if section not in self._translators:
            from pipeline.translation import load_translator

            self._translators[section] = load_translator(
                self.section(section), section, self.config.device, self.config.precision
            )
        return self._translators[section]


class Stage(ABC):
    """One step of the pipeline. It transforms a batch of documents in place and never touches files."""

    name: ClassVar[str]
    config_model: ClassVar[type[Section]] = NoSettings  # its section of a run config, under its name
    metadata_key: ClassVar[str | None] = None  # key of its entry in a result's `stages`; default: `name`
    record_key: ClassVar[str]  # that key, set for every subclass (read from the class by the runner's tallies)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.record_key = cls.metadata_key or getattr(cls, "name", None)

    @classmethod
    def check_config(cls, config: RunConfig, earlier_stages: list[str]) -> None:
        """Raise ValueError (message starting with the key path) for settings this stage cannot run with.

        Called when the config is validated, before any model loads; its own section is already valid.
        """

    @classmethod
    def model_sections(cls, config: RunConfig) -> frozenset[str]:
        """The config sections whose models it loads when built (`StageContext.translator` shares one per section).

        Stages that share a model run together where an engine places stages apart (the Ray engine's actors).
        """
        return frozenset()

    @classmethod
    def declare_outputs(cls, config: RunConfig, language: str) -> list[OutputField]:
        """The texts it adds to each result record; `language` is the ISO 639 label of the text it receives."""
        return []

    @classmethod
    def language_after(cls, config: RunConfig, language: str) -> str:
        """The language of the text it passes on (a translator changes it; a preparation stage states it)."""
        return language

    @classmethod
    @abstractmethod
    def build(cls, context: StageContext) -> Stage: ...

    @abstractmethod
    def process(self, documents: list[Document]) -> None: ...

    def describe(self) -> dict[str, Any] | None:
        """Model id, revision, device and settings for the run manifest; None for stages without a model."""
        return None


def require_model(config_section: Any, section: str) -> None:
    if not config_section.model:
        raise ValueError(f"{section}.model: required when the {section} stage runs (a hub id or a local folder)")
