"""Streaming recognition: the audio of a live stream decoded as it arrives. The window since the last trim is decoded
again every half second of audio (decoder.py: the encoder over the window only, the committed words in it forced as
the prefix); words after them are committed when two hypotheses 0.9 s of audio apart agree on them, when the model
has heard 1.5 s of audio after them, or when it is sure of them 0.6 s before the edge (agreement.py), and never
change; the window is trimmed a few seconds before the end of the last committed sentence so that it stays short and
the next sentence keeps what led to it. The recording guards drop what Whisper invents over silence, music and
applause; the glossary's names are hotwords.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from accessmedia.core.transcript import Word
from accessmedia.live.agreement import Agreement
from accessmedia.live.decoder import LONGEST_WINDOW, WindowDecoder

SR = 16000


@dataclass
class Hypothesis:
    committed: list[Word]
    tail: list[Word]


@dataclass
class OnlineRecognizer:
    """One stream's recogniser over a loaded speech model (recognition.asr.Recognizer)."""

    recognizer: object
    beam_size: int = 1
    hotwords: Sequence[str] = ()
    window: float = 10.0  # seconds of audio after which the window is cut before the last committed sentence's end
    longest: float = 16.0  # seconds of audio kept at most, sentence end or not
    context: float = 5.0  # seconds of committed speech kept before the next sentence: it is heard after what led to it
    sentence_end: str = ".?!…"
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    offset: float = 0.0  # stream time of audio[0]
    agreement: Agreement = field(default_factory=Agreement)
    inside: list[Word] = field(default_factory=list)  # committed words in the window: the forced prefix
    decoder: WindowDecoder | None = None

    def __post_init__(self):
        self.decoder = self.decoder or WindowDecoder(self.recognizer, self.beam_size, self.hotwords)

    @property
    def end(self) -> float:
        return self.offset + self.audio.shape[0] / SR

    def add(self, samples: np.ndarray, at: float | None = None) -> list[Word]:
        """Audio in (float32, 16 kHz mono). `at`: its stream time when it does not follow on (a gap after the input
        dropped): what the window holds is committed first, and returned."""
        done: list[Word] = []
        if at is not None and abs(at - self.end) > 0.05:
            done = self.finish()
            self.audio, self.offset, self.inside = np.zeros(0, dtype=np.float32), at, []
            self.agreement = Agreement(committed_end=at)
        self.audio = np.concatenate([self.audio, samples.astype(np.float32, copy=False)])
        return done

    def step(self) -> Hypothesis:
        """Decode the window once: the words it commits and the unstable tail."""
        committed = self.agreement.settle(self._decode(), edge=self.end)
        self._remember(committed)
        self._trim()
        return Hypothesis(committed, self.agreement.tail())

    def finish(self) -> list[Word]:
        """The end of the stream (or of a stretch before a gap): the last hypothesis committed as it stands."""
        agreed = self.agreement.settle(self._decode(), edge=self.end) if self.audio.shape[0] >= SR // 2 else []
        rest = agreed + self.agreement.finish()
        self._remember(rest)
        return rest

    def _decode(self) -> list[Word]:
        """The words after the committed ones, in stream times."""
        if self.audio.shape[0] < SR // 2:
            return []
        if self.audio.shape[0] > LONGEST_WINDOW * SR:  # nothing committed in all that time (music, a stuck model)
            self._cut(self.end - self.window)
            self.inside, self.agreement = [], Agreement(committed_end=self.offset)
        fresh = self.end - max(self.offset, self.agreement.committed_end)
        found = self.decoder.decode(self.audio, [w.text for w in self.inside], fresh + 1.0)  # a second's slack for the edge
        return [Word(w.text, round(w.start + self.offset, 3), round(w.end + self.offset, 3), w.probability) for w in found]

    def _remember(self, committed: list[Word]) -> None:
        self.inside += committed

    def _trim(self) -> None:
        """Keep the window short, but never without what was said before: once it is longer than `window` seconds it is
        cut `context` seconds before the end of the last committed sentence (at a committed word, which stays in it as
        the forced prefix: the next sentence is heard after the words that led to it, as a recording's is; cut at the
        sentence end itself, "Nordmenn" at the head of each new sentence came out as "Nå man": committed WER on
        king.mp3 0.54 against 0.42); once longer than `longest`, at the last committed word."""
        seconds = self.audio.shape[0] / SR
        if seconds <= self.window:
            return
        cut = None
        ends = [w.end for w in self.inside if w.text.rstrip("\"'”»)").endswith(tuple(self.sentence_end)) and w.end > self.offset]
        if ends:
            starts = [w.start for w in self.inside if w.start >= ends[-1] - self.context]
            cut = min(starts, default=ends[-1])
        if (cut is None or cut <= self.offset + 0.5) and seconds > self.longest and self.agreement.committed_end > self.offset:
            cut = self.agreement.committed_end
        if cut is not None and cut > self.offset + 0.5:
            self._cut(cut)

    def _cut(self, cut: float) -> None:
        drop = int((cut - self.offset) * SR)
        self.audio = self.audio[drop:].copy()
        self.offset += drop / SR
        self.inside = [w for w in self.inside if w.end > self.offset + 0.01]
