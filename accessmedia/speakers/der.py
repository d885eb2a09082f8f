"""Scoring speaker turns against a reference: diarization error rate and words to the right speaker.

The convention of the evaluation material (shared/eval/README.md): 10 ms frames over the scored
span; DER = (missed speech + false alarm + confusion) / reference speech, counting overlap (a
frame with two reference speakers needs two hypothesis speakers); speakers mapped one to one to
maximise agreement; a collar around every reference boundary is not scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

FRAME = 0.01
Turns = Sequence[tuple[float, float, object]]


def best_mapping(agreement: np.ndarray) -> dict[int, int]:
    """Rows to columns, one to one, maximising the summed agreement (exhaustive over the smaller side)."""
    from itertools import permutations

    rows, cols = agreement.shape
    if rows == 0 or cols == 0:
        return {}
    best, best_score = {}, -1.0
    if rows <= cols:
        for perm in permutations(range(cols), rows):
            score = sum(agreement[r, c] for r, c in enumerate(perm))
            if score > best_score:
                best, best_score = dict(enumerate(perm)), score
    else:
        for perm in permutations(range(rows), cols):
            score = sum(agreement[r, c] for c, r in enumerate(perm))
            if score > best_score:
                best, best_score = {r: c for c, r in enumerate(perm)}, score
    return best


def _matrix(turns: Turns, frames: int) -> tuple[np.ndarray, list]:
    names = sorted({str(t[2]) for t in turns})
    m = np.zeros((len(names), frames), dtype=bool)
    for start, end, who in turns:
        a, b = int(round(start / FRAME)), int(round(end / FRAME))
        m[names.index(str(who)), max(a, 0): min(b, frames)] = True
    return m, names


@dataclass(frozen=True)
class Score:
    der: float
    missed: float
    false_alarm: float
    confusion: float
    reference_speech: float
    reference_speakers: int
    hypothesis_speakers: int


def der(reference: Turns, hypothesis: Turns, duration: float, collar: float = 0.25) -> Score:
    frames = int(round(duration / FRAME))
    ref, _ = _matrix(reference, frames)
    hyp, _ = _matrix(hypothesis, frames)
    scored = np.ones(frames, dtype=bool)
    c = int(round(collar / FRAME))
    for start, end, _who in reference:
        for t in (start, end):
            f = int(round(t / FRAME))
            scored[max(f - c, 0): min(f + c, frames)] = False
    ref, hyp = ref[:, scored], hyp[:, scored]
    n_ref, n_hyp = ref.sum(0), hyp.sum(0)
    agreement = ref.astype(np.int64) @ hyp.T.astype(np.int64)
    mapping = best_mapping(agreement)
    correct = np.zeros(ref.shape[1], dtype=np.int64)
    for r, h in mapping.items():
        correct += ref[r] & hyp[h]
    total = float(n_ref.sum())
    missed = float(np.maximum(n_ref - n_hyp, 0).sum())
    false_alarm = float(np.maximum(n_hyp - n_ref, 0).sum())
    confusion = float((np.minimum(n_ref, n_hyp) - correct).sum())
    value = (missed + false_alarm + confusion) / total if total else 0.0
    return Score(value, missed * FRAME, false_alarm * FRAME, confusion * FRAME, total * FRAME, len(ref), len(hyp))


def word_accuracy(words: Sequence[tuple[float, float, object]], reference: Turns) -> float:
    """Share of words whose speaker is the reference speaker at the word's middle, after the best
    one-to-one mapping; words where the reference has no speaker, or two, are not counted."""
    ref_names = sorted({str(t[2]) for t in reference})
    hyp_names = sorted({str(w[2]) for w in words if w[2] is not None})
    pairs = []
    for start, end, who in words:
        mid = (start + end) / 2
        speaking = {str(t[2]) for t in reference if t[0] <= mid < t[1]}
        if len(speaking) == 1:
            pairs.append((ref_names.index(speaking.pop()), None if who is None else hyp_names.index(str(who))))
    if not pairs:
        return 1.0
    agreement = np.zeros((len(ref_names), max(len(hyp_names), 1)))
    for r, h in pairs:
        if h is not None:
            agreement[r, h] += 1
    mapping = best_mapping(agreement)
    right = sum(1 for r, h in pairs if h is not None and mapping.get(r) == h)
    return right / len(pairs)
