"""Runs: every stage of a recording from the stage table, resumable (process), many recordings in workers or on Ray
(runner), an event manifest, the run report."""

from accessmedia.runs.event import load
from accessmedia.runs.process import STAGE_NAMES, Job
from accessmedia.runs.runner import process_all

__all__ = ["Job", "STAGE_NAMES", "process_all", "load"]
