"""Read and write SubRip (SRT) and WebVTT, in any common encoding.

Reading (subtitle_reader.py) skips a block it cannot read and names its line, as players do;
encodings.py finds the encoding. Written files are UTF-8: SRT
through pysrt, WebVTT with its text escaped so that a cue containing
'<script>' is shown as text.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from accessmedia.core.clock import clock
from accessmedia.subtitles import encodings
from accessmedia.subtitles import markup
from accessmedia.subtitles import reader as subtitle_reader
from accessmedia.subtitles.cue import Cue
from accessmedia.core.errors import AccessMediaError, SubtitleError  # noqa: F401  (SubtitleError: part of this module's interface)
from accessmedia.core.files import SUBTITLE_FORMATS, RecordingFiles
from accessmedia.subtitles.reader import Parsed


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


@dataclass
class SubtitleStream:
    """A subtitle file whose cues are read as they are iterated: `warnings` and `skipped` are complete
    once `cues` is exhausted."""

    cues: Iterator[Cue]
    format: str
    encoding: str
    warnings: list[str]
    skipped: list[str]


def open_cues(path: str | Path, allow_empty: bool = False, language: str | None = None) -> SubtitleStream:
    """A subtitle file's cues, read one by one (see `read`)."""
    path = Path(path)
    if not path.exists():
        raise AccessMediaError(f"{path}: no such file", "check the path")
    if path.suffix.lower() not in (".srt", ".vtt", ".webvtt", ".ttml"):
        raise AccessMediaError(f"{path.name} is not a subtitle file", "pass an .srt, .vtt or .ttml file")
    data = path.read_bytes()
    suffix = path.suffix.lower()
    fmt = "ttml" if suffix == ".ttml" else "vtt" if suffix in (".vtt", ".webvtt") else "srt"
    if not data or data.isspace():
        if allow_empty:
            return SubtitleStream(iter(()), fmt, "utf-8", [], [])
        raise SubtitleError(str(path), None, "the file is empty")
    decoded = encodings.decode(data, str(path), language or RecordingFiles.of_subtitles(path)[1])
    del data  # a 50 MB file is held once, not as bytes and text at the same time
    if fmt == "ttml":
        from accessmedia.subtitles.ttml import parse_ttml

        cues, ttml_warnings, _ = parse_ttml(decoded.text, str(path))
        return SubtitleStream(iter(cues), fmt, decoded.encoding, [*decoded.warnings, *ttml_warnings], [])
    warnings = list(decoded.warnings)
    if decoded.encoding not in ("utf-8",):
        warnings.insert(0, f"{path}: encoding is {decoded.encoding}; accessmedia writes UTF-8")
    out = subtitle_reader.Parsed(warnings=warnings)
    cues = subtitle_reader.iter_parse(decoded.text, str(path), fmt, out)
    first = next(cues, None)  # the format is known, and a file refused whole is refused now
    stream = itertools.chain([first] if first is not None else [], cues)
    return SubtitleStream(stream, out.format, decoded.encoding, out.warnings, out.skipped)


def read(path: str | Path, allow_empty: bool = False, language: str | None = None) -> SubtitleFile:
    """A subtitle file's cues. An empty file is an error (a person's file with nothing in it is a
    mistake) unless `allow_empty`: the files accessmedia writes for a recording without speech.
    `language` (else the code in the name, NAME.<lang>.srt) chooses the code page of a file that is
    not Unicode."""
    stream = open_cues(path, allow_empty, language)
    cues = tuple(stream.cues)
    return SubtitleFile(cues, stream.format, stream.encoding, tuple(stream.warnings), tuple(stream.skipped))


# -- writing ----------------------------------------------------------------

FORMATS = ("srt", "vtt", "ttml")
PIPELINE_FORMATS = SUBTITLE_FORMATS  # always written: translation reads the SRT, packaging the WebVTT


def compose(cues: Sequence[Cue], fmt: str, language: str) -> str:
    """The cues as a file of format `fmt` (srt, vtt or ttml) in `language`."""
    if fmt == "ttml":
        from accessmedia.subtitles.ttml import compose_ttml

        return compose_ttml(cues, language)
    return compose_srt(cues) if fmt == "srt" else compose_vtt(cues)


def srt_text(lines: Sequence[str]) -> str:
    """A cue's lines as SubRip shows them: voice spans as visible labels, WebVTT spans as SRT tags."""
    return "\n".join(markup.to_srt(line) for line in lines)


def compose_srt(cues: Sequence[Cue]) -> str:
    import pysrt

    items = pysrt.SubRipFile(
        items=[
            pysrt.SubRipItem(
                index=n,
                start=pysrt.SubRipTime(milliseconds=int(round(c.start * 1000))),
                end=pysrt.SubRipTime(milliseconds=int(round(c.end * 1000))),
                text=("{\\an8}" if c.settings == markup.TOP else "") + srt_text(c.lines),
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


def compose_vtt(cues: Iterable[Cue]) -> str:
    out = ["WEBVTT\n"]
    for n, c in enumerate(cues, start=1):
        body = "\n".join(markup.escape_vtt(line) for line in c.lines).replace("-->", "--&gt;")
        settings = f" {c.settings}" if c.settings else ""
        out.append(f"{n}\n{clock(c.start, millis='.')} --> {clock(c.end, millis='.')}{settings}\n{body}\n")
    return "\n".join(out)
