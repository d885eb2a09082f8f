"""Committed words become captions by the same rules as a recording's: words gather until a sentence ends (or a
pause, or too long a wait, or a clause of more than CLAUSE characters that ends at a comma: the first cue of a long
sentence waited for the sentence's end, up to 7 s after it was said; a sentence longer than a cue shows its first cue's
words as soon as more have come), and each sentence is cut into cues by the subtitle rules (two lines of at most 42
characters, reading speed, speaker changes as cue boundaries). Pure: words in, cues out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from accessmedia.core.transcript import Word
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.segmenter import build_cues
from accessmedia.subtitles.style import StyleProfile

PAUSE = 1.2  # seconds of silence that end a caption even without a full stop
LONGEST = 5.0  # seconds of words held at most before they are shown
FULL = 2 * 42 + 10  # characters held at most: more than a cue holds, and the first cue's words are shown
CLAUSE = 25  # characters held when a clause ends (a comma, a colon): it is shown without waiting for the sentence
CLAUSE_END = (",", ";", ":")


@dataclass
class Captioner:
    profile: StyleProfile
    labels: Mapping[str, str] = field(default_factory=dict)  # speaker id -> label
    pending: list[Word] = field(default_factory=list)
    identify: Callable[[float, float], str | None] | None = None  # who speaks from start to end (live/voices.py)
    spoken_by: dict[Cue, str | None] = field(default_factory=dict)  # the cues made, by whom (taken by the session)

    def add(self, words: Sequence[Word]) -> list[Cue]:
        """Committed words in; the cues of every sentence they complete."""
        out: list[Cue] = []
        for word in words:
            if self.pending and (word.start - self.pending[-1].end >= PAUSE or word.speaker != self.pending[-1].speaker
                                 and self.pending[-1].speaker is not None):
                out += self._flush()
            self.pending.append(word)
            ends = word.text.rstrip("\"'”»)").endswith(tuple(self.profile.sentence_end))
            held = sum(len(w.text) + 1 for w in self.pending)
            clause = word.text.endswith(CLAUSE_END) and held > CLAUSE
            if ends or clause or self.pending[-1].end - self.pending[0].start >= LONGEST:
                out += self._flush()
            elif held > FULL:
                out += self._full_cues()
        return out

    def _full_cues(self) -> list[Cue]:
        """A sentence longer than a cue: its first cue's worth of words is shown now (up to the last comma that leaves
        the cue at least half full, else as many words as fit), the rest is held."""
        width = self.profile.max_lines * self.profile.max_chars_per_line
        fits, chars, comma = 0, -1, 0
        for i, w in enumerate(self.pending):
            chars += len(w.text) + 1
            if chars > width:
                break
            fits = i + 1
            if w.text.endswith(CLAUSE_END) and chars >= width // 2:
                comma = i + 1
        take = comma or fits
        if not take or take == len(self.pending):
            return []
        words, self.pending = self.pending[:take], self.pending[take:]
        return self._cues(words)

    def due(self, now: float) -> list[Cue]:
        """The words held when the stream has gone on `PAUSE` seconds past them: shown without waiting for more."""
        if self.pending and now - self.pending[-1].end >= PAUSE:
            return self._flush()
        return []

    def finish(self) -> list[Cue]:
        return self._flush()

    def _flush(self) -> list[Cue]:
        words, self.pending = self.pending, []
        return self._cues(words) if words else []

    def _cues(self, words: list[Word]) -> list[Cue]:
        cues = build_cues(words, self.profile, dict(self.labels))
        if self.identify is not None:
            who = self.identify(words[0].start, words[-1].end)
            self.spoken_by.update((cue, who) for cue in cues)
        return cues
