"""The review app: a volunteer plays the video, edits cue text and timing beside it,
sees rule breaches as they type, and saves. Saving goes through `corrections.apply_edit`,
exactly like a corrected file given on the command line.

It listens on localhost. `--share`, or any address other than loopback, serves it to the
network, and then every request must carry a random access token. What every request must
show is in webguard.py (Host, token, same-origin JSON with a CSRF token, a body limit).
Requests name a recording and a language; both are checked against the files that exist
in the project, so no name from a request reaches the file system unchecked.
"""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from accessmedia import api
from accessmedia.api import AccessMediaError, Cue, RecordingFiles, languages, run_lock, upload_video
from accessmedia.web.guard import SESSION_COOKIE, Guard, TooLarge, read_limited

MAX_BODY = 2 * 1024 * 1024  # bytes of JSON: about 20,000 cues
MAX_CUES = 20_000
MAX_TIME = 100 * 3600.0  # seconds: no recording is longer
SETTINGS = re.compile(r"[\w:%.,\- ]{0,200}")  # WebVTT cue settings (line:0 align:start ...)


def recordings(project: Path) -> dict[str, list[str]]:
    """NAME -> languages with a current SRT in the project."""
    found: dict[str, list[str]] = {}
    for path in sorted(project.glob("*.srt")):
        files, lang = RecordingFiles.of_subtitles(path)
        if lang is not None:
            found.setdefault(files.name, []).append(lang)
    return found


def edited_cues(body: bytes) -> tuple[list[Cue], str]:
    """The cues and contributor of a save request, checked: finite times within bounds, text as text."""
    try:
        data = json.loads(body)
        rows = data["cues"]
        if not isinstance(rows, list) or len(rows) > MAX_CUES:
            raise ValueError
        contributor = str(data.get("contributor") or "volunteer")[:80]
        cues = []
        for r in rows:
            start, end = float(r[0]), float(r[1])
            if not (math.isfinite(start) and math.isfinite(end) and 0 <= start <= MAX_TIME and 0 <= end <= MAX_TIME):
                raise ValueError
            settings = r[3] if len(r) > 3 else ""
            if not isinstance(r[2], str) or not isinstance(settings, str) or not SETTINGS.fullmatch(settings):
                raise ValueError
            cues.append(Cue(start, end, tuple(r[2].splitlines()) or ("",), settings))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        raise AccessMediaError("the saved cues are not in the expected form") from None
    return cues, contributor


def create_app(project: str | Path, token: str | None = None, host: str = "127.0.0.1"):
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    project = Path(project).resolve()
    guard = Guard(host, token)
    with run_lock(project):
        api.recover(project)  # an apply that was killed: finish it before anyone edits

    def checked(request: Request) -> tuple[str, str]:
        name, lang = request.query_params.get("name", ""), request.query_params.get("lang", "")
        known = recordings(project)
        if name not in known or lang not in known[name]:
            raise AccessMediaError(f"no subtitles named {name!r} in {lang!r} here")
        return name, lang

    def guarded(handler):
        return guard.wrap(handler, SESSION_COOKIE, "the review page")

    async def index(request: Request) -> Response:
        links = "".join(
            f'<li>{html.escape(name)}: ' + " ".join(
                f'<a href="edit?name={quote(name)}&amp;lang={quote(lang)}">{html.escape(languages.native_name(lang))}</a>'
                for lang in langs
            ) + "</li>"
            for name, langs in recordings(project).items()
        )
        return HTMLResponse(PAGE_INDEX.format(links=links or "<li>Ingen undertekster her / no subtitles here</li>"))

    async def edit(request: Request) -> Response:
        checked(request)
        return HTMLResponse((resources.files("accessmedia") / "web" / "templates" / "review.html").read_text(encoding="utf-8"))

    async def cues(request: Request) -> Response:
        name, lang = checked(request)
        parsed = api.read_subtitles(RecordingFiles(project, name).subtitles(lang), allow_empty=True)
        profile = api.recorded_settings(RecordingFiles(project, name)).profile(lang)  # the project's style, not the built-in
        video = _video(project, name)
        return JSONResponse({
            "name": name, "lang": lang, "language": languages.native_name(lang),
            "dir": languages.direction(lang),
            "cues": [[c.start, c.end, c.text, c.settings] for c in parsed.cues],
            "check": _check_first(project, name, lang),
            "video": f"video?name={quote(name)}" if video else None,
            "rules": {k: v for k, v in asdict(profile).items() if isinstance(v, (int, float)) and not isinstance(v, bool)},
            "csrf": guard.csrf_for(request.state.session),
        })

    async def video(request: Request) -> Response:
        name = request.query_params.get("name", "")
        if name not in recordings(project):
            raise AccessMediaError(f"no recording named {name!r} here")
        path = _video(project, name)
        if path is None:
            return JSONResponse({"error": "no video for this recording"}, status_code=404)
        return FileResponse(path)

    async def save(request: Request) -> Response:
        name, lang = checked(request)
        try:
            body = await read_limited(request.stream(), request.headers.get("content-length"), MAX_BODY)
        except TooLarge:
            return JSONResponse({"error": f"too large: at most {MAX_BODY // 1024} KB"}, status_code=413)
        edited, contributor = edited_cues(body)
        result = api.apply_edit(project, name, lang, edited, contributor)
        return JSONResponse({
            "revision": result.revision.label, "retranslated": result.retranslated, "flagged": list(result.flagged),
            "package": "rebuilt" if result.package else None,
        })

    async def voices(request: Request) -> Response:
        name = request.query_params.get("name", "")
        if name not in recordings(project):
            raise AccessMediaError(f"no recording named {name!r} here")
        files = RecordingFiles(project, name)
        if not files.speakers.exists():
            return JSONResponse({"speakers": [], "choices": []})
        data = api.read_speakers(files.speakers)
        return JSONResponse({
            "speakers": [{k: s.get(k) for k in ("id", "label", "name", "seconds", "words", "sample")} for s in data["speakers"]],
            "choices": list(data.get("settings", {}).get("programme", [])),
        })

    async def name_voice(request: Request) -> Response:
        name = request.query_params.get("name", "")
        if name not in recordings(project):
            raise AccessMediaError(f"no recording named {name!r} here")
        try:
            body = await read_limited(request.stream(), request.headers.get("content-length"), 4096)
            asked = json.loads(body)
            old, new = api.parse_naming(f"{asked['speaker']}={asked['to']}")
            contributor = str(asked.get("contributor") or "volunteer")[:80]
        except TooLarge:
            return JSONResponse({"error": "too large"}, status_code=413)
        except (ValueError, KeyError, TypeError):
            raise AccessMediaError("the naming is not in the expected form") from None
        done = api.name_speakers(project, [(old, new)], name, contributor, across=False)
        return JSONResponse({"named": {d.recording: d.renamed for d in done}, "languages": [x for d in done for x in d.languages]})

    routes = [
        Route("/", guarded(index)), Route("/edit", guarded(edit)), Route("/api/cues", guarded(cues)),
        Route("/video", guarded(video)), Route("/api/save", guarded(save), methods=["POST"]),
        Route("/api/speakers", guarded(voices)), Route("/api/speakers/name", guarded(name_voice), methods=["POST"]),
    ]
    return Starlette(routes=routes)


def _check_first(project: Path, name: str, lang: str) -> list[list]:
    """[start, end, why] of the machine translation's cues to look at first; none once people corrected it."""
    files = RecordingFiles(project, name)
    if api.corrected_by_people(project, name, lang):
        return []
    found = api.read_record(files.translations, "produced").get(lang, {}).get("suspicious", [])
    return [[f["start"], f["end"], f["reason"]] for f in found]


def _video(project: Path, name: str) -> Path | None:
    """The recording remembered by `package`, or its upload mp4."""
    before = api.packaged_before(RecordingFiles(project, name))
    if before is not None:
        recording, dist, _ = before
        for candidate in (upload_video(dist, name), recording):
            if candidate.is_file():
                return candidate
    return None


def serve(project: str | Path, host: str, port: int, share: bool) -> None:
    """Serve the review app until Ctrl-C. Any address beyond loopback needs the access token."""
    from accessmedia.web.guard import serve as serve_app

    serve_app(create_app, project, host, port, share, "review app",
              "give this address only to the volunteers; every request must carry the token")


PAGE_INDEX = """<!doctype html><html lang="nb"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Gjennomgang / Review</title>
<link rel="stylesheet" href="data:text/css,body{{font:16px/1.5 system-ui,sans-serif;margin:1rem}}"></head>
<body><main><h1>Gjennomgang av undertekster / Subtitle review</h1><ul>{links}</ul></main></body></html>"""
