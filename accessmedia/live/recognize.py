"""Streaming recognition: the audio of a live stream decoded as it arrives. faster-whisper decodes a growing window
again and again (about once a second); words two hypotheses agree on are committed (agreement.py) and never change;
the window is trimmed at the end of the last committed sentence so that it stays short. The recording guards drop
what Whisper invents over silence, music and applause; the glossary's names are hotwords.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from accessmedia.core.transcript import Segment, Word
from accessmedia.live.agreement import Agreement
from accessmedia.recognition.guards import screen

SR = 16000


@dataclass
class Hypothesis:
    committed: list[Word]
    tail: list[Word]
    seconds: float  # how long decoding took


@dataclass
class OnlineRecognizer:
    """One stream's recogniser over a loaded speech model (recognition.asr.Recognizer)."""

    recognizer: object
    beam_size: int = 1
    hotwords: Sequence[str] = ()
    window: float = 10.0  # seconds of audio kept once a sentence in it is committed
    longest: float = 15.0  # seconds of audio kept at most, sentence end or not
    sentence_end: str = ".?!…"
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    offset: float = 0.0  # stream time of audio[0]
    agreement: Agreement = field(default_factory=Agreement)
    context: list[str] = field(default_factory=list)  # the last committed words, the prompt of the next decoding

    @property
    def end(self) -> float:
        return self.offset + self.audio.shape[0] / SR

    def add(self, samples: np.ndarray, at: float | None = None) -> list[Word]:
        """Audio in (float32, 16 kHz mono). `at`: its stream time when it does not follow on (a gap after the input
        dropped): what the window holds is committed first, and returned."""
        done: list[Word] = []
        if at is not None and abs(at - self.end) > 0.05:
            done = self.finish()
            self.audio, self.offset = np.zeros(0, dtype=np.float32), at
            self.agreement = Agreement(committed_end=at)
        self.audio = np.concatenate([self.audio, samples.astype(np.float32, copy=False)])
        return done

    def step(self) -> Hypothesis:
        """Decode the window once: the words it commits and the unstable tail."""
        began = time.perf_counter()
        words = self._decode()
        committed = self.agreement.insert(words, self.offset)
        self._remember(committed)
        self._trim()
        return Hypothesis(committed, self.agreement.tail(), time.perf_counter() - began)

    def finish(self) -> list[Word]:
        """The end of the stream (or of a stretch before a gap): the last hypothesis committed as it stands."""
        agreed = self.agreement.insert(self._decode(), self.offset) if self.audio.shape[0] >= SR // 2 else []
        rest = agreed + self.agreement.finish()
        self._remember(rest)
        return rest

    def _decode(self) -> list[Word]:
        if self.audio.shape[0] < SR // 2:
            return []
        model = self.recognizer.model
        prompt = " ".join(self.context[-40:]) or None
        found, _info = model.transcribe(
            self.audio, language=self.recognizer.whisper_language, beam_size=self.beam_size, word_timestamps=True,
            condition_on_previous_text=False, initial_prompt=prompt, vad_filter=True, without_timestamps=False,
            hotwords=" ".join(self.hotwords) or None, temperature=0.0,  # no fallback: a second decoding is seconds of delay
        )
        segments = [Segment(s.start, s.end, s.text.strip(), tuple(Word(w.word.strip(), w.start, w.end, w.probability) for w in (s.words or ())),
                            s.avg_logprob, s.no_speech_prob, s.compression_ratio) for s in found]
        kept, _removed = screen(segments, self.audio.shape[0] / SR)
        return [w for s in kept for w in s.words if w.text]

    def _remember(self, committed: list[Word]) -> None:
        self.context = (self.context + [w.text for w in committed])[-80:]

    def _trim(self) -> None:
        """Keep the window short: cut it at the end of the last committed sentence once it is longer than `window`
        seconds, or at the last committed word once it is longer than `longest`."""
        seconds = self.audio.shape[0] / SR
        if seconds <= self.window:
            return
        cut = None
        committed_end = self.agreement.committed_end
        recent = self.agreement.recent or []
        ends = [w.end for w in recent if w.text.rstrip("\"'”»)").endswith(tuple(self.sentence_end)) and w.end > self.offset]
        if ends:
            cut = ends[-1]
        elif seconds > self.longest and committed_end > self.offset:
            cut = committed_end
        if cut is not None:
            drop = int((cut - self.offset) * SR)
            self.audio = self.audio[drop:].copy()
            self.offset += drop / SR
