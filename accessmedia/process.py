"""Every stage for one recording, in one folder, resumable.

`process` runs transcribe -> translate -> package into OUT/NAME/. Each stage
is keyed by a hash of its inputs and settings, recorded in
OUT/NAME/process.json once the stage has finished; a rerun skips a stage
whose key is unchanged, so after a crash only the unfinished stage runs
again, and adding a language only translates and packages.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

from . import api, argos, languages, revisions
from .asr import AsrSettings
from .fsutil import sha256_file, write_atomic
from .progress import Reporter

STATE = "process.json"


@dataclass(frozen=True)
class ProcessResult:
    folder: Path
    ran: tuple[str, ...]
    skipped: tuple[str, ...]
    seconds_taken: float


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def _files_key(paths: Sequence[Path]) -> list[tuple[str, str]]:
    return [(p.name, sha256_file(p)) for p in sorted(paths)]


def process(
    recording: str | Path,
    targets: Sequence[str],
    out_dir: str | Path,
    settings: AsrSettings = AsrSettings(),
    glossary: Sequence[str] = (),
    style_path: str | Path | None = None,
    title: str | None = None,
    reporter: Reporter | None = None,
    chapters: Path | None = None,
) -> ProcessResult:
    started = time.monotonic()
    reporter = reporter or Reporter(quiet=True)
    recording = Path(recording)
    targets = [languages.normalize(t) for t in targets]
    settings = replace(settings, language=languages.normalize(settings.language), glossary=tuple(glossary))
    name = recording.stem
    folder = Path(out_dir) / name
    state_path = folder / STATE
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {"stages": {}}
    ran: list[str] = []
    skipped: list[str] = []
    style_text = Path(style_path).read_text(encoding="utf-8") if style_path else None

    def stage(label: str, key: str, outputs: Callable[[], bool], run: Callable[[], None]) -> None:
        if state["stages"].get(label) == key and outputs():
            skipped.append(label)
            reporter.note(f"{name}: {label} is up to date")
            return
        run()
        state["stages"][label] = key
        write_atomic(state_path, json.dumps(state, indent=1) + "\n")
        ran.append(label)

    source = settings.language
    srt = folder / f"{name}.{source}.srt"
    recording_key = sha256_file(recording)
    asr_settings = {k: v for k, v in asdict(settings).items() if k != "block_seconds"}
    stage(
        "transcribe",
        _key(recording_key, asr_settings, style_text),
        lambda: srt.exists() and (folder / f"{name}.transcript.json").exists(),
        lambda: api.transcribe([recording], folder, settings, style_path, force=False, reporter=reporter),
    )
    packages = argos.installed()
    # a translation a person corrected (apply, review, kit) is theirs: never machine-translated over
    machine = [t for t in targets if not revisions.corrected_by_people(folder, name, t)]
    routes = {t: [p.sha256 for p in (argos.route(source, t, packages) or [])] for t in machine}
    stage(
        "translate",
        _key(_files_key([srt]), routes, list(glossary), style_text),
        lambda: all((folder / f"{name}.{t}.srt").exists() or (folder / f"{name}.{t}.template.csv").exists() for t in machine),
        lambda: api.translate(srt, machine, folder, glossary, style_path, reporter=reporter) if machine else None,
    )
    subtitle_files = [p for p in folder.glob(f"{name}.*.vtt")]
    stage(
        "package",
        _key(recording_key, _files_key(subtitle_files), title, _files_key([chapters]) if chapters else None),
        lambda: (folder / "dist" / "hls" / "master.m3u8").exists(),
        lambda: api.package(recording, folder, folder / "dist", None, title, chapters=chapters),
    )
    return ProcessResult(folder, tuple(ran), tuple(skipped), time.monotonic() - started)
