"""The event site and the run report in headless Chromium: links, a programme item opening its
moment in the replay, escaping, phones, and an axe-core scan."""

from __future__ import annotations

import pytest

from accessmedia.packaging import eventsite
from accessmedia.runs.event import AgendaItem, Event, Session
from accessmedia.pipeline.settings import Styles

from ..chromium import ARTIFACTS, chromium, page_width, serious_violations, serve

pytestmark = pytest.mark.slow  # the speech model, ffmpeg on real media, a browser or worker processes


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def site(event_run):
    with serve(event_run.out) as base:
        yield base


def test_index_links_every_replay_and_each_programme_item_to_its_moment(browser, site):
    page = browser.new_page()
    page.goto(f"{site}/index.html")
    assert page.locator("main h2 a").all_text_contents() == ["Åpning og velkommen", "Panelsamtale: språk og arbeid", "Avslutning"]
    page.get_by_role("link", name="0:40 Informasjon på flere språk – Amina Yusuf, Piotr Nowak").click()
    page.wait_for_function("document.getElementById('video') && Math.abs(document.getElementById('video').currentTime - 40) < 0.5",
                           timeout=30_000)
    assert page.locator('#chapter-list button[aria-current="true"]').text_content().startswith("0:40")
    assert page.locator("#language option").all_text_contents() == ["Norsk bokmål", "العربية", "English", "Українська"]
    page.goto(f"{site}/index.html")
    page.locator("#session-2").locator("xpath=ancestor::article").get_by_role("link", name="العربية").click()
    page.wait_for_function("window.replay !== undefined && window.replay.language() === 'ar'")
    assert page.evaluate("[document.documentElement.dir, window.replay.interface()]") == ["rtl", "ar"]
    page.close()


def test_index_and_report_pass_an_accessibility_scan(browser, site):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "report.html"):
        page = browser.new_page()
        page.goto(f"{site}/{name}")
        page.screenshot(path=str(ARTIFACTS / f"event-{name.replace('.html', '')}.png"), full_page=True)
        assert serious_violations(page) == [], name
        page.close()
        assert page_width(browser, f"{site}/{name}", "main", ARTIFACTS / f"event-{name.replace('.html', '')}-phone.png") <= 390


def test_index_shows_markup_as_text(browser, tmp_path):
    recording = tmp_path / "økt.mp4"
    recording.write_bytes(b"")
    session = Session(recording, "<script>alert(1)</script>", (AgendaItem(0.0, "<img src=x onerror=alert(2)>", ("Ola",)),), 65.0)
    eventsite.write_index(Event(tmp_path / "e.toml", "Konferanse <b>2026</b>", (), (), Styles(), tmp_path, (session,)), {"sessions": []})
    with serve(tmp_path) as base:
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base}/index.html")
        assert page.locator("h1").text_content() == "Konferanse <b>2026</b>"
        assert page.locator("h2").text_content() == "<script>alert(1)</script>"
        assert page.locator("main img, main script, h1 b").count() == 0
        page.wait_for_timeout(200)
        assert dialogs == []
        page.close()
