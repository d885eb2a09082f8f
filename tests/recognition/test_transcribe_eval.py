"""The real model on real Norwegian speech: quality, timing and file validity."""

from __future__ import annotations

import json
from pathlib import Path

import av
import pysrt
import pytest
import srt
import webvtt

from accessmedia.subtitles import style
from accessmedia.subtitles import formats as subtitles
from accessmedia.api import HARD_RULES
from accessmedia.core.transcript import Transcript

from ..conftest import ffmpeg, wer

pytestmark = pytest.mark.slow  # the speech model, ffmpeg on real media, a browser or worker processes

MUSIC_BRIDGE = (17.0, 24.8)


def _cues(out: Path, stem: str):
    return subtitles.read(out / f"{stem}.nb.srt").cues


@pytest.fixture(scope="module")
def bare_faster_whisper(eval_files):
    """The peer: bare faster-whisper on an eval file, as its README shows it, in this run on this machine."""
    from faster_whisper import WhisperModel

    from accessmedia.models.catalog import resolve_asr_model

    model = WhisperModel(str(resolve_asr_model(None).path), device="cpu", compute_type="int8")

    def text(stem: str) -> str:
        segments, _ = model.transcribe(
            str(eval_files / f"{stem}.mp3"), language="no", beam_size=5, vad_filter=True, condition_on_previous_text=False
        )
        return " ".join(s.text for s in segments)

    return text


def test_king_word_error_rate(transcribed, eval_files, bare_faster_whisper):
    """Whisper-base's WER on king.mp3 moves by ±0.02 with the last bits of the features (measured: 0.346 on a
    CPU with AVX-512, 0.368 on AMD EPYC with AVX2, 0.383 with CTranslate2's generic kernels; NumPy 2.4.0 against
    2.4.6 moves it by 0.015): the pipeline is held to the model measured on the same machine, and to a ceiling."""
    reference = (eval_files / "king.ref.txt").read_text(encoding="utf-8")
    transcript = Transcript.from_json((transcribed / "king.transcript.json").read_text(encoding="utf-8"))
    ours, bare = wer(reference, transcript.text), wer(reference, bare_faster_whisper("king"))
    print(f"king.mp3 WER {ours:.3f}, bare faster-whisper {bare:.3f}")
    assert ours <= bare + 0.02
    assert ours <= 0.40


@pytest.mark.parametrize("stem", ["npsc-short-3s", "npsc-medium-8s"])
def test_npsc_clips_match_bare_faster_whisper(transcribed, eval_files, stem, bare_faster_whisper):
    """Short parliament clips: the pipeline must be as accurate as the model itself."""
    reference = (eval_files / f"{stem}.ref.txt").read_text(encoding="utf-8")
    bare = wer(reference, bare_faster_whisper(stem))
    transcript = Transcript.from_json((transcribed / f"{stem}.transcript.json").read_text(encoding="utf-8"))
    ours = wer(reference, transcript.text)
    print(f"{stem}: WER {ours:.3f}, bare faster-whisper {bare:.3f}")
    assert ours <= bare + 0.02, transcript.text
    assert transcript.words and all(w.start <= w.end for w in transcript.words)


def test_no_cue_over_the_music_bridge(transcribed):
    for cue in _cues(transcribed, "king"):
        assert cue.end <= MUSIC_BRIDGE[0] or cue.start >= MUSIC_BRIDGE[1], cue


def test_every_sentence_start_has_a_cue_start_nearby(transcribed, eval_files):
    starts = [c.start for c in _cues(transcribed, "king")]
    rows = [
        line.split("\t")
        for line in (eval_files / "king.segments.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    sentences = [float(r[0]) for r in rows if not r[2].startswith("<")]
    assert len(sentences) == 10
    for s in sentences:
        nearest = min(starts, key=lambda t: abs(t - s))
        assert abs(nearest - s) <= 0.7, (s, nearest)


@pytest.mark.parametrize("stem", ["king", "npsc-short-3s", "npsc-medium-8s"])
def test_cues_meet_the_rules(transcribed, stem):
    profile = style.load_profile("nb")
    for ext in ("srt", "vtt"):
        cues = subtitles.read(transcribed / f"{stem}.nb.{ext}").cues
        assert cues
        report = style.check(cues, profile)
        for rule in HARD_RULES:
            assert report.share_ok(rule) == 1.0, (rule, [b for b in report.breaches if b.rule == rule])
        assert report.share_ok("reading_speed") >= 0.9


@pytest.mark.parametrize("stem", ["king", "npsc-short-3s", "npsc-medium-8s"])
def test_files_parse_with_other_tools(transcribed, stem):
    srt_path = transcribed / f"{stem}.nb.srt"
    vtt_path = transcribed / f"{stem}.nb.vtt"
    ours = subtitles.read(srt_path).cues
    by_pysrt = pysrt.open(str(srt_path), encoding="utf-8", error_handling=pysrt.ERROR_RAISE)
    by_srt = list(srt.parse(srt_path.read_text(encoding="utf-8")))
    by_webvtt = webvtt.read(str(vtt_path))
    assert len(by_pysrt) == len(by_srt) == len(by_webvtt.captions) == len(ours)
    for mine, theirs, caption in zip(ours, by_srt, by_webvtt.captions):
        assert theirs.content == mine.text
        assert abs(theirs.start.total_seconds() - mine.start) < 0.001
        assert caption.text == mine.text


def test_ffmpeg_muxes_both_into_mp4(transcribed, tmp_path):
    video = tmp_path / "muxed.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=black:s=320x180:r=25:d=86",
        "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono",
        "-i", str(transcribed / "king.nb.srt"), "-i", str(transcribed / "king.nb.vtt"),
        "-map", "0:v", "-map", "1:a", "-map", "2:s", "-map", "3:s", "-t", "86",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-c:s", "mov_text",
        "-metadata:s:s:0", "language=nob", "-metadata:s:s:1", "language=nob", str(video),
    )
    with av.open(str(video)) as container:
        subs = container.streams.subtitles
        assert len(subs) == 2
        assert all(s.metadata.get("language") == "nob" for s in subs)
        packets = sum(1 for p in container.demux(subs[0]) if p.size)
    assert packets >= len(subtitles.read(transcribed / "king.nb.srt").cues)


def test_transcript_json_is_the_source_of_truth(transcribed):
    data = json.loads((transcribed / "king.transcript.json").read_text(encoding="utf-8"))
    assert data["schema"] == "accessmedia.transcript/1"
    assert data["language"] == "nb"
    assert data["model"]["name"] == "whisper-base"
    assert data["settings"]["beam_size"] == 5
    words = [w for s in data["segments"] for w in s["words"]]
    assert len(words) > 100
    assert all({"text", "start", "end", "probability"} <= set(w) for w in words)
    times = [w["start"] for w in words]
    assert times == sorted(times)
    # the readable transcript has timestamped paragraphs and the same words
    text = (transcribed / "king.txt").read_text(encoding="utf-8")
    assert text.startswith("[00:00:01] ")  # the king starts speaking after a second
    assert "[00:00:25]" in text  # a new paragraph after the music bridge
