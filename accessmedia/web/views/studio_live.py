"""The studio's Live step: live captions started and stopped, their state (lag, CPU), and the QR code of the caption
page for phones in the room. The session itself is web/liverun.py; its pages are served at /live/ (studio.py)."""

from __future__ import annotations

import io

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from accessmedia import api
from accessmedia.api import AccessMediaError, languages
from accessmedia.web.liverun import SCHEMES
from accessmedia.web.views.common import Studio, body_json, studio

PAGES = {"captions": "live/", "overlay": "live/overlay", "watch": "live/watch"}


def checked_source(s: Studio, text: str) -> tuple[str, bool]:
    """(the input, whether it is read at its own speed): a live address, a capture device, or a recording of the
    project by its path in it (a rehearsal). Nothing else: no other file of the machine, no other protocol ffmpeg knows."""
    text = " ".join(str(text or "").split())
    if not text:
        raise AccessMediaError("say where the stream comes from", "e.g. srt://0.0.0.0:9000?mode=listener, or a recording to rehearse with")
    if "://" in text:
        if text.split("://", 1)[0].lower() not in SCHEMES:
            raise AccessMediaError(f"{text.split('://', 1)[0]}:// is not a live input",
                                   "use srt://, rtmp://, rtmps://, udp://, rtp:// or an HLS address (https://.../index.m3u8)")
        return text, False
    if api.capture_device(text) is not None:
        return text, False
    return s.checked_file(text), True


async def state(request: Request) -> Response:
    s = studio(request)
    return JSONResponse({**s.live.state(), "local_only": s.guard.local_only})


async def start(request: Request) -> Response:
    s = studio(request)
    data = await body_json(request)
    source, realtime = checked_source(s, data.get("source", ""))
    wanted = data.get("languages", [])
    if not isinstance(wanted, list):
        raise AccessMediaError("the languages are not in the expected form")
    codes = [languages.normalize(str(c)) for c in wanted]
    name = str(data.get("name") or "").strip()
    return JSONResponse(s.live.start(source, realtime, codes, name, bool(data.get("public"))))


async def stop(request: Request) -> Response:
    s = studio(request)
    await body_json(request)
    return JSONResponse(s.live.stop())


async def qr(request: Request) -> Response:
    """The QR code (SVG) of a caption page's address as this browser reaches the studio, with its token if it has one."""
    import segno

    s = studio(request)
    page = request.query_params.get("page", "captions")
    if page not in PAGES:
        raise AccessMediaError(f"no live page named {page!r}")
    query = s.live.state()["query"]
    lang = request.query_params.get("lang")
    if lang:
        query += ("&" if query else "?") + "lang=" + languages.normalize(lang)
    address = str(request.base_url) + PAGES[page] + query
    svg = io.BytesIO()
    segno.make(address, error="m").save(svg, kind="svg", scale=6, dark="#000", light="#fff", title=address, xmldecl=False)
    return Response(svg.getvalue(), media_type="image/svg+xml", headers={"cache-control": "no-store"})
