"""The studio's web app: the whole job from a browser. web/project.py keeps the project folder's state,
web/views/studio_*.py answer the requests, and this module assembles them.

Every action calls what the command line calls: `api.save_manifest` writes the manifest the form describes,
a run is `accessmedia process event.toml` (project.Runs), the review editor is the review app (one per
recording), history, restore and translation kits are the api's, and the replay pages and event site
are served as written, and live captions are what `accessmedia live` does, with their pages at /live/ behind a
token of their own (web/liverun.py). Security as for the review app (guard.Guard.refuse): loopback by default, the
access token beyond it, Host checked, every state-changing request same-origin with the session's CSRF token
and a JSON (or, for uploads and kits, octet-stream) body; uploads limited in size and type, probed as media
before any work; every name from a request checked against the project.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from accessmedia.api import AccessMediaError
from accessmedia.web.guard import Guard
from accessmedia.web import uploads
from accessmedia.web.liverun import LiveRun
from accessmedia.web.project import COOKIE, OUTPUT, RECORDINGS, Runs, current_event, sessions
from accessmedia.web.views import studio_event, studio_live, studio_pages, studio_runs, studio_work
from accessmedia.web.views.common import Studio

BODIES = ("application/json", "application/octet-stream")


def create_app(project: str | Path, token: str | None = None, host: str = "127.0.0.1", resume: bool = True):
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from accessmedia.web import review

    project = Path(project).resolve()
    (project / RECORDINGS).mkdir(parents=True, exist_ok=True)
    uploads.remove_abandoned(project / RECORDINGS)  # uploads nobody went on with for a day
    s = Studio(project, Guard(host, token), Runs(project), token, host, live=LiveRun(project, host))
    if resume:
        s.runs.resume_if_cut_off()
        s.live.resume_if_cut_off()

    def guarded(handler):
        return s.guard.wrap(handler, COOKIE, "the studio's own pages", BODIES)

    async def let_through(scope, receive, send, methods: tuple[str, ...] | None = None) -> bool:
        """The studio's checks on a request that no Route handles (the editors, the outputs), for every method or
        only `methods`; a refused one is answered here."""
        request = Request(scope, receive)
        why = s.guard.refuse(request, COOKIE, "the studio's own pages", BODIES) if methods is None or request.method in methods else None
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
        if name not in s.editors:
            try:
                titles = {x.name: x.title for x in current_event(project)[0].sessions}
                s.editors[name] = review.create_app(found[name], token, host, titles.get(name), "../../")
            except AccessMediaError as exc:
                await JSONResponse({"error": exc.one_line()}, status_code=409)(scope, receive, send)
                return
        await s.editors[name](below(scope, f"/review/{name}"), receive, send)

    class Published:
        """The outputs (event site, report, replay pages), read only, behind the same Host and token checks."""

        def __init__(self):
            self.files = StaticFiles(directory=str(project / OUTPUT), html=True, check_dir=False)

        async def __call__(self, scope, receive, send):
            if any(part.startswith(".") for part in scope["path"].split("/")):  # the lock, the translation cache ...
                await JSONResponse({"error": "no such file"}, status_code=404)(scope, receive, send)
                return
            if await let_through(scope, receive, send):
                await self.files(scope, receive, send)

    routes = [
        Route("/", guarded(studio_pages.page)), Route("/assets/{name}", guarded(studio_pages.asset)),
        Route("/api/state", guarded(studio_pages.state)),
        Route("/api/event", guarded(studio_event.save_event), methods=["POST"]),
        Route("/api/upload", guarded(studio_event.upload_state)), Route("/api/upload", guarded(studio_event.upload), methods=["POST"]),
        Route("/api/run", guarded(studio_runs.run), methods=["POST"]), Route("/api/progress", guarded(studio_runs.events)),
        Route("/api/models/install", guarded(studio_runs.install_model), methods=["POST"]),
        Route("/api/models/install-for", guarded(studio_runs.install_for), methods=["POST"]),
        Route("/api/history", guarded(studio_work.history)), Route("/api/restore", guarded(studio_work.restore), methods=["POST"]),
        Route("/api/restore-preview", guarded(studio_work.restore_preview)),
        Route("/api/kit", guarded(studio_work.kit), methods=["GET", "POST"]), Route("/api/archive", guarded(studio_work.package_zip)),
        Route("/api/live", guarded(studio_live.state)), Route("/api/live/qr", guarded(studio_live.qr)),
        Route("/api/live/start", guarded(studio_live.start), methods=["POST"]),
        Route("/api/live/stop", guarded(studio_live.stop), methods=["POST"]),
        Mount("/out", app=Published()),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        await asyncio.to_thread(s.live.close)  # the studio stops: live captions are finished, not cut off

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.studio = s

    async def live_pages(scope, receive, send) -> None:
        """/live/...: the caption page, overlay and player of the live session (its own guard and token)."""
        if s.live.app is None:
            await JSONResponse({"error": "no live captions yet: start them in the studio's Live step"}, status_code=404)(scope, receive, send)
            return
        await s.live.app(below(scope, "/live"), receive, send)

    async def with_editors(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith("/review/"):
            await editor(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"].startswith("/live/"):
            await live_pages(scope, receive, send)
            return
        await app(scope, receive, send)

    with_editors.runs = s.runs
    return with_editors


def below(scope: dict, prefix: str) -> dict:
    """A request's scope as the app mounted at `prefix` sees it (the review editors, the live pages)."""
    return {**scope, "path": scope["path"][len(prefix):] or "/", "root_path": scope.get("root_path", "") + prefix}


def serve(project: str | Path, host: str, port: int, share: bool) -> None:
    """Serve the studio until Ctrl-C. Any address beyond loopback needs the access token."""
    from accessmedia.web.guard import serve as serve_app

    serve_app(create_app, project, host, port, share, "studio", "every request must carry the token")
