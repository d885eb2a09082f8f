"""Speech recognition: a recording in, word-timed segments out (faster-whisper).

The audio is decoded as a stream and handled in blocks cut at pauses, so
memory stays flat for an 8-hour recording. Within a block, voice activity
detection keeps only speech; Whisper decodes the speech without word
timestamps (its seeking is more accurate that way) and the words are then
aligned to the audio with Whisper's cross-attention, window by window.
"""

from __future__ import annotations

import gc
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from . import guards, languages, media
from .errors import AccessMediaError
from .models import InstalledModel, resolve_asr_model
from .transcript import Removal, Segment, Transcript, Word

SR = media.SAMPLE_RATE
WINDOW_FRAMES = 3000  # Whisper sees 30 s at a time, 100 mel frames a second
VAD_PIECE = 120  # seconds of audio per voice-activity call


@dataclass(frozen=True)
class AsrSettings:
    model: str | None = None  # catalogue name, installed name or folder; None = the default
    language: str = "nb"
    beam_size: int = 5
    device: str = "cpu"
    compute_type: str = "default"  # int8 on CPU, float16 on CUDA
    cpu_threads: int = 0  # 0 = every core
    vad: bool = True
    audio_track: int | None = None  # 1-based; None = the default track
    glossary: tuple[str, ...] = ()
    block_seconds: float = 300.0  # audio handled at once: bounds memory; each block ends in a part-filled window (speed)

    def resolved_compute_type(self) -> str:
        if self.compute_type != "default":
            return self.compute_type
        return "float16" if self.device == "cuda" else "int8"


@dataclass
class Progress:
    """What `transcribe` reports as it goes: seconds of audio done out of the total."""

    done: float = 0.0
    total: float = 0.0
    stage: str = "transcribing"
    messages: list[str] = field(default_factory=list)


ProgressFn = Callable[[Progress], None]


def _stable_features(extractor) -> None:
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


def _deterministic_fallback(generate):
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


class Recognizer:
    """A loaded speech model. Load once, transcribe many recordings."""

    def __init__(self, settings: AsrSettings, note: Callable[[str], None] | None = None):
        from faster_whisper import WhisperModel

        self.settings = settings
        self.language = languages.normalize(settings.language)
        self.installed: InstalledModel = resolve_asr_model(settings.model, note)
        threads = settings.cpu_threads or os.cpu_count() or 1
        try:
            self.model = WhisperModel(
                str(self.installed.path),
                device=settings.device,
                compute_type=settings.resolved_compute_type(),
                cpu_threads=threads,
            )
        except (RuntimeError, ValueError) as exc:
            hint = "use --device cpu" if settings.device != "cpu" else "reinstall the model with `accessmedia models install`"
            raise AccessMediaError(f"cannot load speech model '{self.installed.name}': {exc}", hint) from exc
        self.whisper_language = languages.to_whisper(self.language)
        if self.whisper_language not in self.model.supported_languages:
            raise AccessMediaError(
                f"speech model '{self.installed.name}' does not know language '{self.language}'",
                "choose a language the model was trained on, e.g. nb, nn or en",
            )
        from faster_whisper.tokenizer import Tokenizer

        # Keep the encoder output of the window being decoded, so word alignment
        # reuses it instead of encoding the audio a second time.
        self._encoded = None
        encode = self.model.encode

        def remember(features):
            self._encoded = encode(features)
            return self._encoded

        self.model.encode = remember
        self.model.generate_with_fallback = _deterministic_fallback(self.model.generate_with_fallback)
        _stable_features(self.model.feature_extractor)

        self.tokenizer = Tokenizer(
            self.model.hf_tokenizer, self.model.model.is_multilingual, task="transcribe", language=self.whisper_language
        )

    def model_info(self) -> dict:
        return {
            "name": self.installed.name,
            "source": self.installed.source,
            "sha256": self.installed.sha256,
            "engine": "faster-whisper",
        }

    # -- the stream -----------------------------------------------------

    def segments(
        self, path: str | os.PathLike, info: media.MediaInfo, progress: ProgressFn | None = None
    ) -> Iterator[Segment | Removal]:
        """Yield segments (and removals by the guards) in time order, lazily."""
        track = info.track(self.settings.audio_track)
        state = Progress(total=info.duration)
        buffer = np.zeros(0, dtype=np.float32)
        offset = 0  # sample index of buffer[0] in the recording
        block_len = int(self.settings.block_seconds * SR)
        blocks = media.decode_blocks(path, track, block_seconds=min(30.0, self.settings.block_seconds))
        finished = False
        while not finished:
            pieces = [buffer]
            have = buffer.shape[0]
            while have < block_len:
                block = next(blocks, None)
                if block is None:
                    finished = True
                    break
                pieces.append(block)
                have += block.shape[0]
            buffer = np.concatenate(pieces)
            del pieces
            if buffer.size == 0:
                break
            chunks, cut = self._speech_chunks(buffer, finished)
            for item in self._recognize(buffer, chunks, offset):
                if isinstance(item, Segment):
                    state.done = max(state.done, item.end)
                    if progress:
                        progress(state)
                yield item
            buffer = buffer[cut:].copy()  # a view would keep the whole block alive
            offset += cut
            _give_back_memory()
            state.done = max(state.done, offset / SR)
            if progress:
                progress(state)

    def _speech_chunks(self, audio: np.ndarray, final: bool) -> tuple[list[dict], int]:
        """Speech chunks to recognise now, and the sample where the next block starts.

        Unless this is the last block, speech that runs into the block's end is
        left for the next block; the cut falls in a pause, or, in speech that
        never pauses, at the quietest moment of the last 30 seconds.
        """
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        n = audio.shape[0]
        if self.settings.vad:
            options = VadOptions()
            unpadded = replace(options, speech_pad_ms=0)
            min_silence = SR * options.min_silence_duration_ms // 1000
            raw: list[dict] = []
            # Silero runs a whole call in one batch whose activations grow with its length:
            # pieces of VAD_PIECE seconds bound that, and speech across a seam is joined again.
            for lo in range(0, n, VAD_PIECE * SR):
                for c in get_speech_timestamps(audio[lo : lo + VAD_PIECE * SR], unpadded, sampling_rate=SR):
                    start, end = c["start"] + lo, c["end"] + lo
                    if raw and start - raw[-1]["end"] < min_silence:
                        raw[-1]["end"] = end
                    else:
                        raw.append({"start": start, "end": end})
            chunks = _pad(raw, int(SR * options.speech_pad_ms / 1000), n)
        else:
            chunks = [{"start": 0, "end": n, "onset": 0, "offset": n}] if n else []
        if final:
            return chunks, n
        if not chunks:
            keep = min(n, SR)  # a second of context for speech starting at the edge
            return [], n - keep
        last = chunks[-1]
        if last["end"] < n - SR // 2:
            return chunks, last["end"] + (n - last["end"]) // 2
        if len(chunks) >= 2 and last["start"] > n // 2:
            cut = (chunks[-2]["end"] + last["start"]) // 2
            return chunks[:-1], cut
        cut = _quietest(audio, max(last["start"] + SR, n - 30 * SR), n)
        head = chunks[:-1] + [{**last, "end": cut, "offset": min(last["offset"], cut)}]
        return head, cut

    def _recognize(self, audio: np.ndarray, chunks: list[dict], offset: int) -> Iterator[Segment | Removal]:
        from faster_whisper.vad import SpeechTimestampsMap

        if not chunks:
            return
        speech = np.concatenate([audio[c["start"] : c["end"]] for c in chunks])
        ts_map = SpeechTimestampsMap(chunks, SR)
        edges = _speech_edges(chunks)
        loudness = frame_loudness(audio)
        s = self.settings
        raw, _info = self.model.transcribe(
            speech,
            language=self.whisper_language,
            beam_size=s.beam_size,
            vad_filter=False,
            word_timestamps=False,
            condition_on_previous_text=False,
            hotwords=", ".join(s.glossary) if s.glossary else None,
            temperature=0.0,  # no sampling: see _deterministic_fallback
        )
        base = offset / SR
        frames = (speech.shape[0] + self.model.feature_extractor.hop_length) // self.model.feature_extractor.hop_length
        last_speech = 0.0
        window: list = []
        encoded = None

        def flush() -> Iterator[Segment | Removal]:
            nonlocal last_speech
            timed, last_speech = self._align(window, encoded, min(WINDOW_FRAMES, frames - window[0].seek), last_speech)
            restored = [_restore(seg, ts_map, edges, base) for seg in timed]
            restored = snap_to_voice(restored, loudness, base)
            kept, removed = guards.screen(restored)
            yield from sorted([*kept, *removed], key=lambda x: x.start)

        # faster-whisper encodes a window, then yields its segments, all with the window's seek
        for seg in raw:
            if not window or seg.seek != window[0].seek:
                if window:
                    yield from flush()
                window, encoded = [], self._encoded
            window.append(seg)
        if window:
            yield from flush()

    def _align(self, window: list, encoded, num_frames: int, last_speech: float):
        """Word timestamps for the segments of one decoded window (speech-only timeline)."""
        subsegments = [
            {"seek": seg.seek, "start": seg.start, "end": seg.end, "tokens": list(seg.tokens)} for seg in window
        ]
        last_speech = self.model.add_word_timestamps(
            [subsegments],
            self.tokenizer,
            encoded,
            num_frames,
            "\"'“¿([{-",
            "\"'.。,，!！?？:：”)]}、",
            last_speech,
        )
        timed = []
        for seg, sub in zip(window, subsegments):
            words = tuple(
                Word(w["word"].strip(), w["start"], w["end"], float(w["probability"]))
                for w in sub.get("words", [])
                if w["word"].strip()
            )
            timed.append(
                Segment(
                    start=sub["start"],
                    end=sub["end"],
                    text=" ".join(w.text for w in words) or seg.text.strip(),
                    words=words,
                    avg_logprob=seg.avg_logprob,
                    no_speech_prob=seg.no_speech_prob,
                    compression_ratio=seg.compression_ratio,
                )
            )
        return timed, last_speech


def _give_back_memory() -> None:
    """Return freed heap to the system between blocks, so a long recording's footprint stays flat.

    Blocks allocate and free large, differently sized arrays; glibc keeps the
    freed pages unless asked, and the process would creep upward for hours.
    """
    gc.collect()
    if _libc is not None:
        _libc.malloc_trim(0)


def _load_libc():
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") else None  # glibc only


_libc = _load_libc()


def _quietest(audio: np.ndarray, lo: int, hi: int) -> int:
    """The middle of the quietest 100 ms in audio[lo:hi]."""
    step = SR // 10
    lo = max(0, min(lo, hi - step))
    frames = (hi - lo) // step
    if frames <= 1:
        return hi
    energy = np.square(audio[lo : lo + frames * step].reshape(frames, step)).mean(axis=1)
    return lo + int(np.argmin(energy)) * step + step // 2


FRAME = SR // 100  # 10 ms
PAUSE = 0.3  # seconds of silence before or after a word that make its edge worth checking
VOICE_DROP_DB = 25.0  # a frame this far below the word's loudest is not yet (or no longer) the word


def frame_loudness(audio: np.ndarray) -> np.ndarray:
    """Loudness in dB of each 10 ms frame."""
    frames = audio[: audio.shape[0] // FRAME * FRAME].reshape(-1, FRAME)
    return 10 * np.log10(np.square(frames, dtype=np.float32).mean(axis=1) + 1e-10)


def _quiet_runs(quiet: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True in `quiet`."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def snap_to_voice(segments: list[Segment], loudness: np.ndarray, base: float) -> list[Segment]:
    """Move word edges next to pauses onto the voice.

    Cross-attention alignment is vague at pauses: the first word after one
    often starts in the silence, or the alignment gives the whole pause to a
    word. A pause is silence between the voice of two words, wherever the
    alignment put it: in the gap between their spans, or inside a span as
    frames far quieter than the word's loudest. The word's start moves past a
    pause before its loudest frame, its end back before a pause after it; a
    word never shrinks below 50 ms.
    """
    out = []
    previous_end = -1.0
    all_words = [w for s in segments for w in s.words]
    following = {id(w): (all_words[k + 1].start if k + 1 < len(all_words) else None) for k, w in enumerate(all_words)}
    for seg in segments:
        words = []
        for w in seg.words:
            lo, hi = int(round((w.start - base) * 100)), int(round((w.end - base) * 100))
            start, end = w.start, w.end
            if 0 <= lo < hi <= loudness.shape[0] and hi - lo > 5:
                span = loudness[lo:hi]
                peak = int(np.argmax(span))
                runs = _quiet_runs(span < span.max() - VOICE_DROP_DB)
                before = w.start - previous_end  # silence between this span and the one before
                nxt = following[id(w)]
                after = float("inf") if nxt is None else nxt - w.end
                cut_start, cut_end = 0, hi - lo
                for a, b in runs:
                    if b <= peak and ((b - a) / 100 >= PAUSE or (a == 0 and before + b / 100 >= PAUSE)):
                        cut_start = b
                for a, b in reversed(runs):
                    if a > peak and ((b - a) / 100 >= PAUSE or (b == hi - lo and after + (b - a) / 100 >= PAUSE)):
                        cut_end = a
                start = min(w.start + cut_start / 100, w.end - 0.05)
                end = max(w.start + cut_end / 100, start + 0.05)
            words.append(Word(w.text, round(start, 3), round(max(end, start), 3), w.probability))
            previous_end = w.end
        out.append(replace(seg, words=tuple(words), start=words[0].start, end=words[-1].end) if words else seg)
    return out


def _pad(speeches: list[dict], pad: int, n: int) -> list[dict]:
    """Pad speech chunks as faster-whisper's VAD does, remembering where speech really starts and ends."""
    chunks = [{"start": s["start"], "end": s["end"], "onset": s["start"], "offset": s["end"]} for s in speeches]
    for i, c in enumerate(chunks):
        if i == 0:
            c["start"] = max(0, c["start"] - pad)
        if i + 1 < len(chunks):
            nxt = chunks[i + 1]
            silence = nxt["start"] - c["end"]
            if silence < 2 * pad:
                c["end"] += silence // 2
                nxt["start"] = max(0, nxt["start"] - silence // 2)
            else:
                c["end"] = min(n, c["end"] + pad)
                nxt["start"] = max(0, nxt["start"] - pad)
        else:
            c["end"] = min(n, c["end"] + pad)
    return chunks


def _speech_edges(chunks: list[dict]) -> list[tuple[float, float, float, float]]:
    """Per chunk, in the speech-only timeline: (chunk start, speech onset, speech offset, chunk end)."""
    edges, t = [], 0
    for c in chunks:
        length = c["end"] - c["start"]
        edges.append(((t) / SR, (t + c["onset"] - c["start"]) / SR, (t + c["offset"] - c["start"]) / SR, (t + length) / SR))
        t += length
    return edges


def _restore(seg: Segment, ts_map, edges, base: float) -> Segment:
    """Map times from the speech-only timeline back to the recording's.

    A word that straddles the joint of two speech chunks is kept in the chunk
    that holds most of it and clipped to that chunk, so it never spans the
    silence that VAD cut out. Word alignment tends to stretch the first word
    after a pause back over the padding VAD added; VAD knows better where the
    speech starts (and ends), so words are held within it.
    """
    words = []
    for w in seg.words:
        first = ts_map.get_chunk_index(w.start)
        last = ts_map.get_chunk_index(w.end, is_end=True)
        start, end = w.start, w.end
        if last > first:
            joint = edges[first][3]
            if joint - start >= end - joint:
                index, end = first, joint
            else:
                index, start = last, edges[last][0]
        else:
            index = first
        _, onset, offset, _ = edges[index]
        if start < onset < end - 0.05:
            start = onset
        if start + 0.05 < offset < end:
            end = offset
        start = ts_map.get_original_time(start, index) + base
        end = ts_map.get_original_time(end, index) + base
        words.append(Word(w.text, round(start, 3), round(max(end, start), 3), w.probability))
    if words:
        return Segment(words[0].start, words[-1].end, seg.text, tuple(words), seg.avg_logprob, seg.no_speech_prob, seg.compression_ratio)
    start = ts_map.get_original_time(seg.start) + base
    end = ts_map.get_original_time(seg.end, is_end=True) + base
    return Segment(start, end, seg.text, (), seg.avg_logprob, seg.no_speech_prob, seg.compression_ratio)


def transcribe(
    path: str | os.PathLike,
    settings: AsrSettings = AsrSettings(),
    recognizer: Recognizer | None = None,
    progress: ProgressFn | None = None,
    info: media.MediaInfo | None = None,
) -> Transcript:
    """Transcribe one recording into a word-level Transcript."""
    info = info or media.probe(path)
    recognizer = recognizer or Recognizer(settings)
    segments: list[Segment] = []
    removed: list[Removal] = []
    for item in recognizer.segments(path, info, progress):
        (segments if isinstance(item, Segment) else removed).append(item)
    # what made these words; threads and device change the speed only, and are left out so that the
    # same recording gives the same transcript file on any worker
    settings_record = {k: v for k, v in asdict(recognizer.settings).items() if k not in ("cpu_threads", "device")}
    settings_record["compute_type"] = recognizer.settings.resolved_compute_type()
    settings_record["glossary"] = list(recognizer.settings.glossary)
    track = info.track(recognizer.settings.audio_track)
    return Transcript(
        language=recognizer.language,
        duration=info.duration,
        segments=tuple(segments),
        model=recognizer.model_info(),
        settings=settings_record,
        source={
            "file": Path(path).name,
            "audio_track": track.number,
        },
        removed=tuple(removed),
    )
