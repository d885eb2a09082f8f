"""The studio's server as an attacker meets it: foreign Origin, wrong Host, no token off loopback, no CSRF
token, oversized and non-media uploads, path names in every parameter; and resumable uploads."""

from __future__ import annotations

import json
import shutil

import pytest
from starlette.testclient import TestClient

from accessmedia.web import project as project_state, studio

from ..conftest import ROOT

BASE = "http://127.0.0.1:8090"


def new_project(tmp_path):
    """A project folder with one sample recording in it."""
    folder = tmp_path / "prosjekt"
    folder.mkdir()
    shutil.copy(ROOT / "samples" / "avslutning.mp4", folder / "avslutning.mp4")
    return folder


@pytest.fixture()
def project(tmp_path):
    return new_project(tmp_path)


@pytest.fixture()
def client(project):
    c = TestClient(studio.create_app(project), base_url=BASE)
    c.csrf = c.get("/api/state").json()["csrf"]
    return c


def post(c, path, body=b"{}", kind="application/json", params=None, **headers):
    h = {"origin": BASE, "x-csrf-token": c.csrf, "content-type": kind, **headers}
    return c.post(path, content=body, headers=h, params=params)


EVENT = {"title": "Konferanse", "languages": ["en"], "recordings": [{"file": "avslutning.mp4", "title": "Slutt", "agenda": []}]}


def test_state_changes_need_the_studios_own_page(client, project):
    ok = post(client, "/api/event", json.dumps(EVENT).encode())
    assert ok.status_code == 200, ok.text
    assert 'file = "avslutning.mp4"' in (project / "event.toml").read_text(encoding="utf-8")
    body = json.dumps({**EVENT, "title": "Overtatt"}).encode()
    for headers, status in (({"origin": "http://evil.example"}, 403), ({"origin": "http://127.0.0.1:9999"}, 403),
                            ({"sec-fetch-site": "cross-site"}, 403), ({"x-csrf-token": "forged"}, 403),
                            ({"content-type": "text/plain"}, 415), ({"host": "evil.example"}, 421)):
        kind = headers.pop("content-type", "application/json")
        answer = post(client, "/api/event", body, kind, **headers)
        assert answer.status_code == status, (headers, answer.text)
    assert "Overtatt" not in (project / "event.toml").read_text(encoding="utf-8")
    assert client.get("/api/state", headers={"host": "rebinding.example:8090"}).status_code == 421
    assert client.get("/out/index.html", headers={"host": "rebinding.example"}).status_code == 421


def test_off_loopback_every_request_needs_the_token(project):
    c = TestClient(studio.create_app(project, token="s3cret", host="0.0.0.0"), base_url="http://192.0.2.10:8090")
    assert c.get("/").status_code == 403 and c.get("/api/state").status_code == 403
    assert c.get("/out/index.html").status_code == 403 and c.get("/review/avslutning/edit").status_code == 403
    assert c.get("/api/state?token=wrong").status_code == 403
    page = c.get("/?token=s3cret")
    assert page.status_code == 200 and "accessmedia studio" in page.text
    assert c.get("/api/state").status_code == 200  # the token came back as an HttpOnly cookie


def test_uploads_resume_are_limited_and_must_be_media(client, project):
    data = (ROOT / "samples" / "konferanse.mp4").read_bytes()
    size = len(data)
    half = size // 2
    first = post(client, f"/api/upload?name=opptak.mp4&offset=0&size={size}", data[:half], "application/octet-stream")
    assert first.status_code == 200 and first.json()["received"] == half
    assert client.get("/api/upload?name=opptak.mp4").json() == {"received": half, "done": False}  # where to go on after a break
    again = post(client, f"/api/upload?name=opptak.mp4&offset=0&size={size}", data[:half], "application/octet-stream")
    assert again.status_code == 409 and again.json()["received"] == half  # out of step: nothing appended twice
    last = post(client, f"/api/upload?name=opptak.mp4&offset={half}&size={size}&final=1", data[half:], "application/octet-stream")
    assert last.status_code == 200, last.text
    assert (project / "recordings" / "opptak.mp4").read_bytes() == data
    assert "recordings/opptak.mp4" in client.get("/api/state").json()["files"]
    # not media: refused after the last chunk, and nothing is left behind
    fake = b"this is not a video at all" * 100
    bad = post(client, f"/api/upload?name=falsk.mp4&offset=0&size={len(fake)}&final=1", fake, "application/octet-stream")
    assert bad.status_code == 400 and "upload a video or audio recording" in bad.json()["error"]
    assert not any(p.name.startswith((".falsk", "falsk")) for p in (project / "recordings").iterdir())
    assert post(client, "/api/upload?name=virus.exe&offset=0&size=4&final=1", b"MZ\0\0", "application/octet-stream").status_code == 400
    huge = post(client, f"/api/upload?name=stor.mp4&offset=0&size={project_state.MAX_UPLOAD + 1}", b"x", "application/octet-stream")
    assert huge.status_code == 413
    lying = post(client, "/api/upload?name=kort.mp4&offset=0&size=10", b"x" * 100, "application/octet-stream")
    assert lying.status_code == 413  # more bytes than the file was said to have


@pytest.mark.parametrize("name", ["../x.mp4", "..", "/etc/passwd", "a/b.mp4", ".skjult.mp4", "x\0.mp4", "%2e%2e/x.mp4", ""])
def test_path_names_are_refused_in_every_parameter(client, project, name):
    from urllib.parse import quote

    answer = post(client, "/api/upload", b"abcd", "application/octet-stream", params={"name": name, "offset": 0, "size": 4})
    assert answer.status_code == 400
    assert client.get("/api/upload", params={"name": name}).status_code == 400
    event = {**EVENT, "recordings": [{"file": name or "..", "title": "x", "agenda": []}]}
    assert post(client, "/api/event", json.dumps(event).encode()).status_code == 400
    for path in ("/api/history", "/api/kit", "/api/archive"):
        assert client.get(path, params={"name": name, "lang": "nb"}).status_code == 400, path
    assert post(client, "/api/restore", json.dumps({"name": name, "lang": "nb", "number": 1}).encode()).status_code == 400
    assert client.get(f"/review/{quote(name, safe='')}/edit", params={"name": name, "lang": "nb"}).status_code == 404
    assert not list(project.parent.glob("x.mp4")) and not (project / "recordings" / "x.mp4").exists()


def test_the_outputs_are_served_read_only_and_never_outside_the_output_folder(client, project):
    (project / "ut").mkdir()
    (project / "ut" / "index.html").write_text("<!doctype html><title>x</title>", encoding="utf-8")
    (project / "hemmelig.txt").write_text("no", encoding="utf-8")
    assert client.get("/out/index.html").status_code == 200
    assert client.get("/out/../hemmelig.txt").status_code == 404
    assert client.get("/out/%2e%2e/hemmelig.txt").status_code == 404
    assert post(client, "/out/index.html").status_code in (403, 405)


def test_a_kit_download_writes_nothing_and_never_overwrites_a_volunteers_kit(client, project):
    """<img src=".../api/kit?name=...&lang=en&format=csv"> on another site's page used to overwrite kits/NAME.en.csv
    (a volunteer's work in progress) with a blank template: a GET now changes no file."""
    assert post(client, "/api/event", json.dumps(EVENT).encode()).status_code == 200
    folder = project / "ut" / "avslutning"
    folder.mkdir(parents=True)
    (folder / "avslutning.nb.srt").write_text("1\n00:00:00,500 --> 00:00:02,000\nTakk for i dag.\n", encoding="utf-8")
    kits = folder / "kits"
    kits.mkdir()
    work = kits / "avslutning.en.csv"
    work.write_text("cue,start,end,nb,en\n1,00:00:00,500,00:00:02,000,Takk for i dag.,Thank you for today.\n", encoding="utf-8")
    before = sorted(p.relative_to(project).as_posix() for p in project.rglob("*"))
    for fmt in ("csv", "srt"):
        got = client.get("/api/kit", params={"name": "avslutning", "lang": "en", "format": fmt})
        assert got.status_code == 200 and f'filename="avslutning.en.{fmt}"' in got.headers["content-disposition"]
        assert "Takk for i dag." in got.content.decode("utf-8-sig")
    assert "Thank you for today." in work.read_text(encoding="utf-8")  # the volunteer's work is as it was
    assert sorted(p.relative_to(project).as_posix() for p in project.rglob("*")) == before  # no file made either


def test_the_outputs_serve_no_dotfiles(client, project):
    out = project / "ut"
    (out / ".cache").mkdir(parents=True)
    (out / ".cache" / "translations.sqlite3").write_bytes(b"cache")
    (out / ".accessmedia.lock").write_text("123", encoding="utf-8")
    (out / "index.html").write_text("<p>ok</p>", encoding="utf-8")
    assert client.get("/out/index.html").status_code == 200
    for path in ("/out/.accessmedia.lock", "/out/.cache/translations.sqlite3", "/out/%2Eaccessmedia.lock"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("title", ["Konferanse \ud800", "Konferanse\x7f2026", "Tab\tog\x01kontroll"])
def test_a_title_with_any_character_is_saved_or_refused_in_one_line(client, project, title):
    """A lone surrogate gave a 500 and a traceback, DEL a confusing TOML error: text is saved as typed (control
    characters escaped) or refused in one line, and never a 500."""
    answer = post(client, "/api/event", json.dumps({**EVENT, "title": title}).encode())
    if "\ud800" in title:
        assert answer.status_code == 400 and "not text" in answer.json()["error"]
        assert not (project / "event.toml").exists()
    else:
        assert answer.status_code == 200, answer.text
        assert client.get("/api/state").json()["manifest"]["title"] == title


def test_a_speech_model_must_be_one_the_page_offers(client, project):
    answer = post(client, "/api/event", json.dumps({**EVENT, "model": "../../../etc"}).encode())
    assert answer.status_code == 400 and "no speech model" in answer.json()["error"]
    assert not (project / "event.toml").exists()


@pytest.mark.parametrize("number", [True, 1.9, "1", None])
def test_restore_takes_a_whole_number(client, project, number):
    assert post(client, "/api/event", json.dumps(EVENT).encode()).status_code == 200
    folder = project / "ut" / "avslutning"
    folder.mkdir(parents=True)
    (folder / "avslutning.nb.srt").write_text("1\n00:00:00,500 --> 00:00:02,000\nTakk.\n", encoding="utf-8")
    answer = post(client, "/api/restore", json.dumps({"name": "avslutning", "lang": "nb", "number": number}).encode())
    assert answer.status_code == 400 and "whole number" in answer.json()["error"]


def test_a_programme_time_that_is_no_time_is_answered_with_its_place_on_the_page(client, project):
    """The page says it next to the field (studio.js markField): the server names the recording, the row and the key,
    and a code the page words in its own language; nothing is saved."""
    bad = {**EVENT, "recordings": [{"file": "avslutning.mp4", "title": "Slutt", "agenda": [
        {"start": "0:00", "title": "Velkommen", "row": 0}, {"start": "", "title": "", "row": 1}, {"start": "0.40", "title": "Neste", "row": 2}]}]}
    answer = post(client, "/api/event", json.dumps(bad).encode())
    assert answer.status_code == 400
    assert answer.json()["field"] == {"recording": 0, "row": 2, "key": "start"} and answer.json()["code"] == "bad_time"
    assert answer.json()["value"] == "0.40" and not (project / "event.toml").exists()
    bad["recordings"][0]["agenda"][2]["start"] = "0:00"
    answer = post(client, "/api/event", json.dumps(bad).encode())
    assert answer.json()["code"] == "time_order" and answer.json()["field"]["row"] == 2
