"""Volunteer corrections: apply, revisions, retranslating only what changed, history, restore, crash safety."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accessmedia.editing import revisions
from accessmedia.subtitles import formats as subtitles

from ..conftest import run_cli

SPEECH = (
    "1\n00:00:01,000 --> 00:00:03,500\nVelkommen til konferansen,\nsa lederen\n\n"
    "2\n00:00:03,600 --> 00:00:06,000\nog takket alle som kom.\n\n"
    "3\n00:00:09,000 --> 00:00:11,000\nNOVA la fram en ny rapport.\n\n"
    "4\n00:00:11,100 --> 00:00:13,500\nHvor mange kom i 2024?\n"
)


@pytest.fixture()
def project(home, tmp_path) -> Path:
    """A project with Norwegian subtitles translated into English and Arabic."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "tale.nb.srt").write_text(SPEECH, encoding="utf-8")
    result = run_cli("translate", str(out / "tale.nb.srt"), "--to", "en,ar", "-o", str(out), "-q")
    assert result.exit_code == 0, result.output
    return out


def test_corrected_norwegian_retranslates_one_sentence_and_keeps_a_corrected_arabic_cue(project, tmp_path):
    # a volunteer corrects the Arabic first
    arabic = subtitles.read(project / "tale.ar.srt").cues
    fixed_ar = tmp_path / "tale.ar.srt"
    fixed_ar.write_text(subtitles.compose_srt([arabic[0].__class__(arabic[0].start, arabic[0].end, ("تصحيح المتطوع",)), *arabic[1:]]), encoding="utf-8")
    result = run_cli("apply", str(fixed_ar), "--project", str(project), "--by", "Amina")
    assert result.exit_code == 0, result.output
    assert "tale.ar: saved as r0001 by Amina" in result.output
    # then someone corrects one Norwegian sentence
    fixed_nb = tmp_path / "tale.nb.srt"
    fixed_nb.write_text(SPEECH.replace("ny rapport", "ny og viktig rapport"), encoding="utf-8")
    result = run_cli("apply", str(fixed_nb), "--project", str(project), "--by", "Ola")
    assert result.exit_code == 0, result.output
    assert "en: 1 sentences translated again" in result.output  # measured through the cache
    assert "ar: corrected by a person, kept; flagged" in result.output
    assert "NOVA LA FRAM EN NY OG VIKTIG RAPPORT." in (project / "tale.en.srt").read_text(encoding="utf-8")
    assert "تصحيح المتطوع" in (project / "tale.ar.srt").read_text(encoding="utf-8")
    assert revisions.flags(project, "tale", "ar")[0]["reason"] == "source changed in nb r0001, please check"


def test_upload_is_kept_byte_for_byte_and_history_grows(project, tmp_path):
    upload = tmp_path / "rettet.srt"
    data = SPEECH.replace("Hvor mange", "Hvor mange personer på møtet").replace("\n", "\r\n").encode("cp1252")
    upload.write_bytes(data)
    result = run_cli("apply", str(upload), "--project", str(project), "--name", "tale", "--lang", "nb", "--by", "Kari")
    assert result.exit_code == 0, result.output
    revs = revisions.history(project, "tale", "nb")
    assert [(r.label, r.contributor) for r in revs] == [("r0000", "accessmedia"), ("r0001", "Kari")]
    assert revs[1].file.read_bytes() == data
    assert json.loads((revs[1].path / "meta.json").read_text())["encoding"] == "cp1252"
    assert revs[1].changed_lines == 2  # the cue's old and new line
    assert (project / "tale.nb.srt").read_text(encoding="utf-8").count("personer") == 1  # current is UTF-8
    listing = run_cli("history", str(project), "--lang", "nb")
    assert "r0000" in listing.output and "r0001" in listing.output and "Kari" in listing.output
    # restore the machine's version: a new revision, nothing deleted
    result = run_cli("restore", str(project), "--name", "tale", "--lang", "nb", "--revision", "0")
    assert result.exit_code == 0, result.output
    assert [r.label for r in revisions.history(project, "tale", "nb")] == ["r0000", "r0001", "r0002"]
    assert "personer" not in (project / "tale.nb.srt").read_text(encoding="utf-8")


def test_broken_corrections_are_refused_and_nothing_is_stored(project, tmp_path):
    bad = tmp_path / "tale.nb.srt"
    bad.write_text(SPEECH.replace("00:00:09,000 --> 00:00:11,000", "00:00:09,000 -> 00:00:11,000"), encoding="utf-8")
    result = run_cli("apply", str(bad), "--project", str(project))
    assert result.exit_code == 1 and ":11: not a cue" in result.output and "--accept-loss" in result.output
    bad.write_text(SPEECH.replace("00:00:03,600 --> 00:00:06,000", "00:00:03,000 --> 00:00:06,000"), encoding="utf-8")
    result = run_cli("apply", str(bad), "--project", str(project))
    assert result.exit_code == 1 and "cue 1 at 00:00:01.000: overlap" in result.output
    assert revisions.history(project, "tale", "nb") == []
    assert (project / "tale.nb.srt").read_text(encoding="utf-8") == SPEECH


@pytest.mark.slow
def test_killing_apply_leaves_the_project_usable(project, tmp_path, home):
    fixed = tmp_path / "tale.nb.srt"
    fixed.write_text(SPEECH.replace("takket alle", "takket alle hjertelig"), encoding="utf-8")
    env = {**os.environ, "ACCESSMEDIA_MODELS": str(home)}
    for delay in (0.3, 0.6, 0.9, 1.2, 1.6):
        proc = subprocess.Popen([sys.executable, "-m", "accessmedia.cli", "apply", str(fixed), "--project", str(project)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for rev in revisions.history(project, "tale", "nb"):  # every revision whole
            assert rev.file.exists() and json.loads((rev.path / "meta.json").read_text())["sha256"]
        for lang in ("nb", "en", "ar"):  # every current file complete
            assert subtitles.read(project / f"tale.{lang}.srt").cues
    result = run_cli("apply", str(fixed), "--project", str(project))
    assert result.exit_code == 0, result.output
    assert "hjertelig" in (project / "tale.nb.srt").read_text(encoding="utf-8")
    assert "HJERTELIG" in (project / "tale.en.srt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_apply_rebuilds_the_package(project, tmp_path):
    from ..conftest import SAMPLE

    # the sample recording stands in for tale's recording
    recording = tmp_path / "tale.mp4"
    recording.write_bytes(SAMPLE.read_bytes())
    dist = tmp_path / "dist"
    assert run_cli("package", str(recording), "--subs", str(project), "-o", str(dist)).exit_code == 0
    fixed = tmp_path / "tale.nb.srt"
    fixed.write_text(SPEECH.replace("ny rapport", "fersk rapport"), encoding="utf-8")
    result = run_cli("apply", str(fixed), "--project", str(project))
    assert result.exit_code == 0 and "package rebuilt" in result.output, result.output
    page = (dist / "site" / "index.html").read_text(encoding="utf-8")
    assert "fersk rapport" in page and "FERSK RAPPORT" in page
    assert "fersk rapport" in (dist / "upload" / "tale.nb.srt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_moved_project_rebuilds_its_own_package(project, tmp_path):
    """The package record keeps paths relative to the project: moved or copied elsewhere, `apply` rebuilds
    the package inside the moved folder (from the recording that moved with it), never at the old place."""
    import shutil

    from ..conftest import SAMPLE

    old = tmp_path / "konferanse"
    (old / "opptak").mkdir(parents=True)
    recording = old / "opptak" / "tale.mp4"
    recording.write_bytes(SAMPLE.read_bytes())
    shutil.move(str(project), str(old / "out"))
    assert run_cli("package", str(recording), "--subs", str(old / "out"), "-o", str(old / "out" / "dist")).exit_code == 0
    moved = tmp_path / "arkiv" / "konferanse-2026"
    moved.parent.mkdir()
    shutil.move(str(old), str(moved))
    fixed = tmp_path / "tale.nb.srt"
    fixed.write_text(SPEECH.replace("ny rapport", "fersk rapport"), encoding="utf-8")
    result = run_cli("apply", str(fixed), "--project", str(moved / "out"))
    assert result.exit_code == 0 and "package rebuilt" in result.output, result.output
    assert str(moved / "out" / "dist") in result.output
    page = (moved / "out" / "dist" / "site" / "index.html").read_text(encoding="utf-8")
    assert "fersk rapport" in page and "FERSK RAPPORT" in page
    assert not old.exists()  # nothing written where the project used to be


def test_translation_kit_round_trip(project, tmp_path):
    import csv

    result = run_cli("kit", "export", "--project", str(project), "--name", "tale", "--lang", "so")
    assert result.exit_code == 0, result.output
    sheet = project / "kits" / "tale.so.csv"
    rows = list(csv.reader(sheet.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["cue", "start", "end", "nb", "en", "so"] and len(rows) == 5
    assert rows[3][4] == "NOVA LA FRAM EN NY RAPPORT."
    # importing the untouched SRT is refused; a half-filled sheet names the row
    result = run_cli("kit", "import", str(project / "kits" / "tale.so.srt"), "--project", str(project), "--name", "tale", "--lang", "so")
    assert result.exit_code == 1 and "still holds the nb text" in result.output
    rows[1][5] = "Ku soo dhawaada shirka"
    sheet.write_text("\n".join(",".join(f'"{c}"' for c in r) for r in rows) + "\n", encoding="utf-8")
    result = run_cli("kit", "import", str(sheet), "--project", str(project), "--name", "tale", "--lang", "so")
    assert result.exit_code == 1 and "tale.so.csv:3: cue 2 has no so text yet" in result.output
    for r, text in zip(rows[2:], ("oo u mahadceliyay", "NOVA ayaa soo bandhigtay warbixin", "Immisa ayaa yimid 2024?")):
        r[5] = text
    sheet.write_text("\n".join(",".join(f'"{c}"' for c in r) for r in rows) + "\n", encoding="utf-8")
    result = run_cli("kit", "import", str(sheet), "--project", str(project), "--name", "tale", "--lang", "so", "--by", "Hodan")
    assert result.exit_code == 0, result.output
    cues = subtitles.read(project / "tale.so.srt").cues
    assert [c.text for c in cues][0] == "Ku soo dhawaada shirka" and cues[0].start == 1.0
    assert revisions.history(project, "tale", "so")[0].contributor == "Hodan"
    summary = json.loads((project / "tale.translations.json").read_text(encoding="utf-8"))
    assert summary["produced"]["so"]["route"] == "volunteers (translation kit)"


@pytest.mark.parametrize("step", ["_make_current", "repackage"])
def test_an_interrupted_apply_is_finished_by_the_next_start(project, tmp_path, monkeypatch, step):
    """Killed after the revision was saved (before the current file, or before the package): the history
    is ahead of the files. The next start of the review app (or apply, or process) finishes the apply."""
    from accessmedia.editing import corrections
    from accessmedia.pipeline import stages
    from accessmedia.web.review import create_app

    fixed = tmp_path / "tale.nb.srt"
    fixed.write_text(SPEECH.replace("ny rapport", "fersk rapport"), encoding="utf-8")
    target = corrections if step == "_make_current" else stages

    def killed(*args, **kwargs):
        raise SystemExit("killed")

    with monkeypatch.context() as m:
        m.setattr(target, step, killed)
        with pytest.raises(SystemExit):
            corrections.apply(fixed, project)
    assert revisions.history(project, "tale", "nb")[-1].contributor == "volunteer"
    assert (project / ".accessmedia" / "apply.tale.json").exists()
    if step == "_make_current":
        assert "ny rapport" in (project / "tale.nb.srt").read_text(encoding="utf-8")  # the history is ahead of the file
    create_app(project)
    assert not (project / ".accessmedia" / "apply.tale.json").exists()
    assert "fersk rapport" in (project / "tale.nb.srt").read_text(encoding="utf-8")
    assert "fersk rapport" in (project / "tale.nb.vtt").read_text(encoding="utf-8")
    assert "FERSK RAPPORT" in (project / "tale.en.srt").read_text(encoding="utf-8")
    assert len(revisions.history(project, "tale", "nb")) == 2  # finished, not applied twice


def test_cues_past_the_end_of_the_recording_are_refused(project, tmp_path):
    from accessmedia.core.transcript import Transcript

    (project / "tale.transcript.json").write_text(Transcript("nb", 40.0, ()).to_json(), encoding="utf-8")
    fixed = tmp_path / "tale.nb.srt"
    fixed.write_text(SPEECH + "\n5\n110:00:00,000 --> 110:00:02,000\nFor sent.\n", encoding="utf-8")
    result = run_cli("apply", str(fixed), "--project", str(project))
    assert result.exit_code == 1 and "cue 5 ends at 110:00:02.000, after the recording ends (00:00:40.000)" in result.output, result.output
    assert revisions.history(project, "tale", "nb") == []


def test_a_file_with_an_unreadable_block_is_kept_only_when_the_loss_is_accepted(project, tmp_path):
    bad = tmp_path / "tale.nb.srt"
    bad.write_text(SPEECH.replace("00:00:09,000 --> 00:00:11,000", "00:00:09,000 -> 00:00:11,000").replace("ny rapport", "fersk rapport")
                   .replace("kom.", "kom hit."), encoding="utf-8")
    result = run_cli("apply", str(bad), "--project", str(project), "--accept-loss")
    assert result.exit_code == 0, result.output
    kept = subtitles.read(project / "tale.nb.srt").cues
    assert len(kept) == 3 and "og takket alle som kom hit." in [c.text for c in kept]
    note = revisions.history(project, "tale", "nb")[-1].note
    assert note.startswith("accepted the loss of 1 unreadable block(s)") and ":11: not a cue" in note


def test_a_polish_correction_in_cp1250_is_kept_as_polish(home, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "tale.nb.srt").write_text(SPEECH, encoding="utf-8")
    assert run_cli("translate", str(out / "tale.nb.srt"), "--to", "en,pl", "-o", str(out), "-q").exit_code == 0
    fixed = tmp_path / "rettet.srt"  # a name that says nothing: the language comes from --lang
    cues = subtitles.read(out / "tale.pl.srt").cues
    fixed.write_bytes(subtitles.compose_srt([cues[0].__class__(cues[0].start, cues[0].end, ("Zażółć gęślą jaźń",)), *cues[1:]])
                      .encode("cp1250"))
    result = run_cli("apply", str(fixed), "--project", str(out), "--name", "tale", "--lang", "pl")
    assert result.exit_code == 0, result.output
    assert subtitles.read(out / "tale.pl.srt").cues[0].text == "Zażółć gęślą jaźń"
    wrong = run_cli("apply", str(fixed), "--project", str(out), "--name", "tale", "--lang", "nb")
    assert wrong.exit_code == 1 and "cannot tell its encoding" in wrong.output and "cp1250" in wrong.output


@pytest.mark.slow
def test_a_translation_kit_joins_a_package_that_named_its_languages(project, tmp_path):
    import csv

    from ..conftest import SAMPLE

    recording = tmp_path / "tale.mp4"
    recording.write_bytes(SAMPLE.read_bytes())
    dist = tmp_path / "dist"
    assert run_cli("package", str(recording), "--subs", str(project), "-o", str(dist), "--langs", "nb,en").exit_code == 0
    assert run_cli("kit", "export", "--project", str(project), "--name", "tale", "--lang", "so").exit_code == 0
    sheet = project / "kits" / "tale.so.csv"
    rows = list(csv.reader(sheet.read_text(encoding="utf-8-sig").splitlines()))
    for row in rows[1:]:
        row[5] = "Soomaali " + row[0]
    sheet.write_text("\n".join(",".join(f'"{c}"' for c in r) for r in rows) + "\n", encoding="utf-8")
    result = run_cli("kit", "import", str(sheet), "--project", str(project), "--name", "tale", "--lang", "so")
    assert result.exit_code == 0, result.output
    assert (dist / "hls" / "subs" / "so" / "index.m3u8").exists()
    assert 'LANGUAGE="so"' in (dist / "hls" / "master.m3u8").read_text(encoding="utf-8")
