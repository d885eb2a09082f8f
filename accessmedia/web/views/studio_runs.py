"""A run started from the studio, its progress as server-sent events, and speech models installed."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from accessmedia import api
from accessmedia.api import AccessMediaError
from accessmedia.web.project import progress
from accessmedia.web.views.common import body_json, studio


async def run(request: Request) -> Response:
    s = studio(request)
    await body_json(request)
    return JSONResponse({"run": s.runs.start()})


async def events(request: Request) -> Response:
    s = studio(request)
    """Progress as server-sent events, every second, until the run ends or the page goes."""
    async def stream():
        import asyncio

        last = None
        while True:
            now = progress(s.project, s.runs)
            text = json.dumps(now, ensure_ascii=False)
            if text != last:
                yield f"data: {text}\n\n"
                last = text
            if now["status"] != "running" or await request.is_disconnected():
                break
            await asyncio.sleep(1.0)
    return StreamingResponse(stream(), media_type="text/event-stream", headers={"cache-control": "no-store"})


async def install_for(request: Request) -> Response:
    """The translation models a language's best route needs (the studio's language list), one after another;
    a non-commercial licence only when the page sends its name (the person ticked that they accept it)."""
    data = await body_json(request)
    codes = [api.languages.normalize(str(c)) for c in data.get("languages", [])][:12]
    if not codes:
        raise AccessMediaError("no language given")
    accepted = data.get("accept_licence")
    chosen = api.models_install_for(codes, str(accepted) if accepted else None)
    return JSONResponse({"installed": chosen.install})


async def install_model(request: Request) -> Response:
    data = await body_json(request)
    name = str(data.get("name", ""))
    entry = api.catalog().get(name)
    if entry is None or entry.kind != "asr":
        raise AccessMediaError(f"no speech model named {name!r}")
    installed = api.models_install(name)
    return JSONResponse({"installed": installed.name})
