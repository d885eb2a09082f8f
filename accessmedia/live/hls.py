"""Live HLS: the stream's video passed through (ffmpeg's HLS muxer, no re-encode; listen.py) with one WebVTT subtitle
rendition per language, playable by hls.js and Safari while the stream runs.

Subtitle segments follow the video's: for each new video segment in DIR/live/video.m3u8, one WebVTT segment per
language with the captions over that stretch of time, and `X-TIMESTAMP-MAP` tying the segment's stream time to the
video segment's first MPEG-TS timestamp (read from the segment), so players place cues on the picture exactly, across
reconnects too (a new stretch after a gap is a discontinuity in the video playlist, and the subtitle playlists carry
the same marks, which hls.js needs to pair their segments). A caption that arrives after its
segment was written goes into the next one: players load segments well ahead of what they show (hls.js three
segments behind the live edge). Playlists are written whole and renamed into place.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from accessmedia.core import languages
from accessmedia.core.clock import clock
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.formats import compose_vtt

TS_CLOCK = 90000  # MPEG-TS timestamps tick at 90 kHz


@dataclass
class _Segment:
    name: str
    duration: float
    discontinuity: bool
    local: float  # stream time of its start
    pts: int  # its first MPEG-TS timestamp


@dataclass
class LiveHLS:
    folder: Path  # DIR/live
    languages: Sequence[str]
    segments: list[_Segment] = field(default_factory=list)
    pending: dict[str, list[Cue]] = field(default_factory=dict)  # captions not yet in a segment, per language
    stretch: float = 0.0  # stream time where the current stretch of input began
    stretch_start: int = 0  # the index of its first segment
    has_video: bool | None = None
    _seen: tuple = ()  # the video playlist's (mtime, size) when last read
    _known: list = field(default_factory=list)  # its segments then
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def video_playlist(self) -> Path:
        return Path(self.folder) / "video.m3u8"

    def begin(self, at: float) -> None:
        """A stretch of input begins at stream time `at` (the first audio, and after each gap): the segments of the
        stretch before are placed first."""
        self.poll()
        with self._lock:
            self.stretch, self.stretch_start = at, len(self.segments)

    def add(self, lang: str, cue: Cue) -> None:
        with self._lock:
            self.pending.setdefault(lang, []).append(cue)

    def poll(self) -> int:
        """Write the subtitle segments of the video segments that appeared since the last poll; their number."""
        with self._lock:
            known = self._video_segments()
            for seg, (_name, _duration, disc) in zip(self.segments, known):
                seg.discontinuity = disc  # the video playlist's own marks (ffmpeg may add one at its start)
            fresh = known[len(self.segments):]
            for name, duration, disc in fresh:
                first = self._first_pts(Path(self.folder) / name)
                if first is None:
                    break  # not readable yet: next time
                in_stretch = self.segments[self.stretch_start:]
                local = self.stretch + sum(s.duration for s in in_stretch)
                seg = _Segment(name, duration, disc, local, first)
                self.segments.append(seg)
                for lang in self.languages:
                    self._write_vtt(lang, len(self.segments) - 1, seg)
            if fresh:
                self._write_playlists(ended=False)
                self._write_master()
            return len(fresh)

    def finish(self) -> None:
        self.poll()
        with self._lock:
            if self.segments:
                self._write_playlists(ended=True)

    def _video_segments(self) -> list[tuple[str, float, bool]]:
        """The video playlist's segments (name, duration, discontinuity), read again only when ffmpeg has rewritten it:
        poll() runs every half second, and a day's playlist holds thousands of segments."""
        try:
            info = self.video_playlist.stat()
            if (info.st_mtime_ns, info.st_size) == self._seen:
                return self._known
            text = self.video_playlist.read_text(encoding="utf-8")
        except OSError:
            return []
        import m3u8

        self._seen = (info.st_mtime_ns, info.st_size)
        self._known = [(s.uri, float(s.duration), bool(s.discontinuity)) for s in m3u8.loads(text).segments]
        return self._known

    def _first_pts(self, path: Path) -> int | None:
        import av

        try:
            with av.open(str(path)) as container:
                if self.has_video is None:
                    self.has_video = bool(container.streams.video)
                for packet in container.demux():
                    if packet.pts is not None:
                        return round(packet.pts * packet.time_base * TS_CLOCK)
        except (av.error.FFmpegError, OSError):
            return None
        return None

    def _write_vtt(self, lang: str, n: int, seg: _Segment) -> None:
        end = seg.local + seg.duration
        waiting = self.pending.get(lang, [])
        now = [c for c in waiting if c.start < end]  # over this segment, or late for an earlier one
        self.pending[lang] = [c for c in waiting if c.end > end]  # what goes on past it is repeated in the next
        header = f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{seg.pts},LOCAL:{clock(seg.local, millis='.')}\n"
        _atomic(Path(self.folder) / f"subs_{lang}_{n:05d}.vtt", header + compose_vtt(now)[len("WEBVTT\n"):])

    def _write_playlists(self, ended: bool) -> None:
        target = max(1, round(max(s.duration for s in self.segments) + 0.5))
        for lang in self.languages:
            lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}", "#EXT-X-MEDIA-SEQUENCE:0"]
            for n, seg in enumerate(self.segments):
                if seg.discontinuity:
                    lines.append("#EXT-X-DISCONTINUITY")
                lines += [f"#EXTINF:{seg.duration:.3f},", f"subs_{lang}_{n:05d}.vtt"]
            if ended:
                lines.append("#EXT-X-ENDLIST")
            _atomic(Path(self.folder) / f"subs_{lang}.m3u8", "\n".join(lines) + "\n")

    def _write_master(self) -> None:
        if not self.has_video:
            return
        lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
        for n, lang in enumerate(self.languages):
            name = languages.native_name(lang)
            lines.append(f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="{name}",LANGUAGE="{lang}",'
                         f'DEFAULT={"YES" if n == 0 else "NO"},AUTOSELECT=YES,FORCED=NO,URI="subs_{lang}.m3u8"')
        lines += ['#EXT-X-STREAM-INF:BANDWIDTH=5000000,SUBTITLES="subs"', "video.m3u8"]
        _atomic(Path(self.folder) / "master.m3u8", "\n".join(lines) + "\n")


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
