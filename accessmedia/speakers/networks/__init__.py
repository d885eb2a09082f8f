"""The ported networks, without torch: CAM++ speaker embeddings, pyannote's segmentation model, Kaldi fbank
features, and the ONNX graph builder they share."""

from accessmedia.speakers.networks.campplus import CAMPPlus
from accessmedia.speakers.networks.campplus_onnx import FastCAMPPlus
from accessmedia.speakers.networks.segmentation import Segmentation

__all__ = ["CAMPPlus", "FastCAMPPlus", "Segmentation"]
