"""Read and write SubRip (SRT) and WebVTT, in any common encoding.

Parse errors name the line that is wrong. Written files are UTF-8: SRT
through pysrt, WebVTT with its text escaped so that a cue containing
'<script>' is shown as text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .cues import Cue
from .errors import AccessMediaError

_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")


class SubtitleError(AccessMediaError):
    """A subtitle file that cannot be read; names the file and line."""

    def __init__(self, path: str, line: int | None, message: str, hint: str | None = None):
        self.path, self.line = path, line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}", hint)


@dataclass(frozen=True)
class SubtitleFile:
    cues: tuple[Cue, ...]
    format: str  # "srt" or "vtt"
    encoding: str
    warnings: tuple[str, ...]


# -- encodings --------------------------------------------------------------

def decode_bytes(data: bytes, name: str = "file") -> tuple[str, str]:
    """Text and the name of its encoding: BOMs first, then strict UTF-8, then a guess."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), "utf-8 with BOM" if enc == "utf-8-sig" else "utf-16"
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM: every other byte of ASCII text is zero
        even_zeros = data[0:4096:2].count(0)
        odd_zeros = data[1:4096:2].count(0)
        enc = "utf-16-be" if even_zeros > odd_zeros else "utf-16-le"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            text = ""
        if not _looks_like_text(text):
            raise SubtitleError(name, None, "contains binary data, not subtitle text", "pass an .srt or .vtt text file")
        return text, enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    guess = from_bytes(data).best()
    enc = guess.encoding if guess else "cp1252"
    if enc in _WESTERN:
        # short Norwegian text fools detectors between the Western code pages; Windows
        # editors in Norway write cp1252, a superset of Latin-1's printable range
        enc = "cp1252"
    try:
        return data.decode(enc), enc
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace"), "cp1252"


_WESTERN = {"ascii", "latin_1", "cp1250", "cp1252", "iso8859_1", "iso8859_2", "iso8859_9", "iso8859_15", "mac_roman", "cp850"}


def _looks_like_text(text: str) -> bool:
    """Text, not bytes that merely decode: few control characters, and some letters."""
    if not text:
        return False
    controls = sum(1 for c in text[:4096] if unicodedata.category(c) in ("Cc", "Cn", "Co") and c not in "\r\n\t")
    return controls < 0.02 * min(len(text), 4096) and any(c.isalpha() for c in text[:4096])


# -- parsing ----------------------------------------------------------------

def _seconds(h, m, s, ms) -> float:
    return (int(h or 0) * 3_600_000 + int(m) * 60_000 + int(s) * 1000 + int(ms.ljust(3, "0"))) / 1000


def _parse_timing(line: str, path: str, number: int) -> tuple[float, float]:
    match = _TIMING.match(line)
    if not match:
        raise SubtitleError(path, number, f"expected a timing line 'HH:MM:SS,mmm --> HH:MM:SS,mmm', found {line.strip()[:60]!r}")
    g = match.groups()
    for value, what in ((g[2], "seconds"), (g[1], "minutes"), (g[6], "seconds"), (g[5], "minutes")):
        if int(value) >= 60:
            raise SubtitleError(path, number, f"{what} value {value} is not below 60")
    return _seconds(*g[0:4]), _seconds(*g[4:8])


def parse(text: str, path: str = "subtitles", fmt: str | None = None) -> tuple[list[Cue], list[str], str]:
    """Parse SRT or WebVTT text. Returns (cues, warnings, format).

    Tolerates what real files contain: CRLF, a period instead of a comma,
    missing blank lines before a timing line, trailing spaces; rejects what
    cannot be understood, naming the line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    warnings: list[str] = []
    fmt = fmt or ("vtt" if lines and lines[0].startswith("WEBVTT") else "srt")
    i = 0
    if fmt == "vtt":
        if not lines[0].startswith("WEBVTT"):
            raise SubtitleError(path, 1, "a WebVTT file must begin with 'WEBVTT'")
        i = 1
        while i < len(lines) and lines[i].strip():
            i += 1  # header lines
    cues: list[Cue] = []
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        if fmt == "vtt" and lines[i].startswith(("NOTE", "STYLE", "REGION")):
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        if "-->" not in lines[i]:
            # a cue number (SRT) or cue identifier (VTT) comes before the timing line
            if fmt == "srt" and not lines[i].strip().isdigit():
                raise SubtitleError(path, i + 1, f"expected a cue number or timing line, found {lines[i].strip()[:60]!r}")
            i += 1
            if i >= len(lines) or "-->" not in lines[i]:
                raise SubtitleError(path, i + 1 if i < len(lines) else i, "expected a timing line after the cue number")
        start, end = _parse_timing(lines[i], path, i + 1)
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip():
            if "-->" in lines[i] and _TIMING.match(lines[i]):
                # a missing blank line: the previous line was the next cue's number
                if body and body[-1].strip().isdigit():
                    body.pop()
                    i -= 1
                warnings.append(f"{path}:{i + 1}: no blank line before this cue")
                break
            body.append(lines[i].rstrip())
            i += 1
        if fmt == "vtt":
            body = [_unescape_vtt(b) for b in body]
        if not body:
            warnings.append(f"{path}:{block_start + 1}: cue {len(cues) + 1} has no text")
        cues.append(Cue(start, end, tuple(body)))
    return cues, warnings, fmt


def _unescape_vtt(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&nbsp;", "\u00a0").replace("&lrm;", "\u200e").replace("&rlm;", "\u200f").replace("&amp;", "&")


def parse_clock(text: str) -> float:
    """Seconds from HH:MM:SS,mmm (or with a period, or without hours)."""
    m = re.fullmatch(rf"\s*{_TIME}\s*", text)
    if not m:
        raise ValueError(f"not a time: {text!r}")
    return _seconds(*m.groups())


def read(path: str | Path, allow_empty: bool = False) -> SubtitleFile:
    """A subtitle file's cues. An empty file is an error (a person's file with nothing in it is a
    mistake) unless `allow_empty`: the files accessmedia writes for a recording without speech."""
    path = Path(path)
    if not path.exists():
        raise AccessMediaError(f"{path}: no such file", "check the path")
    if path.suffix.lower() not in (".srt", ".vtt"):
        raise AccessMediaError(f"{path.name} is not a subtitle file", "pass an .srt or .vtt file")
    data = path.read_bytes()
    if not data.strip():
        if allow_empty:
            return SubtitleFile((), "vtt" if path.suffix.lower() == ".vtt" else "srt", "utf-8", ())
        raise SubtitleError(str(path), None, "the file is empty")
    text, encoding = decode_bytes(data, str(path))
    fmt = "vtt" if path.suffix.lower() == ".vtt" else "srt"
    cues, warnings, fmt = parse(text, str(path), fmt)
    if encoding not in ("utf-8",):
        warnings.insert(0, f"{path}: encoding is {encoding}; accessmedia writes UTF-8")
    return SubtitleFile(tuple(cues), fmt, encoding, tuple(warnings))


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
