"""Word times in the recording's own timeline: speech chunks found by voice activity detection, their
times mapped back from the speech-only audio Whisper heard, word edges snapped to the voice, and the
quiet places where a block of audio may be cut. Pure numpy, no model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from accessmedia.core import media
from accessmedia.core.transcript import Segment, Word

SR = media.SAMPLE_RATE


def quietest(audio: np.ndarray, lo: int, hi: int) -> int:
    """The middle of the quietest 100 ms in audio[lo:hi]."""
    step = SR // 10
    lo = max(0, min(lo, hi - step))
    frames = (hi - lo) // step
    if frames <= 1:
        return hi
    energy = np.square(audio[lo : lo + frames * step].reshape(frames, step)).mean(axis=1)
    return lo + int(np.argmin(energy)) * step + step // 2


FRAME = SR // 100  # 10 ms
PAUSE = 0.3  # seconds of silence before or after a word that make its edge worth checking
VOICE_DROP_DB = 25.0  # a frame this far below the word's loudest is not yet (or no longer) the word


def frame_loudness(audio: np.ndarray) -> np.ndarray:
    """Loudness in dB of each 10 ms frame."""
    frames = audio[: audio.shape[0] // FRAME * FRAME].reshape(-1, FRAME)
    return 10 * np.log10(np.square(frames, dtype=np.float32).mean(axis=1) + 1e-10)


def quiet_runs(quiet: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True in `quiet`."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def snap_to_voice(segments: list[Segment], loudness: np.ndarray, base: float) -> list[Segment]:
    """Move word edges next to pauses onto the voice.

    Cross-attention alignment is vague at pauses: the first word after one
    often starts in the silence, or the alignment gives the whole pause to a
    word. A pause is silence between the voice of two words, wherever the
    alignment put it: in the gap between their spans, or inside a span as
    frames far quieter than the word's loudest. The word's start moves past a
    pause before its loudest frame, its end back before a pause after it; a
    word never shrinks below 50 ms.
    """
    out = []
    previous_end = -1.0
    all_words = [w for s in segments for w in s.words]
    following = {id(w): (all_words[k + 1].start if k + 1 < len(all_words) else None) for k, w in enumerate(all_words)}
    for seg in segments:
        words = []
        for w in seg.words:
            lo, hi = int(round((w.start - base) * 100)), int(round((w.end - base) * 100))
            start, end = w.start, w.end
            if 0 <= lo < hi <= loudness.shape[0] and hi - lo > 5:
                span = loudness[lo:hi]
                peak = int(np.argmax(span))
                runs = quiet_runs(span < span.max() - VOICE_DROP_DB)
                before = w.start - previous_end  # silence between this span and the one before
                nxt = following[id(w)]
                after = float("inf") if nxt is None else nxt - w.end
                cut_start, cut_end = 0, hi - lo
                for a, b in runs:
                    if b <= peak and ((b - a) / 100 >= PAUSE or (a == 0 and before + b / 100 >= PAUSE)):
                        cut_start = b
                for a, b in reversed(runs):
                    if a > peak and ((b - a) / 100 >= PAUSE or (b == hi - lo and after + (b - a) / 100 >= PAUSE)):
                        cut_end = a
                start = min(w.start + cut_start / 100, w.end - 0.05)
                end = max(w.start + cut_end / 100, start + 0.05)
            words.append(Word(w.text, round(start, 3), round(max(end, start), 3), w.probability))
            previous_end = w.end
        out.append(replace(seg, words=tuple(words), start=words[0].start, end=words[-1].end) if words else seg)
    return out


def pad(speeches: list[dict], margin: int, n: int) -> list[dict]:
    """Pad speech chunks as faster-whisper's VAD does, remembering where speech really starts and ends."""
    chunks = [{"start": s["start"], "end": s["end"], "onset": s["start"], "offset": s["end"]} for s in speeches]
    for i, c in enumerate(chunks):
        if i == 0:
            c["start"] = max(0, c["start"] - margin)
        if i + 1 < len(chunks):
            nxt = chunks[i + 1]
            silence = nxt["start"] - c["end"]
            if silence < 2 * margin:
                c["end"] += silence // 2
                nxt["start"] = max(0, nxt["start"] - silence // 2)
            else:
                c["end"] = min(n, c["end"] + margin)
                nxt["start"] = max(0, nxt["start"] - margin)
        else:
            c["end"] = min(n, c["end"] + margin)
    return chunks


def speech_edges(chunks: list[dict]) -> list[tuple[float, float, float, float]]:
    """Per chunk, in the speech-only timeline: (chunk start, speech onset, speech offset, chunk end)."""
    edges, t = [], 0
    for c in chunks:
        length = c["end"] - c["start"]
        edges.append(((t) / SR, (t + c["onset"] - c["start"]) / SR, (t + c["offset"] - c["start"]) / SR, (t + length) / SR))
        t += length
    return edges


def restore(seg: Segment, ts_map, edges, base: float) -> Segment:
    """Map times from the speech-only timeline back to the recording's.

    A word that straddles the joint of two speech chunks is kept in the chunk
    that holds most of it and clipped to that chunk, so it never spans the
    silence that VAD cut out. Word alignment tends to stretch the first word
    after a pause back over the padding VAD added; VAD knows better where the
    speech starts (and ends), so words are held within it.
    """
    words = []
    for w in seg.words:
        first = ts_map.get_chunk_index(w.start)
        last = ts_map.get_chunk_index(w.end, is_end=True)
        start, end = w.start, w.end
        if last > first:
            joint = edges[first][3]
            if joint - start >= end - joint:
                index, end = first, joint
            else:
                index, start = last, edges[last][0]
        else:
            index = first
        _, onset, offset, _ = edges[index]
        if start < onset < end - 0.05:
            start = onset
        if start + 0.05 < offset < end:
            end = offset
        start = ts_map.get_original_time(start, index) + base
        end = ts_map.get_original_time(end, index) + base
        words.append(Word(w.text, round(start, 3), round(max(end, start), 3), w.probability))
    if words:
        return Segment(words[0].start, words[-1].end, seg.text, tuple(words), seg.avg_logprob, seg.no_speech_prob, seg.compression_ratio)
    start = ts_map.get_original_time(seg.start) + base
    end = ts_map.get_original_time(seg.end, is_end=True) + base
    return Segment(start, end, seg.text, (), seg.avg_logprob, seg.no_speech_prob, seg.compression_ratio)
