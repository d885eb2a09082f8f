"""The studio's web app: the whole job from a browser (studio_project.py keeps the project folder's state).

Every action calls what the command line calls: `event.save_manifest` writes the manifest the form describes,
a run is `accessmedia process event.toml` (studio_project.Runs), the review editor is the review app (one per
recording), history, restore and translation kits are corrections.py's, and the replay pages and event site
are served as written. Security as for the review app (webguard.Guard.refuse): loopback by default, the
access token beyond it, Host checked, every state-changing request same-origin with the session's CSRF token
and a JSON (or, for uploads and kits, octet-stream) body; uploads limited in size and type, probed as media
before any work; every name from a request checked against the project.
"""

from __future__ import annotations

import json
import secrets

from importlib import resources
from pathlib import Path

from accessmedia import api
from accessmedia.api import AccessMediaError, RecordingFiles, languages
from accessmedia.web.project import (CHUNK, COOKIE, MANIFEST, MAX_JSON, MAX_UPLOAD, MEDIA, NAME, OUTPUT, RECORDINGS, Runs, archive,
                                      checklist, current_event, manifest_values, progress, safe_name, sessions)
from accessmedia.web.guard import Guard, TooLarge, read_limited


BODIES = ("application/json", "application/octet-stream")


# -- the app ----------------------------------------------------------------------------------------------

def create_app(project: str | Path, token: str | None = None, host: str = "127.0.0.1", resume: bool = True):
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from accessmedia.web import review

    project = Path(project).resolve()
    (project / RECORDINGS).mkdir(parents=True, exist_ok=True)
    guard = Guard(host, token)
    runs = Runs(project)
    if resume:
        runs.resume_if_cut_off()
    editors: dict[str, object] = {}

    def guarded(handler):
        return guard.wrap(handler, COOKIE, "the studio's own pages", BODIES)

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
        found = sessions(project)
        if name not in found:
            raise AccessMediaError(f"no recording named {name!r} in this event")
        return found[name]

    def language(code: str, folder: Path, name: str) -> str:
        code = languages.normalize(code)
        if not RecordingFiles(folder, name).subtitles(code).exists():
            raise AccessMediaError(f"{name} has no subtitles in {code} yet")
        return code

    async def page(request: Request) -> Response:
        return HTMLResponse((resources.files("accessmedia") / "web" / "templates" / "studio.html").read_text(encoding="utf-8"))

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ("studio.js", "studio.css"):
            return JSONResponse({"error": "no such file"}, status_code=404)
        with resources.as_file(resources.files("accessmedia") / "web" / "static" / "studio" / name) as path:
            return FileResponse(path, media_type="text/javascript" if name.endswith(".js") else "text/css")

    async def state(request: Request) -> Response:
        manifest, problem = manifest_values(project)
        event = current_event(project)[0]
        codes = [c for c in languages.LANGUAGES if c != (event.language if event is not None else "nb")]  # the spoken one aside
        routes = api.translation_routes(codes)
        catalogue = api.catalog()
        installed = {m.name for m in api.installed("asr")}
        made = []
        wanted = (manifest or {}).get("languages", [])
        for name, folder in sessions(project).items():
            langs = [c for c in languages.LANGUAGES if RecordingFiles(folder, name).subtitles(c).exists()]
            files = RecordingFiles(folder, name)
            source = files.subtitles(api.recorded_settings(files).language).exists()
            made.append({"name": name, "languages": langs, "replay": (folder / "dist" / "site" / "index.html").exists(),
                         "volunteers": [c for c in wanted if c not in langs] if source else []})
        return JSONResponse({
            "csrf": guard.csrf_for(request.state.session),
            "manifest": manifest, "manifest_problem": problem,
            "files": sorted(p.relative_to(project).as_posix() for p in project.rglob("*")
                            if p.is_file() and p.suffix.lower() in MEDIA and not any(part.startswith(".") or part == OUTPUT
                                                                                     for part in p.relative_to(project).parts)),
            "languages": [{"code": c, "name": languages.native_name(c), "english": languages.LANGUAGES[c][0],
                           "dir": languages.direction(c), "route": routes[c]["route"],
                           "engine": routes[c]["engine"], "volunteers": not routes[c]["models"]} for c in codes],
            "models": [{"name": e.name, "description": e.description, "installed": e.name in installed or e.default, "default": e.default,
                        "size_mb": e.size_mb} for e in catalogue.values() if e.kind == "asr"],
            "run": progress(project, runs), "sessions": made, "checklist": checklist(project),
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
        ev = api.save_manifest(project / MANIFEST, api.manifest_text(title, codes, recordings, OUTPUT, model))
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
        name = safe_name(request.query_params.get("name", ""))
        part = project / RECORDINGS / f".{name}.part"
        done = (project / RECORDINGS / name).exists()
        return JSONResponse({"received": part.stat().st_size if part.exists() else 0, "done": done})

    async def upload(request: Request) -> Response:
        """A chunk of a file at `offset`; the page asks how much arrived and goes on from there after a break.
        The last chunk (`final=1`) makes it a recording, once ffprobe finds audio in it."""
        name = safe_name(request.query_params.get("name", ""))
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
            api.probe_media(probe_path).track(None)  # a recording with sound, or nothing at all
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
        entry = api.catalog().get(name)
        if entry is None or entry.kind != "asr":
            raise AccessMediaError(f"no speech model named {name!r}")
        installed = api.models_install(name)
        return JSONResponse({"installed": installed.name})

    async def history(request: Request) -> Response:
        name = request.query_params.get("name", "")
        folder = session_folder(name)
        lang = language(request.query_params.get("lang", ""), folder, name)
        found = api.history(folder, name, lang).get((name, lang), [])
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
        made = api.restore(folder, name, lang, number, str(data.get("contributor") or "studio")[:80])
        return JSONResponse({"revision": made.label})

    async def kit(request: Request) -> Response:
        name = request.query_params.get("name", "")
        folder = session_folder(name)
        code = languages.normalize(request.query_params.get("lang", ""))
        fmt = request.query_params.get("format", "csv")
        if fmt not in ("csv", "srt"):
            raise AccessMediaError("a kit is csv or srt")
        if request.method == "GET":
            srt_path, csv_path = api.kit_export(folder, name, code)
            path = csv_path if fmt == "csv" else srt_path
            return FileResponse(path, filename=path.name)
        try:
            body = await read_limited(request.stream(), request.headers.get("content-length"), 32 << 20)
        except TooLarge:
            return JSONResponse({"error": "too large: at most 32 MB"}, status_code=413)
        incoming = folder / f".kit-upload-{secrets.token_hex(4)}.{code}.{fmt}"
        incoming.write_bytes(body)
        try:
            made = api.kit_import(incoming, folder, name, code, "studio")
        finally:
            incoming.unlink(missing_ok=True)
        return JSONResponse({"revision": made.label})

    async def package_zip(request: Request) -> Response:
        name = request.query_params.get("name", "")
        data = archive(session_folder(name), name)
        return Response(data, media_type="application/zip", headers={"content-disposition": f'attachment; filename="{name}.zip"'})

    async def let_through(scope, receive, send, methods: tuple[str, ...] | None = None) -> bool:
        """The studio's checks on a request that no Route handles (the editors, the outputs), for every method or
        only `methods`; a refused one is answered here."""
        request = Request(scope, receive)
        why = guard.refuse(request, COOKIE, "the studio's own pages", BODIES) if methods is None or request.method in methods else None
        if why is not None:
            await JSONResponse({"error": why[1]}, status_code=why[0])(scope, receive, send)
        return why is None

    async def editor(scope, receive, send) -> None:
        """/review/NAME/...: the review app of that recording's folder (which checks its own changes)."""
        if not await let_through(scope, receive, send, ("GET", "HEAD")):
            return
        parts = scope["path"].split("/", 3)
        name = parts[2] if len(parts) > 2 else ""
        found = sessions(project)
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
            if await let_through(scope, receive, send):
                await self.files(scope, receive, send)

    routes = [
        Route("/", guarded(page)), Route("/assets/{name}", guarded(asset)), Route("/api/state", guarded(state)),
        Route("/api/event", guarded(save_event), methods=["POST"]),
        Route("/api/upload", guarded(upload_state)), Route("/api/upload", guarded(upload), methods=["POST"]),
        Route("/api/run", guarded(run), methods=["POST"]), Route("/api/progress", guarded(events)),
        Route("/api/models/install", guarded(install_model), methods=["POST"]),
        Route("/api/history", guarded(history)), Route("/api/restore", guarded(restore), methods=["POST"]),
        Route("/api/kit", guarded(kit), methods=["GET", "POST"]), Route("/api/archive", guarded(package_zip)),
        Mount("/out", app=Published()),
    ]
    app = Starlette(routes=routes)

    async def with_editors(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/review/"):
            await editor(scope, receive, send)
            return
        await app(scope, receive, send)

    with_editors.runs = runs
    return with_editors


def serve(project: str | Path, host: str, port: int, share: bool) -> None:
    """Serve the studio until Ctrl-C. Any address beyond loopback needs the access token."""
    from accessmedia.web.guard import serve as serve_app

    serve_app(create_app, project, host, port, share, "studio", "every request must carry the token")
