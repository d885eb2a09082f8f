"""YouTube Live's caption ingestion: the captions of one language POSTed to the stream's ingestion URL (YouTube
Studio > the stream's settings > closed captions > "POST captions to URL"), in the documented format:

    POST <ingestion URL>&seq=N          Content-Type: text/plain
    2026-12-06T10:15:02.250 region:reg1#cue1
    Velkommen til konferansen.<br>Vi begynner nå.

one timestamp line (UTC, milliseconds: when the caption's speech began, on the clock the stream is sent by) and its
text per caption, several captions in one request, `seq` increasing with every request (kept across restarts in
DIR/.NAME.youtube-seq), at most one request a second. A request that fails is sent again with its captions in order
(YouTube drops captions more than a minute old, so waiting longer is pointless); it never holds up anything else.
"""

from __future__ import annotations

import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

from accessmedia.core.errors import AccessMediaError

INTERVAL = 1.0  # seconds between requests at least
STALE = 60.0  # seconds after which YouTube no longer takes a caption
REGION = "region:reg1#cue1"


def stamp(wall: float) -> str:
    return datetime.fromtimestamp(wall, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def body(captions: list[tuple[float, str]]) -> str:
    """The text of one request: each caption's timestamp line, then its lines joined by <br>."""
    return "".join(f"{stamp(wall)} {REGION}\n{'<br>'.join(text.splitlines())}\n" for wall, text in captions)


def check_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise AccessMediaError(f"--youtube-captions {url!r} is not YouTube's caption ingestion URL",
                               "copy the http(s)://upload.youtube.com/closedcaption?cid=... address from YouTube Studio")
    return url


def with_seq(url: str, seq: int) -> str:
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k != "seq"] + [("seq", str(seq))]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


class YouTubeCaptions(threading.Thread):
    """Sends one language's captions as they come: `put(wall, text)`; `close()` sends what is left and stops."""

    def __init__(self, url: str, seq_file: Path, on_state=lambda state: None, timeout: float = 10.0):
        super().__init__(daemon=True, name="youtube-captions")
        self.url, self.seq_file, self.on_state, self.timeout = check_url(url), Path(seq_file), on_state, timeout
        self.inbox: queue.Queue = queue.Queue()
        try:
            self.seq = int(self.seq_file.read_text(encoding="utf-8").strip()) + 1
        except (OSError, ValueError):
            self.seq = 1

    def put(self, wall: float, text: str) -> None:
        self.inbox.put((wall, text))

    def close(self, wait: float = 15.0) -> None:
        self.inbox.put(None)
        self.join(wait)

    def run(self) -> None:
        waiting: list[tuple[float, str]] = []
        closing, last = False, 0.0
        while not closing or waiting:
            if not closing:
                closing = self._take(waiting)
            waiting = [c for c in waiting if time.time() - c[0] < STALE]
            if not waiting or time.time() - last < INTERVAL and not closing:
                continue
            last = time.time()
            if self._post(waiting):
                waiting = []
            elif closing:
                return  # the session is over and YouTube does not answer: what is left is in the record

    def _take(self, waiting: list[tuple[float, str]]) -> bool:
        """What has come, onto `waiting` (waiting up to INTERVAL for the first); True once close() was asked."""
        try:
            items = [self.inbox.get(timeout=INTERVAL)]
        except queue.Empty:
            return False
        while not self.inbox.empty():
            items.append(self.inbox.get_nowait())
        waiting.extend(item for item in items if item is not None)
        return None in items

    def _post(self, captions: list[tuple[float, str]]) -> bool:
        request = urllib.request.Request(with_seq(self.url, self.seq), data=body(captions).encode("utf-8"), method="POST",
                                         headers={"Content-Type": "text/plain; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            self.on_state(f"not sent: {getattr(exc, 'reason', exc)}")
            return False
        tmp = self.seq_file.with_name(self.seq_file.name + ".tmp")
        tmp.write_text(str(self.seq), encoding="utf-8")
        tmp.replace(self.seq_file)
        self.seq += 1
        self.on_state("sending")
        return True
