"""The studio's page, its assets, and the state the page shows (the form, languages, models, runs, checklist)."""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from accessmedia import api
from accessmedia.api import RecordingFiles, languages
from accessmedia.web.project import OUTPUT, checklist, current_event, manifest_values, progress, project_media, sessions
from accessmedia.web.views.common import static_files, studio, template


async def page(request: Request) -> Response:
    return HTMLResponse(template("studio.html", "studio"))


asset = static_files("studio", ("studio.js", "live.js", "studio.css", "words.js"))


def _better(nc: dict | None, free: dict | None, current: dict) -> dict | None:
    """The non-commercial offer, where it is published better than both the open one and the route installed."""
    if nc is None or not nc["non_commercial"] or nc["quality"] is None:
        return None
    best_other = max([q for q in ((free or {}).get("quality"), current.get("quality")) if q is not None], default=None)
    return nc if best_other is None or nc["quality"] > best_other else None


# the speech model to suggest to a person who has not chosen: the best Norwegian that runs on an ordinary laptop's CPU
RECOMMENDED_ASR = "nb-whisper-small"


async def state(request: Request) -> Response:
    s = studio(request)
    manifest, problem = manifest_values(s.project)
    event = current_event(s.project)[0]
    codes = [c for c in languages.LANGUAGES if c != (event.language if event is not None else "nb")]  # the spoken one aside
    routes = api.translation_routes(codes)
    open_plan, nc_plan = api.models_plan(codes), api.models_plan(codes, "CC-BY-NC-4.0")
    catalogue = api.catalog()
    installed = {m.name for m in api.installed("asr")}
    made = []
    wanted = (manifest or {}).get("languages", [])
    titles = {x.name: x.title for x in event.sessions} if event is not None else {}
    for name, folder in sessions(s.project).items():
        langs = [c for c in languages.LANGUAGES if RecordingFiles(folder, name).subtitles(c).exists()]
        files = RecordingFiles(folder, name)
        source = files.subtitles(api.recorded_settings(files).language).exists()
        upload = folder / "dist" / "upload"
        downloads = [f"dist/upload/{p.name}" for p in sorted(upload.iterdir()) if p.suffix in (".mp4", ".srt", ".txt")] if upload.is_dir() else []
        made.append({"name": name, "title": titles.get(name) or name, "languages": langs, "replay": (folder / "dist" / "site" / "index.html").exists(),
                     "downloads": downloads + (["dist/README.txt"] if (folder / "dist" / "README.txt").is_file() else []),
                     "volunteers": [c for c in wanted if c not in langs] if source else []})
    return JSONResponse({
        "csrf": s.guard.csrf_for(request.state.session),
        "project": hashlib.sha256(str(s.project).encode("utf-8")).hexdigest()[:12],  # a draft in the browser is per project
        "manifest": manifest, "manifest_problem": problem,
        "files": project_media(s.project),
        "languages": [{"code": c, "name": languages.native_name(c), "english": languages.LANGUAGES[c][0],
                       "dir": languages.direction(c), "route": routes[c]["route"],
                       "engine": routes[c]["engine"], "volunteers": not routes[c]["models"],
                       # what installing would bring: the best open route, and the better non-commercial one if any
                       "offer": open_plan.offer(c), "offer_nc": _better(nc_plan.offer(c), open_plan.offer(c), routes[c])}
                      for c in codes],
        "models": [{"name": e.name, "description": e.description, "installed": e.name in installed or e.default, "default": e.default,
                    "size_mb": e.size_mb, "recommended": e.name == RECOMMENDED_ASR} for e in catalogue.values() if e.kind == "asr"],
        "run": progress(s.project, s.runs), "sessions": made, "checklist": checklist(s.project),
        "report": (s.project / OUTPUT / "report.html").exists(), "site": (s.project / OUTPUT / "index.html").exists(),
    })
