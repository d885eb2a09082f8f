"""Who speaks, live: each caption's stretch of speech (a sentence, or what a pause ended) is embedded with the speaker
model of recordings and matched against the voices heard so far (cosine similarity to the running mean of each
voice). A stretch plainly unlike every voice (below NEW) is a new voice; one in between (a stretch that holds the end
of one turn and the start of the next sounds like neither) is given the nearest voice, and becomes a new voice only
when the next such stretch sounds like it: a caption once shown is not relabelled, so a voice is not made from one
doubtful stretch. Labels as in recordings ("Taler 1", ...); a voice recorded alone beforehand (the event's [[voice]]
clips, `know`) is there from the start with its person's name. A stretch too short to
say (under a second) is given the voice before it. Recent audio is kept in a ring, as the recogniser's window moves on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from accessmedia.speakers.clusters import normalize
from accessmedia.speakers.diarize import embed
from accessmedia.speakers.record import generic_label

SR = 16000
SAME = 0.55  # cosine similarity to a voice's mean at which a stretch is that voice
NEW = 0.2  # below this to every voice, a stretch is a new voice at once (panel.mp4: a turn change in a stretch is 0.2 to 0.3)
SHORTEST = 1.0  # seconds of speech needed to tell a voice
LONGEST = 6.0  # seconds embedded at most (the end of the stretch)
KEEP = 60.0  # seconds of audio kept


@dataclass
class AudioRing:
    """The last KEEP seconds of the stream's audio, by stream time."""

    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    offset: float = 0.0  # stream time of audio[0]

    def add(self, samples: np.ndarray, at: float | None = None) -> None:
        if at is not None and abs(at - (self.offset + self.audio.shape[0] / SR)) > 0.05:
            self.audio, self.offset = np.zeros(0, dtype=np.float32), at  # after a gap: a new stretch
        self.audio = np.concatenate([self.audio, samples.astype(np.float32, copy=False)])
        extra = self.audio.shape[0] - int(KEEP * SR)
        if extra > 0:
            self.audio = self.audio[extra:]
            self.offset += extra / SR

    def span(self, start: float, end: float) -> np.ndarray:
        a = max(0, int(round((start - self.offset) * SR)))
        b = max(a, int(round((end - self.offset) * SR)))
        return self.audio[a:b]


@dataclass
class LiveVoices:
    model: object  # the speaker model (speakers.embedding)
    language: str = "nb"
    same: float = SAME
    most: int = 10  # voices at most (--speakers N: N)
    means: list[np.ndarray] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    last: int | None = None
    doubtful: np.ndarray | None = None  # the last stretch like no voice, waiting for a second one
    names: dict[int, str] = field(default_factory=dict)  # voice number -> the name of the person, for voices known beforehand

    def know(self, name: str, vector: np.ndarray, weight: int = 5) -> None:
        """A person's voice before anyone speaks (a clip of them alone): a stretch like it is labelled with the name.
        `weight`: how many stretches the clip counts as, when the voice's mean moves towards what is heard."""
        self.names[len(self.means)] = name
        self.means.append(normalize(vector[None, :].astype(np.float32))[0])
        self.counts.append(weight)
        self.most = max(self.most, len(self.names) + 1)  # room for a voice nobody named

    def who(self, audio: np.ndarray) -> str | None:
        """The label of the voice of this stretch of speech (float32, 16 kHz)."""
        if audio.shape[0] < SHORTEST * SR:
            return self.label(self.last)
        audio = audio[-int(LONGEST * SR):]
        vector = normalize(embed(self.model, audio, [(0.0, audio.shape[0] / SR)])[0:1])[0]
        return self.label(self.match(vector))

    def match(self, vector: np.ndarray) -> int:
        """The voice a unit embedding belongs to; the voice's running mean moves towards it."""
        if self.means:
            scores = [float(vector @ m) / (np.linalg.norm(m) or 1.0) for m in self.means]
            best = int(np.argmax(scores))
            if scores[best] >= self.same or len(self.means) >= self.most:
                self.doubtful = None
                return self._join(best, vector)
            if scores[best] >= NEW:
                if self.doubtful is None or float(vector @ self.doubtful) < self.same:
                    self.doubtful = vector
                    self.last = best
                    return best
                vector = vector + self.doubtful  # two doubtful stretches alike: a voice
                vector = vector / (np.linalg.norm(vector) or 1.0)
        self.doubtful = None
        self.means.append(vector.astype(np.float32))
        self.counts.append(1)
        self.last = len(self.means) - 1
        return self.last

    def _join(self, number: int, vector: np.ndarray) -> int:
        self.counts[number] += 1
        self.means[number] = self.means[number] + (vector - self.means[number]) / self.counts[number]
        self.last = number
        return number

    def label(self, number: int | None) -> str | None:
        """A voice's name if it was known, else "Taler N", N counting the voices nobody named, in the order heard."""
        if number is None:
            return None
        if number in self.names:
            return self.names[number]
        return generic_label(number + 1 - sum(1 for k in self.names if k < number), self.language)
