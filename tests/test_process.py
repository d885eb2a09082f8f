"""One command for every stage of one recording: resumable and incremental."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from .conftest import SAMPLE, run_cli


def test_process_runs_every_stage_once_and_adds_a_language_incrementally(home, tmp_path):
    out = tmp_path / "out"
    first = run_cli("process", str(SAMPLE), "--to", "en,ar,so", "-o", str(out), "-q")
    assert first.exit_code == 0, first.output
    assert "ran transcribe, translate, package" in first.output
    folder = out / "konferanse"
    for name in ("konferanse.nb.srt", "konferanse.en.vtt", "konferanse.ar.srt", "konferanse.so.template.csv",
                 "dist/hls/master.m3u8", "dist/site/index.html", "dist/upload/konferanse.mp4"):
        assert (folder / name).exists(), name
    again = run_cli("process", str(SAMPLE), "--to", "en,ar,so", "-o", str(out), "-q")
    assert "ran nothing; up to date: transcribe, translate, package" in again.output
    more = run_cli("process", str(SAMPLE), "--to", "en,ar,so,pl", "-o", str(out), "-q")
    assert "ran translate, package; up to date: transcribe" in more.output
    assert (folder / "konferanse.pl.srt").exists()
    assert 'LANGUAGE="pl"' in (folder / "dist" / "hls" / "master.m3u8").read_text(encoding="utf-8")


def test_killed_runs_resume_to_the_same_outputs(home, tmp_path):
    env = {**os.environ, "ACCESSMEDIA_MODELS": str(home)}
    reference = tmp_path / "reference"
    assert run_cli("process", str(SAMPLE), "--to", "en,ar", "-o", str(reference), "-q").exit_code == 0
    out = tmp_path / "out"
    for delay in (1.0, 2.5, 4.0):
        proc = subprocess.Popen([sys.executable, "-m", "accessmedia.cli", "process", str(SAMPLE), "--to", "en,ar", "-o", str(out), "-q"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    state = out / "konferanse" / "process.json"
    finished = json.loads(state.read_text())["stages"] if state.exists() else {}
    result = run_cli("process", str(SAMPLE), "--to", "en,ar", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    for label in finished:  # no stage that had finished ran again
        assert label not in result.output.split("ran ", 1)[1].split(";")[0], (label, result.output)
    for name in ("konferanse.nb.srt", "konferanse.nb.vtt", "konferanse.en.srt", "konferanse.ar.vtt", "konferanse.txt"):
        assert (out / "konferanse" / name).read_bytes() == (reference / "konferanse" / name).read_bytes(), name
    master = (out / "konferanse" / "dist" / "hls" / "master.m3u8").read_text(encoding="utf-8")
    assert master == (reference / "konferanse" / "dist" / "hls" / "master.m3u8").read_text(encoding="utf-8")


def test_process_keeps_translations_people_corrected(home, tmp_path):
    from accessmedia import subtitles
    from accessmedia.cues import Cue

    out = tmp_path / "out"
    assert run_cli("process", str(SAMPLE), "--to", "en,ar", "-o", str(out), "-q").exit_code == 0
    folder = out / "konferanse"
    cues = subtitles.read(folder / "konferanse.ar.srt").cues
    fixed = tmp_path / "konferanse.ar.srt"
    fixed.write_text(subtitles.compose_srt([Cue(cues[0].start, cues[0].end, ("تصحيح",)), *cues[1:]]), encoding="utf-8")
    assert run_cli("apply", str(fixed), "--project", str(folder), "--by", "Amina").exit_code == 0
    result = run_cli("process", str(SAMPLE), "--to", "en,ar,pl", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    assert "تصحيح" in (folder / "konferanse.ar.srt").read_text(encoding="utf-8")
    assert (folder / "konferanse.pl.srt").exists()
