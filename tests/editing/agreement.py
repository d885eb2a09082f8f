"""Helpers for the tests of changes of several files: a two-speaker project made without a speech model, a
check that every file of a project agrees with the others, and a run of the command line killed (SIGKILL) just
before its Nth file operation (each `os.replace`/`os.rename` is a step: a file made current, a revision kept)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from accessmedia.core.files import RecordingFiles
from accessmedia.core.fsutil import write_atomic
from accessmedia.core.transcript import Segment, Transcript, Word
from accessmedia.editing import revisions
from accessmedia.pipeline import stages
from accessmedia.pipeline.settings import Settings
from accessmedia.speakers import record as speakers
from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles import voices

from ..conftest import ROOT, run_cli

TURNS = [  # who, start, text
    ("S1", 0.5, "Velkommen til konferansen om inkludering."),
    ("S2", 3.5, "Takk for at jeg fikk komme hit i dag."),
    ("S1", 7.0, "Hvor mange kom til møtet i fjor?"),
    ("S2", 10.0, "Over tusen mennesker kom til møtet."),
    ("S3", 13.5, "Jeg vil gjerne si noe om språk."),
]


def _segment(who: str, start: float, text: str) -> Segment:
    words, at = [], start
    for token in text.split():
        words.append(Word(token, round(at, 2), round(at + 0.4, 2), 0.9, who))
        at += 0.45
    return Segment(start, words[-1].end, text, tuple(words), speaker=who)


def two_voices(out: Path, env: dict | None = None, name: str = "tale") -> RecordingFiles:
    """NAME in OUT: a transcript with three voices (S1, S2 and S3, whom the machine could not tell apart from S1),
    its speakers.json and RTTM, Norwegian subtitles and text, and an English translation by the toy models."""
    out.mkdir(parents=True, exist_ok=True)
    files = RecordingFiles(out, name)
    segments = tuple(_segment(*t) for t in TURNS)
    ids = sorted({t[0] for t in TURNS})
    counted = {i: {"id": i, "label": f"Taler {i[1:]}", "seconds": round(sum(s.end - s.start for s in segments if s.speaker == i), 2),
                   "words": sum(len(s.words) for s in segments if s.speaker == i)} for i in ids}
    transcript = Transcript("nb", 17.0, segments, speakers=tuple(counted.values()))
    write_atomic(files.transcript, transcript.to_json())
    voice = {"S1": [1.0, 0.0], "S2": [0.0, 1.0], "S3": [0.6, 0.8]}
    data = {"schema": speakers.SCHEMA, "speakers": [{**counted[i], "name": None, "sample": [0.5, 2.5], "embedding": voice[i]} for i in ids],
            "turns": [[s.start, s.end, s.speaker] for s in segments], "overlap_seconds": 0.0}
    stages.write_speakers(files, data)
    stages.make_cues(files, transcript, Settings().profile())
    result = run_cli("translate", str(files.subtitles("nb", "vtt")), "--to", "en", "-o", str(out), "-q", env=env)
    assert result.exit_code == 0, result.output
    return files


def agree(files: RecordingFiles) -> None:
    """Every file of the recording agrees: no journal or temporary file left, each language's current files hold its
    latest revision, every revision is whole, and the speakers' names are the same in speakers.json, the text, the
    RTTM and every language's cues."""
    hidden = files.folder / ".accessmedia"
    assert not list(hidden.glob("apply.*.json")) and not list(hidden.glob("change.*.json")), "a change was left half done"
    assert not [p for p in files.folder.iterdir() if p.name.endswith(".part")], "a temporary file was left behind"
    data = speakers.read(files.speakers)
    names = set(speakers.labels(data).values())
    assert {w for _a, _b, w in data["turns"]} == {s["id"] for s in data["speakers"]}
    rttm_names = {line.split()[7] for line in files.rttm.read_text(encoding="utf-8").splitlines()}
    assert rttm_names == {"_".join(n.split()) for n in names}
    text = files.text.read_text(encoding="utf-8")
    spoken = {line.split(" [")[0] for line in text.splitlines() if " [" in line and "]: " in line}
    assert spoken <= names, (spoken, names)
    for lang in files.subtitle_languages():
        srt, vtt = subtitles.read(files.subtitles(lang, "srt")).cues, subtitles.read(files.subtitles(lang, "vtt")).cues
        assert [(c.start, c.end) for c in srt] == [(c.start, c.end) for c in vtt], lang
        used = {v for c in vtt for v in voices.voices(c.lines)}
        assert used <= names, (lang, used, names)
        history = revisions.history(files.folder, files.name, lang)
        for r in history:
            meta = json.loads((r.path / "meta.json").read_text(encoding="utf-8"))
            assert meta["sha256"] and r.file.is_file(), r.path
        if history:
            from accessmedia.editing.corrections import revision_cues

            latest = revision_cues(history[-1], lang)
            assert [c.lines for c in latest] == [c.lines for c in vtt], f"{lang}: the current file is not the latest revision"


FAULT_DRIVER = """
import os, signal, sys
limit, count = int(sys.argv[1]), [0]
def step(real):
    def wrapped(*args, **kwargs):
        count[0] += 1
        if count[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return wrapped
os.replace, os.rename = step(os.replace), step(os.rename)
sys.argv = ["accessmedia", *sys.argv[2:]]
from accessmedia.cli import main
main()
"""


def killed_at(step: int, *args: str, env: dict | None = None) -> int:
    """Run `accessmedia ARGS`, killed with SIGKILL just before its STEPth file operation; its exit status
    (-9 when killed, 0 when it finished in fewer steps)."""
    proc = subprocess.run([sys.executable, "-c", FAULT_DRIVER, str(step), *args], cwd=ROOT,
                          env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, -9), proc.stderr[-2000:]
    return proc.returncode
