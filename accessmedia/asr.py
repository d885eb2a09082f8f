"""Speech recognition: a recording in, word-timed segments out (faster-whisper).

The audio is decoded as a stream and handled in blocks cut at pauses, so
memory stays flat for an 8-hour recording. Within a block, voice activity
detection keeps only speech; Whisper decodes the speech without word
timestamps (its seeking is more accurate that way) and the words are then
aligned to the audio with Whisper's cross-attention, window by window.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from . import guards, languages, media
from .errors import AccessMediaError
from .models import InstalledModel, resolve_asr_model
from .transcript import Removal, Segment, Transcript, Word

SR = media.SAMPLE_RATE
WINDOW_FRAMES = 3000  # Whisper sees 30 s at a time, 100 mel frames a second


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
    block_seconds: float = 600.0  # audio handled at once; bounds memory

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
            buffer = buffer[cut:]
            offset += cut
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
            chunks = get_speech_timestamps(audio, VadOptions(), sampling_rate=SR)
        else:
            chunks = [{"start": 0, "end": n}] if n else []
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
        head = [c for c in chunks[:-1]] + [{"start": last["start"], "end": cut}]
        return head, cut

    def _recognize(self, audio: np.ndarray, chunks: list[dict], offset: int) -> Iterator[Segment | Removal]:
        from faster_whisper.vad import SpeechTimestampsMap

        if not chunks:
            return
        speech = np.concatenate([audio[c["start"] : c["end"]] for c in chunks])
        ts_map = SpeechTimestampsMap(chunks, SR)
        s = self.settings
        raw, _info = self.model.transcribe(
            speech,
            language=self.whisper_language,
            beam_size=s.beam_size,
            vad_filter=False,
            word_timestamps=False,
            condition_on_previous_text=False,
            hotwords=", ".join(s.glossary) if s.glossary else None,
        )
        base = offset / SR
        window: list = []
        last_speech = 0.0

        def flush() -> Iterator[Segment | Removal]:
            nonlocal last_speech
            timed, last_speech = self._align(speech, window, last_speech)
            restored = [_restore(seg, ts_map, base) for seg in timed]
            kept, removed = guards.screen(restored)
            yield from sorted([*kept, *removed], key=lambda x: x.start)

        for seg in raw:
            if window and (seg.end - window[0].start) * 100 > WINDOW_FRAMES:
                yield from flush()
                window = []
            window.append(seg)
        if window:
            yield from flush()

    def _align(self, speech: np.ndarray, window: list, last_speech: float):
        """Word timestamps for segments that fit one 30-second window (collapsed timeline)."""
        from faster_whisper.audio import pad_or_trim

        fe = self.model.feature_extractor
        seek = int(window[0].start * 100)
        start_sample = seek * fe.hop_length
        clip = speech[start_sample : start_sample + WINDOW_FRAMES * fe.hop_length]
        features = fe(clip)[..., :-1]
        num_frames = min(WINDOW_FRAMES, features.shape[-1])
        encoder_output = self.model.encode(pad_or_trim(features))
        subsegments = [
            {"seek": seek, "start": seg.start, "end": seg.end, "tokens": list(seg.tokens)} for seg in window
        ]
        last_speech = self.model.add_word_timestamps(
            [subsegments],
            self.tokenizer,
            encoder_output,
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


def _quietest(audio: np.ndarray, lo: int, hi: int) -> int:
    """The middle of the quietest 100 ms in audio[lo:hi]."""
    step = SR // 10
    lo = max(0, min(lo, hi - step))
    frames = (hi - lo) // step
    if frames <= 1:
        return hi
    energy = np.square(audio[lo : lo + frames * step].reshape(frames, step)).mean(axis=1)
    return lo + int(np.argmin(energy)) * step + step // 2


def _restore(seg: Segment, ts_map, base: float) -> Segment:
    """Map times from the speech-only timeline back to the recording's.

    A word that straddles the joint of two speech chunks is kept in the chunk
    that holds most of it and clipped to that chunk, so it never spans the
    silence that VAD cut out.
    """
    ends = [e / SR for e in ts_map.chunk_end_sample]
    words = []
    for w in seg.words:
        first = ts_map.get_chunk_index(w.start)
        last = ts_map.get_chunk_index(w.end, is_end=True)
        start, end = w.start, w.end
        if last > first:
            joint = ends[first]
            if joint - start >= end - joint:
                index, end = first, joint
            else:
                index, start = last, ends[last - 1]
        else:
            index = first
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
    started = time.monotonic()
    segments: list[Segment] = []
    removed: list[Removal] = []
    for item in recognizer.segments(path, info, progress):
        (segments if isinstance(item, Segment) else removed).append(item)
    settings_record = asdict(recognizer.settings)
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
            "seconds_taken": round(time.monotonic() - started, 2),
        },
        removed=tuple(removed),
    )
