"""Naming speakers: "Taler 1" becomes "Amina Yusuf" in every cue of every language, the readable text, the
RTTM and the package, each language as a new revision (the path `apply` takes: nothing is lost, history
shows it). In an event, the same voice in the other recordings is named too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from accessmedia.editing import corrections
from accessmedia.speakers import record as speakers
from accessmedia.pipeline import stages
from accessmedia.subtitles import style
from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles import voices
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.segmenter import fit_text
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.files import RecordingFiles
from accessmedia.core.ledger import Ledger
from accessmedia.core.transcript import Transcript, readable_text

SAME_VOICE = 0.6  # cosine of two recordings' voice embeddings above which they are one person


@dataclass
class Named:
    recording: str
    renamed: dict[str, str]  # old label -> name
    languages: list[str] = field(default_factory=list)  # languages given a new revision
    kept: list[str] = field(default_factory=list)  # files a person edited by hand, left as they are


def recordings(project: str | Path) -> list[RecordingFiles]:
    """The processed recordings in a folder: NAME.speakers.json in it, or one level down (process, events)."""
    project = Path(project)
    if not project.is_dir():
        raise AccessMediaError(f"{project}: no such folder", "pass the folder transcribe or process wrote to")
    found = [RecordingFiles(p.parent, p.name[: -len(".speakers.json")])
             for p in sorted([*project.glob("*.speakers.json"), *project.glob("*/*.speakers.json")])]
    if not found:
        raise AccessMediaError(f"{project} has no recording with speakers (no NAME.speakers.json)",
                               "run `accessmedia process` or `accessmedia transcribe` first (with --speakers auto, the default)")
    return found


def describe(project: str | Path) -> list[dict]:
    """Each recording's speakers, and the voices the same person has in other recordings."""
    found = recordings(project)
    data = {f.name: speakers.read(f.speakers) for f in found}
    out = []
    for f in found:
        for s in data[f.name]["speakers"]:
            same = [(other, o["label"]) for other, d in data.items() if other != f.name for o in d["speakers"]
                    if _similar(s, o) >= SAME_VOICE]
            out.append({"recording": f.name, "folder": str(f.folder), "id": s["id"], "label": s["label"], "name": s.get("name"),
                        "seconds": s["seconds"], "words": s["words"], "sample": s["sample"], "same_voice": same})
    return out


def _similar(a: dict, b: dict) -> float:
    x, y = np.asarray(a.get("embedding") or [], dtype=np.float32), np.asarray(b.get("embedding") or [], dtype=np.float32)
    return float(x @ y) if x.shape == y.shape and x.size else -1.0


def name(project: str | Path, namings: Sequence[tuple[str, str]], recording: str | None = None,
         contributor: str = "volunteer", across: bool = True) -> list[Named]:
    """Give speakers names: (label, name) pairs, a label being "Taler 1", a name given before, or an id "S1".
    With several recordings, `recording` says whose "Taler 1" is meant (a name alone is enough when it is
    unique); `across` names the same voice in the other recordings too."""
    found = recordings(project)
    data = {f.name: speakers.read(f.speakers) for f in found}
    plan: dict[str, dict[str, str]] = {}  # recording -> {speaker id: new name}
    for old, new in namings:
        home, speaker = _find(found, data, old, recording)
        plan.setdefault(home.name, {})[speaker["id"]] = new
        if across:
            for f in found:
                if f.name == home.name:
                    continue
                match = max(data[f.name]["speakers"], key=lambda o: _similar(speaker, o), default=None)
                if match is not None and _similar(speaker, match) >= SAME_VOICE and not match.get("name"):
                    plan.setdefault(f.name, {}).setdefault(match["id"], new)
    return [_apply(f, data[f.name], plan[f.name], contributor) for f in found if f.name in plan]


def _find(found: list[RecordingFiles], data: dict, old: str, recording: str | None):
    hits = [(f, s) for f in found if recording in (None, f.name) for s in data[f.name]["speakers"]
            if old in (s["id"], s["label"], s.get("name"))]
    if recording and not any(f.name == recording for f in found):
        raise AccessMediaError(f"no recording named {recording!r} here", f"choose one of: {', '.join(f.name for f in found)}")
    if not hits:
        known = "; ".join(f"{f.name}: " + ", ".join(s["label"] for s in data[f.name]["speakers"]) for f in found)
        raise AccessMediaError(f"no speaker called {old!r}" + (f" in {recording}" if recording else ""), f"the speakers are {known}")
    if len(hits) > 1:
        raise AccessMediaError(f"{old!r} is a speaker of {len(hits)} recordings ({', '.join(f.name for f, _ in hits)})",
                               "say which with --recording NAME; the same voice elsewhere is named too")
    return hits[0]


def _apply(files: RecordingFiles, data: dict, new_names: dict[str, str], contributor: str) -> Named:
    renames = {}
    for s in data["speakers"]:
        if s["id"] in new_names:
            renames[s["label"]] = new_names[s["id"]]
            s["name"] = s["label"] = new_names[s["id"]]
    result = Named(files.name, renames)
    stages.write_speakers(files, data)
    labels = speakers.labels(data)
    if files.transcript.exists():
        transcript = Transcript.from_json(files.transcript.read_text(encoding="utf-8"))
        ledger = Ledger(files.folder)
        if ledger.edited(files.text):
            result.kept.append(files.text.name)
        else:
            ledger.write({files.text.name: readable_text(transcript, labels)})
    settings = stages.recorded_settings(files)  # the project's style profile, not the built-in one
    note = "named " + ", ".join(f"{old} {new}" for old, new in renames.items())
    for lang in files.subtitle_languages():
        current = files.subtitles(lang, "vtt")
        cues = subtitles.read(current, language=lang).cues
        profile = settings.profile(lang)
        changed = [_renamed_cue(c, renames, profile) for c in cues]
        if changed == list(cues):
            continue
        text = subtitles.compose_vtt(changed)
        parsed = subtitles.parse(text, current.name, "vtt").cues
        corrections.accept(files, lang, parsed, text.encode("utf-8"), current.name, "utf-8", contributor, False, note, package=False)
        result.languages.append(lang)
    if result.languages:
        stages.repackage(files)
    return result


def _rename(line: str, renames: dict[str, str]) -> str:
    for old, new in renames.items():
        line = voices.rename_line(line, old, new)
    return line


def _renamed_cue(cue: Cue, renames: dict[str, str], profile: style.StyleProfile) -> Cue:
    """The cue with its speakers renamed; a one-speaker cue whose label grew past the line length is set in
    lines again (in the same time, the same number of lines at most)."""
    lines = tuple(_rename(line, renames) for line in cue.lines)
    if lines == cue.lines or all(style.visible_length(x) <= profile.max_chars_per_line for x in lines):
        return Cue(cue.start, cue.end, lines, cue.settings)
    parts = voices.units(lines)
    if len(parts) != 1 or parts[0].voice is None:
        return Cue(cue.start, cue.end, lines, cue.settings)
    unit = parts[0]
    label = f"{unit.voice}: " if unit.labelled else ""
    refit = fit_text(label + " ".join(unit.text.split()), cue.start, cue.end, profile)
    if len(refit) != 1 or len(refit[0].lines) > max(len(cue.lines), profile.max_lines) or not refit[0].lines[0].startswith(label):
        return Cue(cue.start, cue.end, lines, cue.settings)
    first = refit[0].lines[0][len(label):] if label else refit[0].lines[0]
    shown = voices.Unit(unit.voice, "", unit.labelled, unit.dashed)
    return Cue(cue.start, cue.end, (voices.compose(shown, first),) + refit[0].lines[1:], cue.settings)
