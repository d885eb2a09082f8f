"""The review editor's requests: the recordings to review, the editor page and its cues, the video, a save, and
the voices to name. web/review.py assembles them; every name in a request is checked against the project's files."""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from accessmedia import api
from accessmedia.api import AccessMediaError, RecordingFiles, languages, upload_video
from accessmedia.web.guard import TooLarge, read_limited
from accessmedia.web.views.common import static_files, template
from accessmedia.web.views.review_edits import MAX_BODY, edited_cues, recordings


def checked(request: Request) -> tuple[str, str]:
    name, lang = request.query_params.get("name", ""), request.query_params.get("lang", "")
    known = recordings(request.app.state.project)
    if name not in known or lang not in known[name]:
        raise AccessMediaError(f"no subtitles named {name!r} in {lang!r} here")
    return name, lang


def recording(request: Request) -> tuple[Path, str]:
    """The project and the recording a request names, checked against the project's files."""
    project, name = request.app.state.project, request.query_params.get("name", "")
    if name not in recordings(project):
        raise AccessMediaError(f"no recording named {name!r} here")
    return project, name


asset = static_files("review", ("review.js", "review.css", "words.js"))


async def index(request: Request) -> Response:
    project = request.app.state.project
    links = "".join(
        f'<li>{html.escape(name)}: ' + " ".join(
            f'<a href="edit?name={quote(name)}&amp;lang={quote(lang)}">{html.escape(languages.native_name(lang))}</a>'
            for lang in langs
        ) + "</li>"
        for name, langs in recordings(project).items()
    )
    page = (resources.files("accessmedia") / "web" / "templates" / "review_index.html").read_text(encoding="utf-8")
    return HTMLResponse(page.replace("__LINKS__", links or "<li>Ingen undertekster her / no subtitles here</li>"))


async def edit(request: Request) -> Response:
    checked(request)
    return HTMLResponse(template("review.html", "review"))


async def cues(request: Request) -> Response:
    project = request.app.state.project
    name, lang = checked(request)
    revision = api.current_revision(project, name, lang)  # before the file: a save between the two merges as no change
    parsed = api.read_subtitles(RecordingFiles(project, name).subtitles(lang), allow_empty=True)
    profile = api.recorded_settings(RecordingFiles(project, name)).profile(lang)  # the project's style, not the built-in
    video = _video(project, name)
    return JSONResponse({
        "name": name, "lang": lang, "language": languages.native_name(lang),
        "dir": languages.direction(lang),
        "cues": [[c.start, c.end, c.text, c.settings] for c in parsed.cues],
        "revision": revision,  # a save names it: a save over someone else's is merged
        "check": _check_first(project, name, lang),
        "left_out": _left_out(project, name, lang),
        "unsure": _unsure(project, name, lang),
        "title": request.app.state.title or name,  # the recording's title where the studio knows it
        "home": request.app.state.home,  # the way back: the studio, or the list of subtitles
        "video": f"video?name={quote(name)}" if video else None,
        "rules": {k: v for k, v in asdict(profile).items() if isinstance(v, (int, float)) and not isinstance(v, bool)},
        "tags": api.SPAN_TAG.pattern,  # the span tags people may type, as markup.py reads them
        "csrf": request.app.state.guard.csrf_for(request.state.session),
    })


async def video(request: Request) -> Response:
    project, name = recording(request)
    path = _video(project, name)
    if path is None:
        return JSONResponse({"error": "no video for this recording"}, status_code=404)
    return FileResponse(path)


async def save(request: Request) -> Response:
    project = request.app.state.project
    name, lang = checked(request)
    try:
        body = await read_limited(request.stream(), request.headers.get("content-length"), MAX_BODY)
    except TooLarge:
        return JSONResponse({"error": f"too large: at most {MAX_BODY // 1024} KB"}, status_code=413)
    edit = edited_cues(body)
    result = api.apply_edit(project, name, lang, edit.cues, edit.contributor, edit.base, edit.prefer)
    return JSONResponse({
        "revision": result.revision.label, "number": result.revision.number, "merged": result.merged, "unchanged": result.unchanged, "retranslated": result.retranslated, "flagged": list(result.flagged),
        "package": "rebuilt" if result.package else None,
    })


async def voices(request: Request) -> Response:
    project, name = recording(request)
    files = RecordingFiles(project, name)
    if not files.speakers.exists():
        return JSONResponse({"speakers": [], "choices": []})
    data = api.read_speakers(files.speakers)
    return JSONResponse({
        "speakers": [{k: s.get(k) for k in ("id", "label", "name", "seconds", "words", "sample")} for s in data["speakers"]],
        "choices": list(data.get("settings", {}).get("programme", [])),
    })


async def name_voice(request: Request) -> Response:
    project, name = recording(request)
    try:
        body = await read_limited(request.stream(), request.headers.get("content-length"), 4096)
        asked = json.loads(body)
        old, new = api.parse_naming(f"{asked['speaker']}={asked['to']}")
        contributor = str(asked.get("contributor") or "volunteer")[:80]
        merge = asked.get("merge", False) is True
    except TooLarge:
        return JSONResponse({"error": "too large"}, status_code=413)
    except (ValueError, KeyError, TypeError):
        raise AccessMediaError("the naming is not in the expected form") from None
    done = api.name_speakers(project, [(old, new)], name, contributor, across=False, merge=merge)
    return JSONResponse({"named": {d.recording: d.renamed for d in done}, "merged": {d.recording: d.merged for d in done},
                         "languages": [x for d in done for x in d.languages]})


def _check_first(project: Path, name: str, lang: str) -> list[list]:
    """[start, end, why in English, kind, ratio] of the machine translation's cues to look at first (suspicious.Flag);
    none once people corrected it. The page words the kind in its own language."""
    files = RecordingFiles(project, name)
    if api.corrected_by_people(project, name, lang):
        return []
    found = api.read_record(files.translations, "produced").get(lang, {}).get("suspicious", [])
    return [[f["start"], f["end"], f["reason"], f.get("kind", ""), f.get("ratio", 0)] for f in found]


def _left_out(project: Path, name: str, lang: str) -> list[list]:
    """[start, end, the cue with every word, the words left out] of each cue condensation shortened."""
    try:
        found = json.loads(RecordingFiles(project, name).condensed(lang).read_text(encoding="utf-8")).get("cues", [])
        return [[float(c["start"]), float(c["end"]), str(c["verbatim"]), [str(x) for x in c["left_out"]]] for c in found]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return []


def _unsure(project: Path, name: str, lang: str) -> list[list]:
    """[start, end, word] of each word the speech model was unsure of, for the language it heard (a translation's
    words are not the model's)."""
    files = RecordingFiles(project, name)
    if not files.transcript.exists() or api.recorded_settings(files).language != lang:
        return []
    words = api.Transcript.from_json(files.transcript.read_text(encoding="utf-8")).words
    return [[w.start, w.end, w.text] for w in words if w.probability < api.LOW_CONFIDENCE]


def _video(project: Path, name: str) -> Path | None:
    """The recording remembered by `package`, or its upload mp4."""
    before = api.packaged_before(RecordingFiles(project, name))
    if before is not None:
        recording, dist, _ = before
        for candidate in (upload_video(dist, name), recording):
            if candidate.is_file():
                return candidate
    return None
