"""A local HTTP server that answers as the Hugging Face hub does, for the parts huggingface_hub's snapshot_download
uses: the tree of a repository at a commit (`/api/models/OWNER/REPO/tree/REV`), and each file's metadata and bytes
(`HEAD` and `GET /OWNER/REPO/resolve/REV/FILE`: X-Repo-Commit, ETag (an LFS file's SHA256), Content-Length,
ranges for resuming). huggingface_hub is pointed at it with HF_ENDPOINT, so the real download path runs.

`cut` makes the first GET of a file stop after that many bytes (the connection closed mid-file), as a dropped
connection does; `requests` records what was asked, to see what was downloaded and resumed.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


class FakeHub:
    def __init__(self):
        self.repos: dict[str, tuple[str, dict[str, bytes]]] = {}  # repo -> (commit, files)
        self.cut: dict[str, int] = {}  # file name -> bytes sent before the first GET of it is cut off
        self.requests: list[tuple[str, str, str | None]] = []  # (method, path, Range header)
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args):
                pass

            def do_HEAD(self):
                hub._answer(self, head=True)

            def do_GET(self):
                hub._answer(self, head=False)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def publish(self, repo: str, commit: str, folder: Path) -> None:
        self.repos[repo] = (commit, {f.name: f.read_bytes() for f in sorted(folder.iterdir()) if f.is_file()})

    def __enter__(self) -> "FakeHub":
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _answer(self, handler: BaseHTTPRequestHandler, head: bool) -> None:
        path = unquote(urlsplit(handler.path).path)
        self.requests.append((handler.command, path, handler.headers.get("Range")))
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "models"] and len(parts) >= 6 and parts[4] == "tree":
            return self._tree(handler, "/".join(parts[2:4]), parts[5])
        if len(parts) >= 5 and parts[2] == "resolve":
            return self._file(handler, "/".join(parts[:2]), parts[3], "/".join(parts[4:]), head)
        self._send(handler, 404, b'{"error": "not found"}', {"Content-Type": "application/json", "X-Error-Code": "EntryNotFound"})

    def _tree(self, handler, repo: str, revision: str) -> None:
        if repo not in self.repos or self.repos[repo][0] != revision:
            return self._send(handler, 404, b'{"error": "Revision Not Found"}', {"X-Error-Code": "RevisionNotFound"})
        entries = []
        for name, data in self.repos[repo][1].items():
            entry = {"type": "file", "oid": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(), "size": len(data), "path": name}
            if _lfs(name):
                entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
            entries.append(entry)
        self._send(handler, 200, json.dumps(entries).encode(), {"Content-Type": "application/json"})

    def _file(self, handler, repo: str, revision: str, name: str, head: bool) -> None:
        commit, files = self.repos.get(repo, ("", {}))
        if revision != commit or name not in files:
            return self._send(handler, 404, b"", {"X-Error-Code": "EntryNotFound"})
        data = files[name]
        etag = hashlib.sha256(data).hexdigest() if _lfs(name) else hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        headers = {"X-Repo-Commit": commit, "ETag": f'"{etag}"', "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream"}
        start = 0
        wanted = handler.headers.get("Range")
        if wanted and wanted.startswith("bytes=") and not head:
            start = int(wanted[6:].split("-")[0] or 0)
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        body = data[start:]
        if head:
            headers["Content-Length"] = str(len(data))
            handler.send_response(200)
            for k, v in headers.items():
                handler.send_header(k, v)
            handler.end_headers()
            return
        cut = self.cut.pop(name, None)
        handler.send_response(206 if start else 200)
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if cut is not None:  # the connection drops mid-file
            handler.wfile.write(body[:cut])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.shutdown(2)
            return
        handler.wfile.write(body)

    @staticmethod
    def _send(handler, status: int, body: bytes, headers: dict) -> None:
        handler.send_response(status)
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)


def _lfs(name: str) -> bool:
    return name.endswith((".bin", ".safetensors", ".spm", ".model"))


def write_catalogue(path: Path, folder: Path, repo: str, commit: str, chrf: float = 0.5) -> Path:
    """A catalogue of one entry, a tiny OPUS-MT checkpoint published as `repo` at `commit`, its files listed as a
    hub page lists them (size, SHA256): what models install checks a download against."""
    from accessmedia.models.hubfiles import sha256_of

    files = "\n".join(f'  {{ path = "{f.name}", size_mb = {f.stat().st_size / 1e6}, sha256 = "{sha256_of(f)}" }},'
                      for f in sorted(folder.iterdir()))
    path.write_text(f'''[[model]]
name = "opus-mt-tiny"
kind = "translate"
family = "marian"
description = "a tiny random OPUS-MT checkpoint"
licence = "CC-BY-4.0"
source = "hf:{repo}"
format = "checkpoint"
revision = "{commit}"
checked = "the test's own listing"
files = [
{files}
]
size_mb = 1
directions = ["nb-en"]
chrf = {{ "nb-en" = {chrf} }}
''', encoding="utf-8")
    return path
