"""Revisions of subtitle files: every version ever saved, with who, when and what changed.

Layout: PROJECT/revisions/<NAME>/<lang>/r0001/ holds the uploaded file byte
for byte and meta.json (time, contributor, encoding, cue count, diff against
the revision before). r0000 is the machine's version, saved before the
first correction replaces it. A revision folder is written beside its final
name and renamed into place, so a crash leaves either a whole revision or
none; nothing here is ever deleted.
"""

from __future__ import annotations

import difflib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from accessmedia.subtitles.cue import Cue
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.files import RecordingFiles
from accessmedia.core.fsutil import sha256_file

MACHINE = "accessmedia"
MACHINE_NOTE = "the version accessmedia wrote"


@dataclass(frozen=True)
class Revision:
    number: int
    path: Path  # the revision folder
    file: Path  # the file as it was saved
    time: str
    contributor: str
    cues: int
    changed_lines: int
    note: str
    names: dict | None = None  # speaker id -> the name the cues call them by (None: no speakers, or saved before names were kept)

    @property
    def label(self) -> str:
        return f"r{self.number:04d}"


def folder(project: Path, name: str, lang: str) -> Path:
    return RecordingFiles(Path(project), name).revisions(lang)


def history(project: Path, name: str, lang: str) -> list[Revision]:
    found = []
    for meta_path in sorted(folder(project, name, lang).glob("r[0-9][0-9][0-9][0-9]/meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        found.append(Revision(meta["revision"], meta_path.parent, meta_path.parent / meta["file"], meta["time"],
                              meta["contributor"], meta["cues"], meta["changed_lines"], meta.get("note", ""), meta.get("names")))
    return found


def _lines(cues: Sequence[Cue]) -> list[str]:
    return [f"{c.start:.3f} --> {c.end:.3f} | {' / '.join(c.lines)}" for c in cues]


def save(project: Path, name: str, lang: str, data: bytes, filename: str, cues: Sequence[Cue], previous: Sequence[Cue] | None,
         contributor: str, encoding: str, note: str = "", names: dict | None = None) -> Revision:
    """Store a new revision (the bytes as given) and return it."""
    base = folder(project, name, lang)
    base.mkdir(parents=True, exist_ok=True)
    existing = history(project, name, lang)
    number = existing[-1].number + 1 if existing else 0
    diff = list(difflib.unified_diff(_lines(previous or []), _lines(cues), "before", "after", lineterm="", n=0))
    changed = sum(1 for d in diff if d[:1] in "+-" and not d.startswith(("+++", "---")))
    final = base / f"r{number:04d}"
    tmp = base / f".r{number:04d}.{os.getpid()}.part"
    tmp.mkdir()
    safe_name = Path(filename).name or RecordingFiles(Path(project), name).subtitles(lang).name
    (tmp / safe_name).write_bytes(data)
    (tmp / "diff.txt").write_text("\n".join(diff) + "\n", encoding="utf-8")
    meta = {
        "revision": number, "file": safe_name, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "contributor": contributor, "encoding": encoding, "cues": len(cues), "changed_lines": changed,
        "sha256": None, "note": note, "names": names,
    }
    (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    meta["sha256"] = sha256_file(tmp / safe_name)
    (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    try:
        os.rename(tmp, final)  # fails if another process saved the same number first
    except OSError:
        raise AccessMediaError(f"another save of {name}.{lang} happened at the same time", "try again") from None
    return history(project, name, lang)[-1]


def corrected_by_people(project: Path, name: str, lang: str) -> bool:
    return any(r.contributor != MACHINE for r in history(project, name, lang))


def flag(project: Path, name: str, lang: str, reason: str) -> None:
    path = folder(project, name, lang) / "flags.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    if any(f.get("reason") == reason for f in flags):  # already flagged for this change (an apply finished twice)
        return
    flags.append({"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "reason": reason})
    tmp = path.with_suffix(".part")
    tmp.write_text(json.dumps(flags, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def flags(project: Path, name: str, lang: str) -> list[dict]:
    path = folder(project, name, lang) / "flags.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
