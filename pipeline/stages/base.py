"""The stage interface and the context stages are built in."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from pipeline.records import Document
from pipeline.registry import Registry

if TYPE_CHECKING:
    from pipeline.config import RunConfig
    from pipeline.translation import Translator

STAGES: Registry[type[Stage]] = Registry("stage")


class StageContext:
    """What stages of one run share: the config, and translators loaded once even when two stages use one."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self._translators: dict[str, Translator] = {}

    def translator(self, section: str) -> Translator:
        """The translator configured in `section` (`translate` or `back_translate`), loaded on first use."""
        if section not in self._translators:
            from pipeline.translation import load_translator

            self._translators[section] = load_translator(
                getattr(self.config, section), section, self.config.device, self.config.precision
            )
        return self._translators[section]


class Stage(ABC):
    """One step of the pipeline. It transforms a batch of documents in place and never touches files."""

    name: ClassVar[str]
    metadata_key: ClassVar[str | None] = None  # key of its entry in a result's `stages`; default: `name`

    @property
    def record_key(self) -> str:
        return self.metadata_key or self.name

    @classmethod
    def check_config(cls, config: RunConfig, earlier_stages: list[str]) -> None:
        """Raise ValueError (message starting with the key path) for settings this stage cannot run with.

        Called when the config is validated, before any model loads.
        """

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
