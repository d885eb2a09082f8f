"""Grouping speaker embeddings into speakers: spectral clustering with the number of speakers found
from the eigengap, as 3D-Speaker does it (speakerlab/process/cluster.py, after SpeechBrain), in numpy.

Long recordings are first summarised into at most `MAX_POINTS` micro-clusters of consecutive-free
k-means, so that memory and time stay bounded however long the recording is.

The eigengap is not the only evidence: a voice that holds a few percent of a long recording is swallowed
by the summary and by the main speaker's cluster, so every cluster is then checked for windows far from
it that agree with each other (a voice of its own), and for a split into two tight parts; a new voice
must hold at least one stretch of two consecutive windows (a turn, not a stray window).
"""

from __future__ import annotations

import numpy as np

MAX_POINTS = 1500
ODD_COSINE = 0.5  # a window this far from its cluster's centre is looked at again
SEEDS = 200  # a cluster up to this size is split from every window as a seed; a larger one from 25
COHESION = 0.8  # mean cosine of a new voice's windows to their centre: one voice, not scattered noise
MIN_VOICE = 8  # windows (about 6 s of speech) a far group needs to be a speaker when it is not one tight voice


def normalize(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)


def kmeans(x: np.ndarray, k: int, iterations: int = 30, seed: int = 0) -> np.ndarray:
    """Labels of plain k-means with k-means++ seeding; deterministic for a given seed. Distances are
    computed a block of rows at a time, so memory stays small for tens of thousands of points."""
    n = len(x)
    if k >= n:
        return np.arange(n)
    x = np.asarray(x, dtype=np.float32)
    rng = np.random.default_rng(seed)
    norms = (x * x).sum(1)
    picks = [int(rng.integers(n))]
    dist = np.maximum(norms - 2 * x @ x[picks[0]] + norms[picks[0]], 0)
    for _ in range(1, k):
        total = float(dist.sum())
        pick = int(rng.choice(n, p=dist / total)) if total > 0 else int(rng.integers(n))
        picks.append(pick)
        dist = np.minimum(dist, np.maximum(norms - 2 * x @ x[pick] + norms[pick], 0))
    c = x[picks].copy()
    labels = np.full(n, -1)
    for _ in range(iterations):
        new = _nearest(x, c)
        if np.array_equal(new, labels):
            break
        labels = new
        counts = np.bincount(labels, minlength=k)
        sums = np.zeros_like(c)
        np.add.at(sums, labels, x)
        filled = counts > 0
        c[filled] = sums[filled] / counts[filled, None]
    return labels


def _nearest(x: np.ndarray, c: np.ndarray, block: int = 4096) -> np.ndarray:
    cc = (c * c).sum(1)
    return np.concatenate([(cc[None, :] - 2 * x[i: i + block] @ c.T).argmin(1) for i in range(0, len(x), block)])


def _spectral(x: np.ndarray, weights: np.ndarray, min_k: int, max_k: int, fixed: int | None, pval: float) -> np.ndarray:
    n = len(x)
    sim = normalize(x) @ normalize(x).T
    keep = max(int(round(pval * n)), min(6, n - 1), 1)
    order = np.argsort(sim, axis=1)
    pruned = np.zeros_like(sim)
    rows = np.arange(n)[:, None]
    top = order[:, -keep:]
    pruned[rows, top] = sim[rows, top]
    pruned = 0.5 * (pruned + pruned.T)
    pruned *= np.sqrt(weights[:, None] * weights[None, :])
    np.fill_diagonal(pruned, 0)
    laplacian = np.diag(np.abs(pruned).sum(1)) - pruned
    values, vectors = np.linalg.eigh(laplacian)
    if fixed:
        k = fixed
    else:
        gaps = np.diff(values[max(min_k - 1, 0): max_k + 1])
        k = int(np.argmax(gaps)) + max(min_k, 1) if len(gaps) else 1
    k = max(1, min(k, n))
    return kmeans(vectors[:, :k], k)


def cluster(
    embeddings: np.ndarray,
    min_speakers: int = 1,
    max_speakers: int = 10,
    fixed: int | None = None,
    merge_cosine: float = 0.67,
    min_cluster: int = 4,
    pval: float = 0.012,
    continues: np.ndarray | None = None,
) -> np.ndarray:
    """A speaker index for every embedding, speakers numbered 0.. by first appearance. `continues[i]` says
    that window i overlaps window i - 1 in time (one stretch of speech); without it, any two are a stretch.

    The spectral step sees the embeddings centred on the recording's mean voice, which takes out what all
    of them share (the room, the microphone, the channel) and leaves what tells the speakers apart; the
    clusters it makes are then merged while two of them are as alike as one voice is with itself
    (`merge_cosine`, on the embeddings as they are), so one speaker is not split by what they say."""
    x = normalize(np.asarray(embeddings, dtype=np.float64))
    n = len(x)
    if n == 0:
        return np.zeros(0, dtype=int)
    if fixed == 1 or n < 10:
        return np.zeros(n, dtype=int)
    centred = normalize(x - x.mean(0))
    if n > MAX_POINTS:
        micro = kmeans(centred, MAX_POINTS, iterations=10)
        ids, inverse, counts = np.unique(micro, return_inverse=True, return_counts=True)
        sums = np.zeros((len(ids), centred.shape[1]))
        np.add.at(sums, inverse, centred)
        points = normalize(sums / counts[:, None])
        weights = counts.astype(np.float64)
    else:
        inverse, points, weights = np.arange(n), centred, np.ones(n)
    labels = _spectral(points, weights, min_speakers, max_speakers, fixed, pval)[inverse]
    labels = _absorb_small(labels, x, min_cluster)
    if not fixed:
        labels = _merge_similar(labels, x, merge_cosine, min_speakers)
        runs = np.ones(n, dtype=bool) if continues is None else np.asarray(continues, dtype=bool)
        labels = _far_voices(labels, x, merge_cosine, runs, max_speakers)
        labels = _refine(labels, x, merge_cosine, min_speakers)
        labels = _split_tight(labels, x, merge_cosine, runs, max_speakers)
    return _renumber(labels)


def _a_turn(members: np.ndarray, runs: np.ndarray) -> bool:
    """Whether the windows `members` include two consecutive ones of one stretch of speech."""
    mask = np.zeros(len(runs), dtype=bool)
    mask[members] = True
    return bool((mask[1:] & mask[:-1] & runs[1:]).any())


def _cohesion(members: np.ndarray, x: np.ndarray) -> float:
    """The mean cosine of windows to their centre: how much they are one voice."""
    return float((x[members] @ normalize(x[members].mean(0))).mean())


def _a_voice(members: np.ndarray, x: np.ndarray, runs: np.ndarray, cohesion: float = COHESION) -> bool:
    return len(members) >= 2 and _cohesion(members, x) >= cohesion and _a_turn(members, runs)


def _far_voices(labels: np.ndarray, x: np.ndarray, threshold: float, runs: np.ndarray, most: int) -> np.ndarray:
    """Windows far from their cluster's centre, grouped: a group that is one voice (or falls into two that
    are) and is unlike every cluster becomes a speaker of its own. A group that is neither, but holds together
    at least as well as the cluster it leaves, is a speaker too: two alike voices (two speakers on the same
    microphone, less alike than one voice with itself but not enough to tell apart) are one speaker before
    they are no speaker, and a recording whose minority voices are left in its main speaker's cluster gets
    no labels at all."""
    labels = labels.copy()
    for cid in np.unique(labels):
        ids, centres = _centers(labels, x)
        idx = np.flatnonzero(labels == cid)
        odd = idx[x[idx] @ centres[list(ids).index(cid)] < ODD_COSINE]
        if len(odd) < 2:
            continue
        leaves = _cohesion(idx, x)
        for group in _groups(x[odd], threshold):
            members = odd[group]
            found = [members] if _a_voice(members, x, runs) else _two_voices(members, x, threshold, runs)
            if not found and len(members) >= MIN_VOICE and _a_voice(members, x, runs, leaves):
                found = [members]
            for voice in found or []:
                if len(np.unique(labels)) >= most:
                    return labels
                if float((_centers(labels, x)[1] @ normalize(x[voice].mean(0))).max()) < threshold:
                    labels[voice] = labels.max() + 1
    return labels


def _groups(x: np.ndarray, threshold: float, cap: int = 400) -> list[np.ndarray]:
    """Centroid-linkage agglomeration while the two closest groups are alike above `threshold` (more than
    `cap` points are first summarised by k-means)."""
    micro = kmeans(x, cap, iterations=10) if len(x) > cap else np.arange(len(x))
    members = [np.flatnonzero(micro == i) for i in np.unique(micro)]
    sums = np.stack([x[m].sum(0) for m in members])
    while len(members) > 1:
        c = normalize(sums)
        sim = c @ c.T
        np.fill_diagonal(sim, -2.0)
        i, j = np.unravel_index(np.argmax(sim), sim.shape)
        if sim[i, j] < threshold:
            break
        sums[i] += sums[j]
        members[i] = np.concatenate([members[i], members[j]])
        sums = np.delete(sums, j, 0)
        del members[j]
    return members


def _refine(labels: np.ndarray, x: np.ndarray, threshold: float, min_speakers: int, rounds: int = 5) -> np.ndarray:
    """Every window to its nearest speaker's centre (a few rounds), then alike speakers merged again."""
    for _ in range(rounds):
        ids, centres = _centers(labels, x)
        new = ids[np.concatenate([(x[i: i + 4096] @ centres.T).argmax(1) for i in range(0, len(x), 4096)])]
        if np.array_equal(new, labels):
            break
        labels = new
    return _merge_similar(labels, x, threshold, min_speakers)


def _split_tight(labels: np.ndarray, x: np.ndarray, threshold: float, runs: np.ndarray, most: int) -> np.ndarray:
    """A cluster that falls into two tight parts, unlike each other, is two speakers."""
    labels = labels.copy()
    changed = True
    while changed and len(np.unique(labels)) < most:
        changed = False
        for cid in np.unique(labels):
            parts = _two_voices(np.flatnonzero(labels == cid), x, threshold, runs)
            if parts:
                labels[parts[0]] = labels.max() + 1
                changed = True
                break
    return labels


def _two_voices(idx: np.ndarray, x: np.ndarray, threshold: float, runs: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The windows `idx` as two voices unlike each other, if they are: two-means seeded from each of them,
    least typical first (in a large set from its five least typical and 20 more)."""
    if len(idx) < 4:
        return None
    centre = normalize(x[idx].mean(0))
    order = np.argsort(x[idx] @ centre)
    for seed in idx[order if len(idx) <= SEEDS else np.r_[order[:5], order[np.linspace(5, len(idx) - 1, 20).astype(int)]]]:
        parts = _two_means(x[idx], np.stack([x[seed], centre]))
        if parts is None:
            continue
        a, b = idx[parts == 0], idx[parts == 1]
        if float(normalize(x[a].mean(0)) @ normalize(x[b].mean(0))) < threshold and _a_voice(a, x, runs) and _a_voice(b, x, runs):
            return a, b
    return None


def _two_means(x: np.ndarray, centres: np.ndarray, rounds: int = 10) -> np.ndarray | None:
    total = x.sum(0)
    for _ in range(rounds):
        parts = (x @ centres.T).argmax(1)
        if parts.min() == parts.max():
            return None
        first = (parts == 0).astype(x.dtype) @ x
        centres = normalize(np.stack([first, total - first]))
    return parts


def _centers(labels: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ids = np.unique(labels)
    return ids, normalize(np.stack([x[labels == i].mean(0) for i in ids]))


def _absorb_small(labels: np.ndarray, x: np.ndarray, min_size: int) -> np.ndarray:
    ids, counts = np.unique(labels, return_counts=True)
    big = ids[counts >= min_size]
    if len(big) == 0 or len(big) == len(ids):
        return labels if len(big) else np.zeros_like(labels)
    centers = normalize(np.stack([x[labels == i].mean(0) for i in big]))
    small = ~np.isin(labels, big)
    labels = labels.copy()
    labels[small] = big[(x[small] @ centers.T).argmax(1)]
    return labels


def _merge_similar(labels: np.ndarray, x: np.ndarray, threshold: float, min_speakers: int) -> np.ndarray:
    labels = labels.copy()
    while True:
        ids, centers = _centers(labels, x)
        if len(ids) <= max(1, min_speakers):
            return labels
        sim = np.triu(centers @ centers.T, 1)
        i, j = np.unravel_index(np.argmax(sim), sim.shape)
        if sim[i, j] < threshold:
            return labels
        labels[labels == ids[j]] = ids[i]


def _renumber(labels: np.ndarray) -> np.ndarray:
    order = {}
    for v in labels:
        order.setdefault(int(v), len(order))
    return np.array([order[int(v)] for v in labels], dtype=int)
