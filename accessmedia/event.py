"""A whole conference from one manifest: recordings, languages, programme, glossary.

The manifest (TOML) is checked before any work starts; an error names the
line and field. Programme items become chapters (upload bundle) and their
titles and speakers become glossary terms (hotwords for speech recognition,
protected from translation). The event gets an index page linking every
session's replay page.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import languages, media
from .errors import AccessMediaError
from .fsutil import write_atomic
from .glossary import load_glossary

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib


@dataclass(frozen=True)
class AgendaItem:
    start: float
    title: str
    speakers: tuple[str, ...]


@dataclass(frozen=True)
class Session:
    file: Path
    title: str
    agenda: tuple[AgendaItem, ...]
    duration: float  # seconds, probed once when the manifest is checked


@dataclass(frozen=True)
class Event:
    path: Path
    title: str
    languages: tuple[str, ...]
    glossary: tuple[str, ...]
    style: Path | None
    output: Path
    sessions: tuple[Session, ...]


def _line(text: str, table: str | None, index: int, key: str) -> int:
    """Line number of `key` in the index-th [[table]] (or the top-level/[event] table)."""
    lines = text.splitlines()
    start = 0
    if table:
        seen = -1
        for n, line in enumerate(lines):
            if line.strip() == f"[[{table}]]":
                seen += 1
                if seen == index:
                    start = n
                    break
    for n in range(start, len(lines)):
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[n]):
            return n + 1
    return start + 1


def _clock(value: str) -> float:
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", value.strip())
    if not m or int(m.group(3)) >= 60 or (m.group(1) and int(m.group(2)) >= 60):
        raise ValueError(value)
    return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3))


def load(path: str | Path) -> Event:
    """Read and check an event manifest; every problem is an error naming its line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AccessMediaError(f"{path}: no such file", "check the manifest path") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessMediaError(f"{path.name}: not valid TOML: {exc}", "fix the line it names") from None
    base = path.parent

    def fail(line: int, field: str, message: str, hint: str | None = None) -> AccessMediaError:
        return AccessMediaError(f"{path.name}:{line}: {field}: {message}", hint)

    event = data.get("event", {})
    title = str(event.get("title", path.stem))
    codes = []
    for code in event.get("languages", []):
        try:
            codes.append(languages.normalize(str(code)))
        except AccessMediaError as exc:
            raise fail(_line(text, None, 0, "languages"), "event.languages", exc.message, exc.hint) from None
    glossary: list[str] = []
    if event.get("glossary"):
        g = base / event["glossary"]
        if not g.is_file():
            raise fail(_line(text, None, 0, "glossary"), "event.glossary", f"{g} does not exist")
        glossary.extend(load_glossary(g))
    style = base / event["style"] if event.get("style") else None
    if style is not None and not style.is_file():
        raise fail(_line(text, None, 0, "style"), "event.style", f"{style} does not exist")
    output = base / event.get("output", "out")
    recordings = data.get("recording", [])
    if not recordings:
        raise AccessMediaError(f"{path.name}: no [[recording]] tables", "list at least one recording with its file")
    sessions = []
    stems = set()
    for i, rec in enumerate(recordings):
        if "file" not in rec:
            raise fail(_line(text, "recording", i, "title"), f"recording {i + 1}", "has no file")
        file = base / rec["file"]
        if not file.is_file():
            raise fail(_line(text, "recording", i, "file"), "recording.file", f"{file} does not exist")
        if file.stem in stems:
            raise fail(_line(text, "recording", i, "file"), "recording.file", f"a second recording named {file.stem}", "rename one")
        stems.add(file.stem)
        duration = media.probe(file).duration
        items = []
        for j, item in enumerate(rec.get("agenda", [])):
            line = _line(text, "recording.agenda", sum(len(r.get("agenda", [])) for r in recordings[:i]) + j, "start")
            try:
                start = _clock(str(item["start"]))
            except (KeyError, ValueError):
                raise fail(line, "agenda.start", f"{item.get('start')!r} is not a time like 12:30 or 1:05:00") from None
            if items and start <= items[-1].start:
                raise fail(line, "agenda.start", f"{item['start']} overlaps or comes before the item above it", "list items in time order")
            if duration and start >= duration:
                raise fail(line, "agenda.start", f"{item['start']} is after the recording ends ({duration / 60:.1f} min)")
            items.append(AgendaItem(float(start), str(item.get("title", "")), tuple(str(s) for s in item.get("speakers", []))))
        if items and items[0].start != 0:
            raise fail(_line(text, "recording.agenda", sum(len(r.get("agenda", [])) for r in recordings[:i]), "start"),
                       "agenda.start", "the first item must start at 0:00")
        sessions.append(Session(file, str(rec.get("title", file.stem)), tuple(items), duration))
    for s in sessions:  # programme titles and speakers are names the model should expect and translation keep
        for item in s.agenda:
            glossary.extend(x for x in item.speakers if x not in glossary)
    return Event(path, title, tuple(codes), tuple(dict.fromkeys(glossary)), style, output, tuple(sessions))


def run(event: Event, settings, reporter) -> list:
    """Process every session (transcribe, translate, package), then write the event's index page."""
    from .process import process

    results = []
    for s in event.sessions:
        chapters = None
        if s.agenda:
            folder = event.output / s.file.stem
            folder.mkdir(parents=True, exist_ok=True)
            chapters = folder / "chapters.txt"
            write_atomic(chapters, "".join(f"{int(a.start) // 60}:{int(a.start) % 60:02d} {a.title}\n" for a in s.agenda))
        results.append(process(s.file, event.languages, event.output, settings, event.glossary, event.style, s.title, reporter, chapters))
    write_index(event)
    return results


def write_index(event: Event) -> Path:
    rows = []
    for s in event.sessions:
        folder = event.output / s.file.stem
        summary = folder / f"{s.file.stem}.translations.json"
        langs = ["nb"] + (sorted(json.loads(summary.read_text(encoding="utf-8")).get("produced", {})) if summary.exists() else [])
        speakers = sorted({sp for a in s.agenda for sp in a.speakers})
        rows.append(
            f'<li><h2><a href="{html.escape(s.file.stem)}/dist/site/index.html">{html.escape(s.title)}</a></h2>'
            f"<p>{html.escape(', '.join(speakers)) or '&nbsp;'}</p>"
            f"<p>{int(s.duration // 60)} min · " + ", ".join(html.escape(languages.native_name(l)) for l in langs) + "</p></li>"
        )
    page = (
        '<!doctype html><html lang="nb"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(event.title)}</title><style>body{{font:16px/1.5 system-ui,sans-serif;max-width:900px;margin:0 auto;padding:1rem;color:#1b1b1b}}"
        "a{color:#0b4f8a}a:focus-visible{outline:3px solid #0b4f8a}ul{list-style:none;padding:0}li{border-bottom:1px solid #ccc}</style></head>"
        f"<body><main><h1>{html.escape(event.title)}</h1><ul>{''.join(rows)}</ul></main></body></html>"
    )
    index = event.output / "index.html"
    write_atomic(index, page)
    return index
