"""One command for every stage of one recording: resumable and incremental."""

from __future__ import annotations

import pytest

import json
import os
import signal
import subprocess
import sys
import time

from accessmedia.runs import runner
from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles.cue import Cue
from accessmedia.core.ledger import Ledger
from accessmedia.runs.process import Job, pending
from accessmedia.pipeline.settings import build

from ..conftest import SAMPLE, run_cli


@pytest.mark.slow
def test_process_runs_every_stage_once_and_adds_a_language_incrementally(home, tmp_path):
    out = tmp_path / "out"
    first = run_cli("process", str(SAMPLE), "--to", "en,ar,so", "-o", str(out), "-q")
    assert first.exit_code == 0, first.output
    assert "ran transcribe, speakers, cues, translate, package" in first.output
    folder = out / "konferanse"
    assert f"replay page: {folder / 'dist' / 'site' / 'index.html'}; report: {folder / 'report.html'}" in first.output
    assert 'href="dist/site/index.html"' in (folder / "report.html").read_text(encoding="utf-8")
    for name in ("konferanse.nb.srt", "konferanse.en.vtt", "konferanse.ar.srt", "konferanse.so.template.csv",
                 "dist/hls/master.m3u8", "dist/site/index.html", "dist/upload/konferanse.mp4", "report.html", "report.json"):
        assert (folder / name).exists(), name
    assert pending(Job.of(SAMPLE, out, build(targets=["en", "ar", "so"]))) == []
    again = run_cli("process", str(SAMPLE), "--to", "en,ar,so", "-o", str(out), "-q")
    assert "ran nothing; up to date: transcribe, speakers, cues, translate, package" in again.output
    made = {p.name: p.stat().st_mtime_ns for p in folder.glob("konferanse.*.*") if p.suffix in (".srt", ".vtt", ".csv")}
    more = run_cli("process", str(SAMPLE), "--to", "en,ar,so,pl", "-o", str(out), "-q")
    assert "ran translate, package; up to date: transcribe, speakers, cues" in more.output
    assert (folder / "konferanse.pl.srt").exists()
    # only Polish was computed: the other languages' files were not even written again
    assert {p: (folder / p).stat().st_mtime_ns for p in made} == made
    record = json.loads((folder / "process.json").read_text())["stages"]["translate"]
    assert record["translated"] == ["pl"]
    # Polish goes through English: its nb->en step came from the cache, its en->pl step from the model
    sentences = record["sentences"]
    assert sentences["translated"] > 0 and sentences["cached"] == sentences["translated"] <= sentences["asked"]
    assert 'LANGUAGE="pl"' in (folder / "dist" / "hls" / "master.m3u8").read_text(encoding="utf-8")
    fewer = run_cli("process", str(SAMPLE), "--to", "en,pl", "-o", str(out), "-q")
    assert "ran translate, package" in fewer.output  # Arabic was dropped from the request: and from the package
    assert json.loads((folder / "process.json").read_text())["stages"]["translate"]["translated"] == []
    master = (folder / "dist" / "hls" / "master.m3u8").read_text(encoding="utf-8")
    assert 'LANGUAGE="pl"' in master and 'LANGUAGE="ar"' not in master
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert [s["status"] for s in report["sessions"][0]["stages"]] == ["up to date", "up to date", "up to date", "ran", "ran"]


@pytest.mark.slow
def test_a_new_style_only_makes_the_cues_again_and_what_follows(home, tmp_path):
    out = tmp_path / "out"
    assert run_cli("process", str(SAMPLE), "--to", "en", "-o", str(out), "-q").exit_code == 0
    before = subtitles.read(out / "konferanse" / "konferanse.nb.srt").cues
    style = tmp_path / "smal.toml"
    style.write_text("max_chars_per_line = 24\n", encoding="utf-8")
    result = run_cli("process", str(SAMPLE), "--to", "en", "-o", str(out), "-q", "--style", str(style))
    assert result.exit_code == 0, result.output
    assert "ran cues, translate, package; up to date: transcribe" in result.output
    after = subtitles.read(out / "konferanse" / "konferanse.nb.srt").cues
    assert after != before and max(len(line) for c in after for line in c.lines) <= 24


@pytest.mark.slow
def test_a_correction_is_kept_when_the_style_changes(home, tmp_path):
    out = tmp_path / "out"
    assert run_cli("process", str(SAMPLE), "-o", str(out), "-q").exit_code == 0
    folder = out / "konferanse"
    cues = subtitles.read(folder / "konferanse.nb.srt").cues
    fixed = tmp_path / "konferanse.nb.srt"
    fixed.write_text(subtitles.compose_srt([Cue(cues[0].start, cues[0].end, ("Velkommen til konferansen.",)), *cues[1:]]), encoding="utf-8")
    assert run_cli("apply", str(fixed), "--project", str(folder), "--by", "Kari").exit_code == 0
    style = tmp_path / "smal.toml"
    style.write_text("max_chars_per_line = 24\n", encoding="utf-8")
    result = run_cli("process", str(SAMPLE), "-o", str(out), "--style", str(style))
    assert result.exit_code == 0, result.output
    assert "konferanse.nb.srt was corrected by people: kept as it is" in result.output
    assert subtitles.read(folder / "konferanse.nb.srt").cues[0].text == "Velkommen til konferansen."


@pytest.mark.slow
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
    for name in ("konferanse.nb.srt", "konferanse.nb.vtt", "konferanse.en.srt", "konferanse.ar.vtt", "konferanse.txt",
                 "konferanse.transcript.json"):
        assert (out / "konferanse" / name).read_bytes() == (reference / "konferanse" / name).read_bytes(), name
    master = (out / "konferanse" / "dist" / "hls" / "master.m3u8").read_text(encoding="utf-8")
    assert master == (reference / "konferanse" / "dist" / "hls" / "master.m3u8").read_text(encoding="utf-8")
    assert not [p for p in (out / "konferanse").iterdir() if p.name.endswith((".part", ".old"))]  # no leftovers


@pytest.mark.slow
def test_process_keeps_translations_people_corrected(home, tmp_path):
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
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["sessions"][0]["languages"]["produced"]["ar"].endswith("(corrected by people)")


@pytest.mark.slow
def test_one_failing_recording_does_not_stop_the_others(home, tmp_path):
    gone = tmp_path / "borte.mp4"
    gone.write_bytes(SAMPLE.read_bytes())
    jobs = [Job.of(gone, tmp_path / "out", build(targets=["en"])), Job.of(SAMPLE, tmp_path / "out", build(targets=["en"]))]
    gone.unlink()  # vanished after the check, before its turn
    outcome = runner.process_all(jobs, tmp_path / "out", "dag 1")
    assert [r.error is None for r in outcome.results] == [False, True]
    assert "borte.mp4: no such file" in outcome.results[0].error
    assert (tmp_path / "out" / "konferanse" / "dist" / "hls" / "master.m3u8").exists()
    assert outcome.report["totals"]["failed"] == 1
    assert "Failed: " in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_two_runs_never_write_one_folder(home, tmp_path):
    from accessmedia.core.fsutil import run_lock

    folder = tmp_path / "out" / "konferanse"
    with run_lock(folder):
        result = run_cli("process", str(SAMPLE), "-o", str(tmp_path / "out"), "-q")
    assert result.exit_code == 1
    assert f"another accessmedia run is writing to {folder} (pid {os.getpid()})" in result.output


def test_the_ledger_survives_a_kill_between_its_two_writes(tmp_path):
    ledger = Ledger(tmp_path)
    ledger.write({"a.srt": "first\n"})
    assert not ledger.edited(tmp_path / "a.srt")
    # the hash of the next version is recorded, then the run dies before the file is written:
    known = json.loads(ledger.path.read_text())
    known["a.srt"].append("0" * 64)
    ledger.path.write_text(json.dumps(known))
    assert not ledger.edited(tmp_path / "a.srt")  # the old version is still one accessmedia wrote
    (tmp_path / "a.srt").write_text("a person's fix\n", encoding="utf-8")
    assert ledger.edited(tmp_path / "a.srt")
    for n in range(6):
        ledger.write({"a.srt": f"v{n}\n"})
    assert len(json.loads(ledger.path.read_text())["a.srt"]) == 4


def test_process_takes_every_recognition_option_and_checks_the_track_before_work(tmp_path):
    out = tmp_path / "out"
    result = run_cli("process", str(SAMPLE), "--audio-track", "3", "--threads", "1", "--compute-type", "int8", "--no-vad", "-o", str(out))
    assert result.exit_code == 1 and "no audio track 3" in result.output, result.output
    assert not out.exists()  # nothing written
