"""RTTM, the standard interchange format of speaker turns (NIST Rich Transcription):
`SPEAKER <file> 1 <start> <duration> <NA> <NA> <speaker> <NA> <NA>` per line."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from accessmedia.core.errors import AccessMediaError


def dumps(file_id: str, turns: Iterable[tuple[float, float, str]]) -> str:
    file_id = "_".join(file_id.split()) or "recording"
    lines = []
    for start, end, speaker in turns:
        name = "_".join(str(speaker).split()) or "unknown"
        lines.append(f"SPEAKER {file_id} 1 {start:.3f} {end - start:.3f} <NA> <NA> {name} <NA> <NA>\n")
    return "".join(lines)


def loads(text: str, source: str = "RTTM") -> dict[str, list[tuple[float, float, str]]]:
    """Turns by file id."""
    files: dict[str, list[tuple[float, float, str]]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        if fields[0] != "SPEAKER":
            continue
        try:
            start, duration = float(fields[3]), float(fields[4])
            speaker = fields[7]
        except (IndexError, ValueError):
            raise AccessMediaError(f"{source} line {number} is not an RTTM SPEAKER line", "fix or remove the line") from None
        files.setdefault(fields[1], []).append((start, start + duration, speaker))
    return files


def read(path: str | Path) -> dict[str, list[tuple[float, float, str]]]:
    return loads(Path(path).read_text(encoding="utf-8"), str(path))
