"""One decoding of a live window, made cheap enough to repeat every second on a laptop CPU.

A recording is decoded in 30 s windows, and Whisper's encoder costs the same for 2 s of speech as for 30 (0.8 s on
two cores for whisper-base). Live, the window is 1 to 15 s: the encoder is run over the window only, with a second of
silence after it so that the model hears where the audio ends (without it, it loops at the edge: measured on
king.mp3), which makes a 10 s window 0.11 s. The words already committed in the window are forced as the decoder's
prefix, so only the new words are generated and an earlier word is never decoded differently. Earlier text is not
given as a prompt (on king.mp3 a prompt of the stream's own errors made committed WER worse: 0.68 against 0.59 without),
only the glossary's hotwords are. Word times come from the cross-attention alignment of the same encoder output.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from accessmedia.core.transcript import Segment, Word
from accessmedia.recognition.guards import screen

SR = 16000
SILENCE_AFTER = 1.0  # seconds of silence appended to the window before it is encoded
LONGEST_WINDOW = 28.0  # seconds: the encoder's positions hold 30 s, less the silence after
TOKENS_PER_SECOND = 4  # new tokens allowed per second of fresh audio (with its second of slack), and 3 more: no loop
# at the edge runs long (king.mp3 and npsc-medium-8s stepped as live: 116 of 125 decodings end before it)
PREPEND, APPEND = "\"'“¿([{-", "\"'.。,，!！?？:：”)]}、"


class WindowDecoder:
    """Decodes a short window of a stream with a loaded speech model (recognition.asr.Recognizer)."""

    def __init__(self, recognizer, beam_size: int = 1, hotwords: Sequence[str] = ()):
        self.model = recognizer.model
        self.tokenizer = recognizer.tokenizer
        self.beam_size = beam_size
        self.hotwords = " ".join(hotwords).strip()

    def decode(self, audio: np.ndarray, prefix: Sequence[str] = (), fresh: float | None = None) -> list[Word]:
        """The words the model hears after `prefix` (the committed words inside the window, in order from its start),
        times in window seconds. `audio`: the window (float32, 16 kHz, at most LONGEST_WINDOW s); `fresh`: the
        seconds of it after the committed words (all of it if not given): the new tokens allowed are counted on it."""
        from faster_whisper.transcribe import get_compression_ratio, merge_punctuations

        seconds = audio.shape[0] / SR
        if seconds > LONGEST_WINDOW:
            raise ValueError(f"a live window holds at most {LONGEST_WINDOW} s, not {seconds:.1f}")
        padded = np.concatenate([audio.astype(np.float32, copy=False), np.zeros(int(SILENCE_AFTER * SR), np.float32)])
        features = self.model.feature_extractor(padded, padding=0)
        frames = features.shape[-1] - features.shape[-1] % 2
        encoded = self.model.encode(features[:, :frames])
        tok = self.tokenizer
        earlier = tok.encode(" " + self.hotwords) if self.hotwords else []
        prefix_text = " ".join(prefix).strip()
        prompt = self.model.get_prompt(tok, earlier[-(self.model.max_length // 2 - 1):], without_timestamps=True,
                                       prefix=prefix_text or None)
        forced = len(tok.encode(" " + prefix_text)) if prefix_text else 0
        # only the audio after the prefix holds new words: a decoding that loops at the edge stops after as many tokens
        # as that audio can hold, not as many as the whole window (no step time change measured on king.mp3: a bound)
        allowed = int(TOKENS_PER_SECOND * (seconds if fresh is None else min(fresh, seconds))) + 3
        result = self.model.model.generate(
            encoded, [prompt], beam_size=self.beam_size, max_length=length_limit(forced, allowed, self.model.max_length),
            return_scores=True, return_no_speech_prob=True, suppress_blank=True, suppress_tokens=[-1],
            no_repeat_ngram_size=0,
        )[0]
        tokens = [t for t in result.sequences_ids[0] if t < tok.eot]
        if not tokens:
            return []
        aligned = self.model.find_alignment(tok, [tokens], encoded, frames)[0]
        merge_punctuations(aligned, PREPEND, APPEND)
        words = [Word(a["word"].strip(), round(float(a["start"]), 3), round(float(a["end"]), 3), float(a["probability"]))
                 for a in aligned if a["word"].strip()]
        new = words[len(prefix_text.split()):]  # the forced words come first: as many as the prefix has
        if new:
            text = " ".join(w.text for w in new)
            seg = Segment(new[0].start, new[-1].end, text, tuple(new),
                          result.scores[0] if result.scores else 0.0, result.no_speech_prob, get_compression_ratio(text))
            kept, _removed = screen([seg], seconds)
            new = [w for s in kept for w in s.words]
        return new


def length_limit(forced: int, allowed: int, most: int = 448) -> int:
    """CTranslate2's `max_length` for a decoding that may add `allowed` tokens after `forced` prefix tokens.

    It counts the whole sequence from <|notimestamps|> on (that token, the prefix, the new tokens) and decodes at
    most half of `max_length`, as Whisper keeps half its context for the prompt; `most`: the model's context."""
    return min(most, 2 * (1 + forced + allowed))
