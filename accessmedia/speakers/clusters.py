"""Grouping speaker embeddings into speakers: spectral clustering with the number of speakers found
from the eigengap, as 3D-Speaker does it (speakerlab/process/cluster.py, after SpeechBrain), in numpy.

Long recordings are first summarised into at most `MAX_POINTS` micro-clusters of consecutive-free
k-means, so that memory and time stay bounded however long the recording is.
"""

from __future__ import annotations

import numpy as np

MAX_POINTS = 1500


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
) -> np.ndarray:
    """A speaker index for every embedding, speakers numbered 0.. by first appearance.

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
    return _renumber(labels)


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
