"""The pipeline's stages, registered by the names configs use in `stages:`.

Importing them is cheap: a stage imports its model libraries when it is built, not when it is registered.
"""

from pipeline.stages import back_translate, lead, prepare, summarize, translate  # noqa: F401  (registration)
from pipeline.stages.base import STAGES, Stage, StageContext
from pipeline.stages.plan import StagePlan

__all__ = ["STAGES", "Stage", "StageContext", "StagePlan"]
