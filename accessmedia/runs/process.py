"""Every stage for one recording, in one folder, resumable and incremental.

`process(job)` runs the stages of one recording into OUT/NAME/, from a table (`STAGES`): each row names
a stage, the key of its inputs and settings, whether its outputs are in place, and how to run it.

    transcribe  recording -> NAME.transcript.json (speech recognition)
    speakers    recording + transcript -> speakers on its words, NAME.speakers.json, NAME.rttm
    cues        transcript + style profile -> NAME.nb.srt, .vtt, NAME.txt
    translate   NAME.nb.srt -> NAME.<lang>.srt/.vtt (or a template for volunteers)
    package     recording + subtitles + chapters -> dist/ (HLS, replay page, upload bundle)

The key is written to OUT/NAME/process.json only once the stage's outputs are all in place (each
written atomically), so a crash or `kill -9` at any moment leaves finished stages recorded and the
unfinished one to run again. A rerun skips every stage whose key is unchanged: adding a language runs
translate and package only, a new style profile runs cues and what follows. A file people corrected is
never made again over their work.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from accessmedia.editing import corrections
from accessmedia.models import catalog as models
from accessmedia.editing import revisions
from accessmedia.pipeline import stages
from accessmedia.subtitles import formats as subtitles
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.files import RecordingFiles
from accessmedia.core.fsutil import remove_leftovers, run_lock, sha256_file, write_atomic
from accessmedia.core.ledger import Ledger
from accessmedia.packaging.package import youtube_chapters
from accessmedia.core.progress import Reporter
from accessmedia.pipeline.runtime import LoadedModels
from accessmedia.pipeline.settings import Settings
from accessmedia.core.transcript import Transcript


@dataclass(frozen=True)
class Job:
    """One recording's work: everything a worker needs, and nothing it must look up elsewhere."""

    recording: Path
    out_dir: Path
    settings: Settings = Settings()

    @classmethod
    def of(cls, recording: str | Path, out_dir: str | Path, settings: Settings = Settings()) -> "Job":
        """Paths made absolute: workers may run elsewhere."""
        return cls(Path(recording).resolve(), Path(out_dir).resolve(), settings)

    @property
    def name(self) -> str:
        return self.recording.stem

    @property
    def folder(self) -> Path:
        return self.out_dir / self.name

    @property
    def files(self) -> RecordingFiles:
        return RecordingFiles(self.folder, self.name)


@dataclass(frozen=True)
class StageRun:
    stage: str
    ran: bool
    seconds: float  # in this run
    computed_seconds: float  # when it last ran
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProcessResult:
    name: str
    folder: Path
    stages: tuple[StageRun, ...]
    seconds_taken: float
    worker: str = ""
    loads: dict[str, int] = field(default_factory=dict)  # models this worker has loaded so far
    error: str | None = None

    @property
    def ran(self) -> tuple[str, ...]:
        return tuple(s.stage for s in self.stages if s.ran)

    @property
    def skipped(self) -> tuple[str, ...]:
        return tuple(s.stage for s in self.stages if not s.ran)


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _files_key(paths) -> list[tuple[str, str]]:
    return [(p.name, sha256_file(p)) for p in sorted(paths)]


class Context:
    """What the stages of one job share in a run: the job, its files, the worker's models, the record
    of finished stages (process.json), and where progress goes."""

    def __init__(self, job: Job, loaded: LoadedModels, reporter: Reporter):
        self.job, self.loaded, self.reporter = job, loaded, reporter
        self.settings = job.settings
        self.files = job.files
        self.source = job.settings.language
        try:
            self.state = json.loads(self.files.state.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            self.state = {}
        self.state.setdefault("stages", {})
        self._recording_sha: str | None = None

    def recording_sha(self) -> str:
        """The recording's sha256, remembered with its size and time, so a rerun does not read hours of video again."""
        if self._recording_sha is None:
            st = self.job.recording.stat()
            stamp = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "inode": st.st_ino}
            known = self.state.get("recording", {})
            if {k: known.get(k) for k in stamp} == stamp and known.get("sha256"):
                self._recording_sha = known["sha256"]
            else:
                self._recording_sha = sha256_file(self.job.recording)
                self.state["recording"] = {**stamp, "sha256": self._recording_sha}
        return self._recording_sha

    def recorded(self, stage: str) -> dict:
        entry = self.state["stages"].get(stage)
        return entry if isinstance(entry, dict) else {}

    def finish(self, stage: str, key: str, settings: dict, seconds: float, warnings: list[str], extra: dict) -> None:
        self.state["stages"][stage] = {
            "key": key,
            "settings": settings,
            "seconds": round(seconds, 2),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "warnings": warnings,
            **extra,
        }
        write_atomic(self.files.state, json.dumps(self.state, ensure_ascii=False, indent=1) + "\n")


@dataclass(frozen=True)
class Outcome:
    """What a stage's run adds to its record: warnings to remember, and fields of its own."""

    warnings: tuple[str, ...] = ()
    record: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Stage:
    name: str
    key: Callable[[Context], str]  # a hash of its inputs and settings
    done: Callable[[Context], bool]  # its outputs are in place
    run: Callable[[Context], Outcome]
    uses: Callable[[Settings], dict]  # the part of the settings it reads, kept in its record


# -- transcribe ---------------------------------------------------------------------

def _transcribe_key(c: Context) -> str:
    load, decode = c.settings.recognition.load, c.settings.recognition.decode
    # threads, device and block size change speed, not the words
    words = {"model": load.model, "language": c.source, "beam_size": decode.beam_size, "vad": decode.vad,
             "audio_track": decode.audio_track, "glossary": list(decode.hotwords)}
    return _key(c.recording_sha(), words, load.resolved_compute_type())


def _transcribe(c: Context) -> Outcome:
    decode = c.settings.recognition.decode
    info, cut = stages.open_recording(c.job.recording, decode)  # the recording may have changed since the run was planned
    recognizer = c.loaded.recognizer(c.settings.recognition.load, c.source, c.reporter.note)
    transcript = stages.recognize(c.files, c.job.recording, info, recognizer, decode, c.reporter)
    return Outcome(tuple([cut] if cut else []) + tuple(stages.removal_warnings(c.job.recording.name, transcript)))


# -- speakers ---------------------------------------------------------------------------

def _speakers_key(c: Context) -> str:
    d = c.settings.speakers
    references = [(name, sha256_file(Path(clip))) for name, clip in d.references]
    return _key(c.recorded("transcribe").get("key"), d.count, d.low, d.high, d.model or models.default_model("speaker"),
                *([references] if references else []))


def _speakers_done(c: Context) -> bool:
    """Found after the transcript was last written (finding them rewrites it, then writes the record)."""
    if c.settings.speakers.off:
        return c.files.transcript.exists()
    return (c.files.speakers.exists() and c.files.rttm.exists() and c.files.transcript.exists()
            and c.files.speakers.stat().st_mtime_ns >= c.files.transcript.stat().st_mtime_ns)


def _speakers(c: Context) -> Outcome:
    transcript = Transcript.from_json(c.files.transcript.read_text(encoding="utf-8"))
    info = None if c.settings.speakers.off else stages.open_recording(c.job.recording, c.settings.recognition.decode)[0]
    found = stages.find_speakers(c.files, c.job.recording, info, transcript, c.settings, c.loaded, c.reporter)
    return Outcome(record={"found": len(found.speakers)})


# -- cues -----------------------------------------------------------------------------

def _cues(c: Context) -> Outcome:
    if revisions.corrected_by_people(c.files.folder, c.files.name, c.source) and _cues_done(c):
        return Outcome((f"{c.files.subtitles(c.source).name} was corrected by people: kept as it is, not made again from the transcript",))
    Ledger(c.files.folder).refuse_edits(c.files.cue_files(c.source))
    transcript = Transcript.from_json(c.files.transcript.read_text(encoding="utf-8"))
    return Outcome(stages.make_cues(c.files, transcript, c.settings.profile(), c.settings.formats,
                                    c.settings.translation.protected).warnings)


def _cues_key(c: Context) -> str:
    extra = _formats_key(c)
    return _key(_files_key([c.files.transcript]), c.settings.styles.text, *([extra] if extra else []))


def _cues_done(c: Context) -> bool:
    extra = [c.files.subtitles(c.source, f) for f in c.settings.formats if f not in subtitles.PIPELINE_FORMATS]
    return all(p.exists() for p in [*c.files.cue_files(c.source), *extra])


def _formats_key(c: Context) -> list[str]:
    """The formats beyond SRT and WebVTT asked for: part of the keys only when there are any, so that
    folders made before TTML existed stay up to date."""
    return [f for f in c.settings.formats if f not in subtitles.PIPELINE_FORMATS]


# -- translate ---------------------------------------------------------------------------

def _machine_targets(c: Context) -> list[str]:
    # a translation a person corrected (apply, review, kit) is theirs: never machine-translated over
    return [t for t in c.settings.translation.targets
            if t != c.source and not revisions.corrected_by_people(c.files.folder, c.files.name, t)]


def _language_keys(c: Context) -> dict[str, str]:
    """Each machine-translated language's own key: the source subtitles, its route's packages, protected terms, style."""
    found = stages.routes(c.source, _machine_targets(c), c.settings.translation.routes)
    source = _files_key([c.files.subtitles(c.source)])
    extra = _formats_key(c)
    return {t: _key(source, [s.model.key(s.source, s.target) for s in (route.steps if route else ())],
                    list(c.settings.translation.protected), c.settings.styles.text, *([extra] if extra else []))
            for t, route in found.items()}


def _language_done(c: Context, target: str) -> bool:
    if c.files.template(target).exists():
        return True
    return all(c.files.subtitles(target, f).exists() for f in ("srt", *_formats_key(c)))


def _translate(c: Context) -> Outcome:
    """Only the languages whose own key changed (or whose files are missing): adding one computes that one."""
    keys = _language_keys(c)
    made = c.recorded("translate").get("languages", {})
    stale = [t for t, k in keys.items() if made.get(t) != k or not _language_done(c, t)]
    warnings: tuple[str, ...] = ()
    # sentence translations asked for (summed over the languages), steps sent to a model, steps the cache had
    sentences = {"asked": 0, "translated": 0, "cached": 0}
    if stale:
        source = c.files.subtitles(c.source)
        Ledger(c.files.folder).refuse_edits(stages.translation_outputs(c.files, c.source, stale, c.settings.translation.routes))
        translation = replace(c.settings.translation, targets=tuple(stale))
        record = stages.translate(c.files, subtitles.read(source, allow_empty=True).cues, c.source, translation, c.settings.styles,
                                  c.loaded, source.name, c.reporter, c.settings.formats)
        warnings = record.warnings
        sentences = {"asked": record.asked, "translated": record.translated, "cached": record.cached}
    return Outcome(warnings, {"languages": keys, "translated": stale, "sentences": sentences})


# -- package ------------------------------------------------------------------------------

def _package_languages(c: Context) -> list[str]:
    """What the package offers: the spoken language, the languages asked for, and any that people made
    (a volunteer's translation kit); a language dropped from the request leaves the package."""
    present = c.files.subtitle_languages()
    by_people = [lang for lang in present if revisions.corrected_by_people(c.files.folder, c.files.name, lang)]
    return [lang for lang in dict.fromkeys([c.source, *c.settings.translation.targets, *by_people]) if lang in present]


def _package_key(c: Context) -> str:
    p = c.settings.packaging
    langs = _package_languages(c)
    chapters = [(ch.start, ch.title) for ch in p.chapters]
    return _key(c.recording_sha(), langs, _files_key([c.files.subtitles(lang, "vtt") for lang in langs]), p.title, chapters,
                list(p.ladder), list(p.burn))


def _package(c: Context) -> Outcome:
    packaging = c.settings.packaging
    if packaging.chapters:
        text = youtube_chapters(packaging.chapters)
        if not c.files.chapters.exists() or c.files.chapters.read_text(encoding="utf-8") != text:
            write_atomic(c.files.chapters, text)
    stages.package(c.files, c.job.recording, c.files.dist, replace(packaging, languages=tuple(_package_languages(c))),
                   c.settings.language)
    return Outcome()


STAGES = (
    Stage("transcribe", _transcribe_key, lambda c: c.files.transcript.exists(), _transcribe,
          lambda s: {"language": s.language, "recognition": asdict(s.recognition)}),
    Stage("speakers", _speakers_key, _speakers_done, _speakers, lambda s: {"speakers": asdict(s.speakers)}),
    Stage("cues", _cues_key, _cues_done, _cues, lambda s: {"styles": s.styles.record(), "formats": list(s.formats)}),
    Stage("translate", lambda c: _key(_language_keys(c)), lambda c: all(_language_done(c, t) for t in _machine_targets(c)), _translate,
          lambda s: {"translation": asdict(s.translation), "styles": s.styles.record(), "formats": list(s.formats)}),
    Stage("package", _package_key, lambda c: c.files.master_playlist.exists(), _package,
          lambda s: {"packaging": asdict(s.packaging)}),
)
STAGE_NAMES = tuple(s.name for s in STAGES)


def _status(stage: Stage, c: Context) -> tuple[str, bool]:
    """The stage's key now, and whether it is up to date (same key recorded, outputs in place)."""
    key = stage.key(c)
    return key, c.recorded(stage.name).get("key") == key and stage.done(c)


def finished_stages(files: RecordingFiles) -> list[str]:
    """The stages recorded as finished in the recording's process.json, in the table's order."""
    finished = stages.recorded_stages(files)
    return [n for n in STAGE_NAMES if n in finished]


def pending(job: Job) -> list[str]:
    """The stages a run would do (the first stale stage and every one after it); none when all is up to date."""
    if not job.folder.exists() or not job.recording.is_file():
        return list(STAGE_NAMES)  # a recording that vanished: its worker will say so
    c = Context(job, LoadedModels(), Reporter())
    for n, stage in enumerate(STAGES):
        if not _status(stage, c)[1]:
            return list(STAGE_NAMES[n:])
    return []


def process(job: Job, loaded: LoadedModels | None = None, reporter: Reporter | None = None,
            on_stage: Callable[[str, str], None] | None = None) -> ProcessResult:
    """Run the stages of one recording that are not up to date; `on_stage(stage, "start"|"done")` follows them."""
    if not job.recording.is_file():
        raise AccessMediaError(f"{job.recording}: no such file", "check the recording's path")
    with run_lock(job.folder):
        return _process(job, loaded or LoadedModels(), reporter or Reporter(), on_stage)


def _process(job: Job, loaded: LoadedModels, reporter: Reporter, on_stage) -> ProcessResult:
    started = time.monotonic()
    remove_leftovers(job.folder)  # temporary files of a run that was killed
    corrections.recover(job.folder)  # and an apply that was killed part way
    c = Context(job, loaded, reporter)
    runs: list[StageRun] = []
    for stage in STAGES:
        record = c.recorded(stage.name)
        key, fresh = _status(stage, c)
        if fresh:
            runs.append(StageRun(stage.name, False, 0.0, float(record.get("seconds", 0.0)), tuple(record.get("warnings", []))))
            reporter.note(f"{job.name}: {stage.name} is up to date")
            continue
        if on_stage:
            on_stage(stage.name, "start")
        t = time.monotonic()
        outcome = stage.run(c)
        for w in outcome.warnings:
            reporter.warn(w)
        seconds = time.monotonic() - t
        c.finish(stage.name, key, stage.uses(c.settings), seconds, list(outcome.warnings), outcome.record)
        runs.append(StageRun(stage.name, True, seconds, seconds, outcome.warnings))
        if on_stage:
            on_stage(stage.name, "done")
    return ProcessResult(job.name, job.folder, tuple(runs), time.monotonic() - started, f"pid {os.getpid()}", loaded.loads())
