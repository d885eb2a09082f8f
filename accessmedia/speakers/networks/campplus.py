"""CAM++ speaker embeddings (3D-Speaker, Apache-2.0) computed with numpy.

The network of Wang et al., "CAM++: A Fast and Efficient Network for Speaker
Verification Using Context-Aware Masking" (2023), as 3D-Speaker defines it
(speakerlab/models/campplus/DTDNN.py), run on weights read from its torch
checkpoint without torch. Batch norms that follow a convolution are folded
into it once, at load time. The port is checked against embeddings made with
the original code (tests/data/speakers/).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from accessmedia.models.torchfile import load_state_dict

EPS = 1e-5
BLOCKS = ((12, 3, 1), (24, 3, 2), (16, 3, 2))  # layers, kernel, dilation


def _bn(sd: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A batch norm as scale and shift."""
    var = sd[f"{name}.running_var"].astype(np.float64)
    mean = sd[f"{name}.running_mean"].astype(np.float64)
    gamma = sd.get(f"{name}.weight", np.ones_like(var)).astype(np.float64)
    beta = sd.get(f"{name}.bias", np.zeros_like(var)).astype(np.float64)
    scale = gamma / np.sqrt(var + EPS)
    return scale.astype(np.float32), (beta - mean * scale).astype(np.float32)


def _fold(weight: np.ndarray, bn: tuple[np.ndarray, np.ndarray]):
    """A convolution without bias followed by a batch norm, as one convolution with bias."""
    scale, shift = bn
    shape = (-1,) + (1,) * (weight.ndim - 1)
    return (weight * scale.reshape(shape)).astype(np.float32), shift


def _conv1d(x, w, b=None, stride=1, padding=0, dilation=1):
    """x (B, C, T), w (O, C, K)."""
    out_c, in_c, k = w.shape
    if k == 1 and stride == 1:
        y = np.matmul(w[:, :, 0], x)
    else:
        if padding:
            x = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
        t_out = (x.shape[2] - dilation * (k - 1) - 1) // stride + 1
        cols = np.concatenate(
            [x[:, :, j * dilation: j * dilation + stride * (t_out - 1) + 1: stride] for j in range(k)], axis=1
        )  # (B, K*C, T) ordered kernel-major
        wk = w.transpose(0, 2, 1).reshape(out_c, k * in_c)
        y = np.matmul(wk, cols)
    if b is not None:
        y += b[:, None]
    return y


def _conv2d(x, w, b=None, stride=1):
    """x (B, F, T, C) channels last, w (O, C, k, k) with k in (1, 3), padding (k-1)//2, stride on F only.

    A 3x3 convolution is nine matrix products over shifted views of the padded input flattened
    along (F, T): no im2col copy, which costs more than the products at these sizes.
    """
    out_c, in_c, k, _ = w.shape
    batch, f, t, _ = x.shape
    f_out = (f - 1) // stride + 1
    if k == 1:
        y = np.matmul(x[:, ::stride] if stride > 1 else x, w[:, :, 0, 0].T)
    else:
        tp = t + 2
        xp = np.zeros((batch, f + 3, tp, in_c), dtype=np.float32)
        xp[:, 1: f + 1, 1: t + 1] = x
        y = np.zeros((batch, f_out * tp, out_c), dtype=np.float32)
        for i in range(3):
            rows = xp[:, i:: stride][:, : f_out + 1] if stride > 1 else xp[:, i:]
            flat = np.ascontiguousarray(rows[:, : f_out + 1]).reshape(batch, -1, in_c)
            for j in range(3):
                y += np.matmul(flat[:, j: j + f_out * tp], w[:, :, i, j].T)
        y = y.reshape(batch, f_out, tp, out_c)[:, :, :t]
    if b is not None:
        y = y + b
    return y


def _relu(x):
    return np.maximum(x, 0, out=x)


def _affine(x, bn):
    scale, shift = bn
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return x * scale.reshape(shape) + shift.reshape(shape)


def _segment_means(x: np.ndarray, seg: int = 100) -> np.ndarray:
    """Each frame replaced by the mean of its 100-frame segment (the last one may be shorter)."""
    t = x.shape[-1]
    n = -(-t // seg)
    padded = np.pad(x, ((0, 0), (0, 0), (0, n * seg - t)))
    sums = padded.reshape(x.shape[0], x.shape[1], n, seg).sum(-1)
    counts = np.minimum(seg, t - np.arange(n) * seg).astype(np.float32)
    means = sums / counts
    return np.repeat(means, seg, axis=-1)[..., :t]


class CAMPPlus:
    """Speaker embeddings (192 values) from 80-band log Mel features."""

    dim = 192

    def __init__(self, state: dict[str, np.ndarray]):
        sd = state
        self.head = []  # (name, conv weight, bias, stride, shortcut)
        self.conv1 = _fold(sd["head.conv1.weight"], _bn(sd, "head.bn1"))
        self.res = []
        for layer in ("layer1", "layer2"):
            for i, stride in ((0, 2), (1, 1)):
                p = f"head.{layer}.{i}"
                short = None
                if f"{p}.shortcut.0.weight" in sd:
                    short = _fold(sd[f"{p}.shortcut.0.weight"], _bn(sd, f"{p}.shortcut.1"))
                self.res.append((
                    _fold(sd[f"{p}.conv1.weight"], _bn(sd, f"{p}.bn1")),
                    _fold(sd[f"{p}.conv2.weight"], _bn(sd, f"{p}.bn2")),
                    stride, short,
                ))
        self.conv2 = _fold(sd["head.conv2.weight"], _bn(sd, "head.bn2"))
        self.tdnn = _fold(sd["xvector.tdnn.linear.weight"], _bn(sd, "xvector.tdnn.nonlinear.batchnorm"))
        self.blocks = []
        for b, (layers, kernel, dilation) in enumerate(BLOCKS, 1):
            block = []
            for i in range(1, layers + 1):
                p = f"xvector.block{b}.tdnnd{i}"
                block.append((
                    _bn(sd, f"{p}.nonlinear1.batchnorm"),
                    _fold(sd[f"{p}.linear1.weight"], _bn(sd, f"{p}.nonlinear2.batchnorm")),
                    sd[f"{p}.cam_layer.linear_local.weight"],
                    (sd[f"{p}.cam_layer.linear1.weight"][:, :, 0], sd[f"{p}.cam_layer.linear1.bias"]),
                    (sd[f"{p}.cam_layer.linear2.weight"][:, :, 0], sd[f"{p}.cam_layer.linear2.bias"]),
                    dilation,
                ))
            p = f"xvector.transit{b}"
            self.blocks.append((block, _bn(sd, f"{p}.nonlinear.batchnorm"), sd[f"{p}.linear.weight"]))
        self.out_bn = _bn(sd, "xvector.out_nonlinear.batchnorm")
        self.dense = _fold(sd["xvector.dense.linear.weight"], _bn(sd, "xvector.dense.nonlinear.batchnorm"))

    @classmethod
    def load(cls, path: str | Path) -> "CAMPPlus":
        return cls(load_state_dict(path))

    def __call__(self, feats: np.ndarray) -> np.ndarray:
        """feats (B, T, 80), mean-normalised over time -> embeddings (B, 192)."""
        x = np.asarray(feats, dtype=np.float32).transpose(0, 2, 1)[..., None]  # (B, F, T, 1)
        x = _relu(_conv2d(x, *self.conv1))
        for (w1, b1), (w2, b2), stride, short in self.res:
            out = _relu(_conv2d(x, w1, b1, stride))
            out = _conv2d(out, w2, b2)
            out += _conv2d(x, short[0], short[1], stride) if short else x
            x = _relu(out)
        x = _relu(_conv2d(x, *self.conv2, stride=2))
        batch, f, t, c = x.shape
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2)).reshape(batch, c * f, t)
        x = _relu(_conv1d(x, *self.tdnn, stride=2, padding=2))
        for block, bn, transit in self.blocks:
            for bn1, lin1, local, (w1, b1), (w2, b2), dil in block:
                h = _relu(_conv1d(_relu(_affine(x, bn1)), *lin1))
                y = _conv1d(h, local, padding=dil, dilation=dil)
                context = h.mean(-1, keepdims=True) + _segment_means(h)
                gate = _relu(np.matmul(w1, context) + b1[:, None])
                gate = np.matmul(w2, gate) + b2[:, None]
                y *= 1.0 / (1.0 + np.exp(-gate))
                x = np.concatenate([x, y], axis=1)
            x = _conv1d(_relu(_affine(x, bn)), transit)
        x = _relu(_affine(x, self.out_bn))
        stats = np.concatenate([x.mean(-1), x.std(-1, ddof=1)], axis=-1)
        w, b = self.dense
        return (stats @ w[:, :, 0].T + b).astype(np.float32)
