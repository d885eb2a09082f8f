"""The library verbs behind the command line: transcribe, check, and models.

Each CLI command is a thin wrapper over the function of the same name here.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

from . import languages, media, models, style, subtitles
from .asr import AsrSettings, Recognizer, transcribe as run_asr
from .cues import Cue, cues_from_transcript
from .errors import AccessMediaError
from .fsutil import ensure_writable, write_atomic
from .ledger import EditedOutputError, Ledger
from .progress import Reporter
from .transcript import Transcript, readable_text

HARD_RULES = ("timing", "lines", "line_length", "min_duration", "max_duration", "overlap", "gap", "order")


@dataclass(frozen=True)
class TranscribeResult:
    input: Path
    outputs: dict[str, Path]
    duration: float
    cues: int
    conformance: style.Conformance
    seconds_taken: float
    removed: int
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class CuesResult:
    outputs: dict[str, Path]
    cues: int
    conformance: style.Conformance
    warnings: tuple[str, ...]


def output_names(stem: str, language: str) -> dict[str, str]:
    return {
        "srt": f"{stem}.{language}.srt",
        "vtt": f"{stem}.{language}.vtt",
        "transcript": f"{stem}.transcript.json",
        "text": f"{stem}.txt",
    }


def _read_record(record: Path, key: str) -> dict:
    """One table of a JSON record (NAME.translations.json), or an empty one."""
    try:
        data = json.loads(record.read_text(encoding="utf-8")).get(key, {})
        return data if isinstance(data, dict) else {}
    except (OSError, json.JSONDecodeError, AttributeError):
        return {}


def _derived_paths(out_dir: Path, stem: str, language: str) -> list[Path]:
    """The files made from a transcript, which a person may have edited since."""
    names = output_names(stem, language)
    return [out_dir / names[k] for k in ("srt", "vtt", "text")]


def transcribe(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    settings: AsrSettings = AsrSettings(),
    style_path: str | Path | None = None,
    force: bool = False,
    reporter: Reporter | None = None,
    loaded: models.LoadedModels | None = None,
) -> list[TranscribeResult]:
    """Transcribe recordings into subtitles (SRT, WebVTT), a readable text and a word-level transcript.

    Every input is checked before any work starts. `loaded` keeps the speech
    model between calls (one load per worker process).
    """
    reporter = reporter or Reporter(quiet=True)
    out_dir = Path(out_dir)
    language = languages.normalize(settings.language)
    settings = replace(settings, language=language)
    profile = style.load_profile(language, style_path)
    if not inputs:
        raise AccessMediaError("no recording given", "pass one or more files: accessmedia transcribe REC.mp4 -o out")
    ledger = Ledger(out_dir)
    infos = []
    for path in inputs:
        info = media.probe(path)
        info.track(settings.audio_track)  # fails now, before work, if the track is missing
        if not force:
            ledger.refuse_edits(_derived_paths(out_dir, Path(path).stem, language))
        infos.append(info)
    stems = [Path(p).stem for p in inputs]
    if len(set(stems)) != len(stems):
        raise AccessMediaError("two inputs have the same name, so their outputs would collide", "rename one of them")
    ensure_writable(out_dir)
    recognizer = load_recognizer(settings, reporter, loaded)
    results = []
    for path, info in zip(inputs, infos):
        started = time.monotonic()
        transcript = recognize(Path(path), info, out_dir, recognizer, reporter)
        made = write_cues(transcript, Path(path).stem, out_dir, profile, reporter, force=True)  # edits were checked above
        results.append(TranscribeResult(
            input=Path(path),
            outputs={**made.outputs, "transcript": out_dir / output_names(Path(path).stem, language)["transcript"]},
            duration=info.duration,
            cues=made.cues,
            conformance=made.conformance,
            seconds_taken=time.monotonic() - started,
            removed=len(transcript.removed),
            warnings=tuple(_removal_warnings(Path(path).name, transcript)) + made.warnings,
        ))
    return results


def load_recognizer(settings: AsrSettings, reporter: Reporter, loaded: models.LoadedModels | None = None) -> Recognizer:
    loaded = loaded or models.LoadedModels()
    if not loaded.has_recognizer(settings):
        reporter.note(f"loading speech model {settings.model or models.default_model('asr')} ...")
    return loaded.recognizer(settings, reporter.note)


def _removal_warnings(label: str, transcript: Transcript) -> list[str]:
    return [f"{label} {r.start:.1f}-{r.end:.1f} s: removed {r.reason}: {r.text[:60]!r}" for r in transcript.removed]


def recognize(path: Path, info: media.MediaInfo, out_dir: Path, recognizer: Recognizer, reporter: Reporter) -> Transcript:
    """Speech recognition for one recording: writes NAME.transcript.json, the source of truth for the words."""
    reporter.start(path.name, info.duration)
    try:
        transcript = run_asr(path, recognizer.settings, recognizer, lambda p: reporter.update(p.done, "transcribing"), info)
        reporter.update(info.duration, "transcribed")
    finally:
        reporter.stop()
    write_atomic(out_dir / output_names(path.stem, transcript.language)["transcript"], transcript.to_json())
    for w in _removal_warnings(path.name, transcript):
        reporter.warn(w)
    return transcript


def write_cues(
    transcript: Transcript, stem: str, out_dir: Path, profile: style.StyleProfile, reporter: Reporter, force: bool = False,
) -> CuesResult:
    """Subtitles from a transcript with a style profile: NAME.<lang>.srt and .vtt, and the readable NAME.txt."""
    names = output_names(stem, transcript.language)
    ledger = Ledger(out_dir)
    if not force:
        ledger.refuse_edits(_derived_paths(out_dir, stem, transcript.language))
    cues = cues_from_transcript(transcript, profile)
    warnings: list[str] = []
    if not cues:
        warnings.append(f"no speech found in {transcript.source.get('file', stem)} ({transcript.duration / 60:.1f} min): its subtitle files are empty")
    ledger.write({names["srt"]: subtitles.compose_srt(cues), names["vtt"]: subtitles.compose_vtt(cues), names["text"]: readable_text(transcript)})
    for w in warnings:
        reporter.warn(w)
    return CuesResult(
        outputs={k: out_dir / names[k] for k in ("srt", "vtt", "text")},
        cues=len(cues),
        conformance=style.check(cues, profile),
        warnings=tuple(warnings),
    )


def cues(transcript_path: str | Path, out_dir: str | Path | None = None, style_path: str | Path | None = None,
         force: bool = False, reporter: Reporter | None = None) -> CuesResult:
    """Subtitles again from a word-level transcript, e.g. with another style profile: no speech recognition."""
    path = Path(transcript_path)
    if not path.name.endswith(".transcript.json"):
        raise AccessMediaError(f"{path.name} is not a transcript", "pass NAME.transcript.json written by `accessmedia transcribe`")
    if not path.is_file():
        raise AccessMediaError(f"{path}: no such file", "check the path")
    transcript = Transcript.from_json(path.read_text(encoding="utf-8"))
    out = Path(out_dir) if out_dir is not None else path.parent
    ensure_writable(out)
    profile = style.load_profile(transcript.language, style_path)
    return write_cues(transcript, path.name[: -len(".transcript.json")], out, profile, reporter or Reporter(quiet=True), force)


# -- check ------------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    path: Path
    format: str
    encoding: str
    cues: int
    conformance: style.Conformance
    warnings: tuple[str, ...]

    @property
    def errors(self) -> list[style.Breach]:
        return self.conformance.errors

    def to_dict(self) -> dict:
        return {
            "file": str(self.path),
            "format": self.format,
            "encoding": self.encoding,
            "cues": self.cues,
            "share_ok": self.conformance.summary(),
            "errors": [b.__dict__ for b in self.errors],
            "breaches": [b.__dict__ for b in self.conformance.breaches],
            "warnings": list(self.warnings),
        }


def check(path: str | Path, language: str = "nb", style_path: str | Path | None = None) -> CheckResult:
    """Report how a subtitle file meets the style rules, and what in it is wrong."""
    parsed = subtitles.read(path)
    profile = style.load_profile(languages.normalize(language), style_path)
    return CheckResult(Path(path), parsed.format, parsed.encoding, len(parsed.cues), style.check(parsed.cues, profile), parsed.warnings)


def cues_of(path: str | Path) -> list[Cue]:
    return list(subtitles.read(path).cues)


# -- models -----------------------------------------------------------------

def models_list() -> list[dict]:
    """Every catalogue model and every installed one, with where it is."""
    installed = {(m.kind, m.name): m for m in models.installed()}
    rows = []
    for entry in models.catalog().values():
        m = installed.pop((entry.kind, entry.name), None)
        rows.append(
            {
                "name": entry.name,
                "kind": entry.kind,
                "default": entry.default,
                "installed": m is not None,
                "size_mb": entry.size_mb,
                "source": entry.source,
                "languages": list(entry.languages),
                "path": str(m.path) if m else None,
                "description": entry.description,
            }
        )
    for m in installed.values():
        rows.append({"name": m.name, "kind": m.kind, "default": False, "installed": True, "size_mb": None,
                     "source": m.source, "languages": [], "path": str(m.path),
                     "description": "Argos translation package" if m.kind == "translate" else "added from a folder"})
    return rows


def models_install(name: str) -> models.InstalledModel:
    return models.install(name)


def models_add(path: str | Path, name: str | None = None) -> models.InstalledModel:
    return models.add(path, name)


# -- translate ------------------------------------------------------------------

@dataclass(frozen=True)
class TranslateResult:
    input: Path
    produced: dict[str, dict]  # language -> {"route", "cues", "srt", "vtt", "conformance"}
    missing: dict[str, dict]  # language -> {"why", "template"}
    sentences: int
    translated: int  # sentences sent to a model; the rest came from the cache
    cached: int
    seconds_taken: float
    warnings: tuple[str, ...]


def _source_cues(path: Path) -> tuple[str, str, list[Cue]]:
    """(name, source language, cues) of a transcript JSON or a subtitle file named NAME.<lang>.srt/vtt."""
    if path.name.endswith(".transcript.json"):
        if not path.exists():
            raise AccessMediaError(f"{path}: no such file", "check the path")
        transcript = Transcript.from_json(path.read_text(encoding="utf-8"))
        language = transcript.language
        return path.name[: -len(".transcript.json")], language, cues_from_transcript(transcript, style.load_profile(language))
    if path.suffix.lower() in (".srt", ".vtt"):
        parsed = subtitles.read(path)
        stem = path.stem
        language = "nb"
        head, _, tail = stem.rpartition(".")
        if head and tail.lower() in languages.LANGUAGES:
            stem, language = head, tail.lower()
        return stem, language, list(parsed.cues)
    raise AccessMediaError(
        f"{path.name} is neither a transcript nor a subtitle file",
        "pass NAME.transcript.json or NAME.nb.srt / NAME.nb.vtt",
    )


def translate(
    input_path: str | Path,
    targets: Sequence[str],
    out_dir: str | Path,
    glossary: Sequence[str] = (),
    style_path: str | Path | None = None,
    beam_size: int = 2,
    device: str = "cpu",
    threads: int = 0,
    force: bool = False,
    reporter: Reporter | None = None,
    loaded: models.LoadedModels | None = None,
) -> TranslateResult:
    """Translate subtitles into every target language that has a model; a template for the others."""
    from . import argos
    from .translate import Engine, TranslationCache, sentences_of, translate_cues

    reporter = reporter or Reporter(quiet=True)
    started = time.monotonic()
    path = Path(input_path)
    out_dir = Path(out_dir)
    targets = list(dict.fromkeys(languages.normalize(t) for t in targets))
    if not targets:
        raise AccessMediaError("no target language given", "pass --to en,ar,pl")
    stem, source, cues = _source_cues(path)
    source_profile = style.load_profile(source, style_path)
    packages = argos.installed()
    routes = {t: argos.route(source, t, packages) for t in targets if t != source}
    record = out_dir / f"{stem}.translations.json"
    ledger = Ledger(out_dir)
    if not force:
        ledger.refuse_edits([out_dir / f"{stem}.{t}.{ext}" for t, steps in routes.items() if steps for ext in ("srt", "vtt")])
    ensure_writable(out_dir)
    engine = Engine(TranslationCache(out_dir / ".cache" / "translations.sqlite3"), device, threads, beam_size,
                    models=loaded.translators if loaded else {})
    produced: dict[str, dict] = {}
    missing: dict[str, dict] = {}
    warnings: list[str] = []
    files: dict[str, str] = {}
    english = None
    count = len(sentences_of(cues, source_profile.sentence_end)[0])
    try:
        for target, steps in routes.items():
            if steps is None:
                continue
            profile = style.load_profile(target, style_path)
            reporter.start(f"{stem} {source}->{target}", count * len(steps))
            done = [0]

            def tick(n: int, done: list[int] = done) -> None:
                done[0] += n
                reporter.update(done[0], "translating")

            result = translate_cues(cues, target, steps, engine, profile, glossary, source_profile, tick)
            reporter.stop()
            if target == "en":
                english = result.cues
            for term in result.lost_terms:
                warnings.append(f"{target}: the model dropped the glossary term {term!r}; it was added back in brackets")
            files[f"{stem}.{target}.srt"] = subtitles.compose_srt(result.cues)
            files[f"{stem}.{target}.vtt"] = subtitles.compose_vtt(result.cues)
            produced[target] = {
                "route": result.route,
                "cues": len(result.cues),
                "conformance": style.check(result.cues, profile),
            }
        for target, steps in routes.items():
            if steps is not None:
                continue
            to_english = argos.route(source, "en", packages)
            if english is None and to_english:
                english = translate_cues(cues, "en", to_english, engine, style.load_profile("en"), glossary, source_profile).cues
            name = f"{stem}.{target}.template.csv"
            missing[target] = {
                "why": f"no translation model for {source}->{target} (directly or through English)",
                "template": name,
            }
            if ledger.edited(out_dir / name):  # a volunteer is filling it in: theirs
                warnings.append(f"{languages.LANGUAGES[target][0]} ({target}): no translation model; kept {name}, which someone edited")
                continue
            files[name] = _template_csv(cues, english, source, target)
            warnings.append(
                f"{languages.LANGUAGES[target][0]} ({target}): no translation model; wrote {name} for volunteers to fill in"
            )
    finally:
        engine.cache.close()
    previous = {"produced": _read_record(record, "produced"), "missing": _read_record(record, "missing")}
    for t in produced:
        previous["missing"].pop(t, None)
    for t in missing:
        previous["produced"].pop(t, None)
    summary = {  # earlier runs' languages stay listed; this run's replace theirs
        "input": path.name,
        "source_language": source,
        "produced": {**previous["produced"], **{t: {"route": p["route"], "cues": p["cues"]} for t, p in produced.items()}},
        "missing": {**previous["missing"], **missing},
    }
    ledger.write(files)
    write_atomic(record, json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    for w in warnings:
        reporter.warn(w)
    for t, p in produced.items():
        p["srt"], p["vtt"] = out_dir / f"{stem}.{t}.srt", out_dir / f"{stem}.{t}.vtt"
    return TranslateResult(
        input=path,
        produced=produced,
        missing=missing,
        sentences=count,
        translated=engine.translated,
        cached=engine.cache.hits,
        seconds_taken=time.monotonic() - started,
        warnings=tuple(warnings),
    )


def _template_csv(cues: Sequence[Cue], english: Sequence[Cue] | None, source: str, target: str) -> str:
    """Timed cues with the source text (and English where there is a model) and an empty column to fill in."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["cue", "start", "end", source, "en", target])
    english = list(english or [])
    for n, cue in enumerate(cues, start=1):
        overlapping = [e.text.replace("\n", " ") for e in english if e.start < cue.end and e.end > cue.start]
        writer.writerow([n, subtitles.clock(cue.start, ","), subtitles.clock(cue.end, ","), cue.text.replace("\n", " "), " ".join(overlapping), ""])
    return "\ufeff" + buf.getvalue()  # a BOM, so that spreadsheet programs read it as UTF-8


def models_install_translate(codes: Sequence[str]):
    from . import argos

    codes = [languages.normalize(c) for c in codes]
    source = "nb" if "nb" in codes else codes[0]
    return argos.install_from_index([c for c in codes if c != source], source)


def models_add_package(path: str | Path):
    from . import argos

    return argos.install_file(path)


def translation_routes(targets: Sequence[str], source: str = "nb") -> dict[str, str]:
    from . import argos

    packages = argos.installed()
    return {t: argos.describe_route(source, argos.route(source, t, packages), t) for t in (languages.normalize(x) for x in targets)}


# -- package ------------------------------------------------------------------------

def package(
    recording: str | Path, subs_dir: str | Path, dist: str | Path, langs: Sequence[str] | None = None,
    title: str | None = None, burn: Sequence[str] = (), ladder: Sequence[int] = (), chapters: str | Path | None = None,
):
    """HLS with subtitle renditions, a replay page, an upload bundle and open-caption videos for one recording.

    The settings are remembered in SUBS/NAME.package.json, so that `apply` can
    rebuild the package after a correction.
    """
    from .package import package as build

    result = build(recording, subs_dir, dist, langs, title=title, burn=burn, ladder=ladder, chapters_file=chapters)
    settings = {
        "recording": str(Path(recording).resolve()), "dist": str(Path(dist).resolve()), "langs": list(langs) if langs else None,
        "title": title, "burn": list(burn), "ladder": list(ladder), "chapters": str(Path(chapters).resolve()) if chapters else None,
    }
    write_atomic(Path(subs_dir) / f"{Path(recording).stem}.package.json", json.dumps(settings, ensure_ascii=False, indent=1) + "\n")
    return result


def _rebuild_package(project: Path, name: str):
    """Package again with the remembered settings, if this recording was packaged before."""
    record = project / f"{name}.package.json"
    if not record.exists():
        return None
    s = json.loads(record.read_text(encoding="utf-8"))
    return package(s["recording"], project, s["dist"], s["langs"], s["title"], s["burn"], s["ladder"], s["chapters"])


# -- corrections ---------------------------------------------------------------------

@dataclass(frozen=True)
class ApplyResult:
    name: str
    language: str
    revision: "object"
    retranslated: dict[str, int]  # language -> sentences sent to a model
    flagged: tuple[str, ...]  # languages a person corrected: kept, flagged "source changed, please check"
    package: "object" = None  # the rebuilt package, when the recording had been packaged


def _name_and_language(path: Path, name: str | None, lang: str | None) -> tuple[str, str]:
    stem = path.name.rsplit(".", 1)[0]
    head, _, tail = stem.rpartition(".")
    guessed_name, guessed_lang = (head, tail.lower()) if head and tail.lower() in languages.LANGUAGES else (stem, None)
    lang = languages.normalize(lang) if lang else guessed_lang
    if lang is None:
        raise AccessMediaError(f"cannot tell the language of {path.name}", "name it NAME.<lang>.srt or pass --lang")
    return name or guessed_name, lang


def apply(
    corrected: str | Path, project: str | Path, name: str | None = None, lang: str | None = None,
    contributor: str = "volunteer", retranslate: bool = True,
) -> ApplyResult:
    """Accept a corrected subtitle file: validate, keep it as a new revision, make it current,
    and carry a Norwegian correction into every translation nobody has corrected by hand."""
    from . import revisions

    corrected, project = Path(corrected), Path(project)
    name, lang = _name_and_language(corrected, name, lang)
    current = project / f"{name}.{lang}.srt"
    if not current.exists():
        raise AccessMediaError(f"{project} has no {current.name}", "pass the project folder that transcribe/translate wrote to, and --name")
    parsed = subtitles.read(corrected)
    profile = style.load_profile(lang)
    report = style.check(parsed.cues, profile)
    broken = report.errors
    if broken:
        b = broken[0]
        raise AccessMediaError(
            f"{corrected.name}: cue {b.cue} at {subtitles.clock(b.start, '.')}: {b.rule}: {b.detail} ({len(broken)} such problems)",
            f"fix them first; `accessmedia check {corrected.name}` lists them all",
        )
    before = subtitles.read(current)
    if not revisions.history(project, name, lang):  # keep the machine's version before the first correction replaces it
        revisions.save(project, name, lang, current.read_bytes(), current.name, before.cues, None, revisions.MACHINE, before.encoding,
                       "the version accessmedia wrote")
    revision = revisions.save(project, name, lang, corrected.read_bytes(), corrected.name, parsed.cues, before.cues, contributor,
                              parsed.encoding)
    write_atomic(project / f"{name}.{lang}.vtt", subtitles.compose_vtt(parsed.cues))
    write_atomic(current, subtitles.compose_srt(parsed.cues))
    retranslated: dict[str, int] = {}
    flagged: list[str] = []
    record = _read_record(project / f"{name}.translations.json", "produced")
    if retranslate and lang == "nb" and record:
        for target in sorted(record):
            reason = f"source changed in nb {revision.label}, please check"
            if revisions.corrected_by_people(project, name, target):
                revisions.flag(project, name, target, reason)
                flagged.append(target)
                continue
            try:
                result = translate(current, [target], project)
            except EditedOutputError:  # edited by hand, outside `apply`: keep it just the same
                revisions.flag(project, name, target, reason)
                flagged.append(target)
                continue
            retranslated[target] = result.translated
    return ApplyResult(name, lang, revision, retranslated, tuple(flagged), _rebuild_package(project, name))


def history(project: str | Path, name: str | None = None, lang: str | None = None) -> dict[tuple[str, str], list]:
    """Every revision of every subtitle file in the project (or of one name/language)."""
    from . import revisions

    root = Path(project) / "revisions"
    found = {}
    for lang_dir in sorted(root.glob(f"{name or '*'}/{languages.normalize(lang) if lang else '*'}")):
        if lang_dir.is_dir():
            found[(lang_dir.parent.name, lang_dir.name)] = revisions.history(Path(project), lang_dir.parent.name, lang_dir.name)
    return found


def restore(project: str | Path, name: str, lang: str, number: int, contributor: str = "volunteer") -> "object":
    """Make revision `number` current again, as a new revision: nothing is lost."""
    from . import revisions

    project, lang = Path(project), languages.normalize(lang)
    wanted = next((r for r in revisions.history(project, name, lang) if r.number == number), None)
    if wanted is None:
        raise AccessMediaError(f"{name}.{lang} has no revision {number}", f"see `accessmedia history {project} --lang {lang}`")
    parsed = subtitles.read(wanted.file)
    current = project / f"{name}.{lang}.srt"
    revision = revisions.save(project, name, lang, wanted.file.read_bytes(), wanted.file.name, parsed.cues,
                              subtitles.read(current).cues, contributor, parsed.encoding, f"restored {wanted.label}")
    write_atomic(project / f"{name}.{lang}.vtt", subtitles.compose_vtt(parsed.cues))
    write_atomic(current, subtitles.compose_srt(parsed.cues))
    return revision


# -- translation kit ----------------------------------------------------------------------

def kit_export(project: str | Path, name: str, lang: str, source: str = "nb") -> tuple[Path, Path]:
    """Timed cues for volunteers to translate: an SRT to overwrite (in Subtitle Edit or any editor)
    and a CSV sheet with the Norwegian and English text and an empty column for `lang`."""
    project, lang = Path(project), languages.normalize(lang)
    current = project / f"{name}.{source}.srt"
    if not current.exists():
        raise AccessMediaError(f"{project} has no {current.name}", "transcribe first, or check --name")
    cues = subtitles.read(current).cues
    english_path = project / f"{name}.en.srt"
    english = subtitles.read(english_path).cues if english_path.exists() and lang != "en" else None
    kits = project / "kits"
    srt_path, csv_path = kits / f"{name}.{lang}.srt", kits / f"{name}.{lang}.csv"
    write_atomic(srt_path, subtitles.compose_srt(cues))
    write_atomic(csv_path, _template_csv(cues, english, source, lang))
    return srt_path, csv_path


def _cues_from_sheet(path: Path, lang: str) -> list[Cue]:
    import csv
    import io

    text, _ = subtitles.decode_bytes(path.read_bytes(), str(path))
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))  # a cell may hold a line break
    if not rows or lang not in rows[0] or "start" not in rows[0] or "end" not in rows[0]:
        raise AccessMediaError(f"{path.name}: the first row must name the columns cue,start,end,...,{lang}", "use the sheet `kit export` wrote")
    col = {n: i for i, n in enumerate(rows[0])}
    cues = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        target = row[col[lang]].strip() if len(row) > col[lang] else ""
        if not target:
            raise AccessMediaError(f"{path.name}:{number}: cue {row[0]} has no {lang} text yet", "fill in every row, then import again")
        try:
            start = subtitles.parse_clock(row[col["start"]])
            end = subtitles.parse_clock(row[col["end"]])
        except ValueError:
            raise AccessMediaError(f"{path.name}:{number}: start or end is not a time like 00:01:02,500") from None
        cues.append(Cue(start, end, tuple(line.strip() for line in target.splitlines() if line.strip())))
    return cues


def kit_import(path: str | Path, project: str | Path, name: str, lang: str, contributor: str = "volunteer", source: str = "nb"):
    """Bring a finished kit (the SRT or the CSV sheet) back as that language's revision."""
    from . import revisions

    path, project, lang = Path(path), Path(project), languages.normalize(lang)
    if path.suffix.lower() == ".csv":
        cues, encoding = _cues_from_sheet(path, lang), "utf-8"
    else:
        parsed = subtitles.read(path)
        cues, encoding = list(parsed.cues), parsed.encoding
        original = project / f"{name}.{source}.srt"
        if original.exists() and [c.lines for c in subtitles.read(original).cues] == [c.lines for c in cues]:
            raise AccessMediaError(f"{path.name} still holds the {source} text", f"replace each cue's text with the {lang} translation first")
    broken = style.check(cues, style.load_profile(lang)).errors
    if broken:
        raise AccessMediaError(f"{path.name}: cue {broken[0].cue}: {broken[0].rule}: {broken[0].detail}", "fix the times, then import again")
    current = project / f"{name}.{lang}.srt"
    previous = subtitles.read(current).cues if current.exists() else None
    revision = revisions.save(project, name, lang, path.read_bytes(), path.name, cues, previous, contributor, encoding, "translation kit")
    write_atomic(project / f"{name}.{lang}.vtt", subtitles.compose_vtt(cues))
    write_atomic(current, subtitles.compose_srt(cues))
    record = project / f"{name}.translations.json"
    summary = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {"input": f"{name}.{source}.srt", "source_language": source, "produced": {}, "missing": {}}
    summary["missing"].pop(lang, None)
    summary["produced"][lang] = {"route": "volunteers (translation kit)", "cues": len(cues)}
    write_atomic(record, json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    return revision
