"""The studio: the whole job from a browser, for communications staff, on top of the same library.

A project folder holds the event manifest (event.toml), the recordings (recordings/, uploads land
there), the outputs (ut/) and the studio's own notes (.studio/). The studio only calls what the
command line calls: `event.save_manifest` writes the manifest the form describes (checked as `process`
checks it, every recording probed as media), a run is `accessmedia process event.toml` in a process of
its own (so work goes on when the browser is closed, and a run cut off resumes when the studio starts
again), the review editor is the review app (one per recording), history, restore and translation kits
are corrections.py's, and the replay pages and event site are served as written.

Security as for the review app (webguard.py): loopback by default, the access token beyond it, Host
checked, every state-changing request same-origin with the session's CSRF token and a JSON (or, for
uploads, octet-stream) body; uploads limited in size and type, probed as media before any work; every
name from a request is checked against the project.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import zipfile
from importlib import resources
from pathlib import Path

from . import api, corrections, event, languages, media, models, revisions
from .errors import AccessMediaError
from .files import RecordingFiles
from .fsutil import write_atomic
from .process import STAGE_NAMES
from .webguard import Guard, TooLarge, read_limited

MANIFEST = "event.toml"
RECORDINGS = "recordings"
OUTPUT = "ut"
COOKIE = "studio-session"
MEDIA = (".mp4", ".mov", ".mkv", ".webm", ".m4v", ".ts", ".mts", ".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg", ".opus")
MAX_UPLOAD = 64 << 30  # bytes: a day of conference video
CHUNK = 8 << 20  # bytes the page sends at a time
MAX_JSON = 1 << 20
NAME = re.compile(r"[\w][\w .,()+-]{0,120}")  # a plain file name: no path, no leading dot


def _safe_name(name: str) -> str:
    if not NAME.fullmatch(name or "") or ".." in name:
        raise AccessMediaError(f"{name!r} is not a plain file name", "use letters, digits, spaces, dots and dashes")
    return name


# -- the run: `accessmedia process` in a process of its own --------------------------------------------

class Runs:
    """The one run of a project: started, watched, resumed when the studio starts again."""

    def __init__(self, project: Path):
        self.project = project
        self.notes = project / ".studio"
        self.record = self.notes / "run.json"
        self.child: subprocess.Popen | None = None

    def state(self) -> dict:
        try:
            return json.loads(self.record.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return {}

    def running(self) -> bool:
        if self.child is not None:
            return self.child.poll() is None
        pid = self.state().get("pid")
        if not pid:
            return False
        try:
            status = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
            return status not in ("Z", "X") and self.state().get("status") == "running"
        except OSError:
            return False

    def start(self) -> dict:
        if self.running():
            raise AccessMediaError("a run is already going on", "watch its progress, or wait for it to finish")
        manifest = self.project / MANIFEST
        event.load(manifest)  # a manifest that cannot run is said now, not in a log
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

    def stop(self) -> None:
        if self.child is not None and self.child.poll() is None:
            os.killpg(self.child.pid, signal.SIGTERM)


def _last_error(log: Path) -> str:
    try:
        lines = [x for x in log.read_text(encoding="utf-8", errors="replace").splitlines() if x.strip()]
    except OSError:
        return "the run stopped"
    errors = [x for x in lines if x.lower().startswith(("error", "accessmedia:"))]
    return (errors or lines or ["the run stopped"])[-1][:400]


def progress(project: Path, runs: Runs) -> dict:
    """Per recording: the stages finished (process.json), the one going on; the share done and time left."""
    state = runs.settle()
    try:
        ev = event.load(project / MANIFEST)
    except AccessMediaError:
        return {"status": state.get("status", "idle"), "recordings": [], "done": 0.0}
    rows, done_total = [], 0
    for s in ev.sessions:
        files = RecordingFiles(ev.output / s.name, s.name)
        try:
            finished = json.loads(files.state.read_text(encoding="utf-8")).get("stages", {})
        except (OSError, json.JSONDecodeError):
            finished = {}
        done = [n for n in STAGE_NAMES if n in finished]
        current = next((n for n in STAGE_NAMES if n not in finished), None)
        done_total += len(done)
        rows.append({"name": s.name, "title": s.title, "done": len(done), "stages": len(STAGE_NAMES),
                     "stage": current if state.get("status") == "running" else None})
    share = done_total / (len(STAGE_NAMES) * len(ev.sessions)) if ev.sessions else 0.0
    left = None
    if state.get("status") == "running" and 0 < share < 1:
        elapsed = time.time() - state.get("started", time.time())
        left = round(elapsed * (1 - share) / share)
    if state.get("status") == "done":
        share = 1.0
    return {"status": state.get("status", "idle"), "recordings": rows, "done": round(share, 3), "seconds_left": left,
            "error": state.get("error"), "resumed": state.get("resumed", False)}


# -- what the pages show ---------------------------------------------------------------------------------

def _manifest_values(project: Path) -> tuple[dict | None, str | None]:
    path = project / MANIFEST
    if not path.exists():
        return None, None
    try:
        ev = event.load(path)
    except AccessMediaError as exc:
        return None, exc.one_line()
    return {
        "title": ev.title, "languages": list(ev.languages), "model": ev.model,
        "recordings": [{"file": s.file.relative_to(project).as_posix() if s.file.is_relative_to(project) else str(s.file),
                        "title": s.title, "agenda": [{"start": _clock(a.start), "title": a.title, "speakers": list(a.speakers)}
                                                     for a in s.agenda]} for s in ev.sessions],
    }, None


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def _sessions(project: Path) -> dict[str, Path]:
    """Recording name -> its output folder, for the recordings of the saved manifest."""
    try:
        ev = event.load(project / MANIFEST)
    except AccessMediaError:
        return {}
    return {s.name: ev.output / s.name for s in ev.sessions}


def checklist(project: Path) -> list[dict]:
    """Before publishing, per recording: every language present or marked for volunteers, cue conformance,
    the share of words the model was unsure of, speakers not yet named."""
    try:
        report = json.loads((project / OUTPUT / "report.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return []
    rows = []
    for s in report.get("sessions", []):
        langs = s.get("languages", {})
        missing = langs.get("missing", {})
        folder = project / OUTPUT / s["name"]
        templates = [c for c in missing if (folder / f"{s['name']}.{c}.template.csv").exists()]
        conformance = {lang: c.get("share_ok") for lang, c in s.get("conformance", {}).items() if "share_ok" in c}
        unnamed = [x["label"] for x in s.get("speakers", []) if len(s.get("speakers", [])) > 1 and x["label"].startswith("Taler ")]
        rows.append({
            "name": s["name"], "title": s.get("title", s["name"]), "error": s.get("error"),
            "languages_ok": all(c in langs.get("produced", {}) or c in templates for c in langs.get("requested", [])),
            "volunteers": templates, "produced": list(langs.get("produced", {})),
            "conformance": conformance, "conformance_ok": all(v >= 0.95 for v in conformance.values()),
            "low_confidence": s.get("low_confidence_share"), "unnamed_speakers": unnamed,
        })
    return rows


def _archive(folder: Path, name: str) -> bytes:
    """One recording's package as a zip: the HLS, the replay page and the upload bundle."""
    dist = folder / "dist"
    if not dist.is_dir():
        raise AccessMediaError(f"{name} has no package yet", "run the event first")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        for path in sorted(p for p in dist.rglob("*") if p.is_file()):
            z.write(path, f"{name}/{path.relative_to(dist).as_posix()}")
    return buffer.getvalue()


# -- the app ----------------------------------------------------------------------------------------------

def create_app(project: str | Path, token: str | None = None, host: str = "127.0.0.1", resume: bool = True):
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from . import review

    project = Path(project).resolve()
    (project / RECORDINGS).mkdir(parents=True, exist_ok=True)
    guard = Guard(host, token)
    runs = Runs(project)
    if resume:
        runs.resume_if_cut_off()
    editors: dict[str, object] = {}

    def refused(scope_headers: dict, method: str, query: dict, cookies: dict, scheme: str) -> tuple[int, str] | None:
        if not guard.host_ok(scope_headers.get("host", "")):
            return 421, "this server is not reached by that name"
        given = query.get("token") or scope_headers.get("x-access-token") or cookies.get("token") or ""
        if not guard.token_ok(given):
            return 403, "access token missing or wrong"
        if method not in ("GET", "HEAD"):
            if not guard.same_origin(scope_headers.get("origin"), scheme, scope_headers.get("host", ""), scope_headers.get("sec-fetch-site")):
                return 403, "changes are only possible from the studio's own pages"
            kind = scope_headers.get("content-type", "").split(";")[0].strip().lower()
            if kind not in ("application/json", "application/octet-stream"):
                return 415, "send JSON (or the file's bytes)"
            if not guard.csrf_ok(cookies.get(COOKIE), scope_headers.get("x-csrf-token")):
                return 403, "the page's session has ended: reload it"
        return None

    def guarded(handler):
        async def wrapped(request: Request) -> Response:
            why = refused({k.lower(): v for k, v in request.headers.items()}, request.method, dict(request.query_params),
                          request.cookies, request.url.scheme)
            if why is not None:
                return JSONResponse({"error": why[1]}, status_code=why[0])
            session = request.cookies.get(COOKIE) or guard.new_session()
            request.state.session = session
            try:
                response = await handler(request)
            except AccessMediaError as exc:
                response = JSONResponse({"error": exc.one_line()}, status_code=400)
            response.set_cookie(COOKIE, session, httponly=True, samesite="strict")
            if token is not None:
                response.set_cookie("token", token, httponly=True, samesite="strict")
            response.headers["x-content-type-options"] = "nosniff"
            response.headers["x-frame-options"] = "DENY"
            response.headers["referrer-policy"] = "no-referrer"
            return response
        return wrapped

    async def body_json(request: Request) -> dict:
        try:
            data = json.loads(await read_limited(request.stream(), request.headers.get("content-length"), MAX_JSON))
        except TooLarge:
            raise AccessMediaError("the request is too large") from None
        except (ValueError, RecursionError):
            raise AccessMediaError("the request is not JSON") from None
        if not isinstance(data, dict):
            raise AccessMediaError("the request is not in the expected form")
        return data

    def session_folder(name: str) -> Path:
        found = _sessions(project)
        if name not in found:
            raise AccessMediaError(f"no recording named {name!r} in this event")
        return found[name]

    def language(code: str, folder: Path, name: str) -> str:
        code = languages.normalize(code)
        if not RecordingFiles(folder, name).subtitles(code).exists():
            raise AccessMediaError(f"{name} has no subtitles in {code} yet")
        return code

    async def page(request: Request) -> Response:
        return HTMLResponse((resources.files("accessmedia") / "web" / "studio.html").read_text(encoding="utf-8"))

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ("studio.js", "studio.css"):
            return JSONResponse({"error": "no such file"}, status_code=404)
        with resources.as_file(resources.files("accessmedia") / "web" / name) as path:
            return FileResponse(path, media_type="text/javascript" if name.endswith(".js") else "text/css")

    async def state(request: Request) -> Response:
        manifest, problem = _manifest_values(project)
        codes = [c for c in languages.LANGUAGES if c != "nb"]
        routes = api.translation_routes(codes)
        catalogue = models.catalog()
        installed = {m.name for m in models.installed("asr")}
        sessions = []
        for name, folder in _sessions(project).items():
            langs = [c for c in languages.LANGUAGES if RecordingFiles(folder, name).subtitles(c).exists()]
            sessions.append({"name": name, "languages": langs, "replay": (folder / "dist" / "site" / "index.html").exists(),
                             "speakers": RecordingFiles(folder, name).speakers.exists()})
        return JSONResponse({
            "csrf": guard.csrf_for(request.state.session),
            "manifest": manifest, "manifest_problem": problem,
            "files": sorted(p.relative_to(project).as_posix() for p in project.rglob("*")
                            if p.is_file() and p.suffix.lower() in MEDIA and not any(part.startswith(".") or part == OUTPUT
                                                                                     for part in p.relative_to(project).parts)),
            "languages": [{"code": c, "name": languages.native_name(c), "english": languages.LANGUAGES[c][0],
                           "dir": "rtl" if c in languages.RIGHT_TO_LEFT else "ltr", "route": routes[c]["route"],
                           "engine": routes[c]["engine"], "volunteers": not routes[c]["models"]} for c in codes],
            "models": [{"name": e.name, "description": e.description, "installed": e.name in installed or e.default, "default": e.default,
                        "size_mb": e.size_mb} for e in catalogue.values() if e.kind == "asr"],
            "run": progress(project, runs), "sessions": sessions, "checklist": checklist(project),
            "report": (project / OUTPUT / "report.html").exists(), "site": (project / OUTPUT / "index.html").exists(),
        })

    async def save_event(request: Request) -> Response:
        data = await body_json(request)
        try:
            recordings = [{"file": _checked_file(str(r["file"])), "title": str(r.get("title", "")),
                           "agenda": [{"start": str(a["start"]), "title": str(a["title"]),
                                       "speakers": [str(x) for x in a.get("speakers", []) if str(x).strip()]}
                                      for a in r.get("agenda", []) if str(a.get("title", "")).strip()]}
                          for r in data.get("recordings", [])]
            codes = [languages.normalize(str(c)) for c in data.get("languages", [])]
            model = str(data["model"]) if data.get("model") else None
            title = str(data.get("title", "")).strip() or "Konferanse"
        except (KeyError, TypeError, AttributeError):
            raise AccessMediaError("the event form is not in the expected form") from None
        if not recordings:
            raise AccessMediaError("no recording chosen", "upload a recording or tick one of the files in the folder")
        ev = event.save_manifest(project / MANIFEST, event.manifest_text(title, codes, recordings, OUTPUT, model))
        return JSONResponse({"saved": MANIFEST, "recordings": len(ev.sessions)})

    def _checked_file(relative: str) -> str:
        parts = relative.split("/")
        if not all(NAME.fullmatch(part) and ".." not in part for part in parts):
            raise AccessMediaError(f"{relative!r} is not a recording in this project")
        path = (project / relative).resolve()
        if not path.is_relative_to(project) or path.suffix.lower() not in MEDIA or not path.is_file():
            raise AccessMediaError(f"{relative!r} is not a recording in this project")
        return path.relative_to(project).as_posix()

    async def upload_state(request: Request) -> Response:
        name = _safe_name(request.query_params.get("name", ""))
        part = project / RECORDINGS / f".{name}.part"
        done = (project / RECORDINGS / name).exists()
        return JSONResponse({"received": part.stat().st_size if part.exists() else 0, "done": done})

    async def upload(request: Request) -> Response:
        """A chunk of a file at `offset`; the page asks how much arrived and goes on from there after a break.
        The last chunk (`final=1`) makes it a recording, once ffprobe finds audio in it."""
        name = _safe_name(request.query_params.get("name", ""))
        if Path(name).suffix.lower() not in MEDIA:
            raise AccessMediaError(f"{name}: not a recording's file type", f"upload one of: {', '.join(MEDIA)}")
        try:
            offset, total = int(request.query_params.get("offset", "-1")), int(request.query_params.get("size", "-1"))
        except ValueError:
            raise AccessMediaError("offset and size must be numbers") from None
        if total > MAX_UPLOAD or total < 0:
            return JSONResponse({"error": f"too large: at most {MAX_UPLOAD >> 30} GB"}, status_code=413)
        final = project / RECORDINGS / name
        if final.exists():
            raise AccessMediaError(f"{name} is already in the project", "rename the file, or tick it in the list")
        part = project / RECORDINGS / f".{name}.part"
        have = part.stat().st_size if part.exists() else 0
        if offset != have:
            return JSONResponse({"error": "out of step", "received": have}, status_code=409)
        try:
            body = await read_limited(request.stream(), request.headers.get("content-length"), min(CHUNK, total - have))
        except TooLarge:
            return JSONResponse({"error": f"a chunk is at most {CHUNK >> 20} MB and the file {total} bytes"}, status_code=413)
        with open(part, "ab") as fh:
            fh.write(body)
        received = have + len(body)
        if request.query_params.get("final") != "1":
            return JSONResponse({"received": received})
        if received != total:
            raise AccessMediaError(f"{name}: {received} of {total} bytes arrived", "upload it again")
        probe_path = part.with_name(f".{name}.check{Path(name).suffix}")
        part.rename(probe_path)
        try:
            media.probe(probe_path).track(None)  # a recording with sound, or nothing at all
        except AccessMediaError as exc:
            probe_path.unlink(missing_ok=True)
            raise AccessMediaError(f"{name}: {exc.message}", "upload a video or audio recording") from None
        probe_path.rename(final)
        return JSONResponse({"received": received, "file": final.relative_to(project).as_posix()})

    async def run(request: Request) -> Response:
        await body_json(request)
        return JSONResponse({"run": runs.start()})

    async def events(request: Request) -> Response:
        """Progress as server-sent events, every second, until the run ends or the page goes."""
        async def stream():
            import asyncio

            last = None
            while True:
                now = progress(project, runs)
                text = json.dumps(now, ensure_ascii=False)
                if text != last:
                    yield f"data: {text}\n\n"
                    last = text
                if now["status"] != "running" or await request.is_disconnected():
                    break
                await asyncio.sleep(1.0)
        return StreamingResponse(stream(), media_type="text/event-stream", headers={"cache-control": "no-store"})

    async def install_model(request: Request) -> Response:
        data = await body_json(request)
        name = str(data.get("name", ""))
        entry = models.catalog().get(name)
        if entry is None or entry.kind != "asr":
            raise AccessMediaError(f"no speech model named {name!r}")
        installed = api.models_install(name)
        return JSONResponse({"installed": installed.name})

    async def history(request: Request) -> Response:
        name = request.query_params.get("name", "")
        folder = session_folder(name)
        lang = language(request.query_params.get("lang", ""), folder, name)
        found = corrections.history(folder, name, lang).get((name, lang), [])
        return JSONResponse({"revisions": [{"number": r.number, "label": r.label, "contributor": r.contributor, "when": r.time,
                                            "note": r.note} for r in found]})

    async def restore(request: Request) -> Response:
        data = await body_json(request)
        name = str(data.get("name", ""))
        folder = session_folder(name)
        lang = language(str(data.get("lang", "")), folder, name)
        try:
            number = int(data["number"])
        except (KeyError, TypeError, ValueError):
            raise AccessMediaError("which revision? a number") from None
        made = corrections.restore(folder, name, lang, number, str(data.get("contributor") or "studio")[:80])
        return JSONResponse({"revision": made.label})

    async def kit(request: Request) -> Response:
        name = request.query_params.get("name", "")
        folder = session_folder(name)
        code = languages.normalize(request.query_params.get("lang", ""))
        fmt = request.query_params.get("format", "csv")
        if fmt not in ("csv", "srt"):
            raise AccessMediaError("a kit is csv or srt")
        if request.method == "GET":
            srt_path, csv_path = corrections.kit_export(folder, name, code)
            path = csv_path if fmt == "csv" else srt_path
            return FileResponse(path, filename=path.name)
        try:
            body = await read_limited(request.stream(), request.headers.get("content-length"), 32 << 20)
        except TooLarge:
            return JSONResponse({"error": "too large: at most 32 MB"}, status_code=413)
        incoming = folder / f".kit-upload-{secrets.token_hex(4)}.{code}.{fmt}"
        incoming.write_bytes(body)
        try:
            made = corrections.kit_import(incoming, folder, name, code, "studio")
        finally:
            incoming.unlink(missing_ok=True)
        return JSONResponse({"revision": made.label})

    async def archive(request: Request) -> Response:
        name = request.query_params.get("name", "")
        data = _archive(session_folder(name), name)
        return Response(data, media_type="application/zip", headers={"content-disposition": f'attachment; filename="{name}.zip"'})

    async def editor(scope, receive, send) -> None:
        """/review/NAME/...: the review app of that recording's folder."""
        parts = scope["path"].split("/", 3)
        name = parts[2] if len(parts) > 2 else ""
        found = _sessions(project)
        if name not in found or not (found[name]).is_dir():
            response = JSONResponse({"error": f"no recording named {name!r} in this event"}, status_code=404)
            await response(scope, receive, send)
            return
        if name not in editors:
            try:
                editors[name] = review.create_app(found[name], token, host)
            except AccessMediaError as exc:
                await JSONResponse({"error": exc.one_line()}, status_code=409)(scope, receive, send)
                return
        sub = dict(scope)
        sub["path"] = "/" + (parts[3] if len(parts) > 3 else "")
        sub["root_path"] = scope.get("root_path", "") + f"/review/{name}"
        await editors[name](sub, receive, send)

    class Published:
        """The outputs (event site, report, replay pages), read only, behind the same Host and token checks."""

        def __init__(self):
            self.files = StaticFiles(directory=str(project / OUTPUT), html=True, check_dir=False)

        async def __call__(self, scope, receive, send):
            request = Request(scope, receive)
            why = refused({k.lower(): v for k, v in request.headers.items()}, request.method, dict(request.query_params),
                          request.cookies, request.url.scheme)
            if why is not None:
                await JSONResponse({"error": why[1]}, status_code=why[0])(scope, receive, send)
                return
            await self.files(scope, receive, send)

    async def review_app(scope, receive, send):
        request = Request(scope, receive)
        why = refused({k.lower(): v for k, v in request.headers.items()}, "GET", dict(request.query_params), request.cookies,
                      request.url.scheme)
        if why is not None:
            await JSONResponse({"error": why[1]}, status_code=why[0])(scope, receive, send)
            return
        await editor(scope, receive, send)

    routes = [
        Route("/", guarded(page)), Route("/assets/{name}", guarded(asset)), Route("/api/state", guarded(state)),
        Route("/api/event", guarded(save_event), methods=["POST"]),
        Route("/api/upload", guarded(upload_state)), Route("/api/upload", guarded(upload), methods=["POST"]),
        Route("/api/run", guarded(run), methods=["POST"]), Route("/api/progress", guarded(events)),
        Route("/api/models/install", guarded(install_model), methods=["POST"]),
        Route("/api/history", guarded(history)), Route("/api/restore", guarded(restore), methods=["POST"]),
        Route("/api/kit", guarded(kit), methods=["GET", "POST"]), Route("/api/archive", guarded(archive)),
        Mount("/out", app=Published()),
    ]
    app = Starlette(routes=routes)

    async def with_editors(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/review/"):
            await review_app(scope, receive, send)
            return
        await app(scope, receive, send)

    with_editors.runs = runs
    return with_editors


def serve(project: str | Path, host: str, port: int, share: bool) -> None:
    """Serve the studio until Ctrl-C. Any address beyond loopback needs the access token."""
    import uvicorn

    from .review import check_port
    from .webguard import is_loopback

    share = share or not is_loopback(host)
    if share and host == "127.0.0.1":
        host = "0.0.0.0"
    check_port(host, port)
    token = secrets.token_urlsafe(18) if share else None
    app = create_app(project, token, host)
    if share:
        print(f"studio for the network: http://<this machine>:{port}/?token={token}", flush=True)
    else:
        print(f"studio: open http://{host}:{port}/ in a browser (this machine only; --share to open it to the network)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
