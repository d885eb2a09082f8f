"""Packages for publishing: HLS with subtitle renditions, and an upload bundle for YouTube and Vimeo.

HLS: video and audio are copied when they are already H.264/AAC and
transcoded otherwise; every subtitle language becomes a WebVTT rendition cut
into the same segments as the media, each segment carrying the
X-TIMESTAMP-MAP that ties its times to the MPEG-TS clock. The whole package
is built in a staging folder and appears under its name only when complete.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from accessmedia.core.clock import clock, seconds
from accessmedia.core import languages
from accessmedia.subtitles import markup
from accessmedia.core import media
from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles.cue import Cue
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.files import RecordingFiles
from accessmedia.core.fsutil import ensure_writable, staging_dir, write_atomic
from accessmedia.packaging.guide import write_guide
from accessmedia.packaging.replay import write_site
from accessmedia.packaging.settings import Chapter, Packaging

ACCESSIBILITY = "public.accessibility.transcribes-spoken-dialog"
TS_CLOCK = 90_000


@dataclass(frozen=True)
class PackageResult:
    dist: Path
    master: Path
    site: Path
    upload: Path
    languages: tuple[str, ...]
    burned: tuple[Path, ...]
    copied: bool  # stream copy, no transcoding
    audio_only: bool
    seconds_taken: float


def upload_video(dist: Path, name: str) -> Path:
    """The faststart mp4 of a package's upload bundle."""
    return Path(dist) / "upload" / f"{name}.mp4"


def find_subtitles(files: RecordingFiles, wanted: Sequence[str] | None) -> dict[str, Path]:
    """The recording's subtitle files (.vtt, else .srt) by language; every language in `wanted` must be there."""
    subs_dir, stem = files.folder, files.name
    if not subs_dir.is_dir():
        raise AccessMediaError(f"{subs_dir} is not a folder", "pass the folder `transcribe` and `translate` wrote to with --subs")
    found: dict[str, Path] = {}
    for lang in languages.LANGUAGES:
        for fmt in ("srt", "vtt"):
            if files.subtitles(lang, fmt).is_file():
                found[lang] = files.subtitles(lang, fmt)
    found = dict(sorted(found.items()))
    if wanted:
        wanted = [languages.normalize(w) for w in wanted]
        missing = [w for w in wanted if w not in found]
        if missing:
            raise AccessMediaError(
                f"no subtitles for {', '.join(missing)} in {subs_dir} (expected {files.subtitles(missing[0], 'vtt').name} or .srt)",
                f"run `accessmedia translate ... --to {','.join(missing)}` first, or leave them out of --langs",
            )
        found = {w: found[w] for w in wanted}
    if not found:
        raise AccessMediaError(f"no subtitle files for {stem} in {subs_dir}", f"expected {files.subtitles('nb', 'vtt').name}; run `accessmedia transcribe` first")
    return found


def _ffmpeg(*args: str, cwd: Path | None = None) -> None:
    cmd = [media.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise AccessMediaError(f"ffmpeg failed: {last}", "check that the recording plays, and that the disk has room")


LADDER_KBPS = {1080: 5000, 720: 2800, 540: 1600, 480: 1200, 360: 800, 240: 400}


@dataclass(frozen=True)
class _Variant:
    folder: Path
    segments: list[tuple[str, float]]
    bandwidth: int
    codecs: str
    size: tuple[int, int]


def _rendition(recording: Path, maps: list[str], codec_args: list[str], folder: Path, segment_seconds: int, size: tuple[int, int]) -> _Variant:
    """One HLS media playlist with its segments, and what the master playlist says of it."""
    folder.mkdir(parents=True)
    _ffmpeg("-i", str(recording), *maps, *codec_args, "-f", "hls", "-hls_time", str(segment_seconds),
            "-hls_playlist_type", "vod", "-hls_segment_filename", str(folder / "seg%05d.ts"), str(folder / "index.m3u8"))
    segments = _media_playlist(folder / "index.m3u8")
    bandwidth = max(int((folder / uri).stat().st_size * 8 / max(d, 0.1)) for uri, d in segments)
    has_video = "0:v:0" in maps
    return _Variant(folder, segments, bandwidth, _codecs(folder / segments[0][0], has_video), size)


def read_chapters(path: Path, duration: float) -> list[Chapter]:
    """Chapters, one a line: `H:MM:SS Title` or `MM:SS Title`, in order, the first at 0:00 (as YouTube wants)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AccessMediaError(f"chapters file {path} does not exist", "check the --chapters path") from None
    except UnicodeDecodeError:
        raise AccessMediaError(f"chapters file {path} is not UTF-8", "save it as UTF-8") from None
    chapters: list[Chapter] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.fullmatch(r"\s*(\S+)\s+(\S.*?)\s*", line)
        try:
            start = seconds(m.group(1)) if m else None
        except ValueError:
            start = None
        if start is None:
            raise AccessMediaError(f"{path}:{number}: expected 'MM:SS Title' or 'H:MM:SS Title', found {line.strip()[:50]!r}")
        if chapters and start <= chapters[-1].start:
            raise AccessMediaError(f"{path}:{number}: chapter starts at or before the one above it", "list chapters in time order")
        if duration and start >= duration:
            raise AccessMediaError(f"{path}:{number}: chapter starts after the recording ends ({duration:.0f} s)")
        chapters.append(Chapter(start, m.group(2)))
    if chapters and chapters[0].start != 0:
        raise AccessMediaError(f"{path}: the first chapter must start at 0:00", "YouTube ignores chapters otherwise")
    return chapters


def youtube_chapters(chapters: Sequence[Chapter]) -> str:
    """The chapter list for a YouTube description: `00:00 Title`, one a line."""
    hours = any(c.start >= 3600 for c in chapters)

    return "".join(f"{clock(c.start, hours=hours, pad=not hours)} {c.title}\n" for c in chapters)


APPLE_CHAPTERS = "com.apple.hls.chapters"


def chapter_cues(chapters: Sequence[Chapter], duration: float) -> list[Cue]:
    """Chapters as timed cues (each until the next one, the last until the end), for WebVTT chapter tracks."""
    ends = [c.start for c in chapters[1:]] + [max(duration, chapters[-1].start + 1.0) if chapters else 0.0]
    return [Cue(c.start, end, (c.title,)) for c, end in zip(chapters, ends)]


def apple_chapters(chapters: Sequence[Chapter], duration: float, language: str = "nb") -> str:
    """The chapter list an HLS master playlist points to with EXT-X-SESSION-DATA (Apple's JSON chapter format)."""
    return json.dumps(
        [
            {"chapter": n, "start-time": round(c.start, 3), "duration": round(c.end - c.start, 3),
             "titles": [{"language": language, "title": c.text}]}
            for n, c in enumerate(chapter_cues(chapters, duration), start=1)
        ],
        ensure_ascii=False, indent=1,
    ) + "\n"


def _video_codec(path: Path) -> tuple[str | None, int, int]:
    import av

    with av.open(str(path)) as c:
        for s in c.streams.video:
            if s.codec_context is not None and not (s.disposition & 0x400):  # skip attached pictures
                return s.codec_context.name, s.codec_context.width, s.codec_context.height
    return None, 0, 0


def _media_playlist(path: Path) -> list[tuple[str, float]]:
    import m3u8

    playlist = m3u8.load(str(path))
    return [(seg.uri, float(seg.duration)) for seg in playlist.segments]


def _timestamp_offset(recording: Path, segment: Path) -> int:
    """The MPEG-TS clock value at the recording's time 0 (ffmpeg starts the clock at about 1.4 s).

    Taken from the video stream where there is one (players follow the
    picture), else the audio.
    """
    import av

    def starts(path: Path) -> dict[str, float]:
        with av.open(str(path)) as c:
            return {
                s.type: float(s.start_time * s.time_base)
                for s in c.streams
                if s.type in ("video", "audio") and s.start_time is not None and not (s.disposition & 0x400)
            }

    source, out = starts(recording), starts(segment)
    kind = "video" if "video" in out else "audio"
    return round((out.get(kind, 0.0) - source.get(kind, 0.0)) * TS_CLOCK)


def _codecs(segment: Path, has_video: bool) -> str:
    """RFC 6381 codec string: avc1.PPCCLL from the stream's SPS, and AAC-LC."""
    if not has_video:
        return "mp4a.40.2"
    data = segment.read_bytes()[: 1 << 20]
    sps = re.search(rb"\x00\x00\x01[\x27\x47\x67]", data)
    avc = "avc1.64001f"
    if sps:
        p = sps.end()
        avc = f"avc1.{data[p]:02x}{data[p + 1]:02x}{data[p + 2]:02x}"
    return f"{avc},mp4a.40.2"


def _vtt_segments(cues: Sequence[Cue], spans: Sequence[tuple[float, float]], mpegts: int) -> list[str]:
    """One WebVTT document per media segment, holding every cue that overlaps it (times stay absolute)."""
    header = f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{mpegts},LOCAL:00:00:00.000\n"
    docs = []
    for start, end in spans:
        inside = [c for c in cues if c.start < end and c.end > start]
        docs.append(header + ("\n" + subtitles.compose_vtt(inside).split("\n", 1)[1].lstrip("\n") if inside else ""))
    return docs


def _playlist(entries: Sequence[tuple[str, float]]) -> str:
    target = max((int(d + 0.999) for _, d in entries), default=1)
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}", "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD"]
    for uri, duration in entries:
        lines += [f"#EXTINF:{duration:.3f},", uri]
    return "\n".join(lines + ["#EXT-X-ENDLIST", ""])


def _quote(value: str) -> str:
    return value.replace('"', "'").replace("\n", " ")


def _without_markup(cues: Sequence[Cue]) -> list[Cue]:
    """Cues without <i>, <b> or other span tags: upload platforms want plain lines (a position stays)."""
    return [Cue(c.start, c.end, tuple(markup.plain(line) for line in c.lines), c.settings) for c in cues]


BURN_STYLE = "FontName=DejaVu Sans,FontSize=22,BorderStyle=3,Outline=2,Shadow=0,MarginV=24"


def _burn(inputs: list[str], cues: Sequence[Cue], lang: str, out: Path) -> str:
    """An mp4 with `cues` burned into the picture (open captions), for social media.

    libass shapes and orders the text (HarfBuzz, FriBidi), so Arabic script joins
    and reads right to left; the fonts come from the system through fontconfig:
    DejaVu Sans covers Latin, Cyrillic and Arabic script, Noto fonts the rest.
    `inputs` hold absolute paths: ffmpeg runs in a work folder so that the
    filter reads a plain relative file name that needs no filtergraph escaping.
    """
    plain = _without_markup(cues)
    work = out.parent / f".burn-{lang}"
    work.mkdir()
    (work / "open.srt").write_text(subtitles.compose_srt(plain), encoding="utf-8")
    cmd = [*inputs, "-vf", f"subtitles=filename=open.srt:charenc=UTF-8:force_style='{BURN_STYLE}'",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
           "-movflags", "+faststart", str(out.resolve())]
    try:
        _ffmpeg(*cmd, cwd=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out.name


def package(recording: str | Path, files: RecordingFiles, dist: str | Path, packaging: Packaging = Packaging(),
            segment_seconds: int = 6, source: str = "nb") -> PackageResult:
    """Build DIST/hls (master.m3u8), DIST/site (replay page), DIST/upload and, with `packaging.burn`, DIST/social,
    from the recording and its subtitle files."""
    started = time.monotonic()
    recording, dist = Path(recording), Path(dist)
    info = media.probe(recording)
    track = info.track(None)
    stem = files.name
    chapters = list(packaging.chapters)
    found = find_subtitles(files, packaging.languages)
    burn = [languages.normalize(b) for b in packaging.burn]
    for lang in burn:
        if lang not in found:
            raise AccessMediaError(f"cannot burn in {lang}: no {stem}.{lang}.vtt or .srt in {files.folder}", "translate into it first, or choose another --burn")
    order = sorted(found, key=lambda lang: (lang != source, lang != "nb", lang != "nn", lang))  # the spoken language is the default
    cues = {lang: subtitles.read(path, allow_empty=True).cues for lang, path in found.items()}
    vcodec, width, height = _video_codec(recording)
    audio_only = vcodec is None
    copy = (vcodec in (None, "h264")) and track.codec == "aac"
    ensure_writable(dist.parent)
    meta_title = packaging.title or stem.replace("-", " ").replace("_", " ")
    with staging_dir(dist) as tmp:
        hls = tmp / "hls"
        hls.mkdir()
        upload = tmp / "upload"
        upload.mkdir()
        source = str(recording.resolve())
        maps = (["-map", "0:v:0"] if not audio_only else []) + ["-map", f"0:{track.stream_index}"]
        hls_source = recording
        if audio_only:
            # platforms want a picture: the poster, encoded once as ten seconds of video (a frame a second, a keyframe
            # at each start) and repeated by stream copy for the length of the sound; the sound copied when it is AAC,
            # else encoded once, here, and the HLS rendition copies it from this file
            _ffmpeg("-f", "lavfi", "-i", "color=c=0x1d3557:s=1280x720:d=1", "-frames:v", "1", str(hls / "poster.png"))
            still = tmp / ".still.mp4"
            _ffmpeg("-framerate", "1", "-loop", "1", "-i", str(hls / "poster.png"), "-t", "10", "-c:v", "libx264", "-tune", "stillimage",
                    "-preset", "veryfast", "-pix_fmt", "yuv420p", "-r", "1", "-g", "10", "-bf", "0", str(still))
            _ffmpeg("-stream_loop", "-1", "-i", str(still), "-i", source, "-map", "0:v", "-map", f"1:{track.stream_index}", "-shortest",
                    "-c:v", "copy", *(["-c:a", "copy"] if track.codec == "aac" else ["-c:a", "aac", "-b:a", "128k"]),
                    "-movflags", "+faststart", str(upload_video(tmp, stem)))
            still.unlink()
            hls_source, maps = upload_video(tmp, stem), ["-map", "0:a:0"]
        keyframes = ["-force_key_frames", f"expr:gte(t,n_forced*{segment_seconds})"]
        codec_args = ["-c", "copy"] if copy or audio_only else [
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-pix_fmt", "yuv420p", *keyframes, "-c:a", "aac", "-b:a", "128k"]
        variants = [_rendition(hls_source, maps, codec_args, hls / "stream", segment_seconds, (width, height))]
        for rung in sorted({h for h in packaging.ladder if not audio_only and h < height}, reverse=True):
            size = (round(width * rung / height / 2) * 2, rung)
            scaled = ["-vf", f"scale={size[0]}:{size[1]}", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
                      "-maxrate", f"{LADDER_KBPS.get(rung, rung * 4)}k", "-bufsize", f"{2 * LADDER_KBPS.get(rung, rung * 4)}k",
                      "-pix_fmt", "yuv420p", *keyframes, "-c:a", "aac", "-b:a", "128k"]
            variants.append(_rendition(recording, maps, scaled, hls / f"stream-{rung}p", segment_seconds, size))
        segments = variants[0].segments
        spans, t = [], 0.0
        for _, duration in segments:
            spans.append((t, t + duration))
            t += duration
        mpegts = _timestamp_offset(hls_source, variants[0].folder / segments[0][0])
        media_lines = []
        for lang in order:
            folder = hls / "subs" / lang
            folder.mkdir(parents=True)
            docs = _vtt_segments(cues[lang], spans, mpegts)
            entries = []
            for n, doc in enumerate(docs):
                name = f"seg{n:05d}.vtt"
                (folder / name).write_text(doc, encoding="utf-8")
                entries.append((name, segments[n][1]))
            (folder / "index.m3u8").write_text(_playlist(entries), encoding="utf-8")
            default = "YES" if lang == order[0] else "NO"
            media_lines.append(
                f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="{_quote(languages.native_name(lang))}",LANGUAGE="{lang}",'
                f'DEFAULT={default},AUTOSELECT=YES,FORCED=NO,CHARACTERISTICS="{ACCESSIBILITY}",URI="subs/{lang}/index.m3u8"'
            )
        stream_infs = []
        for v in variants:  # the source first, then the smaller rungs
            info_line = f'#EXT-X-STREAM-INF:BANDWIDTH={v.bandwidth},CODECS="{v.codecs}"'
            if not audio_only:
                info_line += f",RESOLUTION={v.size[0]}x{v.size[1]}"
            stream_infs += [info_line + ',SUBTITLES="subs"', f"{v.folder.name}/index.m3u8"]
        session_data = []
        if chapters:
            (hls / "chapters.json").write_text(apple_chapters(chapters, info.duration), encoding="utf-8")
            session_data.append(f'#EXT-X-SESSION-DATA:DATA-ID="{APPLE_CHAPTERS}",URI="chapters.json"')
        master = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS", *session_data, *media_lines, *stream_infs, ""]
        (hls / "master.m3u8").write_text("\n".join(master), encoding="utf-8")
        write_site(tmp / "site", meta_title, order, cues, "../hls/master.m3u8", "../hls/poster.png" if audio_only else None,
                   chapter_cues(chapters, info.duration))
        if audio_only:  # burned captions change within a second: the poster at its default rate there
            inputs = ["-loop", "1", "-i", str((hls / "poster.png").resolve()), "-i", source, "-map", "0:v", "-map", f"1:{track.stream_index}", "-shortest"]
        else:
            inputs = ["-i", source, "-map", "0:v:0", "-map", f"0:{track.stream_index}"]
            _ffmpeg(*inputs, *codec_args, "-movflags", "+faststart", str(upload_video(tmp, stem)))
        with_ttml = [lang for lang in order if files.subtitles(lang, "ttml").is_file()]
        for lang in order:
            plain = _without_markup(cues[lang])
            (upload / f"{stem}.{lang}.srt").write_text(subtitles.compose_srt(plain), encoding="utf-8")
            if lang in with_ttml:  # for broadcasters and platforms that take TTML
                shutil.copyfile(files.subtitles(lang, "ttml"), upload / f"{stem}.{lang}.ttml")
        burned = []
        for lang in burn:
            social = tmp / "social"
            social.mkdir(exist_ok=True)
            burned.append(dist / "social" / _burn(inputs, cues[lang], lang, social / f"{stem}.{lang}.mp4"))
        meta = {
            "title": meta_title,
            "duration_seconds": round(info.duration, 3),
            "languages": [{"code": lang, "name": languages.native_name(lang), "file": f"{stem}.{lang}.srt",
                           **({"ttml": f"{stem}.{lang}.ttml"} if lang in with_ttml else {})} for lang in order],
            "default_language": order[0],
            "chapters": [{"start": c.start, "title": c.title} for c in chapters],
            "video": f"{stem}.mp4",
        }
        if chapters:
            (upload / "chapters.txt").write_text(youtube_chapters(chapters), encoding="utf-8")
        write_atomic(upload / "metadata.json", json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
        write_guide(tmp, stem, meta_title, order, bool(chapters), burn, audio_only)
    return PackageResult(
        dist, dist / "hls" / "master.m3u8", dist / "site" / "index.html", dist / "upload", tuple(order), tuple(burned),
        copy, audio_only, time.monotonic() - started,
    )
