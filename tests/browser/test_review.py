"""The review app: a real server on localhost, edited in headless Chromium; token and path checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accessmedia.editing import revisions
from accessmedia.subtitles import formats as subtitles

from ..conftest import SAMPLE, run_cli
from ..web.test_review_security import serve_review as _serve, translated_project
from ..chromium import CHROMIUM

pytestmark = pytest.mark.slow  # the speech model, ffmpeg on real media, a browser or worker processes


@pytest.fixture()
def project(home, tmp_path) -> Path:
    """A translated project whose recording was packaged."""
    out = translated_project(tmp_path)
    recording = tmp_path / "tale.mp4"
    recording.write_bytes(SAMPLE.read_bytes())
    assert run_cli("package", str(recording), "--subs", str(out), "-o", str(tmp_path / "dist")).exit_code == 0
    return out


def test_edit_a_cue_in_the_browser_and_save(project, tmp_path):
    from playwright.sync_api import sync_playwright

    third = subtitles.read(project / "tale.nb.srt").cues[2]  # as if condensation had left a hesitation out of it
    (project / "tale.nb.condensed.json").write_text(json.dumps({"cues": [
        {"start": third.start, "end": third.end, "verbatim": "NOVA la, eh, fram en ny rapport.", "left_out": ["eh,"]}]}))
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
            note = page.locator(".cue").nth(2).locator(".left-out")
            assert "Left out to be readable in time: eh," in note.text_content()  # what the cue left out, to put back
            assert page.locator(".left-out").count() == 1
            note.get_by_role("button").click()
            assert text.input_value() == "NOVA la, eh, fram en ny rapport." and page.locator(".left-out").count() == 0
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


def test_a_page_on_another_port_cannot_save_even_with_the_cookie(project, tmp_path):
    """Share mode: the volunteer has the app open (its cookie holds the token); a page on the same host
    but another port tries every way a page can send a save. Nothing is saved."""
    from playwright.sync_api import sync_playwright

    from ..chromium import CHROMIUM_ARGS, serve

    server, base = _serve(project, "s3cret-token")
    evil = tmp_path / "evil"
    evil.mkdir()
    body = '{"cues": [[1, 3, "hacked"]], "contributor": "evil"}'
    (evil / "index.html").write_text(f"""<!doctype html><html><body>
<form id="f" method="POST" action="{base}/api/save?name=tale&lang=nb" enctype="text/plain">
<input name='{body[:-2]}' value='"}}'></form>
<script>
const url = "{base}/api/save?name=tale&lang=nb";
Promise.allSettled([
  fetch(url, {{method: "POST", mode: "no-cors", credentials: "include", headers: {{"content-type": "text/plain"}}, body: '{body}'}}),
  fetch(url, {{method: "POST", credentials: "include", headers: {{"content-type": "application/json"}}, body: '{body}'}}),
]).then(() => {{ document.title = "sent"; document.getElementById("f").submit(); }});
</script></body></html>""", encoding="utf-8")
    try:
        with sync_playwright() as p, serve(evil) as evil_base:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{base}/edit?name=tale&lang=nb&token=s3cret-token")  # the volunteer's tab: the cookie is set
            page.get_by_label("cue 3 text").wait_for()
            attacker = context.new_page()
            attacker.goto(f"{evil_base}/index.html")
            attacker.wait_for_url("**/api/save**", timeout=15_000)  # the form submits after both fetches were answered
            assert "changes are only possible from the review page itself" in attacker.content()
            assert "s3cret-token" in [c["value"] for c in context.cookies()]  # the cookie was there to ride along
            browser.close()
    finally:
        server.should_exit = True
    assert revisions.history(project, "tale", "nb") == []
    assert "hacked" not in (project / "tale.nb.srt").read_text(encoding="utf-8")


def test_two_volunteers_in_two_browsers_see_the_clash_and_keep_their_own(home, tmp_path):
    """Two editors open the same file; both change cue 4 and the first saves. The second is shown both versions
    of the cue and keeps theirs; the first volunteer's edit of another cue stays, and the page shows the merge."""
    from playwright.sync_api import sync_playwright

    project = translated_project(tmp_path)
    server, base = _serve(project, None)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
            pages = [browser.new_context().new_page() for _ in range(2)]
            for page in pages:
                page.goto(f"{base}/edit?name=tale&lang=nb")
                page.get_by_label("cue 4 text").wait_for()
            first, second = pages
            first.get_by_label("cue 4 text").fill("Hvor mange kom i 2025?")
            first.get_by_label("cue 1 text").fill("Velkommen til konferansen,\nsa lederen glad")
            first.click("#save")
            first.wait_for_function("document.getElementById('status').dataset.result !== undefined")
            second.get_by_label("cue 4 text").fill("Hvor mange deltok i 2024?")
            second.fill("#who", "Piotr")
            second.click("#save")
            second.wait_for_selector("#conflict:not([hidden])")
            shown = second.locator("#conflict-list").text_content()
            assert "Hvor mange kom i 2025?" in shown and "Hvor mange deltok i 2024?" in shown
            assert second.evaluate("document.activeElement.id") == "conflict-title"  # focus moves to what needs a choice
            second.click("#keep-mine")
            second.wait_for_selector("#conflict", state="hidden")
            second.wait_for_function("document.querySelector('[aria-label=\"cue 1 text\"]').value.indexOf('glad') >= 0")
            assert "Piotr" not in second.locator("#status").text_content()
            assert "r0002" in second.locator("#status").text_content()
            browser.close()
    finally:
        server.should_exit = True
    texts = [c.text for c in subtitles.read(project / "tale.nb.srt").cues]
    assert texts[3] == "Hvor mange deltok i 2024?" and texts[0].endswith("glad")
