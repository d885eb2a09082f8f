"""Naming speakers: "Taler 1" becomes "Amina Yusuf" in every cue of every language, the readable text, the
RTTM and the package, each language as a new revision (the path `apply` takes: nothing is lost, history
shows it). In an event, the same voice in the other recordings is named too.
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from accessmedia.core import languages
from accessmedia.editing import corrections, revisions
from accessmedia.speakers import record as speakers
from accessmedia.speakers import rttm
from accessmedia.pipeline import stages
from accessmedia.subtitles import style
from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles import voices
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.segmenter import fit_text
from accessmedia.core.errors import AccessMediaError, ConflictError
from accessmedia.core.files import RecordingFiles
from accessmedia.core.fsutil import run_lock
from accessmedia.core.ledger import Ledger
from accessmedia.core.transcript import Transcript, readable_text

SAME_VOICE = 0.6  # cosine of two recordings' voice embeddings above which they are one person


@dataclass
class Named:
    recording: str
    renamed: dict[str, str]  # old label -> name
    languages: list[str] = field(default_factory=list)  # languages given a new revision
    kept: list[str] = field(default_factory=list)  # files a person edited by hand, left as they are
    merged: dict[str, str] = field(default_factory=dict)  # label -> the voice it joined (an explicit merge)


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
    """Each recording's speakers, and the voices the same person has in other recordings (a naming killed part way
    is finished first)."""
    for folder in sorted({f.folder for f in recordings(project)}):
        corrections.settle(folder)
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


def name_speakers(project: str | Path, namings: Sequence[tuple[str, str]], recording: str | None = None,
         contributor: str = "volunteer", across: bool = True, merge: bool = False) -> list[Named]:
    """Give speakers names: (label, name) pairs, a label being "Taler 1", a name given before, or an id "S1".
    With several recordings, `recording` says whose "Taler 1" is meant (a name alone is enough when it is
    unique); `across` names the same voice in the other recordings too. A name another voice of the recording
    already has is refused, unless `merge`: the two voices are one person, and become one in every file.
    Each recording's change is journalled under its folder's lock (corrections.change)."""
    found = recordings(project)
    with contextlib.ExitStack() as held:
        for folder in sorted({f.folder for f in found}):
            held.enter_context(run_lock(folder))
            corrections.recover(folder)  # a change or apply that was killed: finish it first
        data = {f.name: speakers.read(f.speakers) for f in found}
        plan: dict[str, dict[str, str]] = {}  # recording -> {speaker id: new name}
        merges: dict[str, dict[str, str]] = {}  # recording -> {speaker id: the id of the voice it joins}
        for old, new in namings:
            home, speaker = _find(found, data, old, recording)
            other = _holder(data[home.name], new, speaker["id"], plan.get(home.name, {}))
            if other is not None:
                if not merge:
                    raise ConflictError(
                        f"{new!r} is already the name of another voice in {home.name} ({other['id']}); naming "
                        f"{old!r} so would make two people one", "choose another name, or, if they are one person, "
                        "say so with --merge (both voices become one in the subtitles, the text, the RTTM and speakers.json)",
                        {"merge": True, "speaker": speaker["id"], "other": other["id"]})
                merges.setdefault(home.name, {})[speaker["id"]] = other["id"]
                continue
            plan.setdefault(home.name, {})[speaker["id"]] = new
            if across:
                for f in found:
                    if f.name == home.name:
                        continue
                    match = max(data[f.name]["speakers"], key=lambda o: _similar(speaker, o), default=None)
                    if (match is not None and _similar(speaker, match) >= SAME_VOICE and not match.get("name")
                            and _holder(data[f.name], new, match["id"], plan.get(f.name, {})) is None):
                        plan.setdefault(f.name, {}).setdefault(match["id"], new)
        return [_apply(f, data[f.name], plan.get(f.name, {}), merges.get(f.name, {}), contributor)
                for f in found if f.name in plan or f.name in merges]


def restore(project: str | Path, name: str, lang: str, number: int, contributor: str = "volunteer"):
    """Revision `number` of `lang` made current again (corrections.restore), and the speakers given back the names its
    cues call them by, in every language of the recording (a naming, as `name` makes it). Returns the new revision and
    {name now: name given back}."""
    files = RecordingFiles(Path(project), name)
    then = next((r.names for r in revisions.history(Path(project), name, languages.normalize(lang)) if r.number == number), None)
    back = []
    if then and files.speakers.exists():  # the names first: a revision read from SRT gets its voices from speakers.json
        now = speakers.labels(speakers.read(files.speakers))
        back = [(now[i], label) for i, label in then.items() if i in now and now[i] != label]
        if back:
            name_speakers(project, back, name, contributor, across=False)
    return corrections.restore(project, name, lang, number, contributor), dict(back)


def restore_preview(project: str | Path, name: str, lang: str, number: int) -> dict:
    """What restoring revision `number` would change, nothing written: {"changes": [[line now, line then], ...] (a
    side empty where a cue is only on the other), "names": {name now: name given back}}. A line: "M:SS text"."""
    project, lang = Path(project), languages.normalize(lang)
    files = RecordingFiles(project, name)
    wanted = next((r for r in revisions.history(project, name, lang) if r.number == number), None)
    if wanted is None:
        raise AccessMediaError(f"{name}.{lang} has no revision {number}", "choose one from the history")

    def lines(cues) -> list[str]:  # as a person reads them: no voice or style tags
        return [f"{int(c.start // 60)}:{int(c.start % 60):02d} " + re.sub(r"</?[^>]*>", "", " / ".join(c.lines)) for c in cues]

    now = lines(subtitles.read(files.subtitles(lang), allow_empty=True).cues) if files.subtitles(lang).exists() else []
    then = lines(corrections.revision_cues(wanted, lang))
    changes = []
    for op, a, b, c, d in difflib.SequenceMatcher(a=now, b=then, autojunk=False).get_opcodes():
        if op != "equal":
            changes += [[x, y] for x, y in itertools.zip_longest(now[a:b], then[c:d], fillvalue="")]
    labels = speakers.labels(speakers.read(files.speakers)) if files.speakers.exists() else {}
    names = {labels[i]: label for i, label in (wanted.names or {}).items() if i in labels and labels[i] != label}
    return {"changes": changes, "names": names}


def _holder(data: dict, new: str, speaker_id: str, planned: dict[str, str]) -> dict | None:
    """Another voice of the recording that is called `new` (now, or by this naming), if any."""
    wanted = new.casefold()
    for s in data["speakers"]:
        if s["id"] == speaker_id:
            continue
        now = planned.get(s["id"]) or s.get("name") or s["label"]
        if now.casefold() == wanted or s["label"].casefold() == wanted and s["id"] not in planned:
            return s
    return None


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


def _apply(files: RecordingFiles, data: dict, new_names: dict[str, str], merged: dict[str, str], contributor: str) -> Named:
    """Plan every file of the recording as it will be after the naming and merging, then change them all, journalled."""
    renames: dict[str, str] = {}
    names_before = speakers.labels(data)  # what the cues say before: the machine's version, kept first, says it too
    language = stages.recorded_settings(files).language
    for s in data["speakers"]:
        if s["id"] in new_names:
            renames[s["label"]] = new_names[s["id"]]
            s["name"] = s["label"] = new_names[s["id"]]
            if s["name"] == speakers.generic_label(int(s["id"][1:]), language):  # named back to "Taler 1": unnamed
                s["name"] = None
    joined = {}
    transcript = Transcript.from_json(files.transcript.read_text(encoding="utf-8")) if files.transcript.exists() else None
    if merged:
        by_id = {s["id"]: s for s in data["speakers"]}
        for source, target in merged.items():
            a, b = by_id[source], by_id[target]
            renames[a["label"]] = joined[a["label"]] = b.get("name") or b["label"]
            b["seconds"] = round(b.get("seconds", 0.0) + a.get("seconds", 0.0), 2)
            b["words"] = b.get("words", 0) + a.get("words", 0)
            data["speakers"].remove(a)
        data["turns"] = [[start, end, merged.get(who, who)] for start, end, who in data["turns"]]
        if transcript is not None:
            transcript = _merged_transcript(transcript, merged, data)
    result = Named(files.name, {k: v for k, v in renames.items() if k not in joined}, merged=joined)
    labels = speakers.labels(data)
    said = []
    if result.renamed:
        said.append("named " + ", ".join(f"{old} {new}" for old, new in result.renamed.items()))
    if joined:
        said.append("merged " + ", ".join(f"{old} into {new}" for old, new in joined.items()))
    plan: dict = {"write": {}, "ledger": {}, "languages": {}, "contributor": contributor, "note": "; ".join(said),
                  "names_before": names_before}
    if merged and transcript is not None:
        plan["write"][files.transcript.name] = transcript.to_json()
    plan["write"][files.speakers.name] = speakers.dumps(data)  # after the transcript: found after it was last written
    plan["write"][files.rttm.name] = rttm.dumps(files.name, [(a, b, labels.get(w, w)) for a, b, w in data["turns"]])
    if transcript is not None:
        if Ledger(files.folder).edited(files.text):
            result.kept.append(files.text.name)
        else:
            plan["ledger"][files.text.name] = readable_text(transcript, labels)
    settings = stages.recorded_settings(files)  # the project's style profile, not the built-in one
    for lang in files.subtitle_languages():
        cues = subtitles.read(files.subtitles(lang, "vtt"), language=lang).cues
        changed = [_renamed_cue(c, renames, settings.profile(lang)) for c in cues]
        if changed != list(cues):
            plan["languages"][lang] = subtitles.compose_vtt(changed)
            result.languages.append(lang)
    corrections.change(files, plan)
    return result


def _merged_transcript(transcript: Transcript, merged: dict[str, str], data: dict) -> Transcript:
    """The transcript with every word and segment of a merged voice given to the voice it joined."""
    segments = tuple(replace(seg, speaker=merged.get(seg.speaker, seg.speaker),
                             words=tuple(replace(w, speaker=merged.get(w.speaker, w.speaker)) for w in seg.words))
                     for seg in transcript.segments)
    counts = {s["id"]: s for s in data["speakers"]}
    kept = tuple({**s, **{k: counts[s["id"]][k] for k in ("seconds", "words") if k in counts[s["id"]]}}
                 for s in transcript.speakers if s.get("id") in counts)
    return replace(transcript, segments=segments, speakers=kept)


def _rename(line: str, renames: dict[str, str], titles: frozenset[str] = frozenset()) -> str:
    for old, new in renames.items():
        line = voices.rename_line(line, old, new, titles)
    return line


def _renamed_cue(cue: Cue, renames: dict[str, str], profile: style.StyleProfile) -> Cue:
    """The cue with its speakers renamed; a one-speaker cue whose label grew past the line length is set in
    lines again (in the same time, the same number of lines at most)."""
    lines = tuple(_rename(line, renames, profile.no_break_after) for line in cue.lines)
    if lines == cue.lines or all(style.visible_length(x) <= profile.max_chars_per_line for x in lines):
        return Cue(cue.start, cue.end, lines, cue.settings)
    parts = voices.units(lines)
    if len(parts) != 1 or parts[0].voice is None:
        return Cue(cue.start, cue.end, lines, cue.settings)
    unit = parts[0]
    label = f"{unit.shown or unit.voice}: " if unit.labelled else ""
    refit = fit_text(label + " ".join(unit.text.split()), cue.start, cue.end, profile)
    if len(refit) != 1 or len(refit[0].lines) > max(len(cue.lines), profile.max_lines) or not refit[0].lines[0].startswith(label):
        return Cue(cue.start, cue.end, lines, cue.settings)
    first = refit[0].lines[0][len(label):] if label else refit[0].lines[0]
    shown = voices.Unit(unit.voice, "", unit.labelled, unit.dashed, unit.shown)
    return Cue(cue.start, cue.end, (voices.compose(shown, first),) + refit[0].lines[1:], cue.settings)
