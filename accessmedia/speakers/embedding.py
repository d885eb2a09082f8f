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


def check(folder: Path, kind: str = "speaker") -> None:
    """A staged speaker model gives one finite embedding for a second of audio, an overlap model 7 classes a frame:
    what `models add` asks before it installs one."""
    rng = np.random.default_rng(0)
    try:
        if kind == "segmentation":
            from accessmedia.speakers.networks.segmentation import Segmentation

            out = Segmentation(model_file(folder), 1)(rng.normal(0, 0.1, (1, 160_000)).astype(np.float32))
            ok = out.ndim == 3 and out.shape[0] == 1 and out.shape[2] == 7
        else:
            out = load(folder, 1)(rng.normal(0, 1, (1, 100, 80)).astype(np.float32))
            ok = out.ndim == 2 and out.shape[0] == 1 and out.shape[1] >= 32
        ok = ok and bool(np.isfinite(out).all())
    except AccessMediaError:
        raise
    except Exception as exc:  # onnxruntime and numpy raise their own types on a model that does not fit
        raise AccessMediaError(f"the {kind} model does not run ({type(exc).__name__}: {str(exc).splitlines()[0][:100]})",
                               "nothing was installed") from None
    if not ok:
        raise AccessMediaError(f"the {kind} model gives no usable output for a second of audio ({out.shape})",
                               "nothing was installed")
