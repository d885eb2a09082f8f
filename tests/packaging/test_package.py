"""Packaging: HLS with WebVTT renditions (RFC 8216), and the upload bundle."""

from __future__ import annotations

import json
import re
from pathlib import Path

import av
import m3u8
import pytest
import webvtt

from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles.cue import Cue

from ..conftest import SAMPLE, ffmpeg, run_cli

pytestmark = pytest.mark.slow  # the speech model, ffmpeg on real media, a browser or worker processes

SUBS = {
    "nb": [Cue(1.0, 3.5, ("Velkommen til konferansen.",)), Cue(11.4, 15.9, ("Mange har bedt om teksting",)), Cue(24.2, 30.0, ("Takk til alle.",))],
    "en": [Cue(1.0, 3.5, ("Welcome to the conference.",)), Cue(11.4, 15.9, ("Many asked for subtitles",)), Cue(24.2, 30.0, ("Thanks to everyone.",))],
    "ar": [Cue(1.0, 3.5, ("\u200fمرحبا بكم في المؤتمر.\u200f",)), Cue(11.4, 15.9, ("\u200fطلب كثيرون الترجمة\u200f",)), Cue(24.2, 30.0, ("\u200fشكرا للجميع.\u200f",))],
}


def write_subs(folder: Path, stem: str, langs=("nb", "en", "ar")) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for lang in langs:
        (folder / f"{stem}.{lang}.vtt").write_text(subtitles.compose_vtt(SUBS[lang]), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def packaged(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("package")
    subs = write_subs(tmp / "subs", "konferanse")
    result = run_cli("package", str(SAMPLE), "--subs", str(subs), "-o", str(tmp / "dist"))
    assert result.exit_code == 0, result.output
    assert "stream copy" in result.output
    return tmp / "dist"


def test_master_playlist_has_a_subtitle_rendition_per_language(packaged):
    master = m3u8.load(str(packaged / "hls" / "master.m3u8"))
    renditions = {m.language: m for m in master.media if m.type == "SUBTITLES"}
    assert set(renditions) == {"nb", "en", "ar"}
    assert renditions["nb"].name == "Norsk bokmål" and renditions["ar"].name == "العربية" and renditions["en"].name == "English"
    assert renditions["nb"].default == "YES" and renditions["en"].default == "NO" and renditions["ar"].default == "NO"
    for m in renditions.values():
        assert m.autoselect == "YES" and m.group_id == "subs" and m.forced == "NO"
        assert m.characteristics == "public.accessibility.transcribes-spoken-dialog"
    (variant,) = master.playlists
    assert variant.stream_info.subtitles == "subs"
    assert variant.stream_info.resolution == (640, 360)
    assert re.fullmatch(r"avc1\.[0-9a-f]{6},mp4a\.40\.2", variant.stream_info.codecs)
    assert variant.stream_info.bandwidth > 0


def test_subtitle_playlists_follow_the_media_segments(packaged):
    media = m3u8.load(str(packaged / "hls" / "stream" / "index.m3u8"))
    assert media.is_endlist and media.playlist_type == "vod"
    with av.open(str(packaged / "hls" / "stream" / media.segments[0].uri)) as c:
        video_start = c.streams.video[0].start_time
    for lang in ("nb", "en", "ar"):
        folder = packaged / "hls" / "subs" / lang
        playlist = m3u8.load(str(folder / "index.m3u8"))
        assert [s.duration for s in playlist.segments] == pytest.approx([s.duration for s in media.segments], abs=0.001)
        assert all(round(s.duration) <= playlist.target_duration for s in playlist.segments)  # RFC 8216 4.3.3.1
        assert playlist.is_endlist
        start = 0.0
        shown = set()
        for seg in playlist.segments:
            text = (folder / seg.uri).read_text(encoding="utf-8")
            assert text.startswith(f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{video_start},LOCAL:00:00:00.000\n")
            for caption in webvtt.from_string(text).captions:
                assert caption.start_in_seconds < start + seg.duration and caption.end_in_seconds > start
                shown.add(caption.text)
            start += seg.duration
        assert shown == {c.text for c in SUBS[lang]}


def test_libavformat_lists_every_subtitle_stream_with_its_language(packaged):
    """What ffprobe reports (the imageio-ffmpeg wheel has no ffprobe; PyAV is the same libavformat)."""
    with av.open(str(packaged / "hls" / "master.m3u8")) as c:
        subs = sorted(s.metadata.get("language") for s in c.streams.subtitles)
        assert subs == ["ar", "en", "nb"]
        assert len(c.streams.video) == 1 and len(c.streams.audio) == 1


def test_ffmpeg_probe_lists_every_subtitle_stream_with_its_language(packaged):
    """ffprobe's view, from the FFmpeg that pip installs (imageio-ffmpeg ships ffmpeg, not ffprobe;
    `ffmpeg -i` prints the same stream listing). Debian 12's FFmpeg 5.1 predates HLS WebVTT support."""
    import subprocess

    import imageio_ffmpeg

    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(packaged / "hls" / "master.m3u8")],
                           capture_output=True, text=True)
    streams = re.findall(r"Stream #\d+:\d+(?:\[\w+\])?\((\w+)\): Subtitle: webvtt", probe.stderr)
    assert sorted(streams) == ["ar", "en", "nb"], probe.stderr


def test_upload_bundle(packaged):
    upload = packaged / "upload"
    mp4 = (upload / "konferanse.mp4").read_bytes()
    assert mp4.find(b"moov") < mp4.find(b"mdat")  # faststart: playable while it downloads
    meta = json.loads((upload / "metadata.json").read_text(encoding="utf-8"))
    assert [l["code"] for l in meta["languages"]] == ["nb", "ar", "en"] and meta["default_language"] == "nb"
    for lang in ("nb", "en", "ar"):
        raw = (upload / f"konferanse.{lang}.srt").read_bytes()
        raw.decode("utf-8")
        cues = subtitles.read(upload / f"konferanse.{lang}.srt").cues
        assert [c.text for c in cues] == [c.text for c in SUBS[lang]]
        assert b"<" not in raw


def test_audio_only_recording_gets_audio_hls_and_a_poster(tmp_path, eval_files):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "npsc-medium-8s.nb.srt").write_text("1\n00:00:00,500 --> 00:00:04,000\nRepresentantene\n", encoding="utf-8")
    result = run_cli("package", str(eval_files / "npsc-medium-8s.mp3"), "--subs", str(subs), "-o", str(tmp_path / "dist"))
    assert result.exit_code == 0, result.output
    assert "audio only" in result.output and "transcoded" in result.output
    master = m3u8.load(str(tmp_path / "dist" / "hls" / "master.m3u8"))
    assert master.playlists[0].stream_info.codecs == "mp4a.40.2"
    assert master.playlists[0].stream_info.resolution is None
    assert (tmp_path / "dist" / "hls" / "poster.png").stat().st_size > 0
    with av.open(str(tmp_path / "dist" / "upload" / "npsc-medium-8s.mp4")) as c:
        assert len(c.streams.video) == 1 and len(c.streams.audio) == 1  # platforms want a picture


def test_an_aac_recording_without_video_is_packaged_by_copying_its_sound_under_a_still(tmp_path, eval_files):
    """The still is encoded once (ten seconds, a frame a second) and repeated by stream copy; the AAC sound is copied
    bit for bit into the upload mp4 and from there into the HLS rendition."""
    m4a = tmp_path / "tale.m4a"
    ffmpeg("-stream_loop", "3", "-i", str(eval_files / "npsc-medium-8s.mp3"), "-t", "30", "-c:a", "aac", "-b:a", "96k", str(m4a))
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "tale.nb.srt").write_text("1\n00:00:00,500 --> 00:00:04,000\nRepresentantene\n", encoding="utf-8")
    result = run_cli("package", str(m4a), "--subs", str(subs), "-o", str(tmp_path / "dist"))
    assert result.exit_code == 0, result.output
    assert "audio only" in result.output
    assert not list((tmp_path / "dist").rglob(".still*"))

    def sound(path):
        with av.open(str(path)) as c:
            return [bytes(p) for p in c.demux(c.streams.audio[0]) if p.size]

    with av.open(str(tmp_path / "dist" / "upload" / "tale.mp4")) as c:
        video, audio = c.streams.video[0], c.streams.audio[0]
        assert video.codec_context.name == "h264" and video.average_rate == 1
        packets = [p for p in c.demux(video) if p.size]
        keys = [i for i, p in enumerate(packets) if p.is_keyframe]
        assert keys[:3] == [0, 10, 20]  # a keyframe every ten seconds: seeking works
        assert abs(len(packets) - float(audio.duration * audio.time_base)) <= 2.0  # the picture lasts as long as the sound
    assert sound(tmp_path / "dist" / "upload" / "tale.mp4") == sound(m4a)  # copied, not encoded again
    adts = b"".join(b"".join(sound(seg)) for seg in sorted((tmp_path / "dist" / "hls" / "stream").glob("*.ts")))
    frames, i = [], 0
    while i < len(adts):  # MPEG-TS carries AAC in ADTS frames: a 7-byte header (9 with a CRC) before each
        length, header = ((adts[i + 3] & 3) << 11) | (adts[i + 4] << 3) | (adts[i + 5] >> 5), 7 if adts[i + 1] & 1 else 9
        frames.append(adts[i + header: i + length])
        i += length
    assert frames == sound(m4a)


def test_other_codecs_are_transcoded(tmp_path):
    webm = tmp_path / "opptak.mkv"
    ffmpeg("-f", "lavfi", "-i", "testsrc=s=320x180:r=25:d=8", "-f", "lavfi", "-i", "sine=d=8", "-c:v", "mpeg4", "-c:a", "libopus", str(webm))
    write_subs(tmp_path / "subs", "opptak", ("nb",))
    result = run_cli("package", str(webm), "--subs", str(tmp_path / "subs"), "-o", str(tmp_path / "dist"))
    assert result.exit_code == 0 and "transcoded" in result.output, result.output
    segment = next((tmp_path / "dist" / "hls" / "stream").glob("*.ts"))
    with av.open(str(segment)) as c:
        assert c.streams.video[0].codec_context.name == "h264" and c.streams.audio[0].codec_context.name == "aac"
    media = m3u8.load(str(tmp_path / "dist" / "hls" / "stream" / "index.m3u8"))
    assert max(s.duration for s in media.segments) <= 6.5


def test_missing_language_is_an_error_and_leaves_the_old_package(packaged, tmp_path):
    subs = write_subs(tmp_path / "subs", "konferanse", ("nb",))
    dist = tmp_path / "dist"
    assert run_cli("package", str(SAMPLE), "--subs", str(subs), "-o", str(dist)).exit_code == 0
    before = sorted(p.relative_to(dist) for p in dist.rglob("*"))
    result = run_cli("package", str(SAMPLE), "--subs", str(subs), "--langs", "nb,pl", "-o", str(dist))
    assert result.exit_code == 1 and "no subtitles for pl" in result.output
    assert sorted(p.relative_to(dist) for p in dist.rglob("*")) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist")]


def test_unwritable_output_folder(tmp_path):
    subs = write_subs(tmp_path / "subs", "konferanse", ("nb",))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("package", str(SAMPLE), "--subs", str(subs), "-o", str(blocker / "dist"))
    assert result.exit_code == 1 and "cannot write to" in result.output


def _frame(path: Path, t: float):
    import numpy as np

    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        c.seek(int(t / stream.time_base), stream=stream)
        for frame in c.decode(stream):
            if frame.time >= t - 0.05:
                return np.asarray(frame.to_ndarray(format="gray"), dtype=np.int16)
    raise AssertionError(f"no frame at {t}")


@pytest.mark.parametrize("lang", ["ar", "nb"])
def test_burned_in_captions(tmp_path, lang):
    """Open captions: Arabic (joined, right to left, through libass) and Norwegian, drawn in the lower band only."""
    subs = write_subs(tmp_path / "subs", "konferanse")
    result = run_cli("package", str(SAMPLE), "--subs", str(subs), "-o", str(tmp_path / "dist"), "--burn", lang)
    assert result.exit_code == 0, result.output
    burned = tmp_path / "dist" / "social" / f"konferanse.{lang}.mp4"
    with av.open(str(burned)) as c:
        assert len(c.streams.video) == 1 and len(c.streams.audio) == 1
    during, after = _frame(burned, 13.0), _frame(burned, 20.0)  # a cue runs 11.4-15.9; none at 20
    original = _frame(SAMPLE, 13.0)
    height = during.shape[0]
    lower = slice(int(height * 0.7), height)
    assert abs(during[lower] - original[lower]).mean() > 2.0  # text drawn at the bottom
    assert abs(during[: height // 2] - original[: height // 2]).mean() < 1.5  # picture untouched above
    assert abs(after[lower] - _frame(SAMPLE, 20.0)[lower]).mean() < 1.5  # nothing drawn between cues
    assert not (tmp_path / "dist" / "social" / f".burn-{lang}").exists()


def test_burning_a_language_without_subtitles_is_an_error(tmp_path):
    subs = write_subs(tmp_path / "subs", "konferanse", ("nb",))
    result = run_cli("package", str(SAMPLE), "--subs", str(subs), "-o", str(tmp_path / "dist"), "--burn", "ar")
    assert result.exit_code == 1 and "cannot burn in ar" in result.output
    assert not (tmp_path / "dist").exists()


def test_ladder_of_renditions(tmp_path):
    subs = write_subs(tmp_path / "subs", "konferanse", ("nb",))
    result = run_cli("package", str(SAMPLE), "--subs", str(subs), "-o", str(tmp_path / "dist"), "--ladder", "360,240,1080")
    assert result.exit_code == 0, result.output
    master = m3u8.load(str(tmp_path / "dist" / "hls" / "master.m3u8"))
    sizes = [p.stream_info.resolution for p in master.playlists]
    assert sizes == [(640, 360), (426, 240)]  # 360 is the source itself (copied); nothing is scaled up to 1080
    assert all(p.stream_info.bandwidth > 0 for p in master.playlists)
    assert all(p.stream_info.subtitles == "subs" for p in master.playlists)
    small = m3u8.load(str(tmp_path / "dist" / "hls" / "stream-240p" / "index.m3u8"))
    with av.open(str(tmp_path / "dist" / "hls" / "stream-240p" / small.segments[0].uri)) as c:
        assert (c.streams.video[0].codec_context.width, c.streams.video[0].codec_context.height) == (426, 240)
    result = run_cli("package", str(SAMPLE), "--subs", str(subs), "-o", str(tmp_path / "dist2"), "--ladder", "big")
    assert result.exit_code == 1 and "--ladder takes heights" in result.output


def test_chapters_in_youtube_format(tmp_path):
    subs = write_subs(tmp_path / "subs", "konferanse", ("nb",))
    chapters = tmp_path / "kapitler.txt"
    chapters.write_text("# programme\n0:00 Åpning\n0:12 Språk og arbeid\n00:25 Takk\n", encoding="utf-8")
    result = run_cli("package", str(SAMPLE), "--subs", str(subs), "-o", str(tmp_path / "dist"), "--chapters", str(chapters))
    assert result.exit_code == 0, result.output
    upload = tmp_path / "dist" / "upload"
    assert (upload / "chapters.txt").read_text(encoding="utf-8") == "00:00 Åpning\n00:12 Språk og arbeid\n00:25 Takk\n"
    meta = json.loads((upload / "metadata.json").read_text(encoding="utf-8"))
    assert [c["title"] for c in meta["chapters"]] == ["Åpning", "Språk og arbeid", "Takk"]
    for bad, needle in (("0:05 Sent\n", "first chapter must start at 0:00"), ("0:00 A\n0:10 B\n0:05 C\n", ":3: chapter starts at or before"),
                        ("0:00 A\nhalv tolv B\n", ":2: expected 'MM:SS Title'"), ("0:00 A\n9:00 B\n", ":2: chapter starts after the recording ends")):
        chapters.write_text(bad, encoding="utf-8")
        result = run_cli("package", str(SAMPLE), "--subs", str(subs), "-o", str(tmp_path / "dist3"), "--chapters", str(chapters))
        assert result.exit_code == 1 and needle in result.output, result.output
