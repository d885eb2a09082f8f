"""The pipeline: the run's settings (one record, a part per stage), the models a worker keeps loaded, and the stages
as plain functions from loaded models, settings and the previous records to their own."""

from accessmedia.pipeline.runtime import LoadedModels
from accessmedia.pipeline.settings import Settings, build

__all__ = ["Settings", "build", "LoadedModels"]
