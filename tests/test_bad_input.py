"""Bad input of every kind: one clear line, a non-zero exit, no partial output."""

from __future__ import annotations

import os

import pytest

from .conftest import SAMPLE, ffmpeg, run_cli


def _assert_clean_failure(result, out, *needles):
    assert result.exit_code == 1, result.output
    lines = [l for l in result.output.strip().splitlines() if l.startswith("error:")]
    assert len(lines) == 1, result.output
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert not out.exists() or not [p for p in out.iterdir()], list(out.iterdir())


def test_text_file_renamed_mp4(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_text("Dette er ikke en video.\n" * 50, encoding="utf-8")
    out = tmp_path / "out"
    _assert_clean_failure(run_cli("transcribe", str(bad), "-o", str(out)), out, "notes.mp4", "not a recording")


@pytest.mark.slow
def test_video_without_audio(tmp_path):
    video = tmp_path / "silent-film.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=160x90:r=25:d=2", "-c:v", "libx264", "-preset", "ultrafast", str(video))
    out = tmp_path / "out"
    _assert_clean_failure(run_cli("transcribe", str(video), "-o", str(out)), out, "no audio stream")


def test_zero_length_file(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    out = tmp_path / "out"
    _assert_clean_failure(run_cli("transcribe", str(empty), "-o", str(out)), out, "empty (0 bytes)")


def test_nonexistent_path(tmp_path):
    out = tmp_path / "out"
    _assert_clean_failure(run_cli("transcribe", str(tmp_path / "nope.mp4"), "-o", str(out)), out, "no such file")


def test_unknown_language(tmp_path):
    out = tmp_path / "out"
    _assert_clean_failure(
        run_cli("transcribe", str(SAMPLE), "--language", "xx", "-o", str(out)), out, "unknown language code 'xx'", "nb"
    )


def test_missing_model_names_the_install_command(tmp_path):
    out = tmp_path / "out"
    result = run_cli(
        "transcribe", str(SAMPLE), "--model", "nb-whisper-small", "-o", str(out),
        env={"ACCESSMEDIA_MODELS": str(tmp_path / "models")},
    )
    _assert_clean_failure(result, out, "not installed", "accessmedia models install nb-whisper-small")


def test_unknown_model(tmp_path):
    out = tmp_path / "out"
    _assert_clean_failure(run_cli("transcribe", str(SAMPLE), "--model", "gpt-9", "-o", str(out)), out, "unknown speech model")


def test_missing_audio_track(tmp_path):
    out = tmp_path / "out"
    _assert_clean_failure(
        run_cli("transcribe", str(SAMPLE), "--audio-track", "3", "-o", str(out)), out, "no audio track 3", "1=aac"
    )


def test_one_bad_input_stops_the_batch_before_any_work(tmp_path):
    bad = tmp_path / "broken.mkv"
    bad.write_bytes(os.urandom(4096))
    out = tmp_path / "out"
    _assert_clean_failure(run_cli("transcribe", str(SAMPLE), str(bad), "-o", str(out)), out, "broken.mkv")


def test_unwritable_output_folder(tmp_path):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    result = run_cli("transcribe", str(SAMPLE), "-o", str(blocker / "out"))
    assert result.exit_code == 1
    assert "cannot write to" in result.output


@pytest.mark.parametrize(
    "content, needle",
    [
        (b"1\n00:00:01,000 --> 00:00:02,000\nHei\n\n2\nnot a timing\nHallo\n", ":6: expected a timing line"),
        (b"1\n00:00:01,000 -> 00:00:02,000\nHei\n", ":2: expected a timing line"),
        (b"1\n00:00:61,000 --> 00:01:02,000\nHei\n", ":2: seconds value 61"),
        (b"\n\n", "the file is empty"),
    ],
)
def test_check_rejects_malformed_subtitles_with_line_numbers(tmp_path, content, needle):
    path = tmp_path / "bad.srt"
    path.write_bytes(content)
    result = run_cli("check", str(path))
    assert result.exit_code == 1
    assert needle in result.output
    assert len([l for l in result.output.splitlines() if l.startswith("error:")]) == 1
