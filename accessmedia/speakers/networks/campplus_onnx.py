"""The CAM++ network of campplus.py as an ONNX graph, built from the same folded weights and run with
onnxruntime (installed with faster-whisper): several times faster than numpy on a CPU.

The graph computes the context of each masking layer as twice the mean over time, which equals
3D-Speaker's "mean plus 100-frame segment mean" whenever the input is at most 200 feature frames
(2 s): the length of every diarization window. Longer inputs go to the numpy network.
"""

from __future__ import annotations

import numpy as np

from accessmedia.speakers.networks.campplus import CAMPPlus
from accessmedia.speakers.networks.onnx_graph import Graph

MAX_FRAMES = 200


def build(net: CAMPPlus) -> bytes:
    from onnx import TensorProto

    g = Graph()
    const, op = g.const, g.op

    def conv(x, w, b=None, strides=None, pads=None, dilations=None):
        k = w.shape[2:]
        attrs = {"kernel_shape": list(k)}
        attrs["strides"] = strides or [1] * len(k)
        attrs["pads"] = pads or [0] * (2 * len(k))
        attrs["dilations"] = dilations or [1] * len(k)
        inputs = [x, const(w)] + ([const(b)] if b is not None else [])
        return op("Conv", inputs, **attrs)

    def affine(x, bn, dims=1):
        scale, shift = bn
        shape = (-1,) + (1,) * dims
        return op("Add", [op("Mul", [x, const(scale.reshape(shape))]), const(shift.reshape(shape))])

    x = op("Transpose", ["features"], perm=[0, 2, 1])
    x = op("Unsqueeze", [x, const(np.array([1], dtype=np.int64))])
    w, b = net.conv1
    x = op("Relu", [conv(x, w, b, pads=[1, 1, 1, 1])])
    for (w1, b1), (w2, b2), stride, short in net.res:
        out = op("Relu", [conv(x, w1, b1, strides=[stride, 1], pads=[1, 1, 1, 1])])
        out = conv(out, w2, b2, pads=[1, 1, 1, 1])
        skip = conv(x, short[0], short[1], strides=[stride, 1]) if short else x
        x = op("Relu", [op("Add", [out, skip])])
    w, b = net.conv2
    x = op("Relu", [conv(x, w, b, strides=[2, 1], pads=[1, 1, 1, 1])])
    x = op("Reshape", [x, const(np.array([0, net.conv2[0].shape[0] * 10, -1], dtype=np.int64))])
    w, b = net.tdnn
    x = op("Relu", [conv(x, w, b, strides=[2], pads=[2, 2])])
    for block, bn, transit in net.blocks:
        for bn1, (lw, lb), local, (cw1, cb1), (cw2, cb2), dil in block:
            h = op("Relu", [conv(op("Relu", [affine(x, bn1)]), lw, lb)])
            y = conv(h, local, pads=[dil, dil], dilations=[dil])
            context = op("Mul", [op("ReduceMean", [h], axes=[2], keepdims=1), const(np.array(2.0, dtype=np.float32))])
            gate = op("Relu", [conv(context, cw1[:, :, None], cb1)])
            gate = op("Sigmoid", [conv(gate, cw2[:, :, None], cb2)])
            x = op("Concat", [x, op("Mul", [y, gate])], axis=1)
        x = conv(op("Relu", [affine(x, bn)]), transit)
    x = op("Relu", [affine(x, net.out_bn)])
    mean = op("ReduceMean", [x], axes=[2], keepdims=1)
    centred = op("Sub", [x, mean])
    frames = op("Cast", [op("Gather", [op("Shape", [x]), const(np.array(2, dtype=np.int64))])], to=TensorProto.FLOAT)
    var = op("Div", [op("ReduceSum", [op("Mul", [centred, centred]), const(np.array([2], dtype=np.int64))], keepdims=0),
                     op("Sub", [frames, const(np.array(1.0, dtype=np.float32))])])
    stats = op("Concat", [op("Squeeze", [mean, const(np.array([2], dtype=np.int64))]), op("Sqrt", [var])], axis=1)
    w, b = net.dense
    out = op("Add", [op("MatMul", [stats, const(np.ascontiguousarray(w[:, :, 0].T))]), const(b)])
    return g.serialize("campplus", [("features", ["batch", "frames", 80])], [("embeddings", ["batch", net.dim])])


class FastCAMPPlus:
    """CAM++ on onnxruntime for windows of up to 2 s; the numpy network for anything longer."""

    dim = CAMPPlus.dim
    window = "povey"

    def __init__(self, net: CAMPPlus, threads: int = 0):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.net = net
        self.session = ort.InferenceSession(build(net), opts, providers=["CPUExecutionProvider"])

    def __call__(self, feats: np.ndarray) -> np.ndarray:
        feats = np.asarray(feats, dtype=np.float32)
        if feats.shape[1] > MAX_FRAMES:
            return self.net(feats)
        return self.session.run(["embeddings"], {"features": feats})[0]
