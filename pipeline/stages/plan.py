"""The stage plan: a run's stages in order with their validated config, which an engine builds and runs.

The plan is what crosses to wherever the work happens (this process for the local engine, a worker for a
distributed one): it builds its stages there, loading the models once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from pipeline.config import RunConfig
from pipeline.records import OutputField
from pipeline.stages.base import STAGES, Stage, StageContext, StageProgress

# A run without a stage that says what its input is written in (no `prepare`) summarizes English input.
UNDECLARED_INPUT_LANGUAGE = "en"


@dataclass(frozen=True)
class StagePlan:
    config: RunConfig
    stage_classes: tuple[type[Stage], ...]

    @classmethod
    def of(cls, config: RunConfig) -> StagePlan:
        return cls(config, tuple(STAGES.get(name) for name in config.stages))

    def build(self, names: Collection[str] | None = None, progress: StageProgress | None = None) -> list[Stage]:
        """Its stages (or those `names` says, in plan order), models loaded; a model that cannot load stops the run
        here, before any work. `progress` hears the stages' progress inside a batch."""
        context = StageContext(self.config, *([progress] if progress else []))
        return [stage.build(context) for stage in self.stage_classes if names is None or stage.name in names]

    def on_device(self, device: str) -> StagePlan:
        """The same plan placed on another device (a worker given one GPU sees it as `cuda`)."""
        return replace(self, config=self.config.model_copy(update={"device": device}))

    @property
    def outputs(self) -> list[OutputField]:
        """The texts each result record gets, in stage order, with their languages."""
        declared, language = [], UNDECLARED_INPUT_LANGUAGE
        for stage in self.stage_classes:
            declared += stage.declare_outputs(self.config, language)
            language = stage.language_after(self.config, language)
        return declared

    @property
    def source_language(self) -> str:
        """The language of the input: as it stands before any stage has written an output."""
        language = UNDECLARED_INPUT_LANGUAGE
        for stage in self.stage_classes:
            if stage.declare_outputs(self.config, language):
                break
            language = stage.language_after(self.config, language)
        return language
