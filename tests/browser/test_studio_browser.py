"""A new user's whole flow in the studio, in real Chromium against the real server (its own process): make an
event from the three sample recordings (one uploaded through the page) with a programme and four languages,
run it, kill the studio and the run midway and start the studio again (the run resumes), correct a cue,
restore the machine's revision, name a speaker, open the replay page in Arabic, download a package, and
scan every studio page with axe-core (in English, at 1366x900); then walk every step again in Norwegian on a laptop
and a phone and in English on a phone (studio_walk.py), restoring the revision from before the naming. Screenshots
of each step go to tests/artifacts/studio-*.png."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..web.test_review_security import free_port
from ..chromium import ARTIFACTS, chromium, page_width, serious_violations
from .studio_walk import restore_before_naming, shot, walk

pytestmark = pytest.mark.slow


def start_studio(folder: Path, port: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "accessmedia.cli", "studio", str(folder), "--port", str(port)],
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                if answer.status == 200:
                    return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("the studio did not start: " + proc.stdout.read().decode(errors="replace"))


def crash(proc: subprocess.Popen, folder: Path) -> None:
    """The studio and its run killed at once, as when the machine goes down."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    run = json.loads((folder / ".studio" / "run.json").read_text(encoding="utf-8"))
    try:
        os.killpg(run["pid"], signal.SIGKILL)
    except ProcessLookupError:
        pass
    for _ in range(100):
        if not Path(f"/proc/{run['pid']}").exists() or Path(f"/proc/{run['pid']}/stat").read_text().split(")")[-1].split()[0] == "Z":
            break
        time.sleep(0.1)


def stages_done(folder: Path, name: str) -> dict:
    try:
        return json.loads((folder / "ut" / name / "process.json").read_text(encoding="utf-8"))["stages"]
    except (OSError, json.JSONDecodeError, KeyError):
        return {}


def test_a_new_users_whole_flow(tmp_path, models_env):
    folder = tmp_path / "integreringskonferansen"
    folder.mkdir()
    for name in ("konferanse.mp4", "avslutning.mp4"):
        shutil.copy(ROOT / "samples" / name, folder / name)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    studio = start_studio(folder, port, models_env)
    try:
        with chromium() as browser:
            page = browser.new_page(locale="en-GB", viewport={"width": 1366, "height": 900})  # in English, on a laptop
            page.goto(base + "/")
            page.wait_for_selector("#files li input")
            assert serious_violations(page) == []
            page.keyboard.press("Tab")  # keyboard: the skip link first, then the steps, each a link to its section
            assert page.evaluate("document.activeElement.textContent") == "Skip to the work"
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.id") == "main"
            shot(page, "1-start")

            # 1. the event: one recording uploaded, two from the folder, a programme, four languages
            page.set_input_files("#upload", str(ROOT / "samples" / "panel.mp4"))
            page.get_by_text("uploaded and checked").wait_for(timeout=60_000)
            assert (folder / "recordings" / "panel.mp4").read_bytes() == (ROOT / "samples" / "panel.mp4").read_bytes()
            page.fill("#title", "Nasjonal integreringskonferanse")
            for file in ("konferanse.mp4", "recordings/panel.mp4", "avslutning.mp4"):
                page.locator(f'#files input[value="{file}"]').check()
            panel = page.locator('fieldset[data-file="recordings/panel.mp4"]')
            panel.locator('[data-field="rec-title"]').fill("Panelsamtale: språk og arbeid")
            first = panel.locator(".agenda-row").nth(0)
            first.locator('[data-field="title"]').fill("Den første jobben")
            first.locator('[data-field="speakers"]').fill("Amina Yusuf, Piotr Nowak")
            panel.get_by_role("button", name="Add a programme item").click()
            second = panel.locator(".agenda-row").nth(1)
            second.locator('[data-field="start"]').fill("0.40")  # a typing slip: said next to the field, focus moved there
            second.locator('[data-field="title"]').fill("Informasjon på flere språk")
            for code in ("en", "ar", "uk", "so"):
                page.locator(f"#lang-{code}").check()
            # Somali has no model: said so, in orange, with the recommended model to install beside it
            assert "only a template for volunteers" in page.locator("#lang-note-so").text_content()
            assert "warn" in page.locator("#lang-note-so").get_attribute("class")
            offer = page.locator("#languages li", has=page.locator("#lang-so")).locator("button.offer").first.text_content()
            assert "madlad400-3b" in offer and "Apache-2.0" in offer and "MB" in offer
            assert "nb->en->ar pivot" in page.locator("#lang-note-ar").text_content()
            assert page.locator('label[for="lang-ti"]').text_content().strip() == "ትግርኛ"
            manifest_file = folder / "event.toml"
            before = manifest_file.read_text(encoding="utf-8") if manifest_file.exists() else None
            page.click("#save")
            error = second.locator(".field-error")
            error.wait_for()
            assert error.text_content().startswith("“0.40” is not a time. Write it like 0:40")
            start = second.locator('[data-field="start"]')
            assert start.get_attribute("aria-invalid") == "true" and start.get_attribute("aria-describedby") == error.get_attribute("id")
            assert page.evaluate("document.activeElement.dataset.field") == "start"
            assert (manifest_file.read_text(encoding="utf-8") if manifest_file.exists() else None) == before  # nothing saved
            assert serious_violations(page) == []
            shot(page, "2-event-error")
            start.fill("0:40")
            shot(page, "2-event")
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(ARTIFACTS / "studio-event.png"))  # the README's picture: the first screen of the step
            page.click("#save")
            page.get_by_text("Saved: 3 recordings").wait_for()
            assert second.locator(".field-error").count() == 0 and start.get_attribute("aria-invalid") is None
            manifest = (folder / "event.toml").read_text(encoding="utf-8")
            assert 'file = "recordings/panel.mp4"' in manifest and 'speakers = ["Amina Yusuf", "Piotr Nowak"]' in manifest
            assert 'languages = ["en", "ar", "uk", "so"]' in manifest and 'start = "0:40"' in manifest

            # 2. the run, cut off midway (studio and run killed), resumed when the studio starts again
            assert page.locator("#event-form").is_visible() and not page.locator("#start").is_visible()  # one step at a time
            page.get_by_role("link", name="Next: start the run").click()
            assert page.evaluate("document.activeElement.id") == "run-title" and not page.locator("#event-form").is_visible()
            assert page.locator('.steps a[aria-current="step"]').text_content() == "2. Run"
            page.click("#start")
            deadline = time.time() + 240
            while not stages_done(folder, "konferanse") and time.time() < deadline:
                time.sleep(0.5)
            assert stages_done(folder, "konferanse"), "no stage finished within 4 minutes"
            page.wait_for_function("document.getElementById('run-status').textContent.indexOf('Running') === 0")
            assert page.locator("#progress tr").count() == 3
            shot(page, "3-running")
            crash(studio, folder)
            kept = stages_done(folder, "konferanse")
            studio = start_studio(folder, port, models_env)
            page.goto(base + "/#run")
            page.wait_for_function("document.getElementById('run-status').textContent.length > 12")
            assert json.loads((folder / ".studio" / "run.json").read_text(encoding="utf-8"))["resumed"] is True
            page.wait_for_function("document.getElementById('run-status').textContent.indexOf('Finished') === 0", timeout=400_000)
            after = stages_done(folder, "konferanse")
            assert all(after[s]["finished"] == kept[s]["finished"] for s in kept)  # finished stages were not done again
            shot(page, "4-finished")
            page.locator("#run").screenshot(path=str(ARTIFACTS / "studio-run.png"))  # the README's picture
            assert serious_violations(page) == []
            page.get_by_role("link", name="Next: review and correct").click()  # shown once the run is done
            page.wait_for_selector("#sessions .session")

            # 3. correct a cue beside the video, then go back to the machine's version
            panel_box = page.locator(".session", has=page.locator("h3", has_text="panel"))
            panel_box.get_by_role("link", name="Correct nb").click()
            assert "/review/panel/edit" in page.url
            text = page.get_by_label("cue 1 text")
            text.wait_for()
            assert page.locator("#title").text_content().startswith("Panelsamtale: språk og arbeid · ")  # not the file name
            assert page.get_by_role("link", name="Back to the studio").get_attribute("href") == "../../"
            machine = text.input_value()
            text.fill("Velkommen til panelet.")
            assert page.locator("#unsaved").is_visible()
            page.fill("#who", "Kari")
            page.click("#save")
            page.wait_for_function("document.getElementById('status').dataset.result !== undefined")
            assert page.locator("#saved-at").text_content().startswith("Saved at ") and not page.locator("#unsaved").is_visible()
            assert "Velkommen til panelet." in (folder / "ut" / "panel" / "panel.nb.srt").read_text(encoding="utf-8")
            assert serious_violations(page) == []  # the editor, as the studio serves it
            shot(page, "5-corrected")
            page.goto(base + "/#review")
            page.locator(".session", has=page.locator("h3", has_text="panel")).get_by_role("button", name="History of nb").click()
            current = page.locator(".history li[aria-current=true]")
            current.wait_for()
            assert current.text_content().startswith("r0001") and "Kari" in current.text_content() and "current" in current.text_content()
            machine_row = page.locator(".history li", has_text="r0000").text_content()
            assert "the version accessmedia wrote" in machine_row and "T" not in machine_row.split("·")[0][5:]  # a local time, not ISO
            page.get_by_role("button", name="Show the changes and restore r0000").click()
            diff = page.locator(".diff")
            diff.wait_for()
            assert "now: 0:0" in diff.text_content() and "Velkommen til panelet." in diff.locator("del").first.text_content()
            assert page.evaluate("document.activeElement.textContent") == "Restore r0000"  # the confirmation, in focus
            shot(page, "6-restore-preview")
            page.locator(".session", has=page.locator("h3", has_text="panel")).screenshot(path=str(ARTIFACTS / "studio-restore.png"))
            page.get_by_role("button", name="Restore r0000", exact=True).click()
            page.locator(".restore-status", has_text="r0000 restored as r0002").wait_for()  # said next to the history
            assert "Velkommen til panelet." not in (folder / "ut" / "panel" / "panel.nb.srt").read_text(encoding="utf-8")
            assert machine.split()[0] in (folder / "ut" / "panel" / "panel.nb.srt").read_text(encoding="utf-8")
            shot(page, "6-restored")

            # Somali has no model here: its translation kit goes to volunteers and comes back through the page
            kit = page.request.get(base + "/api/kit?name=panel&lang=so&format=csv")
            assert kit.status == 200
            import csv

            rows = list(csv.reader(io.StringIO(kit.body().decode("utf-8-sig"))))
            assert rows[0] == ["cue", "start", "end", "nb", "en", "so"]
            half = tmp_path / "panel.so.half.csv"  # a kit brought back half done: said beside its input, plainly
            with open(half, "w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerows([rows[0], [*rows[1][:5], "Soomaali 1"], rows[2]])
            page.locator("#kit-panel-so").set_input_files(str(half))
            told = page.locator("#kit-panel-so-status .plain-error")
            told.wait_for()
            assert told.text_content().startswith("Some rows of the kit have no translation yet.")
            assert page.evaluate("document.activeElement.id") == "kit-panel-so"
            assert page.locator("#kit-panel-so").get_attribute("aria-describedby") == "kit-panel-so-status"
            assert "has no so text yet" in page.locator("#kit-panel-so-status details").text_content()  # for whoever helps
            for row in rows[1:]:
                row[5] = "Soomaali " + row[0]
            filled = tmp_path / "panel.so.csv"
            with open(filled, "w", encoding="utf-8", newline="") as fh:
                csv.writer(fh).writerows(rows)
            page.locator("#kit-panel-so").set_input_files(str(filled))
            page.get_by_text("so: the kit is in").wait_for()
            assert "Soomaali 1" in (folder / "ut" / "panel" / "panel.so.srt").read_text(encoding="utf-8")
            shot(page, "6b-kit")

            # name a speaker in the editor's "Who speaks" panel
            page.goto(base + "/review/panel/edit?name=panel&lang=nb")
            page.wait_for_selector("#voice-list li")
            page.fill("#who", "Kari")
            page.fill("#voice-1", "Amina Yusuf")
            page.get_by_label("Name: Taler 2").click()
            page.wait_for_function("document.getElementById('voice-status').dataset.result !== undefined")
            assert "Amina Yusuf: " in (folder / "ut" / "panel" / "panel.nb.srt").read_text(encoding="utf-8")
            site = page.request.get(base + "/out/index.html").text()  # the event site in step with the naming
            assert "Hvem snakket / Who spoke: " in site and "Amina Yusuf (" in site
            shot(page, "7-named")

            # 4. publish: the checklist, the replay page in Arabic, a package to download
            page.goto(base + "/#publish")
            page.wait_for_selector("#checklist tr th")
            rows = page.locator("#checklist tr")
            panel_row = page.locator("#checklist tr", has_text="Panelsamtale").text_content()
            assert rows.count() == 3 and "every language present" in panel_row and "volunteers" not in panel_row  # the kit came back
            waiting = page.locator("#checklist td.warn")  # the other two: Somali is only a template, not done
            assert waiting.count() == 2 and "templates only, to translate by volunteers: so" in waiting.first.text_content()
            assert "not named yet: Taler 1" in panel_row  # Taler 2 was named Amina Yusuf
            guide = page.locator("details.guide").first  # what goes where, each file one click away
            guide.locator("summary").click()
            assert "YouTube" in guide.text_content() and "HLS" in guide.text_content()
            srt = guide.get_by_role("link", name="subtitles: nb (.srt)")
            assert page.request.get(base + "/" + srt.get_attribute("href")).status == 200
            assert serious_violations(page) == []
            shot(page, "8-publish")
            assert page_width(browser, base + "/#review", "#sessions .session", ARTIFACTS / "studio-phone.png") <= 390
            page.get_by_role("link", name="Replay page of panel").click()
            page.goto(page.url + "?lang=ar")
            page.wait_for_function("window.replay !== undefined && window.replay.interface() === 'ar'")
            assert page.evaluate("document.documentElement.dir") == "rtl"
            assert page.locator("label[for=language]").text_content() == "الترجمة النصية"
            assert serious_violations(page) == []
            shot(page, "9-replay-arabic")
            answer = page.request.get(base + "/api/archive?name=panel")
            assert answer.status == 200 and answer.headers["content-type"] == "application/zip"
            names = zipfile.ZipFile(io.BytesIO(answer.body())).namelist()
            assert "panel/site/index.html" in names and "panel/hls/master.m3u8" in names and "panel/upload/panel.mp4" in names
            guide = zipfile.ZipFile(io.BytesIO(answer.body())).read("panel/README.txt").decode("utf-8")
            assert "upload/panel.mp4" in guide and "upload/panel.en.srt" in guide and "site/index.html" in guide and "ENGLISH" in guide
            page.close()

            # 5. every step again in Norwegian on a laptop and on a phone, and in English on a phone (studio_walk.py;
            # English on a laptop is the flow above, at 1366x900)
            for lang, size in (("nb", "laptop"), ("nb", "phone"), ("en", "phone")):
                walked = walk(browser, base, lang, size)
                if (lang, size) == ("nb", "laptop"):  # a restore gives back the names its revision was written with
                    said = restore_before_naming(walked, lang)
                    assert "Taler 2" in said
                    for code in ("nb", "en"):
                        cues = (folder / "ut" / "panel" / f"panel.{code}.srt").read_text(encoding="utf-8")
                        assert "Amina Yusuf" not in cues and "Taler 2: " in cues
                    site = walked.request.get(base + "/out/index.html").text()  # the event site in step with it
                    spoke = site[site.index("Hvem snakket / Who spoke: "):].split("</p>")[0]
                    assert "Amina Yusuf" not in spoke and "Taler 2" in spoke
                walked.context.close()
    finally:
        os.killpg(studio.pid, signal.SIGKILL)
        studio.wait()


def test_the_studio_speaks_norwegian_to_a_norwegian_browser(tmp_path, models_env):
    folder = tmp_path / "prosjekt"
    folder.mkdir()
    shutil.copy(ROOT / "samples" / "avslutning.mp4", folder / "avslutning.mp4")
    shutil.copy(ROOT / "samples" / "konferanse.mp4", folder / "konferanse.mp4")
    port = free_port()
    studio = start_studio(folder, port, {**models_env, "HF_HUB_OFFLINE": "1"})  # a model install fails as offline
    try:
        with chromium() as browser:
            page = browser.new_page()  # nb-NO
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_selector("#files li input")
            assert page.evaluate("document.documentElement.lang") == "nb"
            assert page.locator("#save").text_content() == "Lagre arrangementet"
            assert page.locator("#run-status").text_content() == "Ikke startet."
            assert serious_violations(page) == []
            # failures said where they happen, in plain Norwegian, the server's words behind "Detaljer"
            page.set_input_files("#upload", files=[{"name": "notat.mp4", "mimeType": "video/mp4", "buffer": b"not a video"}])
            note = page.locator("#uploads li .note.bad")
            note.wait_for()
            assert note.locator(".plain-error").text_content().startswith("Denne filen er ikke et video- eller lydopptak")
            assert "notat.mp4" in note.locator("details").text_content() and "InvalidData" not in note.locator(".plain-error").text_content()
            model = page.locator("#models li", has=page.locator('input[value="nb-whisper-small"]'))
            model.get_by_role("button").click()
            failed = model.locator(".note.bad .plain-error")
            failed.wait_for(timeout=60_000)
            assert failed.text_content().startswith("Modellen kunne ikke lastes ned")
            model.locator("details summary").click()
            assert "accessmedia models add" in model.locator("details").text_content()  # for whoever helps
            assert serious_violations(page) == []
            page.fill("#title", "Integreringskonferansen")
            page.locator('#files input[value="avslutning.mp4"]').check()
            page.locator("#lang-so").check()
            page.select_option("#ui-language", "en")
            assert page.locator("#save").text_content() == "Save the event" and page.evaluate("document.documentElement.lang") == "en"
            assert page.locator("#title").input_value() == "Integreringskonferansen"  # what was typed stays
            assert page.locator("#lang-so").is_checked() and page.locator('#files input[value="avslutning.mp4"]').is_checked()
            assert "only a template for volunteers" in page.locator("#lang-note-so").text_content()
            page.reload()  # before Save: the draft kept in the browser brings back what was typed and ticked
            page.wait_for_selector("#files li input")
            assert page.locator("#save").text_content() == "Save the event"  # the choice is remembered
            assert page.locator("#draft-note").is_visible() and "not saved yet" in page.locator("#draft-note").text_content()
            assert page.locator("#title").input_value() == "Integreringskonferansen"
            assert page.locator("#lang-so").is_checked() and page.locator('#files input[value="avslutning.mp4"]').is_checked()
            # the event step is a view of its own, languages and models beyond the usual ones behind "show more": with
            # two recordings and four languages ticked the page at 1366x900 was 6,490 px (at 26e8a74, all steps on one page)
            page.locator('#files input[value="konferanse.mp4"]').check()
            for code in ("en", "ar", "uk"):
                page.locator(f"#lang-{code}").check()
            page.set_viewport_size({"width": 1366, "height": 900})
            assert page.evaluate("document.documentElement.scrollHeight") <= 6490 / 2
            page.fill("#language-search", "tigr")  # a language found by its English name, behind "show more" or not
            assert page.locator("#languages li:visible, #more-languages-list li:visible").count() == 1
            assert page.locator('label[for="lang-ti"]').is_visible()
            page.fill("#language-search", "")
            programme = page.locator('fieldset[data-file="avslutning.mp4"]')
            programme.get_by_role("button", name="Add a programme item").click()
            assert programme.locator(".agenda-row").count() == 2
            programme.get_by_role("button", name="Remove item 1").click()  # each item can be removed; the rest renumbered
            assert programme.locator(".agenda-row").count() == 1 and programme.get_by_role("button", name="Remove item 1").count() == 1
            assert serious_violations(page) == []
            shot(page, "english")
            page.get_by_role("button", name="Discard them").click()
            assert not page.locator("#draft-note").is_visible() and page.locator("#title").input_value() == ""
            assert not page.locator("#lang-so").is_checked()
            page.close()
    finally:
        os.killpg(studio.pid, signal.SIGKILL)
        studio.wait()
