"""Two corrections to faster-whisper that make recognition deterministic: the same recording gives the
same words whatever the number of BLAS threads, on a rerun, in another worker or on a Ray node."""

from __future__ import annotations

from dataclasses import replace

import numpy as np


def stable_features(extractor) -> None:
    """Make `extractor` (faster-whisper's FeatureExtractor) project onto the Mel bands in float64.

    faster-whisper does it as one float32 matrix product, whose sums come out in the last bits
    differently with the number of BLAS threads (a 2-core machine, a worker with one thread, Ray
    setting OMP_NUM_THREADS=1); Whisper then sometimes hears a word differently. In float64, rounded
    to float32 once at the end, the features are the same whatever the threads, so the words depend
    on the recording and the settings only: resumed, parallel and distributed runs agree.
    """
    from faster_whisper.feature_extractor import FeatureExtractor

    class Float64Mel(type(extractor)):
        def __call__(self, waveform: np.ndarray, padding: int = 160, chunk_length: int | None = None) -> np.ndarray:
            if chunk_length is not None:
                self.n_samples = chunk_length * self.sampling_rate
                self.nb_max_frames = self.n_samples // self.hop_length
            waveform = np.asarray(waveform, dtype=np.float32)
            if padding:
                waveform = np.pad(waveform, (0, padding))
            window = np.hanning(self.n_fft + 1)[:-1].astype("float32")
            stft = self.stft(waveform, self.n_fft, self.hop_length, window=window, return_complex=True).astype("complex64")
            filters = self.mel_filters.astype(np.float64)
            frames = stft.shape[-1] - 1
            mel = np.empty((filters.shape[0], frames), dtype=np.float64)
            for a in range(0, frames, 6000):  # in slices: a 5-minute block stays small in float64
                power = np.abs(stft[:, a : min(a + 6000, frames)]) ** 2  # float32, as faster-whisper has it
                mel[:, a : a + 6000] = filters @ power.astype(np.float64)  # only the sum is exact
            log_spec = np.log10(np.clip(mel, a_min=1e-10, a_max=None))
            log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
            return ((log_spec + 4.0) / 4.0).astype(np.float32)

    assert isinstance(extractor, FeatureExtractor)
    extractor.__class__ = Float64Mel


def deterministic_fallback(generate):
    """Whisper's own fallback decodes a failed window again by sampling at higher temperatures: random,
    so a recording could get other words on a rerun or another worker, and resuming, caching and
    parallel runs could not promise the same subtitles. Here the fallback is deterministic: a window
    whose text loops (compression ratio over the threshold) is decoded again with repeated 3-grams
    forbidden, and the less repetitive result kept. Windows that do not loop keep their repetitions."""

    def decode(encoder_output, prompt, tokenizer, options):
        first = generate(encoder_output, prompt, tokenizer, options)
        threshold = options.compression_ratio_threshold
        if threshold is None or first[3] <= threshold or options.no_repeat_ngram_size:
            return first
        retry = generate(encoder_output, prompt, tokenizer, replace(options, no_repeat_ngram_size=3))
        return retry if retry[3] < first[3] else first

    return decode
