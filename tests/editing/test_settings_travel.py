"""Settings travel with every change made later: a correction, a restore, a name or a translation kit is
redone with the settings the recording was made with (its process.json), never the defaults. One real project
made with --language nn, a glossary, a pinned route and a style file, then changed in every way people change it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from accessmedia import api
from accessmedia.core.files import RecordingFiles
from accessmedia.pipeline import stages
from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles.cue import Cue

from ..conftest import ROOT, SAMPLE, run_cli
from ..web.test_review_security import Client, serve_review

NARROW = "name = \"smal\"\nmax_chars_per_line = 30\n"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    from ..argos_toy import build_package

    work = tmp_path_factory.mktemp("nynorsk")
    env = {"ACCESSMEDIA_MODELS": str(work / "models")}
    package = build_package(work / "translate-nn_en.argosmodel", "nn", "en")
    assert run_cli("models", "add", str(package), env=env).exit_code == 0
    style = work / "smal.toml"
    style.write_text(NARROW, encoding="utf-8")
    shutil.copy(ROOT / "samples" / "navn.txt", work / "navn.txt")
    shutil.copy(SAMPLE, work / "konferanse.mp4")
    manifest = work / "event.toml"  # a pinned route comes from an event's [routes] table
    manifest.write_text('[event]\ntitle = "Konferanse"\nlanguages = ["en"]\nglossary = "navn.txt"\nstyle = "smal.toml"\n'
                        'output = "out"\n\n[routes]\nen = "nn-en"\n\n[[recording]]\nfile = "konferanse.mp4"\n', encoding="utf-8")
    result = run_cli("process", str(manifest), "--language", "nn", "-q", env=env)
    assert result.exit_code == 0, result.output
    out = work / "out"
    return RecordingFiles(out / "konferanse", "konferanse"), style, env


def corrected(files: RecordingFiles, tmp_path: Path, first_line: str) -> Path:
    cues = list(subtitles.read(files.subtitles("nn")).cues)
    cues[0] = Cue(cues[0].start, cues[0].end, (first_line,))
    path = tmp_path / "konferanse.nn.srt"
    path.write_text(subtitles.compose_srt(cues), encoding="utf-8")
    return path


@pytest.mark.slow
def test_the_recorded_settings_are_those_it_was_made_with(made):
    files, style, _ = made
    s = stages.recorded_settings(files)
    assert s.language == "nn" and s.translation.targets == ("en",)
    assert "IMDi" in s.translation.protected and s.translation.routes == (("en", ("nn-en",)),)
    assert s.styles.origin == str(style.resolve()) and s.profile("nn").max_chars_per_line == 30
    assert s.recognition.decode.hotwords and "IMDi" in s.recognition.decode.hotwords


@pytest.mark.slow
def test_a_nynorsk_correction_is_carried_into_the_translation_with_the_glossary(made, tmp_path):
    files, _, env = made
    result = run_cli("apply", str(corrected(files, tmp_path, "Velkommen til IMDi i dag.")), "--project", str(files.folder),
                     "--lang", "nn", env=env)
    assert result.exit_code == 0, result.output
    assert re.search(r"en: [1-9]\d* sentences translated again", result.output)  # the spoken language's correction reaches English
    english = subtitles.read(files.subtitles("en")).cues[0].text
    assert english == "VELKOMMEN TIL IMDi I DAG."  # the glossary's term kept as it is, as when the recording was made


@pytest.mark.slow
def test_the_project_style_file_fits_the_translated_correction(made, tmp_path):
    files, _, env = made
    line = "Velkommen til konferansen om integrering i Norge."  # one long line: advice, not an error; accepted
    result = run_cli("apply", str(corrected(files, tmp_path, line)), "--project", str(files.folder), "--lang", "nn", env=env)
    assert result.exit_code == 0, result.output
    english = subtitles.read(files.subtitles("en")).cues
    assert english[0].text.startswith("VELKOMMEN TIL")
    # fitted by smal.toml's 30 characters a line, as when the recording was made (the built-in rules allow 42)
    assert max(len(x) for c in english for x in c.lines) <= 30, [c.lines for c in english]


@pytest.mark.slow
def test_a_restore_is_translated_again_with_the_same_settings(made, tmp_path):
    files, _, env = made
    first = api.history(files.folder, files.name, "nn")[("konferanse", "nn")][0]
    result = run_cli("restore", str(files.folder), "--name", files.name, "--lang", "nn", "--revision", str(first.number), env=env)
    assert result.exit_code == 0, result.output
    def said(cues) -> str:  # the words in order, whatever the cues and lines they were fitted into
        return " ".join(" ".join(c.text.split()) for c in cues).upper().replace("IMDI", "IMDi")

    english = subtitles.read(files.subtitles("en")).cues
    assert said(english) == said(subtitles.read(files.subtitles("nn")).cues)  # the toy model: the restored text, upper case
    assert max(len(x) for c in english for x in c.lines) <= 30  # fitted by smal.toml, as when the recording was made


@pytest.mark.slow
def test_kits_package_and_review_use_the_spoken_language_and_the_style(made):
    files, _, env = made
    srt, sheet = api.kit_export(files.folder, files.name, "so")
    assert sheet.read_text(encoding="utf-8-sig").splitlines()[0] == "cue,start,end,nn,en,so"  # the source column is Nynorsk
    assert srt.read_text(encoding="utf-8") == subtitles.compose_srt(subtitles.read(files.subtitles("nn")).cues)
    master = files.master_playlist.read_text(encoding="utf-8")
    default = [line for line in master.splitlines() if "TYPE=SUBTITLES" in line and "DEFAULT=YES" in line]
    assert len(default) == 1 and 'LANGUAGE="nn"' in default[0]  # the spoken language is the default rendition
    server, base = serve_review(files.folder, None)
    try:
        status, data = Client(base, None).request("GET", f"/api/cues?name={files.name}&lang=nn")
    finally:
        server.should_exit = True
    assert status == 200 and data["rules"]["max_chars_per_line"] == 30  # the editor checks by the project's style
