"""Uploads (issue 21, item 9) against the real studio over HTTP: one writer per file, a chunk only at the offset
the server has, a symbolic-link .part refused, free space checked, a held or stalled chunk neither kept nor
holding memory, abandoned .part files removed after a day."""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest

from accessmedia.web import studio, uploads

from ..conftest import SAMPLE
from .test_review_security import free_port


@pytest.fixture()
def server(tmp_path):
    """The studio on a free port in a thread of this process: (base address, project folder, csrf token)."""
    import uvicorn

    project = tmp_path / "prosjekt"
    project.mkdir()
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(studio.create_app(project), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    base = f"127.0.0.1:{port}"
    status, body, cookies = _request(base, "GET", "/api/state")
    assert status == 200
    yield base, project, json.loads(body)["csrf"], cookies
    srv.should_exit = True


def _head(base: str, path: str, length: int, csrf: str, cookies: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: {base}\r\nOrigin: http://{base}\r\nX-CSRF-Token: {csrf}\r\nCookie: {cookies}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n").encode()


def _answer(sock: socket.socket) -> tuple[int, dict]:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body or b"{}")


def _request(base: str, method: str, path: str, body: bytes = b"", csrf: str = "", cookies: str = "") -> tuple[int, bytes, str]:
    import http.client

    conn = http.client.HTTPConnection(base, timeout=30)
    headers = {"Origin": f"http://{base}", "X-CSRF-Token": csrf, "Cookie": cookies, "Content-Type": "application/octet-stream"}
    conn.request(method, path, body=body or None, headers=headers)
    r = conn.getresponse()
    jar = "; ".join(v.split(";")[0] for v in r.headers.get_all("set-cookie") or [])
    return r.status, r.read(), jar or cookies


def test_the_same_chunk_sent_twice_at_once_is_written_once(server):
    base, project, csrf, cookies = server
    data = SAMPLE.read_bytes()
    size = len(data)
    path = f"/api/upload?name=opptak.mp4&offset=0&size={size}&final=1"
    slow = socket.create_connection(tuple(base.split(":")))
    slow.sendall(_head(base, path, size, csrf, cookies) + data[: size // 2])  # the first sender, half way
    time.sleep(0.3)
    status, body, _ = _request(base, "POST", path, data, csrf, cookies)  # the same chunk again, at once
    assert status == 409 and "another upload of this file is under way" in json.loads(body)["error"]
    slow.sendall(data[size // 2:])
    status, answer = _answer(slow)
    assert status == 200 and answer["file"] == "recordings/opptak.mp4", answer
    assert (project / "recordings" / "opptak.mp4").read_bytes() == data  # the right bytes, once


def test_a_chunk_at_the_wrong_offset_is_409_with_what_arrived(server):
    base, project, csrf, cookies = server
    data = SAMPLE.read_bytes()
    status, body, _ = _request(base, "POST", f"/api/upload?name=a.mp4&offset=0&size={len(data)}", data[:1000], csrf, cookies)
    assert status == 200 and json.loads(body) == {"received": 1000}
    for offset in (0, 999, 1001):
        status, body, _ = _request(base, "POST", f"/api/upload?name=a.mp4&offset={offset}&size={len(data)}", data[offset:offset + 10], csrf, cookies)
        assert status == 409 and json.loads(body)["received"] == 1000, (offset, body)
    assert (project / "recordings" / ".a.mp4.part").read_bytes() == data[:1000]


def test_a_part_file_that_is_a_link_is_never_followed(server, tmp_path):
    base, project, csrf, cookies = server
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"precious")
    (project / "recordings" / ".b.mp4.part").symlink_to(outside)
    status, body, _ = _request(base, "POST", "/api/upload?name=b.mp4&offset=0&size=20", b"x" * 20, csrf, cookies)
    assert status == 400 and "a link or not a file" in json.loads(body)["error"]
    assert str(tmp_path) not in json.loads(body)["error"]
    assert outside.read_bytes() == b"precious"


def test_an_upload_the_disk_cannot_hold_is_refused_before_a_byte_is_written(server, monkeypatch):
    base, project, csrf, cookies = server
    free = uploads.shutil.disk_usage(project).free
    monkeypatch.setattr(uploads, "SPARE", free)  # as if the disk were full
    status, body, _ = _request(base, "POST", "/api/upload?name=c.mp4&offset=0&size=5000", b"x" * 100, csrf, cookies)
    assert status == 400 and "not enough disk space" in json.loads(body)["error"], body
    assert uploads.received(project / "recordings" / ".c.mp4.part") == 0


def test_a_held_chunk_is_written_as_it_comes_and_taken_back_when_it_stalls(server, monkeypatch):
    base, project, csrf, cookies = server
    monkeypatch.setattr(uploads, "STALL", 1.0)
    part = project / "recordings" / ".d.mp4.part"
    held = socket.create_connection(tuple(base.split(":")))
    held.sendall(_head(base, "/api/upload?name=d.mp4&offset=0&size=3000000", 3_000_000, csrf, cookies) + b"y" * 2_000_000)
    for _ in range(50):  # on the disk as it arrives, not in the server's memory
        if uploads.received(part) >= 1_500_000:
            break
        time.sleep(0.05)
    assert uploads.received(part) >= 1_500_000
    status, answer = _answer(held)  # then nothing more comes: given up after STALL seconds
    assert status == 400 and "stalled" in answer["error"], answer
    assert uploads.received(part) == 0  # a chunk is kept whole or not at all
    status, body, _ = _request(base, "POST", "/api/upload?name=d.mp4&offset=0&size=3000000", b"z" * 10, csrf, cookies)
    assert status == 200 and json.loads(body) == {"received": 10}  # the lock went with the request


def test_abandoned_uploads_are_removed_after_a_day(tmp_path):
    project = tmp_path / "p"
    (project / "recordings").mkdir(parents=True)
    old, fresh = project / "recordings" / ".old.mp4.part", project / "recordings" / ".new.mp4.part"
    old.write_bytes(b"x" * 10)
    fresh.write_bytes(b"x" * 10)
    two_days = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days, two_days))
    studio.create_app(project)
    assert not old.exists() and fresh.exists()


def test_messages_to_a_browser_name_files_not_where_they_are_on_the_server():
    from accessmedia.web.guard import without_paths

    assert without_paths("/srv/konf/2026/ut/tale has no tale.nb.srt (see `accessmedia history /srv/konf/2026/ut --lang nb`)") == \
        "tale has no tale.nb.srt (see `accessmedia history ut --lang nb`)"
    assert without_paths("'/tmp/x/y.mp4': no audio; see https://example.org/a/b and 3/4") == "'y.mp4': no audio; see https://example.org/a/b and 3/4"
