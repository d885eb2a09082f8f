"""Speech recognition: a recording in, word-timed segments out (faster-whisper).

The audio is decoded as a stream and handled in blocks cut at pauses, so
memory stays flat for an 8-hour recording. Within a block, voice activity
detection keeps only speech; Whisper decodes the speech without word
timestamps (its seeking is more accurate that way) and the words are then
aligned to the audio with Whisper's cross-attention, window by window.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from accessmedia.recognition import guards
from accessmedia.core import languages
from accessmedia.core import media
from accessmedia.core.memory import give_back_memory
from accessmedia.recognition.timing import frame_loudness, pad, quietest, restore, snap_to_voice, speech_edges
from accessmedia.core.errors import AccessMediaError
from accessmedia.models.catalog import InstalledModel, resolve_asr_model
from accessmedia.recognition.settings import Decoding, ModelLoad
from accessmedia.core.transcript import Removal, Segment, Transcript, Word
from accessmedia.recognition.whisper_fixes import deterministic_fallback, stable_features

SR = media.SAMPLE_RATE
WINDOW_FRAMES = 3000  # Whisper sees 30 s at a time, 100 mel frames a second
VAD_PIECE = 120  # seconds of audio per voice-activity call


@dataclass
class Progress:
    """What `transcribe` reports as it goes: seconds of audio done out of the total."""

    done: float = 0.0
    total: float = 0.0
    stage: str = "transcribing"
    messages: list[str] = field(default_factory=list)


ProgressFn = Callable[[Progress], None]


class Recognizer:
    """A loaded speech model for one language. Load once, transcribe many recordings: how each is
    decoded (`Decoding`) comes with each call, so a loaded model never changes."""

    def __init__(self, load: ModelLoad = ModelLoad(), language: str = "nb", note: Callable[[str], None] | None = None):
        from faster_whisper import WhisperModel

        self.load = load
        self.language = languages.normalize(language)
        self.installed: InstalledModel = resolve_asr_model(load.model, note)
        threads = load.threads or os.cpu_count() or 1
        try:
            self.model = WhisperModel(
                str(self.installed.path),
                device=load.device,
                compute_type=load.resolved_compute_type(),
                cpu_threads=threads,
            )
        except (RuntimeError, ValueError) as exc:
            hint = "use --device cpu" if load.device != "cpu" else "reinstall the model with `accessmedia models install`"
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
        self.model.generate_with_fallback = deterministic_fallback(self.model.generate_with_fallback)
        stable_features(self.model.feature_extractor)

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
        self, path: str | os.PathLike, info: media.MediaInfo, decode: Decoding = Decoding(), progress: ProgressFn | None = None
    ) -> Iterator[Segment | Removal]:
        """Yield segments (and removals by the guards) in time order, lazily."""
        track = info.track(decode.audio_track)
        state = Progress(total=info.duration)
        buffer = np.zeros(0, dtype=np.float32)
        offset = 0  # sample index of buffer[0] in the recording
        block_len = int(decode.block_seconds * SR)
        blocks = media.decode_blocks(path, track, block_seconds=min(30.0, decode.block_seconds))
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
            chunks, cut = self._speech_chunks(buffer, finished, decode.vad)
            for item in self._recognize(buffer, chunks, offset, decode):
                if isinstance(item, Segment):
                    state.done = max(state.done, item.end)
                    if progress:
                        progress(state)
                yield item
            buffer = buffer[cut:].copy()  # a view would keep the whole block alive
            offset += cut
            give_back_memory()
            state.done = max(state.done, offset / SR)
            if progress:
                progress(state)

    def _speech_chunks(self, audio: np.ndarray, final: bool, vad: bool) -> tuple[list[dict], int]:
        """Speech chunks to recognise now, and the sample where the next block starts.

        Unless this is the last block, speech that runs into the block's end is
        left for the next block; the cut falls in a pause, or, in speech that
        never pauses, at the quietest moment of the last 30 seconds.
        """
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        n = audio.shape[0]
        if vad:
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
            chunks = pad(raw, int(SR * options.speech_pad_ms / 1000), n)
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
        cut = quietest(audio, max(last["start"] + SR, n - 30 * SR), n)
        head = chunks[:-1] + [{**last, "end": cut, "offset": min(last["offset"], cut)}]
        return head, cut

    def _recognize(self, audio: np.ndarray, chunks: list[dict], offset: int, decode: Decoding) -> Iterator[Segment | Removal]:
        from faster_whisper.vad import SpeechTimestampsMap

        if not chunks:
            return
        speech = np.concatenate([audio[c["start"] : c["end"]] for c in chunks])
        ts_map = SpeechTimestampsMap(chunks, SR)
        edges = speech_edges(chunks)
        loudness = frame_loudness(audio)
        raw, _info = self.model.transcribe(
            speech,
            language=self.whisper_language,
            beam_size=decode.beam_size,
            vad_filter=False,
            word_timestamps=False,
            condition_on_previous_text=False,
            hotwords=", ".join(decode.hotwords) if decode.hotwords else None,
            temperature=0.0,  # no sampling: see whisper_fixes.deterministic_fallback
        )
        base = offset / SR
        frames = (speech.shape[0] + self.model.feature_extractor.hop_length) // self.model.feature_extractor.hop_length
        last_speech = 0.0
        window: list = []
        encoded = None

        def flush() -> Iterator[Segment | Removal]:
            nonlocal last_speech
            timed, last_speech = self._align(window, encoded, min(WINDOW_FRAMES, frames - window[0].seek), last_speech)
            restored = [restore(seg, ts_map, edges, base) for seg in timed]
            restored = snap_to_voice(restored, loudness, base)
            kept, removed = guards.screen(restored, base + audio.shape[0] / SR)
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


def settings_record(recognizer: Recognizer, decode: Decoding) -> dict:
    """What made a transcript's words. Threads, device and block size change the speed only, and are left
    out, so that the same recording gives the same transcript file on any worker."""
    return {
        "model": recognizer.load.model,
        "language": recognizer.language,
        "beam_size": decode.beam_size,
        "compute_type": recognizer.load.resolved_compute_type(),
        "vad": decode.vad,
        "audio_track": decode.audio_track,
        "glossary": list(decode.hotwords),
        "block_seconds": decode.block_seconds,
    }


def transcribe(
    path: str | os.PathLike,
    recognizer: Recognizer,
    decode: Decoding = Decoding(),
    progress: ProgressFn | None = None,
    info: media.MediaInfo | None = None,
) -> Transcript:
    """Transcribe one recording into a word-level Transcript."""
    info = info or media.probe(path)
    segments: list[Segment] = []
    removed: list[Removal] = []
    for item in recognizer.segments(path, info, decode, progress):
        (segments if isinstance(item, Segment) else removed).append(item)
    track = info.track(decode.audio_track)
    return Transcript(
        language=recognizer.language,
        duration=info.duration,
        segments=tuple(segments),
        model=recognizer.model_info(),
        settings=settings_record(recognizer, decode),
        source={
            "file": Path(path).name,
            "audio_track": track.number,
        },
        removed=tuple(removed),
    )
