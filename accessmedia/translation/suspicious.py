"""Translations to check first: a translated cue that is a copy of its source, far longer or shorter than
it, or that repeats itself is what machine translation gets wrong most visibly. Pure.

A source cue is compared with the translated cues in its time span (a translation may split a cue in two).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from accessmedia.subtitles import markup
from accessmedia.subtitles import voices
from accessmedia.core.timeline import Timeline

LONGER, SHORTER = 3.0, 0.3  # target/source length ratios beyond which a translation is suspect
MIN_CHARS = 20  # shorter sources vary too much in length to judge
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Flag:
    cue: int  # 1-based number of the source cue
    start: float
    end: float
    reason: str  # in English, for the run report
    kind: str = ""  # untranslated | repeats | longer | shorter: what the review editor words in its own language
    ratio: float = 0.0  # the target's length over the source's, for longer and shorter

    def to_dict(self) -> dict:
        return {"cue": self.cue, "start": round(self.start, 3), "end": round(self.end, 3), "reason": self.reason,
                "kind": self.kind, "ratio": round(self.ratio, 2)}


def _plain(lines: Sequence[str]) -> str:
    """What was said in a cue: without speaker labels, dashes, voice and style tags, direction marks."""
    said = " ".join(u.text for u in voices.units(lines))
    return " ".join(markup.plain(said).replace("\u200f", " ").replace("\u200e", " ").split())


def repeats(text: str) -> bool:
    """A word four times running, or a run of two to four words three times running."""
    words = [w.lower() for w in _WORD.findall(text)]
    for size in (1, 2, 3, 4):
        need = 4 if size == 1 else 3
        for i in range(len(words) - size * need + 1):
            gram = words[i: i + size]
            if all(words[i + k * size: i + (k + 1) * size] == gram for k in range(1, need)):
                return True
    return False


def flags(source: Sequence, target: Sequence) -> list[Flag]:
    """What to check first in `target` (cues), translated from `source` (cues with the same times)."""
    out = []
    timeline = Timeline(target, lambda t: t.start, lambda t: t.end)
    for n, cue in enumerate(source, start=1):
        own = [t for t in timeline.near(cue.start, cue.end) if t.start < cue.end - 1e-3 and cue.start < t.end - 1e-3]
        src = _plain(cue.lines)
        tgt = " ".join(_plain(t.lines) for t in own)
        if not tgt or not src:
            continue
        ratio = len(tgt) / len(src)
        if tgt == src and len(_WORD.findall(src)) >= 3:
            out.append(Flag(n, cue.start, cue.end, "the same as its source: not translated", "untranslated"))
        elif repeats(tgt) and not repeats(src):
            out.append(Flag(n, cue.start, cue.end, "repeats itself", "repeats"))
        elif len(src) >= MIN_CHARS and ratio > LONGER:
            out.append(Flag(n, cue.start, cue.end, f"{ratio:.1f} times as long as its source", "longer", ratio))
        elif len(src) >= MIN_CHARS and ratio < SHORTER:
            out.append(Flag(n, cue.start, cue.end, f"a fraction ({ratio:.0%}) of its source's length", "shorter", ratio))
    return out
