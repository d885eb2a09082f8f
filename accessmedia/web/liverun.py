"""The studio's live captions: what `accessmedia live` does, one session at a time, in a thread of the studio's own
process (the models are loaded there, before the input is opened). Its caption page, overlay and player are served by
the studio at /live/ with an access token of their own, never the studio's: a participant's phone may read captions,
not run the studio; with `public`, or on a studio only this machine reaches, the caption pages need no token at all
(they only read). The session's folder is live/NAME/ in the project, and its recording, live/NAME/NAME.mkv, is
offered as a recording of the event once it ends. A session the studio was running when it was killed
(.studio/live.json says so) starts again with the studio and goes on in the same record, without repeating a line;
one the operator stopped, or that ended, does not.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Sequence

from accessmedia import api
from accessmedia.api import AccessMediaError, write_atomic
from accessmedia.web.guard import is_loopback
from accessmedia.web.project import LIVE, MANIFEST, read_notes

SCHEMES = ("srt", "rtmp", "rtmps", "udp", "rtp", "http", "https")  # what a live input may be, besides a device or a recording


class _Notes(api.Reporter):
    """What the session says (loading models, reading the input), the last words kept for the operator, with the
    project's own paths said relative to it (as the operator gave them)."""

    def __init__(self, project: Path):
        self.last, self.project = "", str(project) + "/"

    def note(self, message: str) -> None:
        self.last = message.replace(self.project, "")

    warn = note


class LiveRun:
    def __init__(self, project: Path, host: str):
        self.project, self.host = project, host
        self.record = project / ".studio" / "live.json"
        self.session: api.LiveSession | None = None
        self.thread: threading.Thread | None = None
        self.stop_event = threading.Event()
        self.app = None  # the caption page, overlay and player of the session (web/live.py), served at /live/
        self.error: str | None = None
        self.notes = _Notes(project)
        self._cpu = (time.monotonic(), _cpu_seconds(), 0.0)

    def saved(self) -> dict:
        return read_notes(self.record)

    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self, source: str, realtime: bool, languages: Sequence[str], name: str, public: bool) -> dict:
        """Start a session: `source` already checked (an address, a device, or with `realtime` a recording of the
        project, by its path in the project, read at its own speed); the event's manifest, when there is one that
        reads, gives the glossary, programme, voices, style and model, and `languages` are those translated into."""
        if self.running():
            raise AccessMediaError("live captions are already running", "stop them first")
        settings = self._settings(languages)
        token = None if public or is_loopback(self.host) else secrets.token_urlsafe(18)
        state = {"source": source, "realtime": realtime, "languages": list(settings.translation.targets),
                 "name": api.plain_name(name or time.strftime("live-%Y-%m-%d")), "public": public, "token": token,
                 "status": "running", "started": time.time()}
        self.record.parent.mkdir(exist_ok=True)
        write_atomic(self.record, json.dumps(state) + "\n")
        self._begin(state, settings)
        return self.state()

    def _begin(self, state: dict, settings: api.Settings) -> None:
        """The session `state` describes (a new one, or one the studio was running when it was killed), in its thread."""
        from accessmedia.web.live import create_app

        out = self.project / LIVE / state["name"]
        out.mkdir(parents=True, exist_ok=True)
        source = str(self.project / state["source"]) if state["realtime"] else state["source"]
        session = api.LiveSession(source, out, state["name"], settings, state["realtime"], reporter=self.notes)
        self.session, self.error, self.stop_event = session, None, threading.Event()
        self.notes.last = "loading the models ..."
        self.app = create_app(session.feed, state["token"], self.host, state["public"], out / "live")
        self.thread = threading.Thread(target=self._run, args=(session,), daemon=True, name="studio-live")
        self.thread.start()

    def _run(self, session: api.LiveSession) -> None:
        try:
            session.run(self.stop_event)
        except AccessMediaError as exc:
            self.error = exc.one_line()
        except Exception as exc:  # the operator sees why; the record and the recording so far are kept
            self.error = f"live captions stopped: {exc}"
        finally:
            state = self.saved()
            if state:
                write_atomic(self.record, json.dumps({**state, "status": "failed" if self.error else "ended",
                                                      "ended": time.time(), "error": self.error}) + "\n")

    def stop(self) -> dict:
        """The input closed; the session finishes what it has (the last captions, the recording joined)."""
        if not self.running():
            raise AccessMediaError("live captions are not running")
        self.stop_event.set()
        return self.state()

    def close(self, wait: float = 30.0) -> None:
        """The studio stops: a running session is stopped and finished, and is started again with the studio only if
        the studio was killed instead (the record still says running)."""
        if self.running():
            self.stop_event.set()
            self.thread.join(wait)

    def resume_if_cut_off(self) -> bool:
        state = self.saved()
        if state.get("status") != "running" or self.running():
            return False
        try:
            settings = self._settings(state.get("languages", ()))
        except AccessMediaError as exc:
            self.error = exc.one_line()
            return False
        self._begin(state, settings)
        return True

    def _settings(self, languages: Sequence[str]) -> api.Settings:
        """As `accessmedia live --event event.toml --to LANGUAGES`: a manifest that does not read is said now."""
        settings = api.build("nb", targets=languages, translation=api.Translation(threads=1))
        manifest = self.project / MANIFEST
        if manifest.exists():
            settings = api.live_settings(api.load_event(manifest, live=True), settings, tuple(settings.translation.targets))
        return settings

    def state(self) -> dict:
        """What the operator sees: running or not, the last note or error, how far behind the stream the captions are,
        how busy the machine is, the languages (and those with no model), and the links of the caption pages."""
        saved = self.saved()
        feed = self.session.feed.state if self.session is not None else {}
        now, used = time.monotonic(), _cpu_seconds()
        then, before, share = self._cpu
        if now - then >= 1.0:  # the process's CPU time over the wall time since the last look, of all cores
            share = (used - before) / (now - then) / (os.cpu_count() or 1)
            self._cpu = (now, used, share)
        running = self.running()
        status = ("stopping" if self.stop_event.is_set() else "running") if running else saved.get("status", "idle")
        if status == "running" and not running:
            status = "ended"
        query = f"?token={saved['token']}" if saved.get("token") else ""
        name = saved.get("name")
        recording = f"{LIVE}/{name}/{name}.mkv" if name and (self.project / LIVE / name / f"{name}.mkv").is_file() else None
        return {"status": status, "note": self.notes.last if running else "", "error": self.error or saved.get("error"),
                "source": saved.get("source"), "name": name, "public": saved.get("public", False),
                "languages": feed.get("languages") or ["nb", *saved.get("languages", [])],
                "missing": feed.get("missing", []), "lag": feed.get("lag"), "cpu": round(share * 100),
                "cores": os.cpu_count() or 1, "query": query, "recording": recording}


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system
