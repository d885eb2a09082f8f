"""People's corrections: a volunteer's file applied as a new revision (and carried into the translations
nobody corrected by hand), the history of revisions, restoring one, and translation kits.

A revision is never deleted or overwritten; the current file of a language is always the latest revision.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from accessmedia.core.clock import clock
from accessmedia.core import languages
from accessmedia.editing import merging, revisions
from accessmedia.packaging import eventsite
from accessmedia.pipeline import stages
from accessmedia.speakers import record as speakers
from accessmedia.subtitles import style
from accessmedia.subtitles import formats as subtitles
from accessmedia.subtitles.cue import Cue
from accessmedia.core.errors import AccessMediaError, ConflictError
from accessmedia.core.files import APPLY_JOURNAL_PREFIX, CHANGE_JOURNAL_PREFIX, RecordingFiles
from accessmedia.core.fsutil import remove_leftovers, run_lock, write_atomic
from accessmedia.core.ledger import Ledger
from accessmedia.pipeline.runtime import LoadedModels
from accessmedia.pipeline.settings import Settings
from accessmedia.subtitles.sheets import cues_from_sheet, template_csv


@dataclass(frozen=True)
class ApplyResult:
    name: str
    language: str
    revision: revisions.Revision
    retranslated: dict[str, int]  # language -> sentences sent to a model
    flagged: tuple[str, ...]  # languages a person corrected: kept, flagged "source changed, please check"
    package: object = None  # the rebuilt package, when the recording had been packaged
    merged: bool = False  # a review save merged with a save made since the editor loaded
    unchanged: bool = False  # a review save that changed nothing since the latest revision: no new one made


def _make_current(files: RecordingFiles, lang: str, cues) -> None:
    """The current files of `lang`: SRT and WebVTT, and TTML where the project has it."""
    for fmt in subtitles.FORMATS:
        if fmt in subtitles.PIPELINE_FORMATS or files.subtitles(lang, fmt).exists():
            write_atomic(files.subtitles(lang, fmt), subtitles.compose(cues, fmt, lang))


def _refuse_broken(label: str, cues, profile: style.StyleProfile, hint: str, duration: float | None = None) -> None:
    """Refuse cues that make a broken file by the recording's style profile, or that run past its end."""
    broken = style.check(cues, profile).errors
    if broken:
        b = broken[0]
        raise AccessMediaError(f"{label}: cue {b.cue} at {clock(b.start, millis='.')}: {b.rule}: {b.detail} ({len(broken)} such problems)", hint,
                               code="breaks_rules")
    if duration is not None:
        late = next(((n, c) for n, c in enumerate(cues, start=1) if c.end > duration + LENGTH_SLACK), None)
        if late is not None:
            n, c = late
            raise AccessMediaError(f"{label}: cue {n} ends at {clock(c.end, millis='.')}, after the recording ends "
                                   f"({clock(duration, millis='.')})", "check the times: is this the file of another recording?",
                                   code="past_end")


LENGTH_SLACK = 1.0  # seconds a cue may run past the recording's end (rounding, a last cue held for reading)


def apply(corrected: str | Path, project: str | Path, name: str | None = None, lang: str | None = None,
          contributor: str = "volunteer", retranslate: bool = True, accept_loss: bool = False) -> ApplyResult:
    """Accept a corrected subtitle file: validate, keep it as a new revision, make it current,
    and carry a Norwegian correction into every translation nobody has corrected by hand.
    A file with blocks that cannot be read is refused, naming them, unless `accept_loss`."""
    corrected = Path(corrected)
    guessed, lang = RecordingFiles.of_subtitles(corrected, lang)
    if lang is None:
        raise AccessMediaError(f"cannot tell the language of {corrected.name}", "name it NAME.<lang>.srt or pass --lang")
    parsed = subtitles.read(corrected, language=lang)
    return accept(RecordingFiles(Path(project), name or guessed.name), lang, parsed.cues, corrected.read_bytes(), corrected.name,
                   parsed.encoding, contributor, retranslate, _loss(parsed, accept_loss))


def _loss(parsed: subtitles.SubtitleFile, accept: bool) -> str:
    """The revision's note on blocks a file loses; refused unless the person accepts the loss."""
    if not parsed.skipped:
        return ""
    if not accept:
        raise AccessMediaError(f"{len(parsed.skipped)} block(s) of the file cannot be read and would be lost: " + "; ".join(parsed.skipped),
                               "fix them, or pass --accept-loss to keep the file without them")
    return f"accepted the loss of {len(parsed.skipped)} unreadable block(s): " + "; ".join(parsed.skipped)


def current_revision(project: str | Path, name: str, lang: str) -> int | None:
    """The number of the revision an editor starts from (None: the machine's file, never corrected)."""
    found = revisions.history(Path(project), name, lang)
    return found[-1].number if found else None


def apply_edit(project: str | Path, name: str, lang: str, cues: Sequence[Cue], contributor: str = "volunteer",
               base: int | None | str = "any", prefer: str | None = None) -> ApplyResult:
    """Cues edited in the review app, accepted exactly as a corrected file would be. `base`: the revision the
    editor started from (`current_revision` when it loaded). When someone saved since, the two edits are merged:
    edits of different cues by themselves, edits of the same cues by `prefer` ("mine" or "theirs"); without it they
    are refused with a ConflictError that shows both sides. The check and the save hold the folder's lock."""
    files = RecordingFiles(Path(project), name)
    if not cues:
        raise AccessMediaError("nothing to save: the edit has no cues", "reload the page; every cue was removed")
    filename = files.subtitles(lang, "vtt").name
    with run_lock(files.folder):
        recover(files.folder)
        latest = current_revision(project, name, lang)
        note = ""
        if base != "any" and base != latest:  # someone saved since the editor loaded: merge with theirs
            mine = subtitles.parse(subtitles.compose_vtt(cues), filename, "vtt").cues  # as saved and read back
            cues, both = _merged(files, lang, base, latest, mine, prefer)
            note = f"merged with {_label(latest)} (saved meanwhile)" + (f", {both} cue(s) changed by both: kept {prefer}'s" if both else "")
        text = subtitles.compose_vtt(cues)  # WebVTT keeps every span and cue setting the page kept
        parsed = subtitles.parse(text, filename, "vtt").cues
        history = revisions.history(files.folder, files.name, lang)
        if not note and history and revision_cues(history[-1], lang) == list(parsed):
            return ApplyResult(files.name, lang, history[-1], {}, (), unchanged=True)  # saved again without a change
        result = _accepted(files, lang, parsed, text.encode("utf-8"), filename, "utf-8", contributor, True, note)
        return replace(result, merged=bool(note))


def _merged(files: RecordingFiles, lang: str, base: int | None, latest: int | None, mine, prefer: str | None):
    """Mine merged with what was saved since `base`; the number of cues both changed (kept by `prefer`)."""
    history = revisions.history(files.folder, files.name, lang)
    start = next((r for r in history if r.number == base), None) if base is not None else (history[0] if history else None)
    if start is None:
        raise AccessMediaError(f"{files.name}.{lang}: the version this edit started from (revision {base}) is not in the history",
                               "reload the page, then make the edit again")
    theirs = revision_cues(history[-1], lang)
    result, conflicts = merging.merge(revision_cues(start, lang), mine, theirs, prefer)
    if conflicts and prefer not in ("mine", "theirs"):
        raise ConflictError(
            f"{files.name}.{lang} was saved by {history[-1].contributor} ({_label(latest)}) while you edited it, "
            f"and {len(conflicts)} of your changes touch the same cues", "keep yours or theirs for those cues; your other edits are kept",
            {"revision": latest, "conflicts": [{"mine": [_row(c) for c in k.mine], "theirs": [_row(c) for c in k.theirs]} for k in conflicts]})
    return result, sum(len(k.mine) for k in conflicts)


def _label(number: int | None) -> str:
    return f"r{number:04d}" if number is not None else "the machine's version"


def _row(cue: Cue) -> list:
    return [cue.start, cue.end, cue.text, cue.settings]


def accept(files: RecordingFiles, lang: str, cues, data: bytes, filename: str, encoding: str, contributor: str,
            retranslate: bool, note: str = "", hint: str | None = None, new_language: bool = False, package: bool = True) -> ApplyResult:
    """Keep `data` as a new revision of `lang` and carry it through (see _carry), under the folder's lock
    and journalled, so that a killed apply is finished by the next apply, process or review."""
    with run_lock(files.folder):
        recover(files.folder)  # an apply that was killed: finish it first
        return _accepted(files, lang, cues, data, filename, encoding, contributor, retranslate, note, hint, new_language, package)


def _accepted(files: RecordingFiles, lang: str, cues, data: bytes, filename: str, encoding: str, contributor: str,
              retranslate: bool, note: str = "", hint: str | None = None, new_language: bool = False, package: bool = True) -> ApplyResult:
    """`accept`, holding the folder's lock."""
    current = files.subtitles(lang)
    if not current.exists() and not new_language:
        raise AccessMediaError(f"{files.folder} has no {current.name}", "pass the project folder that transcribe/translate wrote to, and --name")
    settings = stages.recorded_settings(files)  # the rules, routes and glossary the recording was made with
    _refuse_broken(filename, cues, settings.profile(lang), hint or f"fix them first; `accessmedia check {filename}` lists them all", stages.recording_length(files))
    write_atomic(files.apply_journal, json.dumps({"language": lang, "retranslate": retranslate}) + "\n")
    revision = _keep(files, lang, cues, data, filename, encoding, contributor, note)
    retranslated, flagged, packaged = _carry(files, lang, retranslate, package, settings)
    _refresh_sites(files)
    files.apply_journal.unlink()
    return ApplyResult(files.name, lang, revision, retranslated, flagged, packaged)


def _keep(files: RecordingFiles, lang: str, cues, data: bytes, filename: str, encoding: str, contributor: str,
          note: str, names_before: dict[str, str] | None = None) -> revisions.Revision:
    """Save `data` as the newest revision of `lang` (first the machine's version, when this is the first correction).
    Each revision keeps the speakers' names its cues were written with (a restore gives them back): speakers.json as
    it is now, or, for the version before a naming, `names_before`."""
    current = files.subtitles(lang)
    before = subtitles.read(current, allow_empty=True) if current.exists() else None
    names = speakers.labels(speakers.read(files.speakers)) if files.speakers.exists() else None  # id -> "Taler 1" or name
    if before is not None and not revisions.history(files.folder, files.name, lang):
        # keep the machine's version before the first correction replaces it
        revisions.save(files.folder, files.name, lang, current.read_bytes(), current.name, before.cues, None, revisions.MACHINE,
                       before.encoding, revisions.MACHINE_NOTE, names_before if names_before is not None else names)
    return revisions.save(files.folder, files.name, lang, data, filename, cues, before.cues if before else None, contributor,
                          encoding, note, names)



def change(files: RecordingFiles, plan: dict) -> None:
    """Carry out a change of several files at once (naming or merging speakers), journalled: the journal holds every
    file as it will be, so that a change killed part way is finished by the next command (`recover`). Call it holding
    the folder's run lock. plan: {"write": {file name: text}, "ledger": {file name: text} (written through the ledger),
    "languages": {language: WebVTT text, each a new revision}, "contributor", "note"}."""
    write_atomic(files.change_journal, json.dumps(plan, ensure_ascii=False) + "\n")
    _finish_change(files, plan)
    files.change_journal.unlink()


def _finish_change(files: RecordingFiles, plan: dict) -> None:
    """Every step of a change; a step already done is seen to be done, so running it again changes nothing."""
    for name, text in plan.get("write", {}).items():
        write_atomic(files.folder / name, text)
    if plan.get("ledger"):
        Ledger(files.folder).write(plan["ledger"])
    for lang, text in plan.get("languages", {}).items():
        data = text.encode("utf-8")
        filename = files.subtitles(lang, "vtt").name
        history = revisions.history(files.folder, files.name, lang)
        latest = history[-1] if history else None
        if latest is None or latest.file.read_bytes() != data:
            cues = subtitles.parse(text, filename, "vtt").cues
            latest = _keep(files, lang, cues, data, filename, "utf-8", plan.get("contributor", "volunteer"), plan.get("note", ""),
                           plan.get("names_before"))
        _make_current(files, lang, revision_cues(latest, lang))
    if plan.get("languages"):
        before = stages.packaged_before(files)
        if before is not None:
            remove_leftovers(before[1].parent)  # the half-built package of a killed change
        stages.repackage(files)
    _refresh_sites(files)


def _refresh_sites(files: RecordingFiles) -> None:
    """The event's site, where the recording is one of an event's, made again: names and languages as they are now."""
    for folder in (files.folder, files.folder.parent):
        eventsite.refresh(folder)


def revision_cues(revision: revisions.Revision, lang: str) -> list[Cue]:
    """The cues of a revision as it was saved: a subtitle file, or a translation kit's sheet."""
    if revision.file.suffix.lower() == ".csv":
        return cues_from_sheet(revision.file, lang)
    return list(subtitles.read(revision.file, language=lang).cues)  # its code page is the language's, whatever its name


def _carry(files: RecordingFiles, lang: str, retranslate: bool, package: bool = True,
           settings: Settings | None = None) -> tuple[dict[str, int], tuple[str, ...], object]:
    """Make the latest revision of `lang` current, carry one in the spoken language into every translation nobody
    corrected by hand (those are kept and flagged), and package again, all with the settings the recording was
    made with (its process.json: glossary, pinned routes, beam, style file, source language). Safe to run twice."""
    settings = settings or stages.recorded_settings(files)
    latest = revisions.history(files.folder, files.name, lang)[-1]
    cues = revision_cues(latest, lang)
    _make_current(files, lang, cues)
    source = settings.language
    if lang != source and lang not in stages.read_record(files.translations, "produced"):
        stages.record_volunteer_language(files, lang, len(cues), source)  # a language only people made (a translation kit)
    retranslated: dict[str, int] = {}
    flagged: list[str] = []
    record = stages.read_record(files.translations, "produced")
    if retranslate and lang == source and record:
        loaded = LoadedModels()
        ledger = Ledger(files.folder)
        current = files.subtitles(lang)
        source_cues = subtitles.read(current).cues  # as the current file holds them, as a rerun would read them
        for target in sorted(record):
            # a translation a person corrected, through accessmedia or by hand, is theirs: kept and flagged
            if revisions.corrected_by_people(files.folder, files.name, target) or any(
                    ledger.edited(path) for path in files.translation_files([target])):
                revisions.flag(files.folder, files.name, target, f"source changed in {source} {latest.label}, please check")
                flagged.append(target)
                continue
            formats = [f for f in subtitles.FORMATS if f in subtitles.PIPELINE_FORMATS or files.subtitles(target, f).exists()]
            result = stages.translate(files, source_cues, lang, replace(settings.translation, targets=(target,)), settings.styles,
                                      loaded, current.name,
                                      formats=formats)
            retranslated[target] = result.translated
    return retranslated, tuple(flagged), stages.repackage(files, lang) if package else None


def recover(project: Path) -> list[str]:
    """Finish every apply and change in `project` that was killed part way, so that the history, the current files,
    the translations and the package agree again. Call it holding the folder's run lock. Returns the
    recordings it finished."""
    finished = []
    remove_leftovers(project)
    for kept in Path(project).glob("revisions/*/*"):
        remove_leftovers(kept)  # a revision killed while it was written
    for files, step in _journals(project, APPLY_JOURNAL_PREFIX):
        if step.get("language") and revisions.history(files.folder, files.name, step["language"]):
            before = stages.packaged_before(files)
            if before is not None:
                remove_leftovers(before[1].parent)  # the half-built package of the killed apply
            _carry(files, step["language"], bool(step.get("retranslate", True)))
        files.apply_journal.unlink()
        finished.append(files.name)
    for files, plan in _journals(project, CHANGE_JOURNAL_PREFIX):
        _finish_change(files, plan)  # an unreadable journal ({}): killed while it was written, nothing was done
        files.change_journal.unlink()
        finished.append(files.name)
    return finished


def _journals(project: str | Path, prefix: str):
    """(the recording, what its journal says) for each journal of `prefix` in the project; {} for one that cannot be read."""
    for journal in sorted((Path(project) / ".accessmedia").glob(f"{prefix}*.json")):
        try:
            step = json.loads(journal.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            step = {}
        yield RecordingFiles(Path(project), journal.name[len(prefix):-len(".json")]), step if isinstance(step, dict) else {}


def unfinished(project: str | Path) -> bool:
    """An apply or a change was killed part way in `project` (`recover` finishes it)."""
    hidden = Path(project) / ".accessmedia"
    return any(hidden.glob(f"{APPLY_JOURNAL_PREFIX}*.json")) or any(hidden.glob(f"{CHANGE_JOURNAL_PREFIX}*.json"))


def settle(project: str | Path) -> None:
    """Finish an apply or change killed part way in `project`, taking the folder's lock only when there is one."""
    if unfinished(project):
        with run_lock(Path(project)):
            recover(Path(project))


def history(project: str | Path, name: str | None = None, lang: str | None = None) -> dict[tuple[str, str], list]:
    """Every revision of every subtitle file in the project (or of one name/language); an apply or change that was
    killed part way is finished first, so that the history shows what the files hold."""
    settle(project)
    root = Path(project) / "revisions"
    found = {}
    for lang_dir in sorted(root.glob(f"{name or '*'}/{languages.normalize(lang) if lang else '*'}")):
        if lang_dir.is_dir():
            found[(lang_dir.parent.name, lang_dir.name)] = revisions.history(Path(project), lang_dir.parent.name, lang_dir.name)
    return found


def restore(project: str | Path, name: str, lang: str, number: int, contributor: str = "volunteer") -> revisions.Revision:
    """Make revision `number` current again, as a new revision: nothing is lost."""
    project, lang = Path(project), languages.normalize(lang)
    files = RecordingFiles(project, name)
    wanted = next((r for r in revisions.history(project, name, lang) if r.number == number), None)
    if wanted is None:
        raise AccessMediaError(f"{name}.{lang} has no revision {number}", f"see `accessmedia history {project} --lang {lang}`")
    meta = json.loads((wanted.path / "meta.json").read_text(encoding="utf-8"))
    cues, data = revision_cues(wanted, lang), wanted.file.read_bytes()
    filename, encoding = wanted.file.name, meta.get("encoding", "utf-8")
    if wanted.file.suffix.lower() != ".vtt":  # SRT or a sheet has no voices: given them from the speakers as named now
        voiced = stages.speaker_voices(files, cues)
        if voiced != list(cues):
            cues, data, encoding = voiced, subtitles.compose_vtt(voiced).encode("utf-8"), "utf-8"
            filename = files.subtitles(lang, "vtt").name
    return accept(files, lang, cues, data, filename, encoding, contributor, True, f"restored {wanted.label}").revision


def kit_texts(project: str | Path, name: str, lang: str, source: str | None = None) -> dict[str, tuple[str, str]]:
    """A translation kit as texts, nothing written: {"srt": (file name, text), "csv": (file name, text)}: an SRT to
    overwrite (in Subtitle Edit or any editor) and a CSV sheet with the source and English text and an empty column for
    `lang`. `source`: the spoken language the recording was made in, unless given."""
    files, lang = RecordingFiles(Path(project), name), languages.normalize(lang)
    source = source or stages.recorded_settings(files).language
    current = files.subtitles(source)
    if not current.exists():
        raise AccessMediaError(f"{project} has no {current.name}", "transcribe first, or check --name")
    cues = subtitles.read(current, allow_empty=True).cues
    english_path = files.subtitles("en")
    english = subtitles.read(english_path, allow_empty=True).cues if english_path.exists() and lang != "en" else None
    return {"srt": (files.kit(lang, "srt").name, subtitles.compose_srt(cues)),
            "csv": (files.kit(lang, "csv").name, template_csv(cues, english, source, lang))}


def kit_export(project: str | Path, name: str, lang: str, source: str | None = None) -> tuple[Path, Path]:
    """The kit of `kit_texts` written to KITS/NAME.LANG.srt and .csv (the command line's `kit export`)."""
    files, lang = RecordingFiles(Path(project), name), languages.normalize(lang)
    texts = kit_texts(project, name, lang, source)
    srt_path, csv_path = files.kit(lang, "srt"), files.kit(lang, "csv")
    write_atomic(srt_path, texts["srt"][1])
    write_atomic(csv_path, texts["csv"][1])
    return srt_path, csv_path


def kit_import(path: str | Path, project: str | Path, name: str, lang: str, contributor: str = "volunteer",
               source: str | None = None) -> revisions.Revision:
    """Bring a finished kit (the SRT or the CSV sheet) back as that language's revision."""
    path, lang = Path(path), languages.normalize(lang)
    files = RecordingFiles(Path(project), name)
    source = source or stages.recorded_settings(files).language
    cues: list[Cue]
    if path.suffix.lower() == ".csv":
        cues, encoding = cues_from_sheet(path, lang), "utf-8"
    else:
        parsed = subtitles.read(path, language=lang)
        _loss(parsed, False)
        cues, encoding = list(parsed.cues), parsed.encoding
        original = files.subtitles(source)
        if original.exists() and [c.lines for c in subtitles.read(original).cues] == [c.lines for c in cues]:
            raise AccessMediaError(f"{path.name} still holds the {source} text", f"replace each cue's text with the {lang} translation first",
                                   code="kit_untranslated")
    return accept(files, lang, cues, path.read_bytes(), path.name, encoding, contributor, False, "translation kit",
                   "fix the times, then import again", new_language=True).revision
