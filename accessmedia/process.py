"""Every stage for one recording, in one folder, resumable and incremental.

`process(job)` runs the stages of one recording into OUT/NAME/:

    transcribe  recording -> NAME.transcript.json (speech recognition)
    cues        transcript + style profile -> NAME.nb.srt, .vtt, NAME.txt
    translate   NAME.nb.srt -> NAME.<lang>.srt/.vtt (or a template for volunteers)
    package     recording + subtitles + chapters -> dist/ (HLS, replay page, upload bundle)

Each stage is keyed by a hash of its inputs and settings. The key is written
to OUT/NAME/process.json only once the stage's outputs are all in place (each
written atomically), so a crash or `kill -9` at any moment leaves finished
stages recorded and the unfinished one to run again. A rerun skips every
stage whose key is unchanged: adding a language runs translate and package
only, a new style profile runs cues and what follows.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable

from . import api, argos, languages, media, revisions, style
from .asr import AsrSettings
from .errors import AccessMediaError
from .fsutil import remove_leftovers, run_lock, sha256_file, write_atomic
from .models import LoadedModels
from .package import Chapter, youtube_chapters
from .progress import Reporter
from .transcript import Transcript

STATE = "process.json"
STAGES = ("transcribe", "cues", "translate", "package")


@dataclass(frozen=True)
class Job:
    """One recording's work: everything a worker needs, and nothing it must look up elsewhere."""

    recording: Path
    out_dir: Path
    targets: tuple[str, ...] = ()
    settings: AsrSettings = AsrSettings()  # settings.glossary: hotwords for speech recognition
    glossary: tuple[str, ...] = ()  # terms translation must keep as they are
    style: Path | None = None
    title: str | None = None
    chapters: tuple[Chapter, ...] = ()
    ladder: tuple[int, ...] = ()
    burn: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.recording.stem

    @property
    def folder(self) -> Path:
        return self.out_dir / self.name


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


class _Collecting:
    """A reporter that also keeps the warnings, so that a stage's warnings are remembered with it."""

    def __init__(self, inner: Reporter):
        self.inner = inner
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self.inner.warn(message)

    def __getattr__(self, name):
        return getattr(self.inner, name)


class _Stages:
    """The stage definitions of one job: for each, its key, whether its outputs exist, and how to run it."""

    def __init__(self, job: Job, loaded: LoadedModels, reporter: Reporter):
        self.job = job
        self.loaded = loaded
        self.reporter = reporter
        self.folder = job.folder
        self.name = job.name
        self.source = job.settings.language
        self.state_path = self.folder / STATE
        try:
            self.state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            self.state = {}
        self.state.setdefault("stages", {})
        self.style_text = job.style.read_text(encoding="utf-8") if job.style else None
        self._recording_sha: str | None = None
        self.record_extra: dict = {}  # what a stage adds to its record (translate: each language's key)

    def path(self, suffix: str) -> Path:
        return self.folder / f"{self.name}{suffix}"

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

    # -- transcribe -------------------------------------------------------------
    def key_transcribe(self) -> str:
        s = self.job.settings
        # threads, device and block size change speed, not the words
        settings = {k: v for k, v in asdict(s).items() if k not in ("block_seconds", "cpu_threads", "device", "compute_type")}
        return _key(self.recording_sha(), settings, s.resolved_compute_type())

    def done_transcribe(self) -> bool:
        return self.path(".transcript.json").exists()

    def run_transcribe(self) -> None:
        info = media.probe(self.job.recording)
        info.track(self.job.settings.audio_track)
        recognizer = api.load_recognizer(self.job.settings, self.reporter, self.loaded)
        api.recognize(self.job.recording, info, self.folder, recognizer, self.reporter)

    # -- cues -------------------------------------------------------------------
    def key_cues(self) -> str:
        return _key(_files_key([self.path(".transcript.json")]), self.style_text)

    def done_cues(self) -> bool:
        return all(self.path(s).exists() for s in (f".{self.source}.srt", f".{self.source}.vtt", ".txt"))

    def run_cues(self) -> None:
        if revisions.corrected_by_people(self.folder, self.name, self.source) and self.done_cues():
            self.reporter.warn(f"{self.name}.{self.source}.srt was corrected by people: kept as it is, not made again from the transcript")
            return
        transcript = Transcript.from_json(self.path(".transcript.json").read_text(encoding="utf-8"))
        profile = style.load_profile(self.source, self.job.style)
        api.write_cues(transcript, self.name, self.folder, profile, self.reporter)

    # -- translate --------------------------------------------------------------
    def machine_targets(self) -> list[str]:
        # a translation a person corrected (apply, review, kit) is theirs: never machine-translated over
        return [t for t in self.job.targets if t != self.source and not revisions.corrected_by_people(self.folder, self.name, t)]

    def language_keys(self) -> dict[str, str]:
        """Each machine-translated language's own key: the source subtitles, its route's packages, glossary, style."""
        packages = argos.installed()
        source = _files_key([self.path(f".{self.source}.srt")])
        return {t: _key(source, [p.sha256 for p in (argos.route(self.source, t, packages) or [])], list(self.job.glossary),
                        self.style_text)
                for t in self.machine_targets()}

    def language_done(self, target: str) -> bool:
        return self.path(f".{target}.srt").exists() or self.path(f".{target}.template.csv").exists()

    def key_translate(self) -> str:
        return _key(self.language_keys())

    def done_translate(self) -> bool:
        return all(self.language_done(t) for t in self.machine_targets())

    def run_translate(self) -> None:
        """Only the languages whose own key changed (or whose files are missing): adding one computes that one."""
        keys = self.language_keys()
        made = self.recorded("translate").get("languages", {})
        stale = [t for t, k in keys.items() if made.get(t) != k or not self.language_done(t)]
        if stale:
            api.translate(self.path(f".{self.source}.srt"), stale, self.folder, self.job.glossary, self.job.style,
                          threads=self.job.settings.cpu_threads, reporter=self.reporter, loaded=self.loaded)
        self.record_extra = {"languages": keys, "translated": stale}

    # -- package ----------------------------------------------------------------
    def chapters_file(self) -> Path | None:
        return self.path(".chapters.txt") if self.job.chapters else None

    def package_languages(self) -> list[str]:
        """What the package offers: the spoken language, the languages asked for, and any that people made
        (a volunteer's translation kit); a language dropped from the request leaves the package."""
        prefix = f"{self.name}."
        present = {p.name[len(prefix) : -len(".vtt")] for p in self.folder.glob(f"{self.name}.*.vtt")}
        by_people = sorted(lang for lang in present if revisions.corrected_by_people(self.folder, self.name, lang))
        return [lang for lang in dict.fromkeys([self.source, *self.job.targets, *by_people]) if lang in present]

    def key_package(self) -> str:
        langs = self.package_languages()
        subtitle_files = [self.path(f".{lang}.vtt") for lang in langs]
        chapters = [(c.start, c.title) for c in self.job.chapters]
        return _key(self.recording_sha(), langs, _files_key(subtitle_files), self.job.title, chapters, list(self.job.ladder),
                    list(self.job.burn))

    def done_package(self) -> bool:
        return (self.folder / "dist" / "hls" / "master.m3u8").exists()

    def run_package(self) -> None:
        chapters = self.chapters_file()
        if chapters is not None:
            text = youtube_chapters(self.job.chapters)
            if not chapters.exists() or chapters.read_text(encoding="utf-8") != text:
                write_atomic(chapters, text)
        api.package(self.job.recording, self.folder, self.folder / "dist", self.package_languages(), self.job.title,
                    burn=self.job.burn, ladder=self.job.ladder, chapters=chapters)

    # -- the record ---------------------------------------------------------------
    def recorded(self, stage: str) -> dict:
        entry = self.state["stages"].get(stage)
        return entry if isinstance(entry, dict) else {}

    def status(self, stage: str) -> tuple[str, bool]:
        """The stage's key now, and whether it is up to date (same key recorded, outputs in place)."""
        key = getattr(self, f"key_{stage}")()
        return key, self.recorded(stage).get("key") == key and getattr(self, f"done_{stage}")()

    def finish(self, stage: str, key: str, seconds: float, warnings: list[str]) -> None:
        self.state["stages"][stage] = {
            "key": key,
            "seconds": round(seconds, 2),
            "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "warnings": warnings,
            **self.record_extra,
        }
        self.record_extra = {}
        write_atomic(self.state_path, json.dumps(self.state, ensure_ascii=False, indent=1) + "\n")


def pending(job: Job) -> list[str]:
    """The stages a run would do (the first stale stage and every one after it); none when all is up to date."""
    if not job.folder.exists() or not job.recording.is_file():
        return list(STAGES)  # a recording that vanished: its worker will say so
    stages = _Stages(job, LoadedModels(), Reporter(quiet=True))
    for n, stage in enumerate(STAGES):
        if not stages.status(stage)[1]:
            return list(STAGES[n:])
    return []


def process(job: Job, loaded: LoadedModels | None = None, reporter: Reporter | None = None,
            on_stage: Callable[[str, str], None] | None = None) -> ProcessResult:
    """Run the stages of one recording that are not up to date; `on_stage(stage, "start"|"done")` follows them."""
    if not job.recording.is_file():
        raise AccessMediaError(f"{job.recording}: no such file", "check the recording's path")
    with run_lock(job.folder):
        return _process(job, loaded or LoadedModels(), reporter or Reporter(quiet=True), on_stage)


def _process(job: Job, loaded: LoadedModels, reporter: Reporter, on_stage) -> ProcessResult:
    started = time.monotonic()
    remove_leftovers(job.folder)  # temporary files of a run that was killed
    collecting = _Collecting(reporter)
    stages = _Stages(job, loaded, collecting)
    runs: list[StageRun] = []
    for stage in STAGES:
        record = stages.recorded(stage)
        key, fresh = stages.status(stage)
        if fresh:
            runs.append(StageRun(stage, False, 0.0, float(record.get("seconds", 0.0)), tuple(record.get("warnings", []))))
            reporter.note(f"{job.name}: {stage} is up to date")
            continue
        if on_stage:
            on_stage(stage, "start")
        collecting.warnings = []
        t = time.monotonic()
        getattr(stages, f"run_{stage}")()
        seconds = time.monotonic() - t
        stages.finish(stage, key, seconds, collecting.warnings)
        runs.append(StageRun(stage, True, seconds, seconds, tuple(collecting.warnings)))
        if on_stage:
            on_stage(stage, "done")
    return ProcessResult(job.name, job.folder, tuple(runs), time.monotonic() - started, f"pid {os.getpid()}", loaded.loads())


def make_job(recording: str | Path, targets, out_dir: str | Path, settings: AsrSettings = AsrSettings(),
             glossary=(), style_path: str | Path | None = None, title: str | None = None, chapters=(),
             ladder=(), burn=(), hotwords=None) -> Job:
    """A checked Job: language codes normalised, paths made absolute (workers may run elsewhere)."""
    language = languages.normalize(settings.language)
    terms = tuple(dict.fromkeys(glossary))
    settings = replace(settings, language=language, glossary=tuple(dict.fromkeys(hotwords if hotwords is not None else terms)))
    style_path = Path(style_path).resolve() if style_path else None
    if style_path is not None:
        style.load_profile(language, style_path)  # a broken profile fails now, not in a worker
    return Job(
        recording=Path(recording).resolve(),
        out_dir=Path(out_dir).resolve(),
        targets=tuple(dict.fromkeys(languages.normalize(t) for t in targets)),
        settings=settings,
        glossary=terms,
        style=style_path,
        title=title,
        chapters=tuple(chapters),
        ladder=tuple(ladder),
        burn=tuple(languages.normalize(b) for b in burn),
    )
