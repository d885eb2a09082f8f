"""A live input read as it arrives: ffmpeg opens anything it can read as a live source (srt://, rtmp:// listening,
udp://, an HLS address, a capture device, a file read at its own speed with `realtime`) and gives 16 kHz mono audio,
while a copy of everything it receives (video too) is kept as the session's recording, and the video is passed
through to live HLS segments (hls.py writes the subtitle renditions). An input that drops is opened
again with a growing wait; a file that ends is the end.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from accessmedia.core import media

SR = 16000
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds before each new try; then every 8 s


@dataclass(frozen=True)
class Audio:
    samples: np.ndarray
    gap: bool = False  # the input dropped before this audio: it does not follow on
    arrived: float = 0.0  # time.time() when it was read (a backlog is decoded later than it came)


DEVICES = ("alsa", "pulse", "jack", "v4l2", "avfoundation", "dshow")  # capture devices written KIND:NAME (pulse:default)


def device(url: str) -> tuple[str, str] | None:
    """A capture device written as KIND:NAME (alsa:hw:1, pulse:default): (ffmpeg's input format, the device's name)."""
    kind, sep, name = url.partition(":")
    return (kind, name or "default") if sep and kind in DEVICES and not name.startswith("//") else None


def is_file(url: str) -> bool:
    return ("://" not in url or url.startswith("file:")) and device(url) is None


def is_listener(url: str, options: Sequence[str]) -> bool:
    """An input that waits for a sender (UDP, SRT listener, RTMP with -listen): opened again at once after a drop,
    since nobody is hammered by it; a caller (HLS, SRT caller, RTMP pull) waits longer after each failed try."""
    return url.startswith("udp://") or "mode=listener" in url or "-listen" in options or device(url) is not None


def parts_kept(recording: Path) -> list[Path]:
    """The parts of NAME.live.mkv on disk (named as next_part names them), in order: NAME.live-0.mkv, NAME.live.mkv,
    NAME.live-2.mkv ..."""
    stem = recording.name[:-len(".live.mkv")]

    def number(path: Path) -> int:
        tail = path.name[len(stem) + len(".live"):-len(".mkv")]
        return int(tail[1:]) if tail[1:].isdigit() else 1
    return sorted(recording.parent.glob(f"{stem}.live*.mkv"), key=number)


@dataclass
class Source:
    url: str
    recording: Path  # the copy of what arrives: NAME.live.mkv (NAME.live-2.mkv ... after a reconnect)
    realtime: bool = False
    input_options: Sequence[str] = ()
    seek: float = 0.0  # a file resumed after a restart starts here
    block: float = 0.25  # seconds of audio per piece read
    hls: Path | None = None  # a folder for live HLS (the video passed through), or None
    segment: float = 4.0  # seconds per HLS segment
    tries: int = 0
    parts: list[Path] = field(default_factory=list)
    stopped: bool = False
    _proc: subprocess.Popen | None = None
    _said: deque = field(default_factory=lambda: deque(maxlen=20))  # ffmpeg's last lines on stderr
    _drainer: threading.Thread | None = None
    said: int = 0  # lines ffmpeg wrote on stderr so far

    def command(self, part: Path) -> list[str]:
        cmd = [media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin"]
        if not is_file(self.url):  # a live input: at most a second probing it before the first audio comes out; not
            # -fflags nobuffer, which drops what was probed: 1.3 s lost at every (re)connection, captions and recording
            cmd += ["-probesize", "200000", "-analyzeduration", "1000000"]
        cmd += list(self.input_options)
        url = self.url
        if (found := device(self.url)) is not None:
            cmd += ["-f", found[0]]
            url = found[1]
        if self.realtime:
            cmd.append("-re")
        if self.seek and is_file(self.url):
            cmd += ["-ss", f"{self.seek:.3f}"]
        cmd += ["-i", url, "-map", "0:a:0", "-ac", "1", "-ar", str(SR), "-f", "s16le", "pipe:1",
                "-map", "0", "-c", "copy", "-flush_packets", "1",  # on disk as it comes: kill -9 loses little
                "-f", "matroska", "-y", str(part)]
        if self.hls is not None:  # the video as it came, the audio as AAC (what every HLS player plays)
            flags = "temp_file" + ("+append_list+discont_start" if len(self.parts) > 1 else "")
            cmd += ["-map", "0:v:0?", "-map", "0:a:0", "-c:v", "copy", "-c:a", "aac", "-b:a", "128k", "-f", "hls",
                    "-hls_time", f"{self.segment:g}", "-hls_list_size", "0", "-hls_flags", flags,
                    "-hls_segment_filename", str(Path(self.hls) / "video_%05d.ts"), str(Path(self.hls) / "video.m3u8")]
        return cmd

    def next_part(self) -> Path:
        """Where the next stretch of input is kept: NAME.live.mkv, then NAME.live-2.mkv ..., never over an earlier part."""
        part, number = self.recording, len(self.parts)
        while self.parts and (part in self.parts or part.exists()):
            number += 1
            name = self.recording.name
            name = (name.replace(".live.", f".live-{number}.", 1) if ".live." in name
                    else f"{self.recording.stem}-{number}{self.recording.suffix}")  # never the same name again
            part = self.recording.with_name(name)
        return part

    def pieces(self) -> Iterator[Audio]:
        """Audio as it arrives, until the input ends (a file) or `stop()`; after a drop, the first piece is a gap."""
        gap = heard = False
        while not self.stopped:
            part = self.next_part()
            self.parts.append(part)
            self._proc = subprocess.Popen(self.command(part), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            # read as it comes: a stream whose timestamps jump at each restart of the sender makes ffmpeg write an
            # error line per packet, and a full stderr pipe would stop it (the captions froze after 25 minutes)
            self._drainer = threading.Thread(target=self._drain, args=(self._proc,), daemon=True, name="live-input-errors")
            self._drainer.start()
            size = int(self.block * SR) * 2
            got_any, arrived = False, None
            while True:
                data = self._proc.stdout.read(size)
                if not data:
                    break
                got_any = heard = True
                if len(data) % 2:
                    data = data[:-1]
                # a short read is the rest of an input that ended: it came out when the input ended (after ffmpeg's
                # timeout), but was said right after the piece before it
                came = time.time() if len(data) == size or arrived is None else arrived + len(data) / 2 / SR
                arrived = came
                yield Audio(np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0, gap, came)
                gap = False
            self._proc.wait()
            if not part.exists():  # a try that opened nothing (the sender not sending yet) leaves no part
                self.parts.remove(part)
            if self.stopped or is_file(self.url):
                return
            self.tries = 0 if got_any else self.tries + 1
            time.sleep(0.1 if is_listener(self.url, self.input_options) else BACKOFF[min(self.tries, len(BACKOFF) - 1)])
            gap = heard  # a drop after audio came; not the tries before the sender started

    def _drain(self, proc: subprocess.Popen) -> None:
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace").strip()
            if line:
                self._said.append(line)
                self.said += 1

    def error(self, wait: bool = True) -> str:
        """ffmpeg's last error line, or ""."""
        if wait and self._drainer is not None:
            self._drainer.join(2.0)  # what the process wrote last, read once it ended
        return self._said[-1] if self._said else ""

    def stop(self) -> None:
        """ffmpeg asked to end, so that the recording it writes is closed properly. A first SIGTERM does not interrupt
        an input waiting for data (a UDP or SRT listener nobody sends to), a second one does; then it is killed."""
        self.stopped = True
        proc = self._proc
        for end in (proc.terminate, proc.terminate, proc.kill) if proc is not None else ():
            if proc.poll() is not None:
                return
            end()
            try:
                proc.wait(2.0)
                return
            except subprocess.TimeoutExpired:
                continue
