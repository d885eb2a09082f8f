"""The review app: a volunteer plays the video, edits cue text and timing beside it,
sees rule breaches as they type, and saves. Saving goes through `corrections.apply`,
exactly like a corrected file given on the command line.

It listens on localhost. `--share` serves it to the network and then every
request must carry a random access token. Requests name a recording and a
language; both are checked against the files that exist in the project, so
no name from a request reaches the file system unchecked. Saved content is
size-limited and validated before anything is stored.
"""

from __future__ import annotations

import html
import json
import secrets
import tempfile
from dataclasses import asdict
from pathlib import Path

from . import corrections, languages, stages, style, subtitles
from .cues import Cue
from .errors import AccessMediaError
from .files import RecordingFiles
from .package import upload_video

MAX_BODY = 2 * 1024 * 1024  # bytes of JSON: about 20,000 cues


def recordings(project: Path) -> dict[str, list[str]]:
    """NAME -> languages with a current SRT in the project."""
    found: dict[str, list[str]] = {}
    for path in sorted(project.glob("*.srt")):
        files, lang = RecordingFiles.of_subtitles(path)
        if lang is not None:
            found.setdefault(files.name, []).append(lang)
    return found


def create_app(project: str | Path, token: str | None = None):
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
    from starlette.routing import Route

    project = Path(project).resolve()

    def checked(request: Request) -> tuple[str, str]:
        name, lang = request.query_params.get("name", ""), request.query_params.get("lang", "")
        known = recordings(project)
        if name not in known or lang not in known[name]:
            raise AccessMediaError(f"no subtitles named {name!r} in {lang!r} here")
        return name, lang

    def allowed(request: Request) -> bool:
        if token is None:
            return True
        given = request.query_params.get("token") or request.headers.get("x-access-token") or request.cookies.get("token") or ""
        return secrets.compare_digest(given, token)

    def guard(handler):
        async def wrapped(request: Request) -> Response:
            if not allowed(request):
                return JSONResponse({"error": "access token missing or wrong"}, status_code=403)
            try:
                response = await handler(request)
            except AccessMediaError as exc:
                return JSONResponse({"error": exc.one_line()}, status_code=400)
            if token is not None:
                response.set_cookie("token", token, httponly=True, samesite="strict")
            return response
        return wrapped

    async def index(request: Request) -> Response:
        links = "".join(
            f'<li>{html.escape(name)}: ' + " ".join(
                f'<a href="/edit?name={html.escape(name)}&amp;lang={lang}">{html.escape(languages.native_name(lang))}</a>' for lang in langs
            ) + "</li>"
            for name, langs in recordings(project).items()
        )
        return HTMLResponse(PAGE_INDEX.format(links=links or "<li>Ingen undertekster her / no subtitles here</li>"))

    async def edit(request: Request) -> Response:
        checked(request)
        return HTMLResponse(PAGE_EDIT)

    async def cues(request: Request) -> Response:
        name, lang = checked(request)
        parsed = subtitles.read(RecordingFiles(project, name).subtitles(lang))
        profile = style.load_profile(lang)
        video = _video(project, name)
        return JSONResponse({
            "name": name, "lang": lang, "language": languages.native_name(lang),
            "dir": "rtl" if lang in languages.RIGHT_TO_LEFT else "ltr",
            "cues": [[c.start, c.end, c.text] for c in parsed.cues],
            "video": f"/video?name={name}" if video else None,
            "rules": {k: v for k, v in asdict(profile).items() if isinstance(v, (int, float)) and not isinstance(v, bool)},
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
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": f"too large: at most {MAX_BODY // 1024} KB"}, status_code=413)
        try:
            data = json.loads(body)
            rows = data["cues"]
            contributor = str(data.get("contributor") or "volunteer")[:80]
            edited = [Cue(float(r[0]), float(r[1]), tuple(str(r[2]).splitlines()) or ("",)) for r in rows]
        except (ValueError, KeyError, TypeError, IndexError):
            raise AccessMediaError("the saved cues are not in the expected form") from None
        with tempfile.TemporaryDirectory() as tmp:
            upload = RecordingFiles(Path(tmp), name).subtitles(lang)
            upload.write_text(subtitles.compose_srt(edited), encoding="utf-8")
            result = corrections.apply(upload, project, name, lang, contributor)
        return JSONResponse({
            "revision": result.revision.label, "retranslated": result.retranslated, "flagged": list(result.flagged),
            "package": str(result.package.dist) if result.package else None,
        })

    routes = [
        Route("/", guard(index)), Route("/edit", guard(edit)), Route("/api/cues", guard(cues)),
        Route("/video", guard(video)), Route("/api/save", guard(save), methods=["POST"]),
    ]
    return Starlette(routes=routes)


def _video(project: Path, name: str) -> Path | None:
    """The recording remembered by `package`, or its upload mp4."""
    files = RecordingFiles(project, name)
    before = stages.packaged_before(files)
    if before is not None:
        recording, dist, _ = before
        for candidate in (upload_video(dist, name), recording):
            if candidate.is_file():
                return candidate
    return None


def serve(project: str | Path, host: str, port: int, share: bool) -> None:
    import uvicorn

    token = secrets.token_urlsafe(18) if share else None
    if share:
        host = "0.0.0.0" if host == "127.0.0.1" else host
        print(f"review app for the network: http://<this machine>:{port}/?token={token}", flush=True)
        print("give this address only to the volunteers; every request must carry the token", flush=True)
    else:
        print(f"review app: http://{host}:{port}/ (this machine only; --share to open it to the network)", flush=True)
    uvicorn.run(create_app(project, token), host=host, port=port, log_level="warning")


PAGE_INDEX = """<!doctype html><html lang="nb"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Gjennomgang / Review</title>
<link rel="stylesheet" href="data:text/css,body{{font:16px/1.5 system-ui,sans-serif;margin:1rem}}"></head>
<body><main><h1>Gjennomgang av undertekster / Subtitle review</h1><ul>{links}</ul></main></body></html>"""

PAGE_EDIT = """<!doctype html><html lang="nb"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Gjennomgang / Review</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 1200px; padding: 1rem; color: #1b1b1b; }
.layout { display: flex; gap: 1rem; align-items: flex-start; } video { width: 100%; background: #000; }
.left { flex: 2; position: sticky; top: 0; } .right { flex: 3; max-height: 85vh; overflow-y: auto; }
.cue { border-bottom: 1px solid #ccc; padding: 0.5rem 0; } .cue.current { background: #fff3b0; }
.times input { width: 7.5em; font: inherit; } textarea { width: 100%; font: inherit; min-height: 3.2em; }
.breach { color: #8a1c1c; font-size: 0.95rem; } button, input, textarea { min-height: 44px; }
:focus-visible { outline: 3px solid #0b4f8a; outline-offset: 2px; }
@media (max-width: 760px) { .layout { flex-direction: column; } .left { position: static; } }
</style></head><body>
<h1 id="title">Gjennomgang / Review</h1>
<div class="layout"><div class="left"><video id="video" controls playsinline></video>
<p><label for="who">Navn / Name</label> <input id="who" autocomplete="name"></p>
<p><button id="save" type="button">Lagre / Save</button></p><p id="status" role="status" aria-live="polite"></p></div>
<div class="right"><ol id="cues"></ol></div></div>
<script>
(function () {
  "use strict";
  var q = new URLSearchParams(location.search), data = null;
  var list = document.getElementById("cues"), video = document.getElementById("video"), status = document.getElementById("status");
  function parse(t) { var m = /^(?:(\\d+):)?(\\d+):(\\d+)[.,](\\d{1,3})$/.exec(t.trim()); if (!m) return NaN;
    return (+(m[1] || 0)) * 3600 + (+m[2]) * 60 + (+m[3]) + (+m[4].padEnd(3, "0")) / 1000; }
  function fmt(s) { var ms = Math.round(s * 1000), h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, x = Math.floor(ms / 1000) % 60;
    return String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" + String(x).padStart(2, "0") + "." + String(ms % 1000).padStart(3, "0"); }
  function rows() { return Array.prototype.map.call(list.children, function (li) {
    return [parse(li.querySelector(".start").value), parse(li.querySelector(".end").value), li.querySelector("textarea").value]; }); }
  function check() {
    var r = data.rules, all = rows();
    Array.prototype.forEach.call(list.children, function (li, i) {
      var c = all[i], out = [], lines = c[2].split("\\n"), d = c[1] - c[0];
      if (isNaN(c[0]) || isNaN(c[1])) out.push("tid må være HH:MM:SS.mmm / time must be HH:MM:SS.mmm");
      if (lines.length > r.max_lines) out.push(lines.length + " linjer / lines (maks " + r.max_lines + ")");
      lines.forEach(function (l) { if (l.length > r.max_chars_per_line) out.push("linje på / line of " + l.length + " tegn (maks " + r.max_chars_per_line + ")"); });
      if (d <= 0) out.push("slutter før start / ends before it starts");
      else { var cps = lines.join("").length / d; if (cps > r.max_cps) out.push(cps.toFixed(1) + " tegn/s (maks " + r.max_cps + ")");
        if (d < r.min_duration) out.push("for kort / too short"); if (d > r.max_duration) out.push("for lang / too long"); }
      if (i + 1 < all.length && all[i + 1][0] < c[1]) out.push("overlapper neste / overlaps the next");
      li.querySelector(".breach").textContent = out.join("; ");
    });
  }
  function render() {
    document.getElementById("title").textContent = data.name + " · " + data.language;
    list.setAttribute("dir", data.dir); list.setAttribute("lang", data.lang);
    data.cues.forEach(function (c, i) {
      var li = document.createElement("li"); li.className = "cue";
      var times = document.createElement("div"); times.className = "times";
      ["start", "end"].forEach(function (k, j) { var label = document.createElement("label"); label.textContent = (j ? " slutt / end " : "start ");
        var input = document.createElement("input"); input.className = k; input.value = fmt(c[j]); input.setAttribute("aria-label", "cue " + (i + 1) + " " + k);
        input.addEventListener("input", check); label.appendChild(input); times.appendChild(label); });
      var text = document.createElement("textarea"); text.value = c[2]; text.setAttribute("aria-label", "cue " + (i + 1) + " text");
      text.addEventListener("input", check); text.addEventListener("focus", function () { if (data.video) video.currentTime = c[0]; });
      var breach = document.createElement("p"); breach.className = "breach"; breach.setAttribute("aria-live", "polite");
      li.appendChild(times); li.appendChild(text); li.appendChild(breach); list.appendChild(li);
    });
    if (data.video) video.src = data.video; else video.hidden = true;
    check();
  }
  document.getElementById("save").addEventListener("click", function () {
    status.textContent = "Lagrer ... / Saving ...";
    fetch("/api/save?name=" + encodeURIComponent(data.name) + "&lang=" + encodeURIComponent(data.lang), {
      method: "POST", headers: { "content-type": "application/json" }, credentials: "same-origin",
      body: JSON.stringify({ cues: rows(), contributor: document.getElementById("who").value })
    }).then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); }).then(function (res) {
      status.textContent = res[0] ? "Lagret som / saved as " + res[1].revision : "Feil / error: " + res[1].error;
      status.dataset.result = JSON.stringify(res[1]);
    });
  });
  fetch("/api/cues?name=" + encodeURIComponent(q.get("name")) + "&lang=" + encodeURIComponent(q.get("lang")), { credentials: "same-origin" })
    .then(function (r) { return r.json(); }).then(function (j) { data = j; render(); });
})();
</script></body></html>"""
