"""The studio's runs without a browser: a run that fails is said in plain words, a run cut off is started again
when the studio starts, progress comes as server-sent events, and the form becomes the manifest `process` reads."""

from __future__ import annotations

import json
import time

import pytest
from starlette.testclient import TestClient

from accessmedia.runs import event
from accessmedia.web import project as project_state, studio

from ..web.test_studio_security import BASE, new_project


@pytest.fixture()
def project(tmp_path):
    folder = new_project(tmp_path)
    text = event.manifest_text("Konferanse «2026»", ["en", "so"], [
        {"file": "avslutning.mp4", "title": "Slutt \"og\" takk", "agenda": [
            {"start": "0:00", "title": "Takk", "speakers": ["Kari Nordmann"]}, {"start": "0:05", "title": "Vel hjem", "speakers": []}]}])
    event.save_manifest(folder / "event.toml", text)
    return folder


def wait_settled(runs, seconds: float = 60) -> dict:
    deadline = time.time() + seconds
    while time.time() < deadline:
        state = runs.settle()
        if state.get("status") != "running":
            return state
        time.sleep(0.2)
    raise AssertionError("the run did not end")


def test_the_form_becomes_the_manifest_process_reads(project):
    ev = event.load(project / "event.toml")
    assert ev.title == "Konferanse «2026»" and ev.languages == ("en", "so") and ev.output == project / "ut"
    assert ev.sessions[0].title == 'Slutt "og" takk' and [a.title for a in ev.sessions[0].agenda] == ["Takk", "Vel hjem"]
    assert ev.sessions[0].agenda[0].speakers == ("Kari Nordmann",) and ev.sessions[0].agenda[1].start == 5.0
    bad = event.manifest_text("X", ["en"], [{"file": "avslutning.mp4", "agenda": [{"start": "0:05", "title": "Sent"}]}])
    with pytest.raises(Exception) as refused:
        event.save_manifest(project / "event.toml", bad)
    assert "event.toml" in str(refused.value) and "the first item must start at 0:00" in str(refused.value)
    assert event.load(project / "event.toml").title == "Konferanse «2026»"  # the bad one changed nothing


def test_a_failed_run_is_said_in_plain_words(project):
    (project / "ut").write_text("a file where the output folder should be", encoding="utf-8")
    runs = project_state.Runs(project)
    runs.start()
    state = wait_settled(runs)
    assert state["status"] == "failed" and "ut" in state["error"], state
    progress = project_state.progress(project, runs)
    assert progress["status"] == "failed" and progress["error"] == state["error"]


def test_a_run_cut_off_starts_again_when_the_studio_starts(project):
    (project / "ut").write_text("not a folder", encoding="utf-8")  # so that the resumed run ends at once
    (project / ".studio").mkdir()
    (project / ".studio" / "run.json").write_text(json.dumps({"pid": 2 ** 22 + 17, "status": "running", "started": 1.0}), encoding="utf-8")
    app = studio.create_app(project)
    state = json.loads((project / ".studio" / "run.json").read_text(encoding="utf-8"))
    assert state["resumed"] is True and state["pid"] != 2 ** 22 + 17
    assert wait_settled(app.runs)["status"] == "failed"  # it did run again (and met the file in the way)
    again = studio.create_app(project)  # a run that ended is not started again
    assert again.runs.state()["pid"] == state["pid"]


def test_progress_comes_as_server_sent_events(project):
    client = TestClient(studio.create_app(project), base_url=BASE)
    with client.stream("GET", "/api/progress") as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        line = next(x for x in answer.iter_lines() if x.startswith("data: "))
    data = json.loads(line[len("data: "):])
    assert data["status"] == "idle" and data["recordings"] == [{"name": "avslutning", "title": 'Slutt "og" takk', "done": 0, "stages": 5, "stage": None}]
    shown = client.get("/api/state").json()
    assert shown["manifest"]["recordings"][0]["agenda"][1] == {"start": "0:05", "title": "Vel hjem", "speakers": []}
    so = next(x for x in shown["languages"] if x["code"] == "so")
    assert so["name"] == "Soomaali" and so["volunteers"] is True
