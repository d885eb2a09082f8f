"""The review app: a real server on localhost, edited in headless Chromium; token and path checks."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from accessmedia import revisions, subtitles

from .conftest import SAMPLE, run_cli
from .test_corrections import SPEECH
from .web import CHROMIUM

pytestmark = pytest.mark.slow  # the speech model, ffmpeg on real media, a browser or worker processes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def project(home, tmp_path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "tale.nb.srt").write_text(SPEECH, encoding="utf-8")
    assert run_cli("translate", str(out / "tale.nb.srt"), "--to", "en", "-o", str(out), "-q").exit_code == 0
    recording = tmp_path / "tale.mp4"
    recording.write_bytes(SAMPLE.read_bytes())
    assert run_cli("package", str(recording), "--subs", str(out), "-o", str(tmp_path / "dist")).exit_code == 0
    return out


def _serve(project: Path, token: str | None):
    import uvicorn

    from accessmedia.review import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(project, token), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def test_edit_a_cue_in_the_browser_and_save(project, tmp_path):
    from playwright.sync_api import sync_playwright

    server, base = _serve(project, None)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
            page = browser.new_page()
            page.goto(f"{base}/edit?name=tale&lang=nb")
            text = page.get_by_label("cue 3 text")
            text.wait_for()
            assert text.input_value() == "NOVA la fram en ny rapport."
            text.fill("NOVA la fram en ny og lang rapport som ingen rakk å lese før konferansen startet i dag.")
            assert "tegn/s" in page.locator(".cue").nth(2).locator(".breach").text_content()  # live rule breach
            text.fill("NOVA la fram en fersk rapport.")
            page.fill("#who", "Amina")
            page.click("#save")
            page.wait_for_function("document.getElementById('status').dataset.result !== undefined")
            assert "saved as r0001" in page.locator("#status").text_content()
            browser.close()
    finally:
        server.should_exit = True
    revs = revisions.history(project, "tale", "nb")
    assert [(r.label, r.contributor) for r in revs] == [("r0000", "accessmedia"), ("r0001", "Amina")]
    assert "fersk rapport" in (project / "tale.nb.srt").read_text(encoding="utf-8")
    assert "NOVA LA FRAM EN FERSK RAPPORT." in (project / "tale.en.srt").read_text(encoding="utf-8")  # retranslated
    page = (tmp_path / "dist" / "site" / "index.html").read_text(encoding="utf-8")
    assert "fersk rapport" in page  # package rebuilt


def test_shared_app_needs_the_token_and_checks_names(project):
    import urllib.error
    import urllib.request

    server, base = _serve(project, "s3cret-token")

    def status(path: str, data: bytes | None = None) -> int:
        try:
            with urllib.request.urlopen(urllib.request.Request(base + path, data=data), timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    try:
        assert status("/api/cues?name=tale&lang=nb") == 403
        assert status("/api/cues?name=tale&lang=nb&token=wrong") == 403
        assert status("/api/cues?name=tale&lang=nb&token=s3cret-token") == 200
        assert status("/api/cues?name=../../etc/passwd&lang=nb&token=s3cret-token") == 400
        assert status("/api/cues?name=tale&lang=../x&token=s3cret-token") == 400
        assert status("/api/save?name=..%2Ftale&lang=nb&token=s3cret-token", b"{}") == 400
        assert status("/api/save?name=tale&lang=nb&token=s3cret-token", b"x" * (3 * 1024 * 1024)) == 413
        assert status("/api/save?name=tale&lang=nb&token=s3cret-token", b'{"cues": "nonsense"}') == 400
    finally:
        server.should_exit = True
    assert revisions.history(project, "tale", "nb") == []
    assert subtitles.read(project / "tale.nb.srt").cues
