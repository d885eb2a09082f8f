"""Who speaks in a cue, as its text carries it: WebVTT voice spans (<v Amina Yusuf>), a dash at the start of
each line of a two-speaker cue, and a visible label ("Amina Yusuf: ") at the start of a turn. Pure.

Every caption format is derived from this one form: WebVTT keeps it as it is, SRT keeps the visible
label and dashes, TTML turns voices into agents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Collection, Mapping, Sequence

from accessmedia.core.timeline import Timeline
from accessmedia.core.transcript import Word

VOICE = re.compile(r"<v(?:\.[\w-]+)*[ \t]+([^<>&\n]+?)[ \t]*>")
DASH = re.compile(r"^[-–]\s*")


@dataclass(frozen=True)
class Unit:
    """One speaker's words in a cue: all of a one-speaker cue, one line of a two-speaker cue."""

    voice: str | None
    text: str  # without the voice span, the dash and the label
    labelled: bool  # the text was shown after "voice: " (the first cue of a turn)
    dashed: bool
    shown: str = ""  # the label as shown, when it is the voice's short name ("Amina" for Amina Yusuf)


def short_label(label: str, titles: Collection[str] = ()) -> str:
    """A speaker's short name, shown after their first turn: the first word of the label that is not a title
    ("Statsråd Amina Yusuf" -> "Amina"); a label of one word, or a title and a number ("Taler 2"), stays whole.

    >>> short_label("Statsråd Amina Yusuf", {"statsråd"})
    'Amina'
    """
    parts = label.split()
    if len(parts) < 2 or parts[-1].isdigit():
        return label
    return next((p for p in parts if p.lower() not in titles), label)


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
            out[-1] = Unit(last.voice, f"{last.text}\n{line}", last.labelled, last.dashed, last.shown)
            continue
        text = VOICE.sub("", line, count=1).replace("</v>", "")
        dashed = bool(DASH.match(text)) and voice is not None
        if dashed:
            text = DASH.sub("", text, count=1)
        shown = voice if voice is not None and text.startswith(f"{voice}:") else None
        if shown is None and voice is not None and " " in voice:  # a short name: one word of the voice
            shown = next((w for w in voice.split() if text.startswith(f"{w}:")), None)
        if shown is not None:
            text = text[len(shown) + 1:].lstrip()
        out.append(Unit(voice, text, shown is not None, dashed, "" if shown in (None, voice) else shown))
    return out


def compose(unit: Unit, text: str | None = None) -> str:
    """A unit's first line again, with `text` in place of its own."""
    text = unit.text if text is None else text
    if unit.voice is None:
        return text
    label = f"{unit.shown or unit.voice}: " if unit.labelled else ""
    dash = "- " if unit.dashed else ""
    return f"<v {unit.voice}>{dash}{label}{text}"


def voices(lines: Sequence[str]) -> list[str]:
    return [u.voice for u in units(lines) if u.voice]


def rename_line(line: str, old: str, new: str, titles: Collection[str] = ()) -> str:
    """A caption line with one speaker renamed: `<v OLD>` and a label `OLD:` at the start of the line (after
    any tags and a dash), or OLD's short name (`short_label`, with `titles`) as NEW's short name."""
    esc = re.escape(old)
    line, voiced = re.subn(rf"<v((?:\.[\w-]+)*)[ \t]+{esc}[ \t]*>", lambda m: f"<v{m.group(1)} {new}>", line)
    head = r"^((?:<[^<>]*>)*(?:[-–]\s*)?(?:<[^<>]*>)*)"
    renamed = re.sub(rf"{head}{esc}:", lambda m: f"{m.group(1)}{new}:", line)
    short = short_label(old, titles)
    if renamed == line and voiced and short != old:
        renamed = re.sub(rf"{head}{re.escape(short)}:", lambda m: f"{m.group(1)}{short_label(new, titles)}:", line)
    return renamed


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


# -- speakers of timed words --------------------------------------------------------------------------------------

def speaker_turns(words: Sequence[Word]) -> list[int] | None:
    """The turn number of every word (a word with no speaker continues the turn before it), or None when
    the words have fewer than two speakers: then captions say nothing of who speaks."""
    if len({w.speaker for w in words if w.speaker}) < 2:
        return None
    turns, turn, current = [], 0, None
    for w in words:
        if w.speaker and current and w.speaker != current:
            turn += 1
        current = w.speaker or current
        turns.append(turn)
    return turns


def speaker_of(words: Sequence[Word], i: int) -> str | None:
    while i >= 0 and not words[i].speaker:
        i -= 1
    return words[i].speaker if i >= 0 else next((w.speaker for w in words if w.speaker), None)


def labelled_words(words: list[Word], turns: list[int], labels: Mapping[str, str],
                   profile) -> tuple[list[Word], list[int], frozenset[int]]:
    """With the style profile's speaker_labels = "names", a label word ("Amina Yusuf:") before the first word of each
    turn ("short": the short name after a speaker's first turn); the words, their turns, and where the labels are."""
    if profile.speaker_labels not in ("names", "short"):
        return words, turns, frozenset()
    out_words, out_turns, at = [], [], []
    named: set[str | None] = set()
    for k, w in enumerate(words):
        if k == 0 or turns[k] != turns[k - 1]:
            who = speaker_of(words, k)
            label = labels.get(who, who)
            if profile.speaker_labels == "short" and who in named:
                label = short_label(label, profile.no_break_after)
            named.add(who)
            at.append(len(out_words))
            out_words.append(Word(f"{label}:", w.start, w.start, 1.0, who))
            out_turns.append(turns[k])
        out_words.append(w)
        out_turns.append(turns[k])
    return out_words, out_turns, frozenset(at)
