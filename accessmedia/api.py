"""The library verbs behind the command line. Each CLI command is a thin wrapper over the function of
the same name here; each verb takes the run's `Settings`, checks its inputs before any work, applies
the policy on people's edits (refuse to overwrite them unless forced) and calls the stages.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator, Sequence

from accessmedia.core import languages, media
from accessmedia.core.clock import clock, seconds
from accessmedia.core.errors import AccessMediaError, ConflictError, from_os_error
from accessmedia.core.files import RecordingFiles
from accessmedia.core.fsutil import ensure_writable, run_lock, write_atomic
from accessmedia.core.glossary import load_glossary
from accessmedia.core.ledger import Ledger
from accessmedia.core.progress import Display, Reporter
from accessmedia.core.transcript import Transcript
from accessmedia.editing.corrections import (ApplyResult, apply, apply_edit, current_revision, history, kit_export, kit_import,
                                             kit_texts, recover)
from accessmedia.editing.naming import describe as describe_speakers, name_speakers, restore, restore_preview
from accessmedia.editing.revisions import MACHINE as MACHINE_CONTRIBUTOR, corrected_by_people
from accessmedia.live.listen import device as capture_device
from accessmedia.live.session import LiveSession
from accessmedia.models import argos
from accessmedia.models import catalog as models
from accessmedia.models import translation as mt_models
from accessmedia.models.catalog import catalog, installed, plain_name
from accessmedia.models.transfer import add_export, export as export_models, is_export
from accessmedia.models.listing import rows as models_list
from accessmedia.models.translation import is_translation_folder
from accessmedia.translation import plan as translation_plan
from accessmedia.packaging.package import upload_video
from accessmedia.packaging.replay import interface_words, script_json
from accessmedia.subtitles.markup import TAG as SPAN_TAG
from accessmedia.pipeline import stages
from accessmedia.pipeline.runtime import LoadedModels
from accessmedia.pipeline.settings import Decoding, ModelLoad, Packaging, Recognition, Settings, Styles, Translation, build, diarizing
from accessmedia.pipeline.stages import packaged_before, read_record, recorded_settings
from accessmedia.runs.event import Event, is_manifest, live_settings, load as load_event, manifest_text, save_manifest
from accessmedia.runs.process import STAGE_NAMES, Job, finished_stages
from accessmedia.runs.report import LOW_CONFIDENCE, conformance
from accessmedia.runs.runner import RunOutcome, process_all
from accessmedia.speakers.record import parse_naming, read as read_speakers
from accessmedia.subtitles import formats as subtitles, style
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.formats import read as read_subtitles
from accessmedia.subtitles.segmenter import cues_from_transcript
from accessmedia.subtitles.style import ERROR_RULES, HARD_RULES, load_profile
from accessmedia.translation import routes as mt_routes

__all__ = [
    # the verbs, one per command
    "probe", "transcribe", "cues", "check", "translate", "package", "process", "apply", "apply_edit", "history", "restore", "restore_preview", "MACHINE_CONTRIBUTOR",
    "recover", "kit_export", "kit_texts", "kit_import", "name_speakers", "describe_speakers", "models_list", "models_install", "models_install_for", "models_plan", "models_add",
    "models_add_translation", "models_install_translate", "models_add_package", "translation_routes", "export_models",
    "add_export", "is_export", "is_manifest", "load_event", "manifest_text", "save_manifest", "LiveSession", "live_settings", "plain_name",
    # what the verbs take and give
    "Settings", "build", "Decoding", "ModelLoad", "Recognition", "Styles", "Translation", "Packaging", "diarizing",
    "load_glossary", "Reporter", "Display", "RunOutcome", "ProcessOutcome", "Event", "Job", "Cue", "Transcript",
    "RecordingFiles", "ApplyResult", "CheckResult", "TranscribeResult", "TranslateResult", "AccessMediaError", "ConflictError",
    # reading what a run made
    "read_subtitles", "read_speakers", "current_revision", "parse_naming", "read_record", "packaged_before", "finished_stages", "conformance",
    "from_os_error", "corrected_by_people", "upload_video", "catalog", "installed", "load_profile", "probe_media", "recorded_settings",
    # small helpers the edges share
    "languages", "clock", "seconds", "ensure_writable", "run_lock", "write_atomic", "interface_words", "script_json", "SPAN_TAG",
    "HARD_RULES", "ERROR_RULES", "LOW_CONFIDENCE", "STAGE_NAMES", "is_translation_folder", "capture_device",
]

probe_media = media.probe


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


def probe(recording: str | Path, settings: Settings, reporter: Reporter | None = None) -> media.MediaInfo:
    """The recording's streams, checked before any work: a file that is no recording, lacks the audio
    track asked for, or is cut off before its declared length (unless accepted), fails now."""
    info, warning = stages.open_recording(Path(recording), settings.recognition.decode)
    if warning and reporter:
        reporter.warn(warning)
    return info


def transcribe(inputs: Sequence[str | Path], out_dir: str | Path, settings: Settings = Settings(), force: bool = False,
               reporter: Reporter | None = None, loaded: LoadedModels | None = None) -> list[TranscribeResult]:
    """Transcribe recordings into subtitles (SRT, WebVTT), a readable text and a word-level transcript.

    Every input is checked before any work starts. `loaded` keeps the speech
    model between calls (one load per worker process).
    """
    reporter = reporter or Reporter()
    out_dir = Path(out_dir)
    if not inputs:
        raise AccessMediaError("no recording given", "pass one or more files: accessmedia transcribe REC.mp4 -o out")
    profile = settings.profile()
    ledger = Ledger(out_dir)
    infos = []
    for path in inputs:
        info = probe(path, settings, reporter)
        if not force:
            ledger.refuse_edits(RecordingFiles(out_dir, Path(path).stem).cue_files(settings.language))
        infos.append(info)
    stems = [Path(p).stem for p in inputs]
    if len(set(stems)) != len(stems):
        raise AccessMediaError("two inputs have the same name, so their outputs would collide", "rename one of them")
    ensure_writable(out_dir)
    loaded = loaded or LoadedModels()
    recognizer = loaded.recognizer(settings.recognition.load, settings.language, reporter.note)
    results = []
    for path, info in zip(inputs, infos):
        started = time.monotonic()
        files = RecordingFiles(out_dir, Path(path).stem)
        transcript = stages.recognize(files, Path(path), info, recognizer, settings.recognition.decode, reporter)
        transcript = stages.find_speakers(files, Path(path), info, transcript, settings, loaded, reporter)
        warnings = stages.removal_warnings(Path(path).name, transcript)
        made = stages.make_cues(files, transcript, profile, settings.formats, settings.translation.protected)
        for w in [*warnings, *made.warnings]:
            reporter.warn(w)
        results.append(TranscribeResult(
            input=Path(path),
            outputs={**made.outputs, "transcript": files.transcript,
                     **({"speakers": files.speakers, "rttm": files.rttm} if not settings.speakers.off else {})},
            duration=info.duration,
            cues=made.cues,
            conformance=made.conformance,
            seconds_taken=time.monotonic() - started,
            removed=len(transcript.removed),
            warnings=tuple(warnings) + made.warnings,
        ))
    return results


def _read_transcript(path: Path) -> Transcript:
    RecordingFiles.of_transcript(path)  # the name says it is one
    if not path.is_file():
        raise AccessMediaError(f"{path}: no such file", "check the path")
    return Transcript.from_json(path.read_text(encoding="utf-8"))


def cues(transcript_path: str | Path, out_dir: str | Path | None = None, styles: Styles = Styles(), force: bool = False,
         reporter: Reporter | None = None, formats: Sequence[str] = subtitles.PIPELINE_FORMATS) -> stages.CuesRecord:
    """Subtitles again from a word-level transcript, e.g. with another style profile: no speech recognition."""
    path = Path(transcript_path)
    transcript = _read_transcript(path)
    files = replace(RecordingFiles.of_transcript(path), **({"folder": Path(out_dir)} if out_dir is not None else {}))
    ensure_writable(files.folder)
    if not force:
        Ledger(files.folder).refuse_edits(files.cue_files(transcript.language))
    made = stages.make_cues(files, transcript, styles.profile(transcript.language), formats)
    for w in made.warnings:
        (reporter or Reporter()).warn(w)
    return made


# -- check ------------------------------------------------------------------

@dataclass(frozen=True)
class CheckResult:
    path: Path
    format: str
    encoding: str
    cues: int
    conformance: style.Conformance
    warnings: tuple[str, ...]
    skipped: tuple[str, ...] = ()  # blocks players skip: the file is broken there

    @property
    def errors(self) -> list[style.Breach]:
        return self.conformance.errors

    @property
    def broken(self) -> bool:
        return bool(self.errors or self.skipped)

    def to_dict(self) -> dict:
        return json.loads("".join(self.json_chunks()))

    def json_chunks(self) -> Iterator[str]:
        """The report as JSON, a piece at a time: a file of half a million cues has as many breaches."""
        head = {"file": str(self.path), "format": self.format, "encoding": self.encoding, "cues": self.cues,
                "share_ok": self.conformance.summary(), "warnings": list(self.warnings), "skipped": list(self.skipped)}
        yield json.dumps(head, ensure_ascii=False, indent=1)[:-2]
        text = json.encoder.encode_basestring  # the C encoder of a JSON string
        for key, breaches in (("errors", self.errors), ("breaches", self.conformance.breaches)):
            yield f',\n "{key}": ['
            for first in range(0, len(breaches), 10_000):
                yield "".join(f'{"," if first + n else ""}\n  {{"cue": {b.cue}, "start": {float(b.start)!r}, "rule": "{b.rule}", '
                              f'"detail": {text(b.detail)}}}' for n, b in enumerate(breaches[first : first + 10_000]))
            yield "\n ]"
        yield "\n}\n"


def check(path: str | Path, language: str | None = None, styles: Styles = Styles()) -> CheckResult:
    """Report how a subtitle file meets the style rules of `language` (else the code in its name, else
    Norwegian), what in it is wrong, and every block a player would skip."""
    language = languages.normalize(language) if language else None
    profile = styles.profile(language or RecordingFiles.of_subtitles(Path(path))[1] or "nb")
    stream = subtitles.open_cues(path, language=language)
    conformance = style.check(stream.cues, profile)  # read and checked a cue at a time
    return CheckResult(Path(path), stream.format, stream.encoding, conformance.cues, conformance, tuple(stream.warnings),
                       tuple(stream.skipped))


# -- models -----------------------------------------------------------------

def models_plan(targets: Sequence[str], accept_licence: str | None = None, source: str = "nb") -> translation_plan.Plan:
    """Per language, the best route the catalogue offers (by published quality) and the models it needs."""
    return translation_plan.plan(source, [languages.normalize(x) for x in targets], mt_models.installed(), models.catalog(), accept_licence)


def models_install_for(targets: Sequence[str], accept_licence: str | None = None, source: str = "nb",
                       progress: Callable[[str], None] | None = None) -> translation_plan.Plan:
    """The models each language's best route needs (by published quality), installed one after another."""
    return translation_plan.install(source, [languages.normalize(x) for x in targets], mt_models.installed(),
                                    models.catalog(), accept_licence, progress)


def models_install(name: str, accept_licence: str | None = None, progress: Callable[[str], None] | None = None):
    entry = models.catalog().get(name)
    if entry is not None and entry.kind == "translate":
        return mt_models.install(name, accept_licence, progress)
    return models.install(name)


def models_add(path: str | Path, name: str | None = None, kind: str = "asr") -> models.InstalledModel:
    from accessmedia.speakers import embedding

    return models.add(path, name, kind, embedding.check)


def models_add_translation(path: str | Path, name: str | None = None, pairs: Sequence[str] = (),
                           accept_licence: str | None = None, progress: Callable[[str], None] | None = None):
    """A translation model folder (OPUS-MT, NLLB-200, MADLAD-400; CTranslate2, or a hub checkpoint: converted)."""
    parsed = []
    for pair in pairs:
        src, sep, tgt = pair.partition("-")
        if not sep:
            raise AccessMediaError(f"'{pair}' is not a direction", "write directions like nb-en,en-so")
        parsed.append((languages.normalize(src), languages.normalize(tgt)))
    return mt_models.add_folder(path, name, parsed or None, accept_licence, progress=progress)


def models_install_translate(codes: Sequence[str]):
    codes = [languages.normalize(c) for c in codes]
    source = "nb" if "nb" in codes else codes[0]
    return argos.install_from_index([c for c in codes if c != source], source)


def models_add_package(path: str | Path):
    return argos.install_file(path)


def translation_routes(targets: Sequence[str], source: str = "nb", pins: Sequence[tuple[str, tuple[str, ...]]] = ()) -> dict[str, dict]:
    """Per language: the route that would be used (engine, licence, published quality) and, where the
    catalogue knows a better one, the models to install for it."""
    installed, catalogue = mt_models.installed(), models.catalog()
    found = stages.routes(source, [languages.normalize(x) for x in targets], pins)
    out = {}
    for target, route in found.items():
        better = mt_routes.advice(source, target, route, installed, catalogue)
        row = route.record() if route else {"route": f"{source}->{target} missing", "engine": "", "models": [], "licences": [],
                                            "quality": None, "non_commercial": False}
        if better is not None:
            row["better"] = {"install": [s.model.name for s in better.steps if s.model.name not in installed],
                             "route": better.describe(), "engine": better.engine(), "quality": better.quality}
        out[target] = row
    return out


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


def source_cues(path: Path, styles: Styles) -> tuple[RecordingFiles, str, list[Cue]]:
    """(recording, source language, cues) of a transcript JSON (cues made with `styles`) or of a subtitle
    file named NAME.<lang>.srt/vtt (Norwegian when the name does not say)."""
    if path.name.endswith(".transcript.json"):
        transcript = _read_transcript(path)
        cues = cues_from_transcript(transcript, styles.profile(transcript.language))
        return RecordingFiles.of_transcript(path), transcript.language, cues
    if path.suffix.lower() in (".srt", ".vtt"):
        parsed = subtitles.read(path, allow_empty=True)  # a recording without speech has an empty file
        files, language = RecordingFiles.of_subtitles(path)
        return files, language or "nb", list(parsed.cues)
    raise AccessMediaError(f"{path.name} is neither a transcript nor a subtitle file",
                           "pass NAME.transcript.json or NAME.nb.srt / NAME.nb.vtt")


def translate(input_path: str | Path, out_dir: str | Path, settings: Settings, force: bool = False,
              reporter: Reporter | None = None, loaded: LoadedModels | None = None) -> TranslateResult:
    """Translate subtitles into every target language of `settings` that has a model; a template for the others."""
    reporter = reporter or Reporter()
    started = time.monotonic()
    path = Path(input_path)
    if not settings.translation.targets:
        raise AccessMediaError("no target language given", "pass --to en,ar,pl")
    found, source, cues_in = source_cues(path, settings.styles)
    files = RecordingFiles(Path(out_dir), found.name)
    if not force:
        Ledger(files.folder).refuse_edits(stages.translation_outputs(files, source, settings.translation.targets, settings.translation.routes))
    ensure_writable(files.folder)
    record = stages.translate(files, cues_in, source, settings.translation, settings.styles, loaded or LoadedModels(),
                              path.name, reporter, settings.formats)
    for w in record.warnings:
        reporter.warn(w)
    return TranslateResult(path, record.produced, record.missing, record.sentences, record.translated, record.cached,
                           time.monotonic() - started, record.warnings)


# -- package ------------------------------------------------------------------------

def package(recording: str | Path, subs_dir: str | Path, dist: str | Path, packaging: Packaging = Packaging(),
            chapters_file: str | Path | None = None):
    """HLS with subtitle renditions, a replay page, an upload bundle and open-caption videos for one recording.

    How it was packaged is remembered in SUBS/NAME.package.json, so that `apply` can rebuild the package
    after a correction.
    """
    from accessmedia.packaging.package import read_chapters

    recording = Path(recording)
    if chapters_file is not None:
        packaging = replace(packaging, chapters=tuple(read_chapters(Path(chapters_file), media.probe(recording).duration)))
    files = RecordingFiles(Path(subs_dir), recording.stem)
    return stages.package(files, recording, Path(dist), packaging, stages.recorded_settings(files).language)


@dataclass(frozen=True)
class ProcessOutcome:
    """What `process` did: a result per recording, the run report, and the event site (for an event)."""

    run: RunOutcome
    index: Path | None  # the event site's index.html; None for one recording
    sessions: int

    @property
    def results(self):
        return self.run.results

    @property
    def failed(self):
        return self.run.failed

    @property
    def report_files(self) -> tuple[Path, Path]:
        return self.run.report_files


def process(recording: str | Path, out_dir: str | Path, settings: Settings, title: str | None = None, workers: int | None = None,
            executor: str | None = None, address: str | None = None,
            display: Callable[[list[str], int], Display] = Display) -> ProcessOutcome:
    """Every stage a recording (or each recording of an event manifest, `.toml`) still needs, then the run report.
    A manifest brings its own languages, glossary, programme and output; `settings` gives the rest. `display` makes
    what shows the run's progress from the recordings' names and the number of stages (the command line's: a terminal)."""
    recording = Path(recording)
    if is_manifest(recording):
        from accessmedia.runs import event

        ev = event.load(recording, settings.language, settings.recognition.decode.accept_truncated)
        outcome = event.run(ev, settings, workers, executor, address, display)
        return ProcessOutcome(outcome, ev.output / "index.html", len(ev.sessions))
    probe(recording, settings)  # its warnings come from the stage, and stay in the report
    job = Job.of(recording, Path(out_dir), settings)
    ensure_writable(job.folder)  # inputs are checked: now the folder, before any work
    outcome = process_all([job], job.folder, title or job.name, {}, 1, executor or "local", address, display)
    return ProcessOutcome(outcome, None, 1)
