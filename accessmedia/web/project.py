"""The studio's project folder: its manifest, its run, what the pages show of it, package archives.

A project folder holds the event manifest (event.toml), the recordings (recordings/, uploads land
there), the outputs (ut/), the live sessions (live/NAME/) and the studio's own notes (.studio/). A run is `accessmedia process
event.toml` in a process of its own, so work goes on when the browser is closed, and a run cut off (the
studio or the machine stopped) is started again when the studio starts: the runner goes on from each
recording's last finished stage. The web app is studio.py.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from accessmedia import api
from accessmedia.api import STAGE_NAMES, AccessMediaError, RecordingFiles, finished_stages, write_atomic

MANIFEST = "event.toml"
RECORDINGS = "recordings"
OUTPUT = "ut"
LIVE = "live"  # live sessions, each in live/NAME/ (web/liverun.py)
COOKIE = "studio-session"
MEDIA = (".mp4", ".mov", ".mkv", ".webm", ".m4v", ".ts", ".mts", ".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg", ".opus")
MAX_UPLOAD = 64 << 30  # bytes: a day of conference video
CHUNK = 8 << 20  # bytes the page sends at a time
MAX_JSON = 1 << 20
NAME = re.compile(r"[\w][\w .,()+-]{0,120}")  # a plain file name: no path, no leading dot


def safe_name(name: str) -> str:
    if not NAME.fullmatch(name or "") or ".." in name:
        raise AccessMediaError(f"{name!r} is not a plain file name", "use letters, digits, spaces, dots and dashes")
    return name


def project_media(project: Path) -> list[str]:
    """The recordings in the project folder, as paths relative to it: not the outputs, not hidden folders, and of a
    live session (live/NAME/) only its finished recording, NAME.mkv, not its parts or its stream's segments."""
    found = []
    for path in project.rglob("*"):
        parts = path.relative_to(project).parts
        if not path.is_file() or path.suffix.lower() not in MEDIA or any(p.startswith(".") or p == OUTPUT for p in parts):
            continue
        if parts[0] == LIVE and (len(parts) != 3 or path.name != f"{parts[1]}.mkv"):
            continue
        found.append("/".join(parts))
    return sorted(found)


_EVENTS: dict[Path, tuple[tuple, tuple]] = {}


def current_event(project: Path) -> tuple["api.Event | None", str | None]:
    """The saved manifest, read and checked (every recording probed with ffprobe) once per version of it, not on
    every page request and progress tick; (None, why) when it cannot be read, (None, None) when there is none.
    A version: the manifest's size and time, and the times of the folders its recordings are added to."""
    path = project / MANIFEST
    if not path.exists():
        return None, None
    stamp = tuple((p.stat().st_mtime_ns, p.stat().st_size) for p in (path, project, project / RECORDINGS) if p.exists())
    cached = _EVENTS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    try:
        found = (api.load_event(path), None)
    except AccessMediaError as exc:
        found = (None, exc.one_line())
    _EVENTS[path] = (stamp, found)
    return found


def read_notes(path: Path) -> dict:
    """One of the studio's own notes (.studio/run.json, .studio/live.json); {} when there is none or it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


# -- the run: `accessmedia process` in a process of its own --------------------------------------------

class Runs:
    """The one run of a project: started, watched, resumed when the studio starts again."""

    def __init__(self, project: Path):
        self.project = project
        self.notes = project / ".studio"
        self.record = self.notes / "run.json"
        self.child: subprocess.Popen | None = None

    def state(self) -> dict:
        return read_notes(self.record)

    def running(self) -> bool:
        if self.child is not None:
            return self.child.poll() is None
        state = self.state()
        pid = state.get("pid")
        if not pid or state.get("status") != "running":
            return False
        try:
            status = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
            ours = b"accessmedia.cli" in Path(f"/proc/{pid}/cmdline").read_bytes()  # not another program that got the number
            return ours and status not in ("Z", "X")
        except OSError:
            return False

    def start(self) -> dict:
        if self.running():
            raise AccessMediaError("a run is already going on", "watch its progress, or wait for it to finish")
        manifest = self.project / MANIFEST
        api.load_event(manifest)  # a manifest that cannot run is said now, not in a log
        self.notes.mkdir(exist_ok=True)
        log = open(self.notes / "run.log", "ab")
        self.child = subprocess.Popen([sys.executable, "-m", "accessmedia.cli", "process", str(manifest), "-q"], cwd=self.project,
                                      stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        state = {"pid": self.child.pid, "status": "running", "started": time.time(), "resumed": self.state().get("status") == "running"}
        write_atomic(self.record, json.dumps(state) + "\n")
        return state

    def settle(self) -> dict:
        """The record brought up to date: a run that ended is done (or failed, with its last words)."""
        state = self.state()
        if state.get("status") == "running" and not self.running():
            code = self.child.poll() if self.child is not None else None
            report = self.project / OUTPUT / "report.json"
            finished = report.exists() and report.stat().st_mtime >= state.get("started", 0)
            if code is None and not finished:  # not our child, and it left no report: it was cut off
                return state
            state["status"] = "done" if (code == 0 or (code is None and finished)) else "failed"
            state["ended"] = time.time()
            if state["status"] == "failed":
                state["error"] = _last_error(self.notes / "run.log")
            write_atomic(self.record, json.dumps(state) + "\n")
        return state

    def resume_if_cut_off(self) -> bool:
        """A run the studio was watching when it stopped (the machine restarted, the studio was killed):
        start it again; the runner goes on from the last finished stage of every recording."""
        state = self.state()
        if state.get("status") == "running" and not self.running() and (self.project / MANIFEST).exists():
            self.start()
            return True
        return False


def _last_error(log: Path) -> str:
    try:
        lines = [x for x in log.read_text(encoding="utf-8", errors="replace").splitlines() if x.strip()]
    except OSError:
        return "the run stopped"
    errors = [x for x in lines if x.lower().startswith(("error", "accessmedia:"))]
    return (errors or lines or ["the run stopped"])[-1][:400]


# what each stage costs of a recording's time, as bench/day.py measured it (an hour of audio, 2 cores): the share done
# and the time left are counted by it, so that four quick stages after transcription do not make it look 80% done
STAGE_COST = {"transcribe": 0.61, "speakers": 0.16, "cues": 0.01, "translate": 0.2, "package": 0.02}


def progress(project: Path, runs: Runs) -> dict:
    """Per recording: the stages finished (process.json), the one going on; the share done and time left."""
    state = runs.settle()
    ev = current_event(project)[0]
    if ev is None:
        return {"status": state.get("status", "idle"), "recordings": [], "done": 0.0}
    rows, done_total = [], 0.0
    for s in ev.sessions:
        files = RecordingFiles(ev.output / s.name, s.name)
        done = finished_stages(files)
        current = next((n for n in STAGE_NAMES if n not in done), None)
        done_total += sum(STAGE_COST.get(n, 0.0) for n in done) / sum(STAGE_COST.get(n, 0.0) for n in STAGE_NAMES)
        rows.append({"name": s.name, "title": s.title, "done": len(done), "stages": len(STAGE_NAMES),
                     "stage": current if state.get("status") == "running" else None})
    share = done_total / len(ev.sessions) if ev.sessions else 0.0  # by what the stages cost, not by their count
    left = None
    if state.get("status") == "running" and 0 < share < 1:
        elapsed = time.time() - state.get("started", time.time())
        left = round(elapsed * (1 - share) / share)
    if state.get("status") == "done":
        share = 1.0
    return {"status": state.get("status", "idle"), "recordings": rows, "done": round(share, 3), "seconds_left": left,
            "error": state.get("error"), "resumed": state.get("resumed", False)}


# -- what the pages show ---------------------------------------------------------------------------------

def manifest_values(project: Path) -> tuple[dict | None, str | None]:
    ev, problem = current_event(project)
    if ev is None:
        return None, problem
    return {
        "title": ev.title, "languages": list(ev.languages), "model": ev.model,
        "recordings": [{"file": s.file.relative_to(project).as_posix() if s.file.is_relative_to(project) else str(s.file),
                        "title": s.title, "agenda": [{"start": api.clock(a.start), "title": a.title, "speakers": list(a.speakers)}
                                                     for a in s.agenda]} for s in ev.sessions],
    }, None


def sessions(project: Path) -> dict[str, Path]:
    """Recording name -> its output folder, for the recordings of the saved manifest."""
    ev = current_event(project)[0]
    if ev is None:
        return {}
    return {s.name: ev.output / s.name for s in ev.sessions}


def checklist(project: Path) -> list[dict]:
    """Before publishing, per recording, as the files are now (corrections and kits included): every language
    present or marked for volunteers, cue conformance, the share of words the model was unsure of, speakers
    not yet named, and the run's error if it had one."""
    from accessmedia.api import LOW_CONFIDENCE, Transcript, conformance

    ev = current_event(project)[0]
    if ev is None:
        return []
    try:
        errors = {s["name"]: s.get("error") for s in json.loads((ev.output / "report.json").read_text(encoding="utf-8"))["sessions"]}
    except (OSError, ValueError, KeyError, TypeError):
        return []  # not run yet
    rows = []
    for s in ev.sessions:
        files = RecordingFiles(ev.output / s.name, s.name)
        if not files.transcript.exists():
            rows.append({"name": s.name, "title": s.title, "error": errors.get(s.name) or "not processed yet", "languages_ok": False,
                         "volunteers": [], "produced": [], "conformance": {}, "conformance_ok": False, "low_confidence": None,
                         "unnamed_speakers": []})
            continue
        present = [c for c in ev.languages if files.subtitles(c).exists()]
        volunteers = [c for c in ev.languages if c not in present and files.template(c).exists()]
        shares = {c: conformance(files.subtitles(c), ev.style.profile(c)).get("share_ok", 0.0) for c in [ev.language, *present]}
        words = Transcript.from_json(files.transcript.read_text(encoding="utf-8")).words
        voices = api.read_speakers(files.speakers)["speakers"] if files.speakers.exists() else []
        rows.append({
            "name": s.name, "title": s.title, "error": errors.get(s.name),
            # a template for volunteers is not a translation: the language is not done until its subtitles exist
            "languages_ok": len(present) == len(ev.languages), "volunteers": volunteers, "produced": present,
            "conformance": shares, "conformance_ok": all(v >= 0.95 for v in shares.values()),
            "low_confidence": round(sum(w.probability < LOW_CONFIDENCE for w in words) / len(words), 4) if words else 0.0,
            "unnamed_speakers": [v["label"] for v in voices if len(voices) > 1 and not v.get("name")],
        })
    return rows


def archive(folder: Path, name: str) -> bytes:
    """One recording's package as a zip: the HLS, the replay page and the upload bundle."""
    dist = folder / "dist"
    if not dist.is_dir():
        raise AccessMediaError(f"{name} has no package yet", "run the event first")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        for path in sorted(p for p in dist.rglob("*") if p.is_file()):
            z.write(path, f"{name}/{path.relative_to(dist).as_posix()}")
    return buffer.getvalue()


