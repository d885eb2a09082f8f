"""Reading SubRip (SRT) and WebVTT text the way players do: block by block.

A block that cannot be read is skipped and reported with its line (`Parsed.skipped`), as browsers skip
it, instead of refusing the whole file; only a WebVTT file without its signature is refused whole, as
browsers refuse it. What is read but would be dropped or read differently elsewhere is a warning:
- WebVTT cues browsers drop: a comma or not three digits in a time, a vertical tab or form feed in the
  timing line, a cue right after the WEBVTT line without a blank line;
- SRT forms other tools accept: `- >` and `-- >` arrows, full-width `，：`, cue numbers like `1.1`,
  times without milliseconds, a blank line inside a cue's text.

Milliseconds are a decimal fraction: `00:00:01,5` is 1.500 s (srt and pysrt read 1.005 s), and any
fraction that is not three digits is warned about.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Iterator

from accessmedia.subtitles import markup
from accessmedia.subtitles.cue import Cue
from accessmedia.core.errors import SubtitleError

_TS = r"(?:(\d+)[:：])?(\d{1,2})[:：](\d{1,2})(?:([,.，])(\d+))?"
_TIMING = re.compile(rf"^[ \t\v\f]*{_TS}[ \t\v\f]*(--|- |-- )>[ \t\v\f]*{_TS}(.*)$")


@dataclass
class Parsed:
    cues: list[Cue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    format: str = "srt"
    skipped: list[str] = field(default_factory=list)  # blocks not read, with their line: the file loses them
    emitted: int = 0  # cues already handed on by iter_parse (no longer in `cues`)

    def next_number(self) -> int:
        return self.emitted + len(self.cues) + 1


# the usual well-formed timing lines, read without the lenient machinery (a 50 MB file has half a million)
_FAST = {
    False: re.compile(r"(\d\d):([0-5]\d):([0-5]\d),(\d\d\d) --> (\d\d):([0-5]\d):([0-5]\d),(\d\d\d)$"),
    True: re.compile(r"(?:(\d\d):)?([0-5]\d):([0-5]\d)\.(\d\d\d) --> (?:(\d\d):)?([0-5]\d):([0-5]\d)\.(\d\d\d)(?:[ \t]|$)"),
}
# a blank line is empty or spaces and tabs only: a line holding a no-break space is text
_BLOCK = re.compile(r"[^\n]*[^ \t\n][^\n]*(?:\n[^\n]*[^ \t\n][^\n]*)*")


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Blocks of non-blank lines with the number of their first line, found by one regular expression
    (a 50 MB file is never held as a list of its lines)."""
    line, last = 1, 0
    for match in _BLOCK.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        yield line, [b for b in match.group(0).split("\n")]


class _Timing:
    """A timing line read, with what other readers would make of it."""

    def __init__(self, match: re.Match, vtt: bool):
        g = match.groups()
        self.start = _seconds(*g[0:5])
        self.end = _seconds(*g[6:11])
        self.settings = g[11].strip()
        self.bad = [f"{what} value {value} is not below 60" for value, what in
                    ((g[2], "seconds"), (g[1], "minutes"), (g[8], "seconds"), (g[7], "minutes")) if int(value) >= 60]
        self.notes: list[str] = []
        separators = {g[3], g[9]} - {None}
        fractions = [f for f in (g[4], g[10]) if f is not None]
        line = match.group(0)
        if vtt:
            if separators - {"."} or len(fractions) < 2 or any(len(f) != 3 for f in fractions):
                self.notes.append("browsers drop this cue: a WebVTT time needs a period and three digits (00:01.500)")
            if "\v" in line or "\f" in line:
                self.notes.append("browsers drop this cue: only spaces and tabs may separate its times")
        else:
            if len(fractions) < 2:
                self.notes.append("a time without milliseconds, read as whole seconds")
            if any(len(f) != 3 for f in fractions):
                self.notes.append("milliseconds not in three digits: read as a decimal fraction (0,5 = 500 ms; srt and pysrt read 5 ms)")
            if len(separators) > 1:
                self.notes.append("comma and period mixed in one timing line")
        if g[5] != "--":
            self.notes.append(f"the arrow '{g[5]}>' read as '-->'")
        if "：" in line or "，" in line:
            self.notes.append("full-width ':' or ',' read as ASCII")


def _seconds(h, m, s, sep, frac) -> float:
    millis = round(float("0." + frac) * 1000) if frac else 0
    return (int(h or 0) * 3_600_000 + int(m) * 60_000 + int(s) * 1000 + millis) / 1000


def _timing(line: str, vtt: bool) -> _Timing | None:
    match = _TIMING.match(line) if ">" in line else None
    return _Timing(match, vtt) if match else None


def _is_timing(line: str) -> bool:
    return ">" in line and _TIMING.match(line) is not None


def parse(text: str, path: str = "subtitles", fmt: str | None = None) -> Parsed:
    """Read SRT or WebVTT text; the format is WebVTT when it says so (or `fmt` does)."""
    out = Parsed()
    cues = list(iter_parse(text, path, fmt, out))
    out.cues = cues
    return out


def iter_parse(text: str, path: str, fmt: str | None, out: Parsed) -> Iterator[Cue]:
    """The cues of `text` one by one, so that a large file's cues need not all be held; warnings and
    skipped blocks collect in `out` as they are found."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    vtt = (fmt or ("vtt" if text.startswith("WEBVTT") else "srt")) == "vtt"
    out.format = "vtt" if vtt else "srt"
    if vtt:
        if not text.startswith("WEBVTT") or (len(text) > 6 and text[6] not in " \t\n"):
            raise SubtitleError(path, 1, "a WebVTT file must begin with 'WEBVTT' alone on its first line (or followed by a space)",
                                "browsers refuse the whole file; fix its first line")
    first = True
    for start, block in _blocks(text):
        if vtt and first:
            first = False
            arrow = next((n for n, line in enumerate(block) if "-->" in line), None)
            if arrow is None:
                continue  # the header
            out.warnings.append(f"{path}:{start + arrow}: browsers drop this cue: no blank line between the WEBVTT header and it")
            block, start = block[arrow:], start + arrow
        elif vtt and block[0].startswith(("NOTE", "STYLE", "REGION")) and (len(block[0]) == len(block[0].split()[0])
                                                                       or block[0][len(block[0].split()[0])] in " \t"):
            continue
        elif vtt and block[0].startswith("WEBVTT"):
            out.skipped.append(f"{path}:{start}: a second WEBVTT header (joined HLS segments?) skipped")
            continue
        if not _read_usual_block(block, start, vtt, path, out):
            _read_block(block, start, vtt, path, out)
        if len(out.cues) > 1:  # the last cue stays: an SRT blank line inside its text may still add to it
            ready = out.cues[:-1]
            del out.cues[:-1]
            out.emitted += len(ready)
            yield from ready
    out.emitted += len(out.cues)
    yield from out.cues
    out.cues.clear()


def _read_usual_block(block: list[str], start: int, vtt: bool, path: str, out: Parsed) -> bool:
    """A block as writers usually make it ([number or identifier,] a strict timing line, text without
    '>'), read fast; False for anything else, which the lenient reader then reads."""
    i = 1 if len(block) > 1 and (block[0].isdigit() if not vtt else "-->" not in block[0]) else 0
    match = _FAST[vtt].match(block[i]) if i < len(block) else None
    if match is None or any(">" in line for line in block[i + 1 :]):
        return False
    h1, m1, s1, f1, h2, m2, s2, f2 = match.groups()
    timing_start = (int(h1 or 0) * 3_600_000 + int(m1) * 60_000 + int(s1) * 1000 + int(f1)) / 1000
    timing_end = (int(h2 or 0) * 3_600_000 + int(m2) * 60_000 + int(s2) * 1000 + int(f2)) / 1000
    body = [line.rstrip(" \t") for line in block[i + 1 :]]
    settings = block[i][match.end():].strip() if vtt else ""
    if vtt:
        body = [unescape_vtt(b) if "&" in b else b for b in body]
    elif any("<" in b or "{" in b for b in body):
        body, settings = markup.from_srt(body)
    if not body:
        out.warnings.append(f"{path}:{start}: cue {out.next_number()} has no text")
    out.cues.append(Cue(timing_start, timing_end, tuple(body), settings))
    return True


def _read_block(block: list[str], start: int, vtt: bool, path: str, out: Parsed) -> None:
    """One block: [identifier or cue number,] a timing line, the text; in SRT possibly several cues
    run together without blank lines."""
    i = next((n for n, line in enumerate(block) if _is_timing(line)), None)
    if i is None:
        if not vtt and out.cues and not any("-->" in line for line in block) and not _cue_number(block[0], start, path, None):
            # SRT: a blank line inside a cue's text; the lines that follow are still its text
            last = out.cues[-1]
            out.cues[-1] = Cue(last.start, last.end, (*last.lines, *(line.rstrip(" \t") for line in block)))
            out.warnings.append(f"{path}:{start}: a blank line inside the text of cue {out.next_number() - 1}: read as part of it")
            return
        numbered = len(block) > 1 and _cue_number(block[0], start, path, None)
        k = next((n for n, line in enumerate(block) if "->" in line or re.search(r"\d:\d\d", line)), int(numbered))  # the would-be timing line
        out.skipped.append(f"{path}:{start + k}: not a cue (expected a timing line 'HH:MM:SS,mmm --> HH:MM:SS,mmm', "
                           f"found {block[k].strip()[:60]!r})")
        return
    if vtt and i > 0 and "-->" in block[0]:  # browsers take a first line with '-->' as the timing line: not one, the cue goes
        out.skipped.append(f"{path}:{start}: cue skipped: its identifier line {block[0].strip()[:60]!r} has '-->', which browsers "
                           "read as a timing line that is not one")
        return
    head = block[:i]
    junk = head[:-1] if head and (vtt or _cue_number(head[-1], start + i - 1, path, out)) else head
    if junk:
        out.skipped.append(f"{path}:{start}: {len(junk)} line(s) before the cue skipped: {junk[0].strip()[:60]!r}")
    timing = _timing(block[i], vtt)
    if timing.bad:
        out.skipped.append(f"{path}:{start + i}: cue skipped: {timing.bad[0]}")
        return
    for note in timing.notes:
        out.warnings.append(f"{path}:{start + i}: {note}")
    body: list[str] = []
    for n in range(i + 1, len(block)):
        line = block[n]
        if not vtt and _is_timing(line):  # the next cue, without a blank line before it
            number = bool(body) and _cue_number(body[-1], start + n - 1, path, None)
            if number:
                body.pop()
            out.warnings.append(f"{path}:{start + n - number}: no blank line before this cue")
            _add(out, timing, body, start, path, vtt)
            _read_block(block[n - number :], start + n - number, vtt, path, out)
            return
        if vtt and "-->" in line:
            out.warnings.append(f"{path}:{start + n}: browsers end the cue before a text line with '-->'; kept as text here")
        body.append(line.rstrip(" \t"))
    _add(out, timing, body, start, path, vtt)


def _cue_number(line: str, number: int, path: str, out: Parsed | None) -> bool:
    """An SRT cue number: a whole number, or (warned about in `out`) one like 1.1 or -3 that other readers take."""
    value = line.strip()
    if value.isdigit():
        return True
    if re.fullmatch(r"-?\d+(\.\d+)?", value):
        if out is not None:
            out.warnings.append(f"{path}:{number}: cue number {value!r} is not a whole number")
        return True
    return False


def _add(out: Parsed, timing: _Timing, body: list[str], start: int, path: str, vtt: bool) -> None:
    settings = timing.settings if vtt else ""
    if vtt:
        body = [unescape_vtt(b) for b in body]
    else:
        body, settings = markup.from_srt(body)
    if not body:
        out.warnings.append(f"{path}:{start}: cue {out.next_number()} has no text")
    out.cues.append(Cue(timing.start, timing.end, tuple(body), settings))


def unescape_vtt(text: str) -> str:
    """WebVTT text with its character references decoded, as HTML's: &lt; &amp; &nbsp; &quot; &#x2014; ..."""
    return html.unescape(text)
