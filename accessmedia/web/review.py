"""The review app: a volunteer plays the video, edits cue text and timing beside it,
sees rule breaches as they type, and saves. Saving goes through `api.apply_edit`,
exactly like a corrected file given on the command line.

It listens on localhost. `--share`, or any address other than loopback, serves it to the
network, and then every request must carry a random access token. What every request must
show is in guard.py (Host, token, same-origin JSON with a CSRF token, a body limit).
Requests name a recording and a language; both are checked against the files that exist
in the project, so no name from a request reaches the file system unchecked. The handlers are in views/review.py,
the page in templates/review.html and static/review/.
"""

from __future__ import annotations

from pathlib import Path

from accessmedia import api
from accessmedia.api import run_lock
from accessmedia.web.guard import SESSION_COOKIE, Guard
from accessmedia.web.views import review as views


def create_app(project: str | Path, token: str | None = None, host: str = "127.0.0.1", title: str | None = None,
               home: str = "./"):
    """`title`: the recording's title (the studio knows it); `home`: where the editor's way back leads (the studio's
    page, or this app's list of subtitles)."""
    from starlette.applications import Starlette
    from starlette.routing import Route

    project = Path(project).resolve()
    guard = Guard(host, token)
    with run_lock(project):
        api.recover(project)  # an apply that was killed: finish it before anyone edits

    def guarded(handler):
        return guard.wrap(handler, SESSION_COOKIE, "the review page")

    routes = [
        Route("/", guarded(views.index)), Route("/edit", guarded(views.edit)), Route("/assets/{name}", guarded(views.asset)),
        Route("/api/cues", guarded(views.cues)), Route("/video", guarded(views.video)),
        Route("/api/save", guarded(views.save), methods=["POST"]),
        Route("/api/speakers", guarded(views.voices)), Route("/api/speakers/name", guarded(views.name_voice), methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.project, app.state.guard = project, guard
    app.state.title, app.state.home = title, home
    return app


def serve(project: str | Path, host: str, port: int, share: bool) -> None:
    """Serve the review app until Ctrl-C. Any address beyond loopback needs the access token."""
    from accessmedia.web.guard import serve as serve_app

    serve_app(create_app, project, host, port, share, "review app",
              "give this address only to the volunteers; every request must carry the token")
