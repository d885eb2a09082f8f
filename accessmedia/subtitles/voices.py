"""Who speaks in a cue, as its text carries it: WebVTT voice spans (<v Amina Yusuf>), a dash at the start of
each line of a two-speaker cue, and a visible label ("Amina Yusuf: ") at the start of a turn. Pure.

Every caption format is derived from this one form: WebVTT keeps it as it is, SRT keeps the visible
label and dashes, TTML turns voices into agents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from accessmedia.core.timeline import Timeline

VOICE = re.compile(r"<v(?:\.[\w-]+)*[ \t]+([^<>&\n]+?)[ \t]*>")
DASH = re.compile(r"^[-–]\s*")


@dataclass(frozen=True)
class Unit:
    """One speaker's words in a cue: all of a one-speaker cue, one line of a two-speaker cue."""

    voice: str | None
    text: str  # without the voice span, the dash and the label
    labelled: bool  # the text was shown after "voice: " (the first cue of a turn)
    dashed: bool


def voice_of(line: str) -> str | None:
    m = VOICE.match(line)
    return m.group(1).strip() if m else None


def units(lines: Sequence[str]) -> list[Unit]:
    """The speakers' parts of a cue. A line that opens a new voice starts a new part; other lines continue
    the part before them."""
    out: list[Unit] = []
    for line in lines:
        voice = voice_of(line)
        if voice is None and out:
            last = out[-1]
            out[-1] = Unit(last.voice, f"{last.text}\n{line}", last.labelled, last.dashed)
            continue
        text = VOICE.sub("", line, count=1).replace("</v>", "")
        dashed = bool(DASH.match(text)) and voice is not None
        if dashed:
            text = DASH.sub("", text, count=1)
        labelled = voice is not None and text.startswith(f"{voice}:")
        if labelled:
            text = text[len(voice) + 1:].lstrip()
        out.append(Unit(voice, text, labelled, dashed))
    return out


def compose(unit: Unit, text: str | None = None) -> str:
    """A unit's first line again, with `text` in place of its own."""
    text = unit.text if text is None else text
    if unit.voice is None:
        return text
    label = f"{unit.voice}: " if unit.labelled else ""
    dash = "- " if unit.dashed else ""
    return f"<v {unit.voice}>{dash}{label}{text}"


def voices(lines: Sequence[str]) -> list[str]:
    return [u.voice for u in units(lines) if u.voice]


def rename_line(line: str, old: str, new: str) -> str:
    """A caption line with one speaker renamed: `<v OLD>` and a label `OLD:` at the start of the line (after
    any tags and a dash)."""
    esc = re.escape(old)
    line = re.sub(rf"<v((?:\.[\w-]+)*)[ \t]+{esc}[ \t]*>", lambda m: f"<v{m.group(1)} {new}>", line)
    return re.sub(rf"^((?:<[^<>]*>)*(?:[-–]\s*)?(?:<[^<>]*>)*){esc}:", lambda m: f"{m.group(1)}{new}:", line)


def restore(cues: Sequence, turns: Sequence[tuple[float, float, str]]) -> list:
    """Cues read from a format without voices (SRT) given their voices again, from the speaker turns
    (start, end, label): a line's voice is the speaker who talks most in its time (a two-speaker cue's
    first line in its first half, its second line in its second). Cues that already carry voices, and all
    cues when there are fewer than two speakers, are returned as they are."""
    if len({who for _s, _e, who in turns}) < 2 or any(voice_of(line) for c in cues for line in c.lines):
        return list(cues)

    timeline = Timeline(turns, lambda t: t[0], lambda t: t[1])
    labels = list(dict.fromkeys(who for _s, _e, who in turns))

    def most(start: float, end: float) -> str | None:
        talk: dict[str, float] = {}
        for s, e, who in timeline.near(start, end):
            overlap = min(e, end) - max(s, start)
            if overlap > 0:
                talk[who] = talk.get(who, 0.0) + overlap
        return max(talk, key=talk.get) if talk else None

    out = []
    previous = None
    for cue in cues:
        lines = list(cue.lines)
        dashed = len(lines) == 2 and all(DASH.match(line) for line in lines)
        if dashed:
            middle = (cue.start + cue.end) / 2
            who = [most(cue.start, middle) or previous, most(middle, cue.end) or previous]
            lines = [f"<v {who[0]}>{lines[0]}</v>" if who[0] else lines[0], f"<v {who[1]}>{lines[1]}" if who[1] else lines[1]]
            previous = who[1] or previous
        else:
            head = lines[0]
            named = next((who for who in labels if head.startswith(f"{who}:")), None)
            voice = named or most(cue.start, cue.end) or previous
            if voice:
                lines[0] = f"<v {voice}>{head}"
            previous = voice or previous
        out.append(cue.__class__(cue.start, cue.end, tuple(lines), cue.settings))
    return out
