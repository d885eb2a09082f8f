"""Packaging's part of the settings: title, renditions, burned-in languages, chapters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class Chapter:
    start: float  # seconds
    title: str


@dataclass(frozen=True)
class Packaging:
    title: str | None = None  # the replay page's and the uploads' title; None = from the file name
    ladder: tuple[int, ...] = ()  # extra HLS renditions by height
    burn: tuple[str, ...] = ()  # languages burned into open-caption videos
    chapters: tuple[Chapter, ...] = ()
    languages: tuple[str, ...] | None = None  # None = every subtitle file found

    @classmethod
    def from_record(cls, data: Mapping) -> "Packaging":
        """The packaging settings a package record kept (as `asdict` wrote them)."""
        return cls(data.get("title"), tuple(data.get("ladder") or ()), tuple(data.get("burn") or ()),
                   tuple(Chapter(float(c["start"]), c["title"]) for c in data.get("chapters") or ()),
                   tuple(data["languages"]) if data.get("languages") else None)
