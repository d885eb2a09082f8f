"""The cue: one timed caption, the record every subtitle format reads and writes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Cue:
    start: float
    end: float
    lines: tuple[str, ...]  # may hold WebVTT span tags (<i>, <b>, ...): see markup.py
    settings: str = ""  # WebVTT cue settings, e.g. "line:0" for the top of the picture

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
