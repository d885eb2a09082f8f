"""What the studio's handlers share: the studio a request belongs to, and a request's JSON body read with a limit."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from accessmedia.api import AccessMediaError, RecordingFiles, interface_words, languages, script_json
from accessmedia.web.guard import Guard, TooLarge, read_limited
from accessmedia.web.project import MAX_JSON, MEDIA, NAME, Runs, sessions


@dataclass
class Studio:
    """One studio: its project folder, its guard, its runs, and the review editors opened so far."""

    project: Path
    guard: Guard
    runs: Runs
    token: str | None
    host: str
    editors: dict = field(default_factory=dict)
    live: object = None  # the live captions (web/liverun.LiveRun)

    def session_folder(self, name: str) -> Path:
        found = sessions(self.project)
        if name not in found:
            raise AccessMediaError(f"no recording named {name!r} in this event")
        return found[name]

    def language(self, code: str, folder: Path, name: str) -> str:
        code = languages.normalize(code)
        if not RecordingFiles(folder, name).subtitles(code).exists():
            raise AccessMediaError(f"{name} has no subtitles in {code} yet")
        return code

    def checked_file(self, relative: str) -> str:
        parts = relative.split("/")
        if not all(NAME.fullmatch(part) and ".." not in part for part in parts):
            raise AccessMediaError(f"{relative!r} is not a recording in this project")
        path = (self.project / relative).resolve()
        if not path.is_relative_to(self.project) or path.suffix.lower() not in MEDIA or not path.is_file():
            raise AccessMediaError(f"{relative!r} is not a recording in this project")
        return path.relative_to(self.project).as_posix()


def template(name: str, page: str) -> str:
    """A page of templates/ with its own words (web/static/interface.json) in it, read as data by its script."""
    text = (resources.files("accessmedia") / "web" / "templates" / name).read_text(encoding="utf-8")
    return text.replace("__WORDS__", script_json(interface_words(page)))


SHARED = ("words.js",)  # static/words.js: the interface language, the same on the studio's pages and the editor's


def static_files(folder: str, names: tuple[str, ...]):
    """A handler for /assets/{name}: a page's own script and style from static/FOLDER, nothing else."""
    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in names:
            return JSONResponse({"error": "no such file"}, status_code=404)
        where = resources.files("accessmedia") / "web" / "static"
        with resources.as_file(where / name if name in SHARED else where / folder / name) as path:
            return FileResponse(path, media_type="text/javascript" if name.endswith(".js") else "text/css")
    return asset


def studio(request: Request) -> Studio:
    return request.app.state.studio


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
