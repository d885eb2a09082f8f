"""A multi-file change killed (SIGKILL) at each of its steps (issue 21: apply, restore, kit import, package; the
rename's own test is in test_speaker_changes.py): the next command finishes it or leaves it undone, and every file,
every language, the history and the package agree; the same command run again then completes it."""

from __future__ import annotations

import shutil

import pytest

from accessmedia.core.files import RecordingFiles
from accessmedia.editing import revisions
from accessmedia.subtitles import formats as subtitles

from ..conftest import SAMPLE, run_cli
from .agreement import agree, killed_at, two_voices

pytestmark = pytest.mark.slow  # a command line run per step


def _text(files: RecordingFiles, lang: str) -> str:
    return " ".join(c.text for c in subtitles.read(files.subtitles(lang)).cues)


def _prepare(kind: str, made: RecordingFiles, scratch) -> list[str]:
    """The command of the change, with what it needs written beside the project."""
    folder = str(made.folder)
    if kind == "apply":
        fixed = scratch / "tale.nb.vtt"
        fixed.write_text(made.subtitles("nb", "vtt").read_text(encoding="utf-8").replace("i fjor", "i forfjor"), encoding="utf-8")
        return ["apply", str(fixed), "--project", folder]
    if kind == "restore":
        return ["restore", folder, "--name", "tale", "--lang", "nb", "--revision", "0"]
    kit = scratch / "tale.so.srt"
    cues = subtitles.read(made.subtitles("nb")).cues
    kit.write_text(subtitles.compose_srt([type(c)(c.start, c.end, (f"Somali {n}",)) for n, c in enumerate(cues, 1)]), encoding="utf-8")
    return ["kit", "import", str(kit), "--project", folder, "--name", "tale", "--lang", "so"]


def _done(kind: str, files: RecordingFiles) -> bool:
    """Whether the change is in the files (then every part of it must be)."""
    if kind == "apply":
        done = "i forfjor" in _text(files, "nb")
        assert not done or "I FORFJOR" in _text(files, "en")  # carried into the translation nobody corrected
        return done
    if kind == "restore":
        done = "i forfjor" not in _text(files, "nb")
        assert not done or "I FORFJOR" not in _text(files, "en")
        return done
    done = files.subtitles("so").exists()
    assert not done or _text(files, "so").startswith("Somali 1")
    return done


@pytest.mark.parametrize("kind", ["apply", "restore", "kit import"])
def test_a_change_killed_at_each_step_leaves_every_file_in_agreement(kind, home, tmp_path):
    env = {"ACCESSMEDIA_MODELS": str(home)}
    made = two_voices(tmp_path / "made")
    if kind == "restore":  # something to restore: a correction of the Norwegian
        command = _prepare("apply", made, tmp_path)
        assert run_cli(*command).exit_code == 0
    step = 0
    while True:
        step += 1
        project = tmp_path / f"try{step}"
        shutil.copytree(made.folder, project)
        files = RecordingFiles(project, made.name)
        command = [x.replace(str(made.folder), str(project)) for x in _prepare(kind, made, tmp_path)]
        history_before = {lang: len(revisions.history(project, "tale", lang)) for lang in ("nb", "en", "so")}
        status = killed_at(step, *command, env=env)
        listed = run_cli("history", str(project))  # the next command: it finishes a change that was killed part way
        assert listed.exit_code == 0, listed.output
        agree(files)
        done = _done(kind, files)
        grown = {lang: len(revisions.history(project, "tale", lang)) - n for lang, n in history_before.items()}
        assert all(g in (0, 1, 2) for g in grown.values()), grown  # nothing kept twice (2: the machine's version first)
        if status == 0:
            assert done and step > 3, step
            break
        again = run_cli(*command)  # the person runs it again: it completes, once
        assert again.exit_code == 0, again.output
        agree(files)
        assert _done(kind, files)


def test_a_package_killed_at_each_step_is_made_whole_by_the_next_run(home, tmp_path):
    made = two_voices(tmp_path / "made")
    recording = tmp_path / "tale.mp4"
    shutil.copy(SAMPLE, recording)
    step = 0
    while True:
        step += 1
        project, dist = tmp_path / f"try{step}", tmp_path / f"dist{step}"
        shutil.copytree(made.folder, project)
        status = killed_at(step, "package", str(recording), "--subs", str(project), "-o", str(dist))
        if status == -9:
            assert not (dist / "site" / "index.html").exists() or (dist / "hls" / "master.m3u8").exists()
        again = run_cli("package", str(recording), "--subs", str(project), "-o", str(dist))
        assert again.exit_code == 0, again.output
        assert not [p for p in dist.rglob("*") if p.name.endswith((".part", ".old"))], "a half-built package was left"
        for lang in ("nb", "en"):
            shipped = next(dist.rglob(f"*{lang}*.vtt"))
            assert [c.text for c in subtitles.read(shipped).cues] == [c.text for c in subtitles.read(project / f"tale.{lang}.vtt").cues]
        if status == 0:
            assert step > 3, step  # it was killed at each of its steps before it ran through
            break
