"""NAME.live.jsonl: what a live session showed, line by line, appended and flushed as it happens. The first line
says when the first audio was read ({"event": "start", "wall": unix time}); then one line per caption or
translation ({"start", "end", "lang", "text", "speaker", "final", "wall"}, times in seconds of stream audio from the
start line). A session started again with the same command goes on from the record: its stream times go on from
the wall clock, and nothing written before is written again.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path


class LiveRecord:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.start_wall: float | None = None
        self.last_end: dict[str, float] = {}  # language -> the end of its last line
        self.lines = 0
        if self.path.exists():
            for raw in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    line = json.loads(raw)
                except json.JSONDecodeError:
                    continue  # a line cut by a kill: the rest of the record stands
                if line.get("event") == "start" and self.start_wall is None:
                    self.start_wall = float(line["wall"])
                elif "lang" in line and line.get("final", True):
                    self.last_end[line["lang"]] = max(self.last_end.get(line["lang"], 0.0), float(line["end"]))
                    self.lines += 1
        self._fh = None
        self._lock = threading.Lock()  # each language's thread writes its own lines

    @property
    def resumed(self) -> bool:
        return self.start_wall is not None

    def start(self, wall: float | None = None) -> float:
        """The session's start: the record's own when resumed, else now (written as the first line). Returns the
        stream time the new audio starts at (0, or the seconds since the first start)."""
        wall = time.time() if wall is None else wall
        with self._lock:
            if self.start_wall is None:
                self.start_wall = wall
                self._write({"event": "start", "wall": wall})
                return 0.0
            self._write({"event": "resume", "wall": wall, "at": round(wall - self.start_wall, 3)})
            return wall - self.start_wall

    def caption(self, start: float, end: float, lang: str, text: str, speaker: str | None = None, final: bool = True) -> dict | None:
        """Write a line (unless a session before a restart already wrote one that far); the line written, or None."""
        with self._lock:
            if final and end <= self.last_end.get(lang, -1.0):
                return None
            line = {"start": round(start, 3), "end": round(end, 3), "lang": lang, "text": text, "speaker": speaker, "final": final,
                    "wall": round(time.time(), 3)}
            self._write(line)
            if final:
                self.last_end[lang] = end
                self.lines += 1
            return line

    def note(self, event: str, **fields) -> None:
        with self._lock:
            self._write({"event": event, "wall": round(time.time(), 3), **fields})

    def _write(self, line: dict) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = open(self.path, "a", encoding="utf-8")
        self._fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
