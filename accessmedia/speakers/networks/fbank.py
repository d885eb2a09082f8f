"""Kaldi-compatible log Mel filter-bank features, in numpy.

The features speaker models of the Kaldi tradition (3D-Speaker, WeSpeaker)
are trained on: 25 ms frames every 10 ms, DC offset removed, pre-emphasis
0.97, Povey window, power spectrum of a 512-point FFT, Mel bands from 20 Hz
to the Nyquist frequency, natural log; no dither. Matches
torchaudio.compliance.kaldi.fbank with those options.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

SAMPLE_RATE = 16000
FRAME = 400
SHIFT = 160
FFT = 512


def _mel(f):
    return 1127.0 * np.log(1.0 + np.asarray(f) / 700.0)


@lru_cache(maxsize=4)
def mel_banks(bands: int = 80, low: float = 20.0, high: float = 0.0) -> np.ndarray:
    high = high if high > 0 else SAMPLE_RATE / 2 + high
    m_low, m_high = _mel(low), _mel(high)
    delta = (m_high - m_low) / (bands + 1)
    mel = _mel(SAMPLE_RATE / FFT * np.arange(FFT // 2))
    left = m_low + np.arange(bands)[:, None] * delta
    center, right = left + delta, left + 2 * delta
    up = (mel - left) / (center - left)
    down = (right - mel) / (right - center)
    banks = np.maximum(0.0, np.minimum(up, down))
    return np.pad(banks, ((0, 0), (0, 1))).T.astype(np.float32)  # (257, bands)


@lru_cache(maxsize=2)
def _window(kind: str = "povey") -> np.ndarray:
    n = np.arange(FRAME)
    if kind == "hamming":  # WeSpeaker's models
        return (0.54 - 0.46 * np.cos(2 * np.pi * n / (FRAME - 1))).astype(np.float32)
    return (np.power(0.5 - 0.5 * np.cos(2 * np.pi * n / (FRAME - 1)), 0.85)).astype(np.float32)


def frame_count(samples: int) -> int:
    return 0 if samples < FRAME else 1 + (samples - FRAME) // SHIFT


def fbank(samples: np.ndarray, bands: int = 80, window: str = "povey") -> np.ndarray:
    """samples: mono float audio at 16 kHz -> (frames, bands) log Mel energies."""
    x = np.asarray(samples, dtype=np.float32)
    n = frame_count(len(x))
    if n == 0:
        return np.zeros((0, bands), dtype=np.float32)
    idx = np.arange(FRAME)[None, :] + SHIFT * np.arange(n)[:, None]
    frames = x[idx].astype(np.float64)
    frames -= frames.mean(axis=1, keepdims=True)
    frames[:, 1:] -= 0.97 * frames[:, :-1].copy()
    frames[:, 0] -= 0.97 * frames[:, 0]
    frames *= _window(window)
    power = np.abs(np.fft.rfft(frames, FFT, axis=1)) ** 2
    # in float64, then float32: a float32 product rounds differently with the BLAS library's thread count, and a
    # recording processed on a worker (one thread) must give the same speakers file as in one process
    energies = (power @ mel_banks(bands).astype(np.float64)).astype(np.float32)
    return np.log(np.maximum(energies, np.finfo(np.float32).eps))
