"""Guards against Whisper's known failures, as pure functions over segments.

Whisper invents text over music and silence (often subtitle credits it saw in
training data) and can loop, repeating a phrase until the window ends. These
guards drop such output and say why, so the report can show what was removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Iterable

from accessmedia.core.transcript import Removal, Segment, Word

# Phrases Whisper writes over non-speech: credits of the subtitles it was trained on.
CREDIT_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bteksting av\b",
        r"\btekstet av\b",
        r"\bundertekst(?:er|ing)? (?:av|ved)\b",
        r"\bnorsk tekst(?:ing)?\b.*\bav\b",
        r"\bnicolai winther\b",
        r"\btakk for at (?:du|dere) (?:så|fulgte)\b",
        r"\babonner(?:er)? på\b",
        r"\bsubtitles? by\b",
        r"\bamara\.org\b",
        r"\bthanks? (?:you )?for watching\b",
        r"\bwww\.[^\s]+",
    )
)

NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
LOW_WORD_PROBABILITY = 0.15
SURE_NO_SPEECH_PROB = 0.8  # the model is this sure there is no speech ...
DOUBTFUL_WORD_PROBABILITY = 0.5  # ... and not sure of its words either
SQUEEZED_WORD = 0.02  # seconds: alignment found no audio for a word this short
MIN_NGRAM_REPEATS = 3  # a phrase said three times in a row is a loop...
MIN_WORD_REPEATS = 5  # ...but "nei, nei, nei" is speech, so single words need more


PAST_END = 0.25  # seconds a word's end may lie past the audio (timing slack) before it has no sound under it
LEAST_SOUND = 0.1  # seconds of audio a word needs under it: one starting later than this before the end is invented


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    return "".join(c for c in text if c.isalnum())


def is_credit_text(text: str) -> bool:
    return any(p.search(text) for p in CREDIT_PATTERNS)


def _loop_at(keys: list[str], i: int) -> tuple[int, int] | None:
    """(phrase length, copies) of a repetition loop starting at word i, if there is one."""
    for n in range(1, 11):
        phrase = keys[i : i + n]
        if len(phrase) < n or not all(phrase):
            return None
        copies = 1
        while keys[i + copies * n : i + (copies + 1) * n] == phrase:
            copies += 1
        if copies >= (MIN_WORD_REPEATS if n == 1 else MIN_NGRAM_REPEATS):
            return n, copies
    return None


def collapse_repeats(words: tuple[Word, ...]) -> tuple[tuple[Word, ...], list[Word]]:
    """Keep one copy of any phrase repeated back to back often enough to be a loop.

    Returns (kept words, dropped words).
    """
    keys = [_norm(w.text) for w in words]
    kept: list[Word] = []
    dropped: list[Word] = []
    i = 0
    while i < len(words):
        loop = _loop_at(keys, i)
        if loop:
            n, copies = loop
            kept.extend(words[i : i + n])
            dropped.extend(words[i + n : i + copies * n])
            i += copies * n
        else:
            kept.append(words[i])
            i += 1
    return tuple(kept), dropped


def _removal(words: Iterable[Word], reason: str, fallback: Segment) -> Removal:
    words = list(words)
    if words:
        return Removal(words[0].start, words[-1].end, " ".join(w.text for w in words), reason)
    return Removal(fallback.start, fallback.end, fallback.text, reason)


def screen(segments: Iterable[Segment], audio_end: float | None = None) -> tuple[list[Segment], list[Removal]]:
    """Apply every guard; return the segments to keep and what was removed. `audio_end`: where the audio under
    these segments ends (seconds): a word that lies past it has no sound under it, so it was invented."""
    kept: list[Segment] = []
    removed: list[Removal] = []
    for seg in segments:
        if not seg.words:
            continue
        if audio_end is not None:
            past = [w for w in seg.words if w.end > audio_end + PAST_END or w.start > audio_end - LEAST_SOUND]
            if len(past) == len(seg.words):
                removed.append(_removal(seg.words, "words after the end of the audio", seg))
                continue
            if past:
                removed.append(_removal(past, "words after the end of the audio", seg))
                words = tuple(w for w in seg.words if w not in past)
                seg = replace(seg, words=words, text=" ".join(w.text for w in words), end=words[-1].end)
        if is_credit_text(seg.text):
            removed.append(_removal(seg.words, "subtitle credit text Whisper invents over non-speech", seg))
            continue
        if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
            removed.append(_removal(seg.words, "model judged the audio to be non-speech", seg))
            continue
        mean_p = sum(w.probability for w in seg.words) / len(seg.words)
        if mean_p < LOW_WORD_PROBABILITY:
            removed.append(_removal(seg.words, f"very low confidence (mean word probability {mean_p:.2f})", seg))
            continue
        if seg.no_speech_prob > SURE_NO_SPEECH_PROB and mean_p < DOUBTFUL_WORD_PROBABILITY:
            removed.append(_removal(seg.words, "model judged the audio to be non-speech", seg))
            continue
        squeezed = sum(1 for w in seg.words if w.end - w.start < SQUEEZED_WORD)
        if len(seg.words) >= 3 and squeezed * 2 > len(seg.words):
            removed.append(_removal(seg.words, "words with no audio under them", seg))
            continue
        words, dropped = collapse_repeats(seg.words)
        if dropped and len(dropped) >= len(words):
            # mostly loop: what is left was invented too
            removed.append(_removal(seg.words, "repetition loop", seg))
            continue
        if dropped:
            removed.append(_removal(dropped, "repetition loop", seg))
            seg = replace(seg, words=words, text=" ".join(w.text for w in words), end=words[-1].end)
        if len(kept) >= 2 and _norm(seg.text) == _norm(kept[-1].text) == _norm(kept[-2].text):
            removed.append(_removal(seg.words, "repetition loop across segments", seg))
            continue
        kept.append(seg)
    return kept, removed
