"""What the browser tests share: Debian's Chromium driven by Playwright, a static file server on
localhost, and an axe-core scan."""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from .conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("ACCESSMEDIA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1; yields the base address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """Headless Chromium (Debian's), or a test failure that says how to get it: never a skip."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `bash .ci/run` installs Debian's chromium (or set ACCESSMEDIA_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield _Norwegian(browser)
        finally:
            browser.close()


class _Norwegian:
    """A browser whose pages prefer Norwegian (pages that follow the browser's language start in Norwegian),
    unless a test asks for another locale."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **options):
        return self._browser.new_context(**{"locale": "nb-NO", **options})

    def new_page(self, **options):
        return self._browser.new_page(**{"locale": "nb-NO", **options})


def serious_violations(page) -> list[tuple[str, str, str]]:
    """axe-core's WCAG 2.1 A/AA violations of impact serious or critical on the loaded page."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `bash .ci/run` installs it (npm ci in tests/js)")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [(v["id"], v["impact"], v["help"]) for v in results["violations"] if v["impact"] in ("serious", "critical")]


def page_width(browser, url: str, wait_for: str, screenshot: Path | None = None) -> int:
    """The page's scroll width on a 390 px wide phone (no sideways scrolling: at most 390)."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        small = phone.new_page()
        small.goto(url)
        small.wait_for_selector(wait_for)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            small.screenshot(path=str(screenshot), full_page=True)
        return small.evaluate("document.documentElement.scrollWidth")
    finally:
        phone.close()
