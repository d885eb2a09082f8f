"""What a review request carries, checked: the recordings and languages a project has, and the cues of a save
(finite times within bounds, text as text, cue settings of the WebVTT kind)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from accessmedia.api import AccessMediaError, Cue, RecordingFiles

MAX_BODY = 2 * 1024 * 1024  # bytes of JSON: about 20,000 cues
MAX_CUES = 20_000
MAX_TIME = 100 * 3600.0  # seconds: no recording is longer
SETTINGS = re.compile(r"[\w:%.,\- ]{0,200}")  # WebVTT cue settings (line:0 align:start ...)


def recordings(project: Path) -> dict[str, list[str]]:
    """NAME -> languages with a current SRT in the project."""
    found: dict[str, list[str]] = {}
    for path in sorted(project.glob("*.srt")):
        files, lang = RecordingFiles.of_subtitles(path)
        if lang is not None:
            found.setdefault(files.name, []).append(lang)
    return found


@dataclass(frozen=True)
class Edit:
    cues: list[Cue]
    contributor: str
    base: int | None  # the revision the editor started from (None: the machine's version)
    prefer: str | None  # "mine" or "theirs": how cues both people changed are merged


def edited_cues(body: bytes) -> Edit:
    """The cues, contributor and starting revision of a save request, checked: finite times within bounds, text as
    text (a blank line inside a cue's text is dropped, never the text after it)."""
    try:
        data = json.loads(body)
        rows = data["cues"]
        if not isinstance(rows, list) or len(rows) > MAX_CUES:
            raise ValueError
        contributor = str(data.get("contributor") or "volunteer")[:80]
        if "base" not in data:
            raise AccessMediaError("the save does not say which version it started from", "reload the page, then save again")
        base = data["base"]
        if base is not None and (type(base) is not int or base < 0):
            raise ValueError
        prefer = data.get("prefer")
        if prefer not in (None, "mine", "theirs"):
            raise ValueError
        cues = []
        for r in rows:
            start, end = float(r[0]), float(r[1])
            if not (math.isfinite(start) and math.isfinite(end) and 0 <= start <= MAX_TIME and 0 <= end <= MAX_TIME):
                raise ValueError
            settings = r[3] if len(r) > 3 else ""
            if not isinstance(r[2], str) or not isinstance(settings, str) or not SETTINGS.fullmatch(settings):
                raise ValueError
            cues.append(Cue(start, end, tuple(line for line in r[2].splitlines() if line.strip()) or ("",), settings))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        raise AccessMediaError("the saved cues are not in the expected form") from None
    return Edit(cues, contributor, base, prefer)
