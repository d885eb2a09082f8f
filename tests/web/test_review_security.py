"""The review app's security, against the real server (uvicorn on 127.0.0.1) with real HTTP requests:
who may reach it, what a state-changing request must show, and bodies read only up to the limit."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from accessmedia.editing import revisions
from accessmedia.subtitles import formats as subtitles

from ..conftest import run_cli
from ..editing.test_corrections import SPEECH


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_review(project: Path, token: str | None, host: str = "127.0.0.1"):
    """The review app in a thread of this process on a free port; returns (server, base address)."""
    import uvicorn

    from accessmedia.web.review import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(project, token, host), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


@contextmanager
def running(project: Path, token: str | None = None):
    server, base = serve_review(project, token)
    try:
        yield Client(base, token)
    finally:
        server.should_exit = True


class Client:
    """Plain HTTP requests with exactly the headers given (no browser adds any)."""

    def __init__(self, base: str, token: str | None):
        self.base, self.token = base, token
        self.host = base.split("//", 1)[1]
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, dict]:
        conn = http.client.HTTPConnection(*self.host.split(":"), timeout=30)
        h = {"Host": self.host}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        for value in r.headers.get_all("set-cookie") or []:
            k, _, rest = value.partition("=")
            self.cookies[k] = rest.split(";")[0]
        data = r.read()
        conn.close()
        try:
            return r.status, json.loads(data)
        except ValueError:
            return r.status, {"text": data.decode("utf-8", "replace")}

    def q(self, path: str) -> str:
        return path + (("&" if "?" in path else "?") + f"token={self.token}" if self.token else "")

    def csrf(self, name: str = "tale", lang: str = "nb") -> str:
        status, data = self.request("GET", self.q(f"/api/cues?name={name}&lang={lang}"))
        assert status == 200, data
        return data["csrf"]

    def save(self, body: bytes, name: str = "tale", lang: str = "nb", **headers) -> tuple[int, dict]:
        """A save as the review page sends it, unless headers say otherwise (None drops one)."""
        given = {k.replace("_", "-"): v for k, v in headers.items()}
        h = {"Origin": self.base, "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}
        if "X-CSRF-Token" not in given:
            h["X-CSRF-Token"] = self.csrf(name, lang)
        h.update(given)
        return self.request("POST", self.q(f"/api/save?name={name}&lang={lang}"), body, {k: v for k, v in h.items() if v is not None})


def edit(text: str = "fersk rapport", base: int | None = None) -> bytes:
    cues = [[c.start, c.end, c.text] for c in subtitles.parse(SPEECH.replace("ny rapport", text)).cues]
    return json.dumps({"cues": cues, "contributor": "Amina", "base": base}).encode("utf-8")


def translated_project(tmp_path: Path) -> Path:
    """A project with Norwegian subtitles and their English translation (toy models: the `home` fixture)."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "tale.nb.srt").write_text(SPEECH, encoding="utf-8")
    assert run_cli("translate", str(out / "tale.nb.srt"), "--to", "en", "-o", str(out), "-q").exit_code == 0
    return out


@pytest.fixture()
def project(home, tmp_path) -> Path:
    return translated_project(tmp_path)


def nothing_saved(project: Path) -> bool:
    return revisions.history(project, "tale", "nb") == [] and "ny rapport" in (project / "tale.nb.srt").read_text(encoding="utf-8")


def test_a_save_from_the_page_itself_works(project):
    with running(project) as c:
        status, data = c.save(edit())
    assert status == 200 and data["revision"] == "r0001", data
    assert "fersk rapport" in (project / "tale.nb.srt").read_text(encoding="utf-8")
    assert "FERSK RAPPORT" in (project / "tale.en.srt").read_text(encoding="utf-8")
    with running(project) as c:  # saved again without a change: said so, and no second revision
        status, data = c.save(edit(base=1))
    assert status == 200 and data["unchanged"] is True and data["revision"] == "r0001", data
    assert [r.number for r in revisions.history(project, "tale", "nb")] == [0, 1]


def test_cross_site_writes_are_refused(project):
    with running(project) as c:
        assert c.save(edit(), Origin="http://evil.example")[0] == 403  # another site
        assert c.save(edit(), Origin=c.base.replace(c.host.split(":")[1], str(free_port())))[0] == 403  # another port
        assert c.save(edit(), Origin=None, Sec_Fetch_Site=None, Content_Type="text/plain")[0] == 403  # a form post: no Origin
        assert c.save(edit(), Sec_Fetch_Site="cross-site")[0] == 403
        assert c.save(edit(), Content_Type="text/plain")[0] == 415  # what a form or a no-cors fetch can send
        assert c.save(edit(), X_CSRF_Token=None)[0] == 403
        assert c.save(edit(), X_CSRF_Token="0" * 64)[0] == 403
        c.cookies.clear()  # a request without the page's session: its token is not valid
        status, data = c.request("POST", "/api/save?name=tale&lang=nb", edit(),
                                 {"Origin": c.base, "Content-Type": "application/json", "X-CSRF-Token": "x"})
        assert status == 403
    assert nothing_saved(project)


def test_the_host_header_must_name_this_server(project):
    with running(project) as c:
        assert c.request("GET", "/api/cues?name=tale&lang=nb", headers={"Host": "attacker.example"})[0] == 421
        assert c.request("GET", "/", headers={"Host": f"attacker.example:{c.host.split(':')[1]}"})[0] == 421
        assert c.request("GET", "/", headers={"Host": f"localhost:{c.host.split(':')[1]}"})[0] == 200
        assert c.request("GET", "/")[0] == 200


def test_shared_app_needs_the_token_and_checks_names(project):
    with running(project, "s3cret-token") as c:
        assert c.request("GET", "/api/cues?name=tale&lang=nb")[0] == 403
        assert c.request("GET", "/api/cues?name=tale&lang=nb&token=wrong")[0] == 403
        assert c.request("GET", "/api/cues?name=tale&lang=nb&token=%C3%A6%F0%9F%98%80")[0] == 403  # not a 500
        assert c.request("GET", "/api/cues?name=../../etc/passwd&lang=nb&token=s3cret-token")[0] == 400
        assert c.request("GET", "/api/cues?name=tale&lang=../x&token=s3cret-token")[0] == 400
        assert c.save(b"{}", name="..%2Ftale", X_CSRF_Token=c.csrf())[0] == 400
        assert c.save(b'{"cues": "nonsense"}')[0] == 400
        # the cookie set on the first visit carries the token, as a browser would
        assert c.request("GET", "/api/cues?name=tale&lang=nb")[0] == 200
    assert nothing_saved(project)


@pytest.mark.parametrize("body, why", [
    (b'{"base": null, "cues": [[NaN, 2.0, "x"]]}', "not a number"),
    (b'{"base": null, "cues": [[1.0, Infinity, "x"]]}', "infinite"),
    (b'{"base": null, "cues": [[1.0, 1e12, "x"]]}', "beyond any recording"),
    (b'{"base": null, "cues": [[1.0, 2.0, ["x"]]]}', "text not a string"),
    (b"[" * 100_000 + b"]" * 100_000, "nested deeper than the parser goes"),
    (b'{"base": null, "cues": [], "contributor": "x"}', "empty"),
    (b"\xff\xfe not json", "not UTF-8"),
])
def test_malformed_saves_get_a_clear_4xx(project, body, why):
    with running(project) as c:
        status, data = c.save(body)
    assert status == 400, (why, data)
    assert "/tmp" not in data.get("error", "") and "tmp" not in data.get("error", "").split("/")[0]
    assert nothing_saved(project)


def test_an_empty_save_says_why_without_paths(project):
    with running(project) as c:
        status, data = c.save(b'{"base": null, "cues": []}')
    assert status == 400 and data["error"].startswith("nothing to save") and "/" not in data["error"], data


def test_bodies_are_read_only_up_to_the_limit(project):
    import psutil

    me = psutil.Process()
    with running(project) as c:
        c.csrf()
        headers = {"Origin": c.base, "Content-Type": "application/json", "X-CSRF-Token": c.csrf()}
        # a declared length over the limit: refused before reading
        status, _ = c.request("POST", "/api/save?name=tale&lang=nb", b"x" * (3 * 1024 * 1024), headers)
        assert status == 413
        # 50 MB sent slowly without a declared length: the server stops at the limit
        before = me.memory_info().rss
        conn = http.client.HTTPConnection(*c.host.split(":"), timeout=30)
        conn.putrequest("POST", "/api/save?name=tale&lang=nb", skip_host=True)
        for k, v in {"Host": c.host, "Transfer-Encoding": "chunked", "Cookie": "; ".join(f"{k}={v}" for k, v in c.cookies.items()),
                     **headers}.items():
            conn.putheader(k, v)
        conn.endheaders()
        chunk = b"x" * (1024 * 1024)
        sent = 0
        try:
            for _ in range(50):
                conn.send(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += 1
                time.sleep(0.02)
            conn.send(b"0\r\n\r\n")
        except OSError:  # the server answered and closed: what it should do
            pass
        status = conn.getresponse().status
        conn.close()
        grown = me.memory_info().rss - before
    assert status == 413
    assert grown < 30 * 1024 * 1024, f"server grew by {grown / 2**20:.0f} MB"
    assert nothing_saved(project)


def test_names_with_ampersand_and_plus_are_url_encoded(home, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a&b+c.nb.srt").write_text(SPEECH, encoding="utf-8")
    with running(out) as c:
        status, data = c.request("GET", "/")
        assert 'href="edit?name=a%26b%2Bc&amp;lang=nb"' in data["text"]
        status, data = c.request("GET", "/api/cues?name=a%26b%2Bc&lang=nb")
        assert status == 200 and data["name"] == "a&b+c"
        status, data = c.save(edit(), name="a%26b%2Bc")
        assert status == 200, data
    assert "fersk rapport" in (out / "a&b+c.nb.srt").read_text(encoding="utf-8")


def _review(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "accessmedia.cli", "review", str(project), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_any_address_beyond_loopback_needs_the_token(project):
    port = free_port()
    proc = _review(project, "--host", "0.0.0.0", "--port", str(port))
    try:
        line = proc.stdout.readline()
        assert "this machine only" not in line and "token=" in line, line
        token = line.strip().rsplit("token=", 1)[1]
        c = Client(f"http://127.0.0.1:{port}", None)
        for _ in range(100):
            try:
                status = c.request("GET", "/api/cues?name=tale&lang=nb")[0]
                break
            except OSError:
                time.sleep(0.1)
        assert status == 403
        assert c.request("GET", f"/api/cues?name=tale&lang=nb&token={token}")[0] == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_port_in_use_is_one_line(project):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        proc = _review(project, "--port", str(busy.getsockname()[1]))
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and out == ""
    assert err.strip().startswith("error: cannot listen on 127.0.0.1:") and "--port" in err and len(err.strip().splitlines()) == 1, err


def test_loopback_is_told_from_other_addresses():
    from accessmedia.web.guard import Guard, is_loopback

    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.10", "::", "example.org"))
    local, lan = Guard("127.0.0.1"), Guard("0.0.0.0", "t")
    assert local.host_ok("127.0.0.1:8080") and local.host_ok("localhost") and local.host_ok("[::1]:8080")
    assert not local.host_ok("192.168.1.10:8080") and not local.host_ok("rebind.example:8080")
    assert lan.host_ok("192.168.1.10:8080") and not lan.host_ok("rebind.example:8080")
