"""The review app: a real server on localhost, edited in headless Chromium; token and path checks."""

from __future__ import annotations

import json
import re
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
            assert "characters/s" in page.locator(".cue").nth(2).locator(".breach").text_content()  # live rule breach
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


def test_the_editor_speaks_one_language_marks_unsure_words_lists_breaches_and_keeps_unsaved_edits(project, tmp_path):
    """Issue 25, the editor for volunteers: one language at a time (Norwegian to a Norwegian browser), a toolbar with
    the way back and "saved at", the words the speech model was unsure of marked in their cues, a list of rule
    breaches that jumps to each cue, a warning before unsaved edits are lost, and on a phone the video in view above
    the cue being edited."""
    from playwright.sync_api import Error as PlaywrightError, sync_playwright

    from accessmedia.core.files import RecordingFiles
    from accessmedia.core.transcript import Segment, Transcript, Word

    from ..chromium import ARTIFACTS, CHROMIUM_ARGS, serious_violations

    cues = subtitles.read(project / "tale.nb.srt").cues
    unsure = {"lederen", "rapport."}  # given a low probability: the model was unsure of them
    segments = []
    for c in cues:
        said = " ".join(c.lines).split()
        step = (c.end - c.start) / len(said)
        words = tuple(Word(t, round(c.start + k * step, 3), round(c.start + (k + 1) * step, 3), 0.3 if t in unsure else 0.95)
                      for k, t in enumerate(said))
        segments.append(Segment(c.start, c.end, " ".join(said), words))
    RecordingFiles(project, "tale").transcript.write_text(Transcript("nb", 14.0, tuple(segments)).to_json(), encoding="utf-8")
    server, base = _serve(project, None)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_context(locale="nb-NO").new_page()
            page.goto(f"{base}/edit?name=tale&lang=nb")
            text = page.get_by_label("tekst 3", exact=True)
            text.wait_for()
            assert page.locator("#save").text_content() == "Lagre" and " / " not in page.locator("body").inner_text()
            assert page.locator("html").get_attribute("lang") == "nb"
            back = page.get_by_role("link", name="Alle undertekster")
            assert back.get_attribute("href") == "./"  # the review app's own list; the studio's editor leads to the studio
            assert page.locator("#title").text_content().startswith("tale · ")
            # the unsure words, marked in their own cues, and a way from one to the next
            assert sorted(page.locator("mark").all_text_contents()) == sorted(unsure)
            assert page.locator(".cue").nth(0).locator("mark").text_content() == "lederen"
            assert page.locator(".cue").nth(2).locator("mark").text_content() == "rapport."
            assert "2 ord talegjenkjenningen var usikker på" in page.locator("#unsure-summary").text_content()
            page.get_by_role("button", name="Neste usikre ord").click()
            assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "tekst 1"
            page.get_by_role("button", name="Neste usikre ord").click()
            assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "tekst 3"
            # every rule breach in one list, each a way to its cue
            assert page.locator("#breach-list li").count() == 0 and page.locator("#no-breaches").is_visible()
            text.fill("NOVA la fram en ny og lang rapport som ingen rakk å lese før konferansen startet i dag.")
            jump = page.locator("#breach-list button")
            assert jump.count() == 1 and jump.text_content().startswith("Tekst 3: ") and "tegn/s" in jump.text_content()
            page.get_by_label("tekst 1", exact=True).focus()
            jump.click()
            assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "tekst 3"
            assert serious_violations(page) == []
            page.screenshot(path=str(ARTIFACTS / "review-breaches-nb.png"))  # the README's picture of the editor
            # unsaved: said in the toolbar, and leaving asks first
            assert page.locator("#unsaved").is_visible()
            asked = []
            page.on("dialog", lambda d: (asked.append(d.type), d.dismiss()))
            page.close(run_before_unload=True)
            page.wait_for_timeout(500)
            assert asked == ["beforeunload"] and not page.is_closed()  # the person chose to stay: the edit is still there
            assert "ingen rakk å lese" in text.input_value()
            text.fill("NOVA la fram en fersk rapport.")
            page.fill("#who", "Amina")
            page.click("#save")
            page.wait_for_function("document.getElementById('status').dataset.result !== undefined")
            assert page.locator("#breach-list li").count() == 0 and not page.locator("#unsaved").is_visible()
            assert re.fullmatch(r"Lagret kl\. \d\d[:.]\d\d som r0001", page.locator("#saved-at").text_content())
            page.close(run_before_unload=True)  # saved: nothing to ask
            try:
                page.wait_for_event("close", timeout=5000)
            except PlaywrightError:  # closed before the wait began
                pass
            assert asked == ["beforeunload"] and page.is_closed()

            # English, chosen on the page, is kept for the next visit; on a phone the video stays above the cue edited
            phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="nb-NO").new_page()
            phone.goto(f"{base}/edit?name=tale&lang=nb")
            phone.get_by_label("tekst 4", exact=True).wait_for()
            phone.select_option("#ui-language", "en")
            assert phone.locator("#save").text_content() == "Save" and phone.locator("html").get_attribute("lang") == "en"
            phone.reload()
            cue = phone.get_by_label("cue 4 text", exact=True)
            cue.wait_for()
            cue.scroll_into_view_if_needed()
            cue.focus()
            video, box = phone.locator("#video").bounding_box(), cue.bounding_box()
            assert video["y"] >= -1 and video["y"] + video["height"] <= box["y"] + 1, (video, box)  # in view, above the cue
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            assert serious_violations(phone) == []
            phone.screenshot(path=str(ARTIFACTS / "review-phone.png"))
            browser.close()
    finally:
        server.should_exit = True
    assert [r.contributor for r in revisions.history(project, "tale", "nb")] == ["accessmedia", "Amina"]
