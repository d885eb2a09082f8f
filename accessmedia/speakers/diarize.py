"""Who speaks when: speech found by voice activity detection (Silero, and with the segmentation model
where it is loaded: it hears quiet, distant voices in a meeting room that Silero misses), cut into short overlapping windows,
each window given a speaker embedding, the embeddings clustered into speakers, and the windows
joined back into speaker turns.

Audio is read in chunks of two minutes and only the embeddings are kept (192 numbers per
0.75 s of speech), so memory stays flat however long the recording is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np

from accessmedia.speakers import clusters as speaker_clusters
from accessmedia.speakers.networks.fbank import fbank
from accessmedia.speakers.networks.segmentation import overlapped as segmentation_overlap
from accessmedia.speakers.networks.segmentation import speech as segmentation_speech

SR = 16000
WINDOW = 2.0
SHIFT = 0.75
CHUNK_SECONDS = 120.0
MIN_TURN = 0.5  # a turn shorter than this between two turns of one speaker is absorbed


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    speaker: int


@dataclass(frozen=True)
class Diarization:
    turns: tuple[Turn, ...]
    centroids: np.ndarray  # (speakers, dim), unit length
    speech_seconds: float
    overlap_seconds: float = 0.0  # speech where two voices were found at once

    @property
    def speakers(self) -> int:
        return len(self.centroids)

    def seconds(self, speaker: int) -> float:
        return sum(t.end - t.start for t in self.turns if t.speaker == speaker)


@dataclass(frozen=True)
class Bounds:
    """How many speakers to look for: a fixed number, or a range."""

    fixed: int | None = None
    low: int = 1
    high: int = 10


def speech_regions(audio: np.ndarray) -> list[tuple[float, float]]:
    """Stretches of speech in seconds (Silero VAD, as shipped with faster-whisper)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    opts = VadOptions(threshold=0.35, min_speech_duration_ms=250, min_silence_duration_ms=300, speech_pad_ms=100)
    return [(s["start"] / SR, s["end"] / SR) for s in get_speech_timestamps(audio, opts)]


def windows(regions: Iterable[tuple[float, float]], length: float = WINDOW, shift: float = SHIFT) -> list[tuple[float, float]]:
    """Windows of `length` seconds every `shift` seconds inside each region; the last one ends with it."""
    out = []
    for start, end in regions:
        if end - start < 0.3:
            continue
        t = start
        while t + length < end:
            out.append((t, t + length))
            t += shift
        out.append((max(start, end - length), end))
    return out


def embed(model, audio: np.ndarray, spans: list[tuple[float, float]], offset: float = 0.0, batch: int = 8) -> np.ndarray:
    """One embedding per span of `audio` (which starts at `offset` seconds)."""
    feats = []
    window = getattr(model, "window", "povey")
    for start, end in spans:
        piece = audio[int(round((start - offset) * SR)): int(round((end - offset) * SR))]
        f = fbank(piece, window=window)
        if len(f) < 10:
            f = fbank(np.pad(piece, (0, max(0, int(0.12 * SR) - len(piece)))), window=window)
        feats.append(f - f.mean(0))
    out = np.zeros((len(spans), model.dim), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for i, f in enumerate(feats):
        by_length.setdefault(len(f), []).append(i)
    for idx in by_length.values():
        for b in range(0, len(idx), batch):
            part = idx[b: b + batch]
            out[part] = model(np.stack([feats[i] for i in part]))
    return out


def _embedded(blocks: Iterable[np.ndarray], model, segmentation=None) -> Iterator[tuple[float, list, list, np.ndarray | None, list]]:
    """Chunk by chunk: where the chunk ends (seconds), its speech regions, its windows and their embeddings,
    and its overlapped speech (found only with a segmentation model)."""
    for offset, audio in _chunks(blocks):
        found, overlap = speech_regions(audio), []
        if segmentation is not None:
            probs = segmentation.probabilities(audio)
            found = union(found, segmentation_speech(probs))
            overlap = [(offset + a, offset + b) for a, b in segmentation_overlap(probs)]
        regions = [(offset + s, offset + e) for s, e in found]
        here = windows(regions)
        yield offset + len(audio) / SR, regions, here, embed(model, audio, here, offset) if here else None, overlap


def union(a: Iterable[tuple[float, float]], b: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Two lists of stretches as one, overlapping or touching stretches joined."""
    out: list[list[float]] = []
    for start, end in sorted([*a, *b]):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _chunks(blocks: Iterable[np.ndarray]) -> Iterator[tuple[float, np.ndarray]]:
    """Audio regrouped into chunks of CHUNK_SECONDS, with their start times."""
    size = int(CHUNK_SECONDS * SR)
    pending: list[np.ndarray] = []
    have = 0
    start = 0
    for block in blocks:
        pending.append(block)
        have += len(block)
        if have >= size:
            joined = np.concatenate(pending)
            yield start / SR, joined
            start += len(joined)
            pending, have = [], 0
    if pending:
        yield start / SR, np.concatenate(pending)


def diarize(
    blocks: Callable[[], Iterable[np.ndarray]],
    model,
    bounds: Bounds = Bounds(),
    progress: Callable[[float], None] | None = None,
    segmentation=None,
) -> Diarization:
    """Speaker turns of the audio that `blocks()` gives as consecutive 16 kHz blocks, read once. With a
    segmentation model, its speech joins Silero's, and where it finds two people speaking at once (and more
    than one speaker was found) the speaker nearest in time who is not already speaking is added as a second turn."""
    spans: list[tuple[float, float]] = []
    vectors: list[np.ndarray] = []
    overlapped: list[tuple[float, float]] = []
    speech = 0.0
    for reached, regions, here, vecs, overlap in _embedded(blocks(), model, segmentation):
        speech += sum(e - s for s, e in regions)
        overlapped += overlap
        if here:
            vectors.append(vecs)
            spans.extend(here)
        if progress:
            progress(reached)
    if not spans:
        return Diarization((), np.zeros((0, model.dim), dtype=np.float32), 0.0)
    emb = np.concatenate(vectors)
    if bounds.fixed:
        labels = speaker_clusters.cluster(emb, fixed=bounds.fixed)
    else:
        starts, ends = np.array([s for s, _ in spans]), np.array([e for _, e in spans])
        continues = np.r_[False, starts[1:] < ends[:-1]]  # a window overlapping the one before: one stretch
        labels = speaker_clusters.cluster(emb, min_speakers=bounds.low, max_speakers=bounds.high, continues=continues)
    turns = smooth(join_windows(spans, labels))
    used = sorted({t.speaker for t in turns})
    centroids = speaker_clusters.normalize(np.stack([emb[labels == s].mean(0) for s in used])).astype(np.float32)
    remap = {s: i for i, s in enumerate(used)}
    turns = [Turn(t.start, t.end, remap[t.speaker]) for t in turns]
    overlap = 0.0
    if len(used) > 1 and overlapped:
        overlap = sum(b - a for a, b in overlapped)
        turns = with_overlap(turns, overlapped)
    return Diarization(tuple(turns), centroids, speech, overlap)


def with_overlap(turns: list[Turn], regions: list[tuple[float, float]]) -> list[Turn]:
    """Turns with a second speaker in each stretch of overlapped speech: the speaker of the nearest turn
    (before or after) who is not the one speaking there. Turns may then overlap, as RTTM allows."""
    added = []
    for a, b in regions:
        middle = (a + b) / 2
        speaking = {t.speaker for t in turns if t.start < b and a < t.end}
        others = [t for t in turns if t.speaker not in speaking] if speaking else []
        if not speaking or not others:
            continue
        nearest = min(others, key=lambda t: 0.0 if t.start <= middle <= t.end else min(abs(t.start - middle), abs(t.end - middle)))
        added.append(Turn(a, b, nearest.speaker))
    return sorted(turns + added, key=lambda t: (t.start, t.end))


def join_windows(spans: list[tuple[float, float]], labels: np.ndarray) -> list[Turn]:
    """Labelled overlapping windows as turns: where two windows overlap, the boundary is in the middle."""
    turns: list[list] = []
    for (start, end), label in zip(spans, labels):
        label = int(label)
        if turns and start < turns[-1][1]:
            if turns[-1][2] == label:
                turns[-1][1] = max(turns[-1][1], end)
                continue
            middle = (start + turns[-1][1]) / 2
            turns[-1][1] = middle
            start = middle
        if turns and turns[-1][2] == label and start - turns[-1][1] < 0.05:
            turns[-1][1] = end
        else:
            turns.append([start, end, label])
    return [Turn(s, e, l) for s, e, l in turns if e > s]


def smooth(turns: list[Turn], shortest: float = MIN_TURN) -> list[Turn]:
    """A very short turn sandwiched in one speaker's speech belongs to that speaker."""
    out = list(turns)
    changed = True
    while changed:
        changed = False
        for i in range(1, len(out) - 1):
            prev, cur, nxt = out[i - 1], out[i], out[i + 1]
            if (
                cur.end - cur.start < shortest
                and prev.speaker == nxt.speaker != cur.speaker
                and cur.start - prev.end < 0.05
                and nxt.start - cur.end < 0.05
            ):
                out[i - 1: i + 2] = [Turn(prev.start, nxt.end, prev.speaker)]
                changed = True
                break
    return out


def voice(blocks: Iterable[np.ndarray], model) -> np.ndarray | None:
    """One voice's embedding (unit length) from a recording of that person alone: the mean of its windows."""
    vectors = [vecs for _reached, _regions, here, vecs, _overlap in _embedded(blocks, model) if here]
    if not vectors:
        return None
    mean = speaker_clusters.normalize(np.concatenate(vectors)).mean(0)
    return speaker_clusters.normalize(mean).astype(np.float32)
