"""Find ffmpeg, probe recordings, choose an audio track and decode it as a stream.

Decoding yields fixed-size blocks of 16 kHz mono float32 audio, so memory
stays flat however long the recording is.
"""

from __future__ import annotations

import gc
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from accessmedia.core.clock import clock
from accessmedia.core.errors import AccessMediaError

SAMPLE_RATE = 16000


def ffmpeg_exe() -> str:
    """The system ffmpeg where present, else the one in the imageio-ffmpeg wheel."""
    found = os.environ.get("ACCESSMEDIA_FFMPEG") or shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception as exc:  # the wheel has no binary for this platform
        raise AccessMediaError(
            "ffmpeg not found", "install it (apt-get install ffmpeg) or `pip install imageio-ffmpeg`"
        ) from exc


@dataclass(frozen=True)
class AudioTrack:
    number: int  # 1-based, counting audio streams only, as users see them
    stream_index: int  # index among all streams of the container
    codec: str
    channels: int
    sample_rate: int
    language: str | None
    title: str | None
    default: bool


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration: float
    format: str
    audio: tuple[AudioTrack, ...]
    has_video: bool
    declared: float | None = None  # the length the file's header claims, when the sound ends well before it (cut off)

    def check_complete(self, accept: bool = False) -> str | None:
        """A recording cut off before the length it declares (an upload or copy that did not finish) is an
        error, or, when the user accepts it, a warning; `duration` is then the length that is there."""
        if self.declared is None:
            return None
        what = (f"{self.path.name} ends at {clock(self.duration)} although it declares {clock(self.declared)}: "
                "the file is cut off")
        if not accept:
            raise AccessMediaError(what, "copy or download it again, or pass --accept-truncated to use what is there")
        return what + f"; using the {clock(self.duration)} that are there"

    def track(self, number: int | None) -> AudioTrack:
        """The requested audio track, or the default one (disposition default, else the first)."""
        if not self.audio:
            raise AccessMediaError(
                f"{self.path.name} has no audio stream", "pass a recording with sound"
            )
        if number is None:
            return next((t for t in self.audio if t.default), self.audio[0])
        for t in self.audio:
            if t.number == number:
                return t
        listing = "; ".join(_describe(t) for t in self.audio)
        raise AccessMediaError(
            f"{self.path.name} has no audio track {number}",
            f"choose --audio-track from: {listing}",
        )


def _describe(t: AudioTrack) -> str:
    extra = " ".join(x for x in (t.language, t.title) if x)
    return f"{t.number}={t.codec} {t.channels}ch{' ' + extra if extra else ''}"


def _open(path: Path):
    import av

    if not path.exists():
        raise AccessMediaError(f"{path}: no such file", "check the path")
    if path.is_dir():
        raise AccessMediaError(f"{path} is a folder, not a recording", "pass a media file")
    if path.stat().st_size == 0:
        raise AccessMediaError(f"{path} is empty (0 bytes)", "pass the complete recording")
    try:
        return av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AccessMediaError(
            f"{path.name} is not a recording ffmpeg can read ({type(exc).__name__})",
            "check that the file is a complete audio or video file",
        ) from exc


def probe(path: str | os.PathLike) -> MediaInfo:
    path = Path(path)
    with _open(path) as container:
        tracks = []
        for number, stream in enumerate(container.streams.audio, start=1):
            ctx = stream.codec_context
            meta = stream.metadata or {}
            tracks.append(
                AudioTrack(
                    number=number,
                    stream_index=stream.index,
                    codec=ctx.name if ctx else "unknown",
                    channels=getattr(ctx, "channels", 0) or 0,
                    sample_rate=getattr(ctx, "sample_rate", 0) or 0,
                    language=meta.get("language"),
                    title=meta.get("title") or meta.get("handler_name"),
                    default=bool(stream.disposition & 1) if hasattr(stream, "disposition") else False,
                )
            )
        duration = container.duration / 1_000_000 if container.duration else 0.0
        if not duration:
            for s in container.streams.audio:
                if s.duration and s.time_base:
                    duration = max(duration, float(s.duration * s.time_base))
        has_video = any(s.codec_context is not None for s in container.streams.video)
        cut_at = _cut_at(container, duration) if tracks else None
        if cut_at is not None:
            return MediaInfo(path, cut_at, container.format.name, tuple(tracks), has_video, duration)
        return MediaInfo(path, duration, container.format.name, tuple(tracks), has_video)


def _cut_at(container, declared: float) -> float | None:
    """Where the first audio stream's packets really end, if well before the declared length: a file
    cut off in an upload or copy still declares its full length in its header. Cheap for a complete file
    (one seek near the end); a cut one is read through to find its end."""
    import av

    stream = container.streams.audio[0]
    if stream.duration and stream.time_base:
        declared = float(stream.duration * stream.time_base)
    if declared <= 0:
        return None
    slack = max(2.0, 0.02 * declared)

    def ends(packets) -> float:
        last = 0.0
        try:
            for packet in packets:
                if packet.pts is not None:
                    last = max(last, float((packet.pts + (packet.duration or 0)) * stream.time_base))
                    if last >= declared - slack:
                        break
        except av.error.FFmpegError:  # damaged data: the sound ends where the readable packets do
            pass
        return last

    try:
        container.seek(int(max(0.0, declared - 2 * slack) / stream.time_base), stream=stream)
        if ends(container.demux(stream)) >= declared - slack:
            return None
        container.seek(0, stream=stream)
    except av.error.FFmpegError:
        pass
    end = ends(container.demux(stream))
    return round(end, 3) if end < declared - slack else None


def decode_blocks(
    path: str | os.PathLike, track: AudioTrack, block_seconds: float = 30.0
) -> Iterator[np.ndarray]:
    """Yield consecutive blocks of 16 kHz mono float32 audio from one audio track.

    Every block but the last holds exactly `block_seconds` of audio. Frames the
    decoder cannot read are skipped, as players do.
    """
    import av

    block_len = int(block_seconds * SAMPLE_RATE)
    pending: list[np.ndarray] = []
    pending_len = 0
    resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    decoded_any = False
    with _open(Path(path)) as container:
        stream = container.streams[track.stream_index]
        stream.thread_type = "AUTO"
        frames = container.decode(stream)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except av.error.InvalidDataError:
                continue
            except av.error.FFmpegError as exc:
                if decoded_any:
                    break  # a truncated recording: keep what was readable
                raise AccessMediaError(
                    f"cannot decode audio of {Path(path).name}: {exc}", "check the file"
                ) from exc
            decoded_any = True
            for out in resampler.resample(frame):
                chunk = out.to_ndarray().reshape(-1)
                pending.append(chunk)
                pending_len += chunk.shape[0]
                while pending_len >= block_len:
                    joined = np.concatenate(pending)
                    yield joined[:block_len].astype(np.float32) / 32768.0
                    rest = joined[block_len:]
                    pending, pending_len = ([rest], rest.shape[0]) if rest.size else ([], 0)
        for out in resampler.resample(None):
            chunk = out.to_ndarray().reshape(-1)
            pending.append(chunk)
            pending_len += chunk.shape[0]
    del resampler
    gc.collect()  # PyAV's resampler holds native buffers until collected
    if pending_len:
        joined = np.concatenate(pending)
        for i in range(0, joined.shape[0], block_len):
            yield joined[i : i + block_len].astype(np.float32) / 32768.0
