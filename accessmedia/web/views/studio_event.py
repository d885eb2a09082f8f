"""The event form saved as event.toml, and recordings uploaded in chunks that go on after a break."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from accessmedia import api
from accessmedia.api import AccessMediaError, ConflictError, languages
from accessmedia.web import uploads
from accessmedia.web.project import CHUNK, MANIFEST, MAX_UPLOAD, MEDIA, OUTPUT, RECORDINGS, safe_name
from accessmedia.web.views.common import body_json, studio


async def save_event(request: Request) -> Response:
    s = studio(request)
    data = await body_json(request)
    try:
        recordings = [{"file": s.checked_file(str(r["file"])), "title": str(r.get("title", "")),
                       "agenda": [{"start": str(a["start"]), "title": str(a["title"]),
                                   "speakers": [str(x) for x in a.get("speakers", []) if str(x).strip()]}
                                  for a in r.get("agenda", []) if str(a.get("title", "")).strip()]}
                      for r in data.get("recordings", [])]
        codes = [languages.normalize(str(c)) for c in data.get("languages", [])]
        model = str(data["model"]) if data.get("model") else None
        if model is not None and model not in api.catalog() and model not in {m.name for m in api.installed("asr")}:
            raise AccessMediaError(f"no speech model named {model[:60]!r}", "choose one of the models the page lists")
        title = str(data.get("title", "")).strip() or "Konferanse"
    except (KeyError, TypeError, AttributeError):
        raise AccessMediaError("the event form is not in the expected form") from None
    if not recordings:
        raise AccessMediaError("no recording chosen", "upload a recording or tick one of the files in the folder")
    wrong = _programme_problem(data.get("recordings", []))
    if wrong is not None:
        return JSONResponse(wrong, status_code=400)
    ev = api.save_manifest(s.project / MANIFEST, api.manifest_text(title, codes, recordings, OUTPUT, model))
    return JSONResponse({"saved": MANIFEST, "recordings": len(ev.sessions)})


def _programme_problem(recordings: list) -> dict | None:
    """The first programme time that is not a time, or not after the one above it, with where it is on the page
    (recording, row, field) so the page says it next to the field; None when every time is right."""
    for i, rec in enumerate(recordings):
        previous = None
        for item in (a for a in rec.get("agenda", []) if str(a.get("title", "")).strip()):
            where = {"recording": i, "row": item.get("row") if isinstance(item.get("row"), int) else 0, "key": "start"}
            value = str(item.get("start", ""))[:40]
            try:
                start = api.seconds(value)
            except ValueError:
                return {"error": f"{value!r} is not a time like 0:40 or 1:05:00", "code": "bad_time", "value": value, "field": where}
            if previous is not None and start <= previous:
                return {"error": f"{value} comes at or before the item above it", "code": "time_order", "value": value, "field": where}
            previous = start
    return None


async def upload_state(request: Request) -> Response:
    s = studio(request)
    name = safe_name(request.query_params.get("name", ""))
    folder = s.project / RECORDINGS
    return JSONResponse({"received": uploads.received(folder / f".{name}.part"), "done": (folder / name).exists()})


async def upload(request: Request) -> Response:
    """A chunk of a file at `offset`; the page asks how much arrived and goes on from there after a break.
    The last chunk (`final=1`) makes it a recording, once ffprobe finds audio in it. See web/uploads.py."""
    s = studio(request)
    name = safe_name(request.query_params.get("name", ""))
    if Path(name).suffix.lower() not in MEDIA:
        raise AccessMediaError(f"{name}: not a recording's file type", f"upload one of: {', '.join(MEDIA)}", code="not_media")
    try:
        offset, total = int(request.query_params.get("offset", "-1")), int(request.query_params.get("size", "-1"))
    except ValueError:
        raise AccessMediaError("offset and size must be numbers") from None
    if total > MAX_UPLOAD or total < 0:
        return JSONResponse({"error": f"too large: at most {MAX_UPLOAD >> 30} GB"}, status_code=413)
    folder = s.project / RECORDINGS
    final = folder / name
    if final.exists() or final.is_symlink():
        raise AccessMediaError(f"{name} is already in the project", "rename the file, or tick it in the list")
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{name}.part"
    if offset == 0:
        uploads.remove_abandoned(folder)
    with uploads.writer(part, name) as fd:
        have = os.fstat(fd).st_size
        if offset != have:
            raise ConflictError(f"{name}: this chunk starts at byte {offset}, but {have} bytes arrived",
                                "the page goes on from what arrived", {"received": have})
        uploads.check_space(folder, name, total - have)
        declared = request.headers.get("content-length")
        limit = min(CHUNK, total - have)
        too_large = JSONResponse({"error": f"a chunk is at most {CHUNK >> 20} MB and the file {total} bytes"}, status_code=413)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return too_large
        try:
            received = have + await uploads.append(fd, request.stream(), limit)
        except uploads.TooLargeChunk:
            return too_large
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
        raise AccessMediaError(f"{name}: {exc.message.replace(str(probe_path), name).replace(probe_path.name, name)}",
                               "upload a video or audio recording", code="not_media") from None
    probe_path.rename(final)
    return JSONResponse({"received": received, "file": final.relative_to(s.project).as_posix()})
