"""Speech and overlapped speech: pyannote's segmentation-3.0 model (PyanNet, MIT) run with onnxruntime, without torch.

The model reads 10 s of audio and gives, for every 17 ms frame, the log probability of each of 7
classes: nobody, one of three local speakers, or two of them at once ("powerset"). The ONNX graph is
built from the checkpoint's weights (the sinc filters computed as asteroid-filterbanks does); the port
is checked against the original code's output (tests/data/speakers/segmentation_reference.npz).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from accessmedia.speakers.networks.onnx_graph import Graph
from accessmedia.models.torchfile import load_state_dict

SR = 16000
CHUNK = 10.0  # seconds the model reads
STEP = 10.0  # between chunks: each frame read once (at 5 s, twice: no better on the shared excerpts, at twice the cost)
FRAME_STEP = 270 / SR  # 16.875 ms: the receptive field's step
FRAME_SIZE = 991 / SR  # 61.9 ms
OVERLAP_CLASSES = (4, 5, 6)  # two speakers at once


def sinc_filters(sd: dict, min_low_hz: float = 50, min_band_hz: float = 50) -> np.ndarray:
    """The 80 band-pass filters (40 cosine, 40 sine) of asteroid's ParamSincFB, from its parameters."""
    low_p, band_p = sd["low_hz_"].astype(np.float64), sd["band_hz_"].astype(np.float64)
    window, n = sd["window_"].astype(np.float64), sd["n_"].astype(np.float64)
    low = min_low_hz + np.abs(low_p)
    high = np.clip(low + min_band_hz + np.abs(band_p), min_low_hz, SR / 2)
    band = (high - low)[:, 0]
    ft_low, ft_high = low @ n, high @ n
    cos_left = (np.sin(ft_high) - np.sin(ft_low)) / (n / 2) * window
    sin_left = (np.cos(ft_low) - np.cos(ft_high)) / (n / 2) * window
    cos = np.concatenate([cos_left, 2 * band[:, None], cos_left[:, ::-1]], axis=1) / (2 * band[:, None])
    sin = np.concatenate([sin_left, np.zeros_like(band)[:, None], -sin_left[:, ::-1]], axis=1) / (2 * band[:, None])
    return np.concatenate([cos, sin])[:, None, :].astype(np.float32)


def _lstm_weights(sd: dict, layer: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One bidirectional layer in ONNX's layout: gates i, o, f, c (torch keeps i, f, g, o)."""
    def order(w):
        i, f, g, o = np.split(w, 4, axis=0)
        return np.concatenate([i, o, f, g], axis=0)

    ws, rs, bs = [], [], []
    for suffix in ("", "_reverse"):
        ws.append(order(sd[f"lstm.weight_ih_l{layer}{suffix}"]))
        rs.append(order(sd[f"lstm.weight_hh_l{layer}{suffix}"]))
        bs.append(np.concatenate([order(sd[f"lstm.bias_ih_l{layer}{suffix}"]), order(sd[f"lstm.bias_hh_l{layer}{suffix}"])]))
    return np.stack(ws), np.stack(rs), np.stack(bs)


def build(sd: dict) -> bytes:
    g = Graph()
    const, op = g.const, g.op

    def norm(x, prefix):
        return op("InstanceNormalization", [x, const(sd[f"{prefix}.weight"]), const(sd[f"{prefix}.bias"])], epsilon=1e-5)

    fb = {k.split("filterbank.")[1]: v for k, v in sd.items() if "filterbank." in k}
    x = norm("waveforms", "sincnet.wav_norm1d")
    x = op("Abs", [op("Conv", [x, const(sinc_filters(fb))], kernel_shape=[251], strides=[10])])
    x = op("LeakyRelu", [norm(op("MaxPool", [x], kernel_shape=[3], strides=[3]), "sincnet.norm1d.0")], alpha=0.01)
    for i in (1, 2):
        x = op("Conv", [x, const(sd[f"sincnet.conv1d.{i}.weight"]), const(sd[f"sincnet.conv1d.{i}.bias"])], kernel_shape=[5])
        x = op("LeakyRelu", [norm(op("MaxPool", [x], kernel_shape=[3], strides=[3]), f"sincnet.norm1d.{i}")], alpha=0.01)
    x = op("Transpose", [x], perm=[2, 0, 1])  # (frames, batch, features)
    for layer in range(4):
        w, r, b = _lstm_weights(sd, layer)
        y = op("LSTM", [x, const(w), const(r), const(b)], hidden_size=128, direction="bidirectional")
        # Y is (frames, 2, batch, 128): directions side by side again
        y = op("Transpose", [y], perm=[0, 2, 1, 3])
        x = op("Reshape", [y, const(np.array([0, 0, 256], dtype=np.int64))])
    x = op("Transpose", [x], perm=[1, 0, 2])  # (batch, frames, 256)
    for i in (0, 1):
        x = op("Add", [op("MatMul", [x, const(sd[f"linear.{i}.weight"].T.copy())]), const(sd[f"linear.{i}.bias"])])
        x = op("LeakyRelu", [x], alpha=0.01)
    x = op("Add", [op("MatMul", [x, const(sd["classifier.weight"].T.copy())]), const(sd["classifier.bias"])])
    x = op("LogSoftmax", [x], axis=-1)
    return g.serialize("pyannet", [("waveforms", ["batch", 1, "samples"])], [("log_probabilities", ["batch", "frames", 7])])


class Segmentation:
    """pyannote segmentation-3.0 on onnxruntime: 10 s chunks of 16 kHz audio in, 7 class log probabilities per frame out."""

    def __init__(self, path: str | Path, threads: int = 0):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(build(load_state_dict(path)), opts, providers=["CPUExecutionProvider"])

    def __call__(self, chunks: np.ndarray) -> np.ndarray:
        """chunks (B, samples) -> log probabilities (B, frames, 7)."""
        return self.session.run(["log_probabilities"], {"waveforms": np.asarray(chunks, dtype=np.float32)[:, None, :]})[0]

    def probabilities(self, audio: np.ndarray, batch: int = 8) -> np.ndarray:
        """(frames, 7) class probabilities over the whole of `audio`: chunks of 10 s every STEP seconds, each frame the
        mean over the chunks that see it. Frame i is centred at i * FRAME_STEP + FRAME_SIZE / 2 seconds."""
        size, step = int(CHUNK * SR), int(STEP * SR)
        frames = int(len(audio) / SR / FRAME_STEP) + 1
        if len(audio) < SR:
            out = np.zeros((frames, 7))
            out[:, 0] = 1.0
            return out
        starts = list(range(0, max(len(audio) - size, 0) + 1, step))
        if starts[-1] + size < len(audio):
            starts.append(len(audio) - size)
        total = np.zeros((frames, 7))
        seen = np.zeros(frames)
        for b in range(0, len(starts), batch):
            group = starts[b: b + batch]
            pieces = np.stack([np.pad(audio[s: s + size], (0, max(0, size - len(audio[s: s + size])))) for s in group])
            probs = np.exp(self(pieces))
            for s, p in zip(group, probs):
                first = int(round(s / SR / FRAME_STEP))
                last = min(first + len(p), frames)
                total[first:last] += p[: last - first]
                seen[first:last] += 1
        return total / np.maximum(seen, 1)[:, None]


def stretches(on: np.ndarray) -> list[tuple[float, float]]:
    """Runs of frames where `on` is true, as (start, end) seconds."""
    out, start = [], None
    for i, flag in enumerate(np.append(on, False)):
        t = i * FRAME_STEP + FRAME_SIZE / 2
        if flag and start is None:
            start = t
        elif not flag and start is not None:
            out.append((round(start, 3), round(t, 3)))
            start = None
    return out


def overlapped(probs: np.ndarray) -> list[tuple[float, float]]:
    """Where the most likely class of a frame is two speakers at once (stretches of at least 0.1 s)."""
    return [(a, b) for a, b in stretches(np.isin(probs.argmax(1), OVERLAP_CLASSES)) if b - a >= 0.1]


SPEECH_THRESHOLD = 0.6  # tuned on the shared AMI excerpts, the two-speaker sample and the Norwegian turns
TRIM = 0.15  # seconds taken off each end of a stretch: the model's frames reach past the words


def speech(probs: np.ndarray, threshold: float = SPEECH_THRESHOLD, shortest: float = 0.25, bridge: float = 0.3,
           trim: float = TRIM) -> list[tuple[float, float]]:
    """Stretches where somebody speaks (probability of "nobody" below 1 - threshold): pauses shorter than
    `bridge` are bridged, stretches shorter than `shortest` dropped, the rest trimmed at both ends by `trim`
    (never below half a second)."""
    joined: list[list[float]] = []
    for a, b in stretches(1.0 - probs[:, 0] > threshold):
        if joined and a - joined[-1][1] < bridge:
            joined[-1][1] = b
        else:
            joined.append([a, b])
    out = []
    for a, b in joined:
        if b - a < shortest:
            continue
        cut = min(trim, max(0.0, (b - a - 0.5) / 2))
        out.append((round(a + cut, 3), round(b - cut, 3)))
    return out
