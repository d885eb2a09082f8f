"""Recognition's part of the settings: which speech model is loaded and how a recording is decoded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelLoad:
    """What loading the speech model needs. A worker keeps one loaded model per distinct value."""

    model: str | None = None  # catalogue name, installed name or folder; None = the default
    device: str = "cpu"  # cpu, cuda or auto
    compute_type: str = "default"  # int8 on CPU, float16 on CUDA
    threads: int = 0  # CPU threads; 0 = every core

    def resolved_compute_type(self) -> str:
        if self.compute_type != "default":
            return self.compute_type
        return "float16" if self.device == "cuda" else "int8"


@dataclass(frozen=True)
class Decoding:
    """How one recording is decoded with a loaded speech model: passed with each call."""

    beam_size: int = 5
    hotwords: tuple[str, ...] = ()  # names and terms the model is told to expect
    vad: bool = True  # skip what voice activity detection finds is not speech
    audio_track: int | None = None  # 1-based; None = the default track
    block_seconds: float = 300.0  # audio handled at once: bounds memory; changes speed, not words
    accept_truncated: bool = False  # a recording cut off before its declared length: use what is there (else an error)


@dataclass(frozen=True)
class Recognition:
    load: ModelLoad = ModelLoad()
    decode: Decoding = Decoding()
