"""The live caption page, the stream producer's overlay, and the feed they follow (server-sent events; a browser
that reconnects says the last line it has, Last-Event-ID, and gets what it missed). Loopback by default; shared,
every request needs the token, except the page, the overlay and the feed with `public` (--public-captions): they
only read. Nothing here changes anything."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

from accessmedia import api
from accessmedia.web.guard import Guard
from accessmedia.web.views.common import static_files, template

COOKIE = "accessmedia_live"
KEEPALIVE = 15.0  # seconds between comments that keep a quiet connection open


HLS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.(m3u8|vtt|ts)$")
HLS_TYPES = {"m3u8": "application/vnd.apple.mpegurl", "vtt": "text/vtt", "ts": "video/mp2t"}


def create_app(feed, token: str | None = None, host: str = "127.0.0.1", public: bool = False, hls: Path | None = None):
    """`hls`: the session's DIR/live, served read-only at /hls/ (the stream with its caption renditions, /watch)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
    from starlette.routing import Route

    guard = Guard(host, token, token_cookie="live-token")
    reader = Guard(host, None, token_cookie="live-token") if public else guard

    async def page(request: Request):
        return HTMLResponse(template("live.html", "live"))

    async def overlay(request: Request):
        return HTMLResponse(template("overlay.html", "live"))

    async def watch(request: Request):
        return HTMLResponse(template("watch.html", "live"))

    async def hls_file(request: Request):
        name = request.path_params["name"]
        path = Path(hls) / name if hls is not None and HLS_NAME.match(name) else None
        if path is None or not path.is_file():
            return JSONResponse({"error": "not there (yet)"}, status_code=404)
        kind = name.rsplit(".", 1)[1]
        return FileResponse(path, media_type=HLS_TYPES[kind], headers={"cache-control": "no-cache" if kind == "m3u8" else "max-age=60"})

    async def state(request: Request):
        codes = [*feed.state.get("languages", []), *feed.state.get("missing", [])]
        return JSONResponse({**feed.state, "names": {c: api.languages.native_name(c) for c in codes},
                             "dirs": {c: api.languages.direction(c) for c in {*codes, *api.interface_words("live")}}})

    async def events(request: Request):
        try:
            after = int(request.headers.get("last-event-id") or request.query_params.get("after", "-1"))
        except ValueError:
            after = -1

        async def stream():
            seen, quiet = after, 0.0
            yield "retry: 1000\n\n"
            while True:
                lines = await asyncio.to_thread(feed.since, seen, 1.0)
                for line in lines:
                    seen = line["id"]
                    yield f"id: {line['id']}\ndata: {json.dumps(line, ensure_ascii=False)}\n\n"
                quiet = 0.0 if lines else quiet + 1.0
                if quiet >= KEEPALIVE:
                    quiet = 0.0
                    yield ": still here\n\n"
                if not feed.state.get("running", True) and not lines:
                    yield "event: end\ndata: {}\n\n"
                    return
                if await request.is_disconnected():
                    return

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"cache-control": "no-store"})

    def read(handler):
        return reader.wrap(handler, COOKIE, "the caption page")

    asset = static_files("live", ("live.js", "live.css", "overlay.js", "watch.js"))
    routes = [Route("/", read(page)), Route("/overlay", read(overlay)), Route("/events", read(events)),
              Route("/api/state", read(state)), Route("/assets/{name}", read(asset)), Route("/watch", read(watch)),
              Route("/hls/{name}", read(hls_file)), Route("/player/{name}", read(static_files("replay", ("hls.min.js",))))]
    app = Starlette(routes=routes)
    app.state.guard, app.state.feed = guard, feed
    return app


def serve_in_thread(feed, host: str, port: int, share: bool, public: bool, hls: Path | None = None):
    """The caption page on HOST:PORT in a thread (the session runs in the main one); returns the uvicorn server."""
    import secrets
    import threading
    import time

    import uvicorn

    from accessmedia.web.guard import check_port, is_loopback

    share = share or not is_loopback(host)
    if share and host == "127.0.0.1":
        host = "0.0.0.0"
    check_port(host, port)
    token = secrets.token_urlsafe(18) if share else None
    server = uvicorn.Server(uvicorn.Config(create_app(feed, token, host, public, hls), host=host, port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True, name="caption-page").start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    shown = "<this machine>" if share else host
    key = "" if token is None or public else f"?token={token}"
    print(f"caption page: http://{shown}:{port}/{key}   overlay for OBS/vMix: http://{shown}:{port}/overlay{key or '?'}"
          f"{'&' if key else ''}lang=nb", flush=True)
    if hls is not None:
        print(f"the stream with its captions: http://{shown}:{port}/watch{key}", flush=True)
    if token is not None:
        print(f"operator token: {token}", flush=True)
    return server
