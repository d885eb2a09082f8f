"""The studio's Live step without a model (the session itself is tested in tests/browser/test_studio_live.py): what
may be a live input (an address, a device, a recording of the project; never another file of the machine or another
ffmpeg protocol), what of a live session's folder is offered as a recording, and the answers before any session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accessmedia.web.guard import Guard
from accessmedia.web.project import Runs, project_media
from accessmedia.web.views.common import Studio
from accessmedia.web.views.studio_live import checked_source

from .test_studio_security import client, post, project  # noqa: F401 (fixtures)


@pytest.mark.parametrize("source, message", [
    ("", "say where the stream comes from"),
    ("file:///etc/passwd", "file:// is not a live input"),
    ("concat:/etc/passwd|/etc/hosts", "is not a recording in this project"),
    ("subfile,,start,0,end,0,,:/etc/passwd", "is not a recording in this project"),
    ("/etc/passwd", "is not a recording in this project"),
    ("../avslutning.mp4", "is not a recording in this project"),
    ("gopher://example.org/", "gopher:// is not a live input"),
    ("event.toml", "is not a recording in this project"),
])
def test_only_a_stream_a_device_or_a_recording_of_the_project_can_be_opened(client, project, source, message):  # noqa: F811
    answer = post(client, "/api/live/start", json.dumps({"source": source, "languages": ["en"]}).encode())
    assert answer.status_code == 400 and message in answer.json()["error"] and str(project) not in answer.json()["error"]
    assert client.get("/api/live").json()["status"] == "idle" and not (project / "live").exists()  # nothing was started


def test_a_stream_a_device_and_a_rehearsal_are_what_the_live_step_opens(project):  # noqa: F811
    s = Studio(project, Guard(), Runs(project), None, "127.0.0.1")
    assert checked_source(s, " srt://0.0.0.0:9000?mode=listener ") == ("srt://0.0.0.0:9000?mode=listener", False)
    assert checked_source(s, "pulse:default") == ("pulse:default", False)
    assert checked_source(s, "avslutning.mp4") == ("avslutning.mp4", True)  # read at its own speed


def test_before_any_session_the_live_pages_say_how_to_start_and_stop_is_refused(client):  # noqa: F811
    answer = client.get("/live/")
    assert answer.status_code == 404 and "Live step" in answer.json()["error"]
    state = client.get("/api/live").json()
    assert state["status"] == "idle" and state["local_only"] is True and state["query"] == ""
    stopped = post(client, "/api/live/stop")
    assert stopped.status_code == 400 and "not running" in stopped.json()["error"]
    assert post(client, "/api/live/start", json.dumps({"source": "srt://x:1", "languages": ["xx"]}).encode()).json()["error"].startswith(
        "unknown language code 'xx'")


def test_of_a_live_session_only_its_finished_recording_is_offered(tmp_path):
    for name in ("recordings/tale.mp4", "live/dag1/dag1.mkv", "live/dag1/dag1.live.mkv", "live/dag1/dag1.live-2.mkv",
                 "live/dag1/live/video_00001.ts", "ut/tale/dist/tale.mp4", ".studio/x.mp4", "live/dag2/dag2.live.mkv", "notes.txt"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    assert project_media(Path(tmp_path)) == ["live/dag1/dag1.mkv", "recordings/tale.mp4"]
