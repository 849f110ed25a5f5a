"""The pipeline's stages, registered by the names configs use in `stages:`."""

from pipeline.stages import back_translate, lead, prepare, summarize, translate  # noqa: F401  (registration)
from pipeline.stages.base import STAGES, Stage, StageContext

__all__ = ["STAGES", "Stage", "StageContext"]
