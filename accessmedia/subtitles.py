"""Read and write SubRip (SRT) and WebVTT, in any common encoding.

Reading (subtitle_reader.py) skips a block it cannot read and names its line, as players do;
encodings.py finds the encoding. Written files are UTF-8: SRT
through pysrt, WebVTT with its text escaped so that a cue containing
'<script>' is shown as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from . import encodings, subtitle_reader
from .cues import Cue
from .errors import AccessMediaError, SubtitleError  # noqa: F401  (SubtitleError: part of this module's interface)
from .files import RecordingFiles
from .subtitle_reader import Parsed


@dataclass(frozen=True)
class SubtitleFile:
    cues: tuple[Cue, ...]
    format: str  # "srt" or "vtt"
    encoding: str
    warnings: tuple[str, ...]
    skipped: tuple[str, ...] = ()  # blocks that could not be read, with their line: the file loses them


# -- parsing ----------------------------------------------------------------

def parse(text: str, path: str = "subtitles", fmt: str | None = None) -> Parsed:
    """Read SRT or WebVTT text: cues, warnings, the format, and the blocks skipped (see subtitle_reader)."""
    return subtitle_reader.parse(text, path, fmt)


def parse_clock(text: str) -> float:
    """Seconds from HH:MM:SS,mmm (or with a period, or without hours)."""
    m = re.fullmatch(r"\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*", text)
    if not m:
        raise ValueError(f"not a time: {text!r}")
    h, mi, sec, ms = m.groups()
    return (int(h or 0) * 3_600_000 + int(mi) * 60_000 + int(sec) * 1000 + int(ms.ljust(3, "0"))) / 1000


def read(path: str | Path, allow_empty: bool = False, language: str | None = None) -> SubtitleFile:
    """A subtitle file's cues. An empty file is an error (a person's file with nothing in it is a
    mistake) unless `allow_empty`: the files accessmedia writes for a recording without speech.
    `language` (else the code in the name, NAME.<lang>.srt) chooses the code page of a file that is
    not Unicode."""
    path = Path(path)
    if not path.exists():
        raise AccessMediaError(f"{path}: no such file", "check the path")
    if path.suffix.lower() not in (".srt", ".vtt", ".webvtt"):
        raise AccessMediaError(f"{path.name} is not a subtitle file", "pass an .srt or .vtt file")
    data = path.read_bytes()
    if not data.strip():
        if allow_empty:
            return SubtitleFile((), "srt" if path.suffix.lower() == ".srt" else "vtt", "utf-8", ())
        raise SubtitleError(str(path), None, "the file is empty")
    decoded = encodings.decode(data, str(path), language or RecordingFiles.of_subtitles(path)[1])
    text, encoding = decoded.text, decoded.encoding
    fmt = "vtt" if path.suffix.lower() in (".vtt", ".webvtt") else "srt"
    parsed = parse(text, str(path), fmt)
    warnings = [*decoded.warnings, *parsed.warnings]
    if encoding not in ("utf-8",):
        warnings.insert(0, f"{path}: encoding is {encoding}; accessmedia writes UTF-8")
    return SubtitleFile(tuple(parsed.cues), parsed.format, encoding, tuple(warnings), tuple(parsed.skipped))


# -- writing ----------------------------------------------------------------

def clock(seconds: float, sep: str = ",") -> str:
    """HH:MM:SS,mmm (SRT) or, with sep=".", HH:MM:SS.mmm (WebVTT)."""
    ms = max(0, int(round(seconds * 1000)))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def compose_srt(cues: Sequence[Cue]) -> str:
    import pysrt

    items = pysrt.SubRipFile(
        items=[
            pysrt.SubRipItem(
                index=n,
                start=pysrt.SubRipTime(milliseconds=int(round(c.start * 1000))),
                end=pysrt.SubRipTime(milliseconds=int(round(c.end * 1000))),
                text=c.text,
            )
            for n, c in enumerate(cues, start=1)
        ],
        eol="\n",
    )
    parts: list[str] = []

    class _Sink:
        def write(self, s: str) -> None:
            parts.append(s)

    items.write_into(_Sink())
    return "".join(parts)


def _escape_vtt(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def compose_vtt(cues: Iterable[Cue]) -> str:
    out = ["WEBVTT\n"]
    for n, c in enumerate(cues, start=1):
        body = "\n".join(_escape_vtt(line) for line in c.lines).replace("-->", "--&gt;")
        out.append(f"{n}\n{clock(c.start, '.')} --> {clock(c.end, '.')}\n{body}\n")
    return "\n".join(out)
