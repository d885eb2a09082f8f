"""Bad input of every kind: one clear line, a non-zero exit, no partial output."""

from __future__ import annotations

import os

import pytest

from ..conftest import SAMPLE, ffmpeg, run_cli


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
        (b"1\n00:00:01,000 --> 00:00:02,000\nHei\n\n2\nnot a timing\nHallo\n", ":6: not a cue (expected a timing line"),
        (b"1\n00:00:01,000 -> 00:00:02,000\nHei\n", ":2: not a cue (expected a timing line"),
        (b"1\n00:00:61,000 --> 00:01:02,000\nHei\n", ":2: cue skipped: seconds value 61"),
        (b"\n\n", "the file is empty"),
    ],
)
def test_check_rejects_malformed_subtitles_with_line_numbers(tmp_path, content, needle):
    path = tmp_path / "bad.srt"
    path.write_bytes(content)
    result = run_cli("check", str(path))
    assert result.exit_code == 1
    assert needle in result.output
    assert len([l for l in result.output.splitlines() if l.lstrip().startswith("error:")]) == 1


def _forbidden_folder() -> str:
    """A folder nobody may create, not even root: sysfs refuses new entries."""
    import errno

    path = "/sys/accessmedia-test-out"
    try:
        os.mkdir(path)
    except OSError as exc:
        assert exc.errno in (errno.EPERM, errno.EACCES, errno.EROFS), exc
        return path
    os.rmdir(path)
    pytest.fail("this machine lets /sys take new folders: the test needs a folder that cannot be made")


def test_process_into_a_folder_without_permission_is_one_line():
    result = run_cli("process", str(SAMPLE), "-o", _forbidden_folder())
    assert result.exit_code == 1 and result.output.startswith("error: cannot write to /sys/"), result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_event_output_without_permission_is_one_line(tmp_path):
    from ..conftest import make_event

    manifest = make_event(tmp_path / "ev")
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('output = "ut"', f'output = "{_forbidden_folder()}"'), encoding="utf-8")
    result = run_cli("process", str(manifest))
    assert result.exit_code == 1 and "cannot write to /sys/" in result.output and "event.toml" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("make", ["text", "folder", "missing"])
def test_process_with_bad_input_writes_nothing(tmp_path, make):
    rec = tmp_path / "opptak.mp4"
    if make == "text":
        rec.write_text("not a video")
    elif make == "folder":
        rec.mkdir()
    out = tmp_path / "out"
    result = run_cli("process", str(rec), "--to", "en", "-o", str(out))
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert {"text": "not a recording", "folder": "is a folder, not a recording", "missing": "no such file"}[make] in result.output
    assert not out.exists()  # no report, no lock, no folder


def test_a_full_disk_while_writing_cues_is_one_line_and_leaves_no_part_files(tmp_path, monkeypatch):
    import errno

    from accessmedia.core import fsutil
    from accessmedia.core.transcript import Segment, Transcript, Word

    words = tuple(Word(w, 1.0 + i * 0.4, 1.3 + i * 0.4, 0.9) for i, w in enumerate("Velkommen til konferansen i dag .".split()))
    path = tmp_path / "tale.transcript.json"
    path.write_text(Transcript("nb", 10.0, (Segment(1.0, 3.3, "Velkommen", words),)).to_json(), encoding="utf-8")
    real = fsutil.os.fsync

    def full(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".part") and ".nb.vtt." in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd)

    monkeypatch.setattr(fsutil.os, "fsync", full)
    result = run_cli("cues", str(path))
    assert result.exit_code == 1 and result.output.startswith("error: No space left on device"), result.output
    assert "free some space" in result.output and len(result.output.strip().splitlines()) == 1
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert not (tmp_path / "tale.nb.vtt").exists()


@pytest.fixture()
def cut_off(tmp_path):
    """The sample as a faststart mp4 whose upload stopped at a third: its header still declares 34 s."""
    whole = tmp_path / "whole.mp4"
    ffmpeg("-i", str(SAMPLE), "-c", "copy", "-movflags", "+faststart", str(whole))
    data = whole.read_bytes()
    cut = tmp_path / "opptak.mp4"
    cut.write_bytes(data[: len(data) // 3])
    return cut


@pytest.mark.slow
def test_a_cut_off_recording_is_an_error_before_any_work(tmp_path, cut_off):
    out = tmp_path / "out"
    for verb in (["transcribe", str(cut_off)], ["process", str(cut_off), "--to", "en"]):
        _assert_clean_failure(run_cli(*verb, "-o", str(out)), out, "opptak.mp4 ends at 0:07 although it declares 0:33",
                              "--accept-truncated")
    from ..conftest import make_event

    manifest = make_event(tmp_path / "ev")
    (tmp_path / "ev" / "panel.mp4").write_bytes(cut_off.read_bytes())
    result = run_cli("process", str(manifest))
    assert result.exit_code == 1 and "event.toml:37: recording.file: panel.mp4 ends at" in result.output, result.output
    assert not (tmp_path / "ev" / "ut").exists()


@pytest.mark.slow
def test_a_cut_off_recording_accepted_is_processed_for_what_is_there(home, tmp_path, cut_off):
    import json

    out = tmp_path / "out"
    result = run_cli("process", str(cut_off), "--to", "en", "--accept-truncated", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert result.output.count("is cut off; using the 0:07 that are there") == 1
    report = json.loads((out / "opptak" / "report.json").read_text(encoding="utf-8"))["sessions"][0]
    assert 7.0 < report["duration"] < 8.5 and any("cut off" in w for w in report["warnings"])
