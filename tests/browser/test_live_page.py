"""The live caption page and the overlay in Chromium (issue 22): lines arrive as the session publishes them, the
language menu switches (Arabic right to left), a browser that loses the connection gets what it missed, 390 px wide
without sideways scrolling, no serious axe-core violations; the overlay shows the last two lines of its language."""

from __future__ import annotations

import threading
import time

import pytest

from accessmedia.live.session import Feed

from ..chromium import ARTIFACTS, chromium, page_width, serious_violations
from ..web.test_review_security import free_port

pytestmark = pytest.mark.slow  # a browser


def _serve(feed):
    import uvicorn

    from accessmedia.web.live import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(feed), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def _say(feed: Feed, n: int, nb: str, ar: str) -> None:
    feed.publish({"start": n, "end": n + 1, "lang": "nb", "text": nb, "speaker": "Taler 1", "final": True})
    feed.publish({"start": n, "end": n + 1, "lang": "ar", "text": ar, "speaker": "Taler 1", "final": True})


def test_the_caption_page_follows_the_stream_in_any_language_and_on_a_phone():
    feed = Feed()
    feed.update(languages=["nb", "ar"], missing=["ti"], source="nb", running=True)
    _say(feed, 0, "Velkommen til konferansen.", "مرحبا بكم في المؤتمر.")
    server, base = _serve(feed)
    try:
        with chromium() as browser:
            page = browser.new_page()
            page.goto(f"{base}/")
            page.wait_for_function("document.body.dataset.lines === '2'")
            assert page.locator("#captions p").count() == 1 and "Velkommen" in page.locator("#captions").text_content()
            _say(feed, 2, "Takk for at dere kom.", "شكرا لحضوركم.")  # published while the page is open
            page.wait_for_function("document.querySelectorAll('#captions p').length === 2")
            assert page.locator("#captions p").nth(1).text_content() == "Taler 1: Takk for at dere kom."
            page.select_option("#lang", "ar")
            assert page.locator("#captions p").first.get_attribute("dir") == "rtl"
            assert page.evaluate("document.documentElement.dir") == "rtl" and page.locator("h1").text_content() == "ترجمة مباشرة"
            page.select_option("#lang", "ti")  # no model for Tigrinya: said, and Norwegian shown
            assert "ኖርወያዊ" in page.locator("#notice").text_content() and "Velkommen" in page.locator("#captions").text_content()
            page.select_option("#lang", "nb")
            assert serious_violations(page) == []
            page.evaluate("window.stop()")  # the connection drops ...
            _say(feed, 4, "Mens siden var borte.", "بينما كانت الصفحة غائبة.")
            page.reload()  # ... and comes back: everything kept in the feed is shown again
            page.wait_for_function("document.querySelectorAll('#captions p').length === 3")
            assert page_width(browser, f"{base}/?lang=ar", "#captions p", ARTIFACTS / "live-phone.png") <= 390
            overlay = browser.new_page()
            overlay.goto(f"{base}/overlay?lang=nb")
            overlay.wait_for_function("document.body.dataset.lines === '3'")
            assert overlay.evaluate("getComputedStyle(document.body).backgroundColor") == "rgba(0, 0, 0, 0)"  # transparent
            _say(feed, 6, "Siste linje\nfor i dag.", "السطر الأخير.")
            overlay.wait_for_function("document.body.dataset.lines === '4'")
            assert overlay.locator("#lines span").all_text_contents() == ["Siste linje", "for i dag."]
            feed.update(running=False)
            page.wait_for_function("document.body.dataset.ended === '1'", timeout=10_000)
            assert "slutt" in page.locator("#notice").text_content()
    finally:
        server.should_exit = True
