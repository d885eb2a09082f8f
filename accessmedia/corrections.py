"""People's corrections: a volunteer's file applied as a new revision (and carried into the translations
nobody corrected by hand), the history of revisions, restoring one, and translation kits.

A revision is never deleted or overwritten; the current file of a language is always the latest revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import languages, revisions, stages, style, subtitles
from .cues import Cue
from .errors import AccessMediaError
from .files import RecordingFiles
from .fsutil import write_atomic
from .ledger import Ledger
from .runtime import LoadedModels
from .settings import Styles, Translation
from .sheets import cues_from_sheet, template_csv


@dataclass(frozen=True)
class ApplyResult:
    name: str
    language: str
    revision: revisions.Revision
    retranslated: dict[str, int]  # language -> sentences sent to a model
    flagged: tuple[str, ...]  # languages a person corrected: kept, flagged "source changed, please check"
    package: object = None  # the rebuilt package, when the recording had been packaged


def _make_current(files: RecordingFiles, lang: str, cues) -> None:
    write_atomic(files.subtitles(lang, "vtt"), subtitles.compose_vtt(cues))
    write_atomic(files.subtitles(lang, "srt"), subtitles.compose_srt(cues))


def _refuse_broken(path: Path, cues, lang: str, hint: str) -> None:
    broken = style.check(cues, style.load_profile(lang)).errors
    if broken:
        b = broken[0]
        raise AccessMediaError(f"{path.name}: cue {b.cue} at {subtitles.clock(b.start, '.')}: {b.rule}: {b.detail} ({len(broken)} such problems)", hint)


def apply(corrected: str | Path, project: str | Path, name: str | None = None, lang: str | None = None,
          contributor: str = "volunteer", retranslate: bool = True) -> ApplyResult:
    """Accept a corrected subtitle file: validate, keep it as a new revision, make it current,
    and carry a Norwegian correction into every translation nobody has corrected by hand."""
    corrected, project = Path(corrected), Path(project)
    guessed, lang = RecordingFiles.of_subtitles(corrected, lang)
    if lang is None:
        raise AccessMediaError(f"cannot tell the language of {corrected.name}", "name it NAME.<lang>.srt or pass --lang")
    files = RecordingFiles(project, name or guessed.name)
    current = files.subtitles(lang)
    if not current.exists():
        raise AccessMediaError(f"{project} has no {current.name}", "pass the project folder that transcribe/translate wrote to, and --name")
    parsed = subtitles.read(corrected)
    _refuse_broken(corrected, parsed.cues, lang, f"fix them first; `accessmedia check {corrected.name}` lists them all")
    before = subtitles.read(current)
    if not revisions.history(project, files.name, lang):  # keep the machine's version before the first correction replaces it
        revisions.save(project, files.name, lang, current.read_bytes(), current.name, before.cues, None, revisions.MACHINE,
                       before.encoding, "the version accessmedia wrote")
    revision = revisions.save(project, files.name, lang, corrected.read_bytes(), corrected.name, parsed.cues, before.cues,
                              contributor, parsed.encoding)
    _make_current(files, lang, parsed.cues)
    retranslated: dict[str, int] = {}
    flagged: list[str] = []
    record = stages.read_record(files.translations, "produced")
    if retranslate and lang == "nb" and record:
        loaded = LoadedModels()
        ledger = Ledger(project)
        source_cues = subtitles.read(current).cues  # as the current file holds them, as a rerun would read them
        for target in sorted(record):
            # a translation a person corrected, through accessmedia or by hand, is theirs: kept and flagged
            if revisions.corrected_by_people(project, files.name, target) or any(
                    ledger.edited(path) for path in files.translation_files([target])):
                revisions.flag(project, files.name, target, f"source changed in nb {revision.label}, please check")
                flagged.append(target)
                continue
            result = stages.translate(files, source_cues, lang, Translation(targets=(target,)), Styles(), loaded, current.name)
            retranslated[target] = result.translated
    return ApplyResult(files.name, lang, revision, retranslated, tuple(flagged), stages.repackage(files))


def history(project: str | Path, name: str | None = None, lang: str | None = None) -> dict[tuple[str, str], list]:
    """Every revision of every subtitle file in the project (or of one name/language)."""
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
    parsed = subtitles.read(wanted.file)
    revision = revisions.save(project, name, lang, wanted.file.read_bytes(), wanted.file.name, parsed.cues,
                              subtitles.read(files.subtitles(lang)).cues, contributor, parsed.encoding, f"restored {wanted.label}")
    _make_current(files, lang, parsed.cues)
    return revision


def kit_export(project: str | Path, name: str, lang: str, source: str = "nb") -> tuple[Path, Path]:
    """Timed cues for volunteers to translate: an SRT to overwrite (in Subtitle Edit or any editor)
    and a CSV sheet with the Norwegian and English text and an empty column for `lang`."""
    files, lang = RecordingFiles(Path(project), name), languages.normalize(lang)
    current = files.subtitles(source)
    if not current.exists():
        raise AccessMediaError(f"{project} has no {current.name}", "transcribe first, or check --name")
    cues = subtitles.read(current).cues
    english_path = files.subtitles("en")
    english = subtitles.read(english_path).cues if english_path.exists() and lang != "en" else None
    srt_path, csv_path = files.kit(lang, "srt"), files.kit(lang, "csv")
    write_atomic(srt_path, subtitles.compose_srt(cues))
    write_atomic(csv_path, template_csv(cues, english, source, lang))
    return srt_path, csv_path


def kit_import(path: str | Path, project: str | Path, name: str, lang: str, contributor: str = "volunteer",
               source: str = "nb") -> revisions.Revision:
    """Bring a finished kit (the SRT or the CSV sheet) back as that language's revision."""
    path, lang = Path(path), languages.normalize(lang)
    files = RecordingFiles(Path(project), name)
    cues: list[Cue]
    if path.suffix.lower() == ".csv":
        cues, encoding = cues_from_sheet(path, lang), "utf-8"
    else:
        parsed = subtitles.read(path)
        cues, encoding = list(parsed.cues), parsed.encoding
        original = files.subtitles(source)
        if original.exists() and [c.lines for c in subtitles.read(original).cues] == [c.lines for c in cues]:
            raise AccessMediaError(f"{path.name} still holds the {source} text", f"replace each cue's text with the {lang} translation first")
    _refuse_broken(path, cues, lang, "fix the times, then import again")
    current = files.subtitles(lang)
    previous = subtitles.read(current).cues if current.exists() else None
    revision = revisions.save(files.folder, name, lang, path.read_bytes(), path.name, cues, previous, contributor, encoding, "translation kit")
    _make_current(files, lang, cues)
    stages.record_volunteer_language(files, lang, len(cues), source)
    return revision
