"""The studio's Live step in Chromium, against the real studio (its own process, shared on the network with its
access token) and the default speech model: a communications officer rehearses with a recording of the project,
translated into English; the page shows how far behind the stream the captions are and how busy the machine is, the
caption page and overlay links with their own token (not the studio's) and a QR code; the caption page shows the
captions; the studio killed with SIGKILL and started again goes on with the same session without repeating a line;
Stop finishes it, and its recording is offered in step 1. axe-clean, 390 px wide."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ..chromium import ARTIFACTS, chromium, page_width, serious_violations
from ..conftest import eval_dir
from ..web.test_review_security import free_port

pytestmark = pytest.mark.slow


def start_shared_studio(folder: Path, port: int, env: dict) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "accessmedia.cli", "studio", str(folder), "--port", str(port), "--share"],
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if (found := re.search(r"\?token=([\w-]+)", line)) is not None:
            break
    else:
        pytest.fail("the studio did not start: " + "".join(seen))
    token = found.group(1)
    for _ in range(300):
        if status(f"http://127.0.0.1:{port}/?token={token}") == 200:
            return proc, token
        time.sleep(0.1)
    proc.kill()
    pytest.fail("the studio did not answer")


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as answer:
        return json.loads(answer.read())


def lines(record: Path) -> list[dict]:
    out = []
    for raw in record.read_text(encoding="utf-8").splitlines() if record.exists() else []:
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            continue  # a line cut by the kill
        if line.get("lang") == "nb" and line.get("final"):
            out.append(line)
    return out


def wait(condition, seconds: float, what: str):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if (value := condition()):
            return value
        time.sleep(0.2)
    pytest.fail(f"waited {seconds:g} s for {what}")


def test_the_live_step_rehearses_shows_its_cost_and_links_and_goes_on_after_a_crash(tmp_path, models_env):
    folder = tmp_path / "konferansen"
    folder.mkdir()
    shutil.copy(eval_dir() / "king.mp3", folder / "tale.mp3")  # 85 s of speech, read at its own speed
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    studio, token = start_shared_studio(folder, port, models_env)
    record = folder / "live" / "prove" / "prove.live.jsonl"
    try:
        with chromium() as browser:
            page = browser.new_page()
            page.goto(f"{base}/?token={token}#live")
            page.wait_for_selector("#live-languages input[value='en']")
            page.get_by_role("button", name="tale.mp3").click()  # the recording offered as a rehearsal
            assert page.input_value("#live-source") == "tale.mp3"
            page.fill("#live-name", "prove")
            page.check("#live-lang-en")
            page.click("#live-start")
            page.wait_for_function("/\\d+\\.\\d s/.test(document.getElementById('live-figures').textContent)", timeout=90_000)
            assert page.is_disabled("#live-start") and page.is_enabled("#live-stop")
            figures = page.text_content("#live-figures")
            assert re.search(r"\d+\.\d s", figures) and re.search(r"\d+ %", figures)  # lag, and the share of the machine
            page.wait_for_function("document.getElementById('live-qr').naturalWidth > 100")  # the QR code, drawn
            links = page.eval_on_selector_all("#live-pages a", "xs => xs.map(a => a.getAttribute('href'))")
            captions = next(x for x in links if x.startswith("live/?token="))
            live_token = captions.split("=", 1)[1]
            assert live_token != token and any(x.startswith("live/overlay?token=") and x.endswith("lang=en") for x in links)
            assert status(f"{base}/live/") == 403 and status(f"{base}/live/?token={token}") == 403  # not the studio's token
            assert status(f"{base}/api/state?token={live_token}") == 403  # a participant's token does not run the studio
            assert serious_violations(page) == []
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "studio-live.png"), full_page=True)
            assert page_width(browser, f"{base}/?token={token}#live", "#live-figures") <= 390

            reader = browser.new_page()  # a participant's phone, from the link (or the QR code)
            reader.goto(f"{base}/{captions}")
            reader.wait_for_function("document.querySelectorAll('#captions p').length >= 1", timeout=60_000)
            reader.select_option("#lang", "en")
            reader.wait_for_function("document.querySelectorAll('#captions p').length >= 1", timeout=30_000)
            english = re.sub(r"Taler \d+: ", "", reader.text_content("#captions"))  # who speaks, then what was said
            assert english.strip() and english == english.upper()  # the toy model's English

            wait(lambda: len(lines(record)) >= 3, 90, "three committed lines")
            os.killpg(studio.pid, signal.SIGKILL)  # the machine's power cut, as it were
            studio.wait()
            before = lines(record)
            studio, token = start_shared_studio(folder, port, models_env)  # a new token: a new start
            assert get(f"{base}/api/live?token={token}")["status"] == "running"  # the session goes on by itself
            wait(lambda: len(lines(record)) >= len(before) + 2, 120, "lines after the restart")
            page.goto(f"{base}/?token={token}#live")
            page.wait_for_function("!document.getElementById('live-stop').disabled", timeout=30_000)
            page.click("#live-stop")
            page.wait_for_function("document.querySelector('#files') && document.querySelector('#files').textContent"
                                   ".includes('live/prove/prove.mkv')", timeout=90_000)
            assert get(f"{base}/api/live?token={token}")["status"] == "ended"
    finally:
        os.killpg(studio.pid, signal.SIGKILL)
        studio.wait()
    after = lines(record)
    said = [(x["start"], x["text"]) for x in after]
    assert len(said) == len(set(said)) and len(after) > len(before)  # no line twice, and more after the restart
    assert [x["end"] for x in after] == sorted(x["end"] for x in after)
    assert (folder / "live" / "prove" / "prove.mkv").stat().st_size > 100_000 and not list((folder / "live" / "prove").glob("*.live*.mkv"))
    assert json.loads((folder / ".studio" / "live.json").read_text(encoding="utf-8"))["status"] == "ended"
