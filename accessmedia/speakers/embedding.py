"""An installed speaker model, loaded to embed voices: CAM++ (ported to ONNX here) or an ONNX export as it is."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from accessmedia.core.errors import AccessMediaError
from accessmedia.models.speaker import model_file


@dataclass
class OnnxSpeakerModel:
    """A speaker model exported to ONNX (WeSpeaker's): log Mel features (B, T, 80) in, embeddings out."""

    session: object
    dim: int
    window: str = "povey"

    def __call__(self, feats: np.ndarray) -> np.ndarray:
        name = self.session.get_inputs()[0].name
        out = self.session.run(None, {name: np.asarray(feats, dtype=np.float32)})[0]
        return out.reshape(out.shape[0], -1)


def load(folder: Path, threads: int = 0):
    """The speaker model in `folder`, ready to embed (CAM++ on onnxruntime, or an ONNX model as it is)."""
    path = model_file(folder)
    if path.suffix == ".pt":
        from accessmedia.speakers.networks.campplus import CAMPPlus
        from accessmedia.speakers.networks.campplus_onnx import FastCAMPPlus

        try:
            return FastCAMPPlus(CAMPPlus.load(path), threads)
        except KeyError as exc:
            raise AccessMediaError(f"{path} is not a CAM++ checkpoint (no {exc})", "install a CAM++ model or an ONNX speaker model") from None
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own types
        raise AccessMediaError(f"{path} cannot be loaded as an ONNX model ({exc})", "reinstall it") from None
    probe = OnnxSpeakerModel(session, 0)
    dim = probe(np.zeros((1, 150, 80), dtype=np.float32)).shape[1]
    return OnnxSpeakerModel(session, dim)
