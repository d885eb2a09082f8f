"""Speech recognition: a recording in, word-timed segments out (faster-whisper), with the guards against Whisper's
known failures and word times in the recording's own timeline."""

from accessmedia.recognition.asr import Recognizer, transcribe
from accessmedia.recognition.settings import Decoding, ModelLoad, Recognition

__all__ = ["Recognizer", "transcribe", "Decoding", "ModelLoad", "Recognition"]
