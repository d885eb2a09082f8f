"""A whole conference from one manifest: recordings, languages, programme, glossary, output settings.

The manifest (TOML) is checked before any work starts; an error names the
line and field. Programme items become chapters (HLS, replay page, YouTube
chapters); speakers become glossary terms (hotwords for speech recognition,
kept as they are in translation), and each session's programme titles become
hotwords for that session. Every session is processed (in parallel workers
or on a Ray cluster, resumable), then the event gets an index page linking
every replay page, and a run report.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from accessmedia.core.clock import seconds
from accessmedia.packaging import eventsite
from accessmedia.core import languages
from accessmedia.core import media
from accessmedia.models import catalog as models
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.fsutil import ensure_writable, run_lock
from accessmedia.core.progress import Display
from accessmedia.core.glossary import load_glossary
from accessmedia.runs.process import Job
from accessmedia.runs.runner import EXECUTORS, RunOutcome, check_executor, process_all
from accessmedia.pipeline.settings import Chapter, Packaging, Settings, Styles, build

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

EVENT_KEYS = ("title", "languages", "glossary", "style", "output", "workers", "executor", "ray_address", "model", "ladder", "burn")
RECORDING_KEYS, AGENDA_KEYS, VOICE_KEYS = ("file", "title", "agenda"), ("start", "title", "speakers"), ("name", "clip")


@dataclass(frozen=True)
class AgendaItem:
    start: float
    title: str
    speakers: tuple[str, ...]

    @property
    def label(self) -> str:
        """The title and who speaks: a chapter's title."""
        return self.title + (f" – {', '.join(self.speakers)}" if self.speakers else "")


@dataclass(frozen=True)
class Session:
    file: Path
    title: str
    agenda: tuple[AgendaItem, ...]
    duration: float  # seconds, probed once when the manifest is checked

    @property
    def name(self) -> str:
        return self.file.stem

    @property
    def speakers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for a in self.agenda for s in a.speakers))

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        return tuple(Chapter(a.start, a.label) for a in self.agenda)


@dataclass(frozen=True)
class Event:
    path: Path
    title: str
    languages: tuple[str, ...]
    terms: tuple[str, ...]  # the glossary file's own terms
    style: Styles
    output: Path
    sessions: tuple[Session, ...]
    workers: int = 1
    executor: str = "local"
    ray_address: str | None = None
    model: str | None = None
    ladder: tuple[int, ...] = ()
    burn: tuple[str, ...] = ()
    language: str = "nb"  # spoken in the recordings
    voices: tuple[tuple[str, str], ...] = ()  # (name, clip): a voice recorded alone names that voice in every recording
    routes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # [routes]: language -> the models that translate into it

    @property
    def glossary(self) -> tuple[str, ...]:
        """What translation keeps as it is: the glossary file's terms and every speaker."""
        return tuple(dict.fromkeys([*self.terms, *(sp for s in self.sessions for sp in s.speakers)]))


def _line(text: str, table: str | None, index: int, key: str) -> int:
    """Line number of `key` in the index-th [[table]] (or the top-level/[event] table)."""
    lines = text.splitlines()
    start = 0
    if table:
        seen = -1
        for n, line in enumerate(lines):
            if line.strip() in (f"[[{table}]]", f"[{table}]"):
                seen += 1
                if seen == index:
                    start = n
                    break
    for n in range(start, len(lines)):
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[n]):
            return n + 1
    return start + 1


def is_manifest(path: str | Path) -> bool:
    """An event manifest (it brings its recordings, languages, glossary and programme), not a recording."""
    return Path(path).suffix.lower() == ".toml"


def load(path: str | Path, language: str = "nb", accept_truncated: bool = False, live: bool = False) -> Event:
    """Read and check an event manifest for recordings in `language`; every problem is an error naming its
    line and field. A recording cut off before its declared length is one, unless `accept_truncated`. `live`: recordings
    may be still to come (none listed, or files not there yet, whose programme counts all the same)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AccessMediaError(f"{path}: no such file", "check the manifest path") from None
    except UnicodeDecodeError:
        raise AccessMediaError(f"{path.name} is not UTF-8", "save the manifest as UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AccessMediaError(f"{path.name}: not valid TOML: {exc}", "fix the line it names") from None
    base = path.parent

    def fail(line: int, field: str, message: str, hint: str | None = None) -> AccessMediaError:
        return AccessMediaError(f"{path.name}:{line}: {field}: {message}", hint)

    def unknown_keys(table: dict, allowed: tuple[str, ...], where: str, line_of) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                raise fail(line_of(key), f"{where}.{key}", "is not a field this manifest knows",
                           f"did you mean {close[0]!r}?" if close else f"the fields are: {', '.join(allowed)}")

    for key in data:
        if key not in ("event", "recording", "voice", "routes"):
            line = next((n + 1 for n, row in enumerate(text.splitlines())
                         if re.match(rf"\s*(\[\[?\s*{re.escape(key)}\s*\]|{re.escape(key)}\s*=)", row)), 1)
            close = difflib.get_close_matches(key, ("event", "recording"), n=1)
            raise fail(line, key, "is not a table this manifest knows",
                       f"did you mean [{close[0]}]?" if close else "use [event], [[recording]], [[voice]] and [routes] tables")
    event = data.get("event", {})
    def ev_line(key: str) -> int:
        return _line(text, None, 0, key)

    unknown_keys(event, EVENT_KEYS, "event", ev_line)

    title = str(event.get("title", path.stem))
    codes = []
    if not isinstance(event.get("languages", []), list):
        raise fail(ev_line("languages"), "event.languages", "must be a list like [\"en\", \"ar\"]")
    for code in event.get("languages", []):
        try:
            codes.append(languages.normalize(str(code)))
        except AccessMediaError as exc:
            raise fail(ev_line("languages"), "event.languages", exc.message, exc.hint) from None
    terms: list[str] = []
    if event.get("glossary"):
        g = base / event["glossary"]
        if not g.is_file():
            raise fail(ev_line("glossary"), "event.glossary", f"{g} does not exist")
        terms.extend(load_glossary(g))
    language = languages.normalize(language)
    styles = Styles()
    if event.get("style"):
        style_path = base / event["style"]
        if not style_path.is_file():
            raise fail(ev_line("style"), "event.style", f"{style_path} does not exist")
        try:
            styles = Styles.read(style_path)
            for lang in (language, *codes):
                styles.profile(lang)
        except AccessMediaError as exc:
            raise fail(ev_line("style"), "event.style", exc.message, exc.hint) from None
    output = base / event.get("output", "out")
    workers = event.get("workers", 1)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise fail(ev_line("workers"), "event.workers", f"{workers!r} is not a whole number of at least 1")
    executor = event.get("executor", "local")
    if executor not in EXECUTORS:
        raise fail(ev_line("executor"), "event.executor", f"{executor!r} is not an executor", f"use one of: {', '.join(EXECUTORS)}")
    ladder = event.get("ladder", [])
    if not isinstance(ladder, list) or not all(isinstance(h, int) and 144 <= h <= 4320 for h in ladder):
        raise fail(ev_line("ladder"), "event.ladder", f"{ladder!r} is not a list of picture heights like [720, 360]")
    burn = []
    for code in event.get("burn", []):
        try:
            burn.append(languages.normalize(str(code)))
        except AccessMediaError as exc:
            raise fail(ev_line("burn"), "event.burn", exc.message, exc.hint) from None
        if burn[-1] not in (language, *codes):
            raise fail(ev_line("burn"), "event.burn", f"{code!r} is not one of the event's languages", "add it to languages first")
    model = event.get("model")
    if model is not None:
        known = models.catalog()
        if str(model) not in known and not Path(str(model)).expanduser().is_dir() and not models.find_installed(str(model), "asr"):
            raise fail(ev_line("model"), "event.model", f"unknown speech model {model!r}",
                       f"use one of: {', '.join(n for n, e in known.items() if e.kind == 'asr')}, or a model folder")
    recordings = data.get("recording", [])
    if not recordings and not live:
        raise AccessMediaError(f"{path.name}: no [[recording]] tables", "list at least one recording with its file")
    sessions = []
    stems = set()
    agenda_seen = 0
    for i, rec in enumerate(recordings):
        unknown_keys(rec, RECORDING_KEYS, "recording", lambda k, i=i: _line(text, "recording", i, k))
        if "file" not in rec:
            raise fail(_line(text, "recording", i, "title"), f"recording {i + 1}", "has no file")
        file = base / rec["file"]
        if not file.is_file() and not live:
            raise fail(_line(text, "recording", i, "file"), "recording.file", f"{file} does not exist")
        if file.stem in stems:
            raise fail(_line(text, "recording", i, "file"), "recording.file", f"a second recording named {file.stem}", "rename one")
        stems.add(file.stem)
        duration = 0.0  # not known: a recording still to be made
        if file.is_file() or not live:
            try:
                info = media.probe(file)
                info.track(None)
                info.check_complete(accept_truncated)
            except AccessMediaError as exc:
                raise fail(_line(text, "recording", i, "file"), "recording.file", exc.message, exc.hint) from None
            duration = info.duration
        items = []
        for j, item in enumerate(rec.get("agenda", [])):
            nth = agenda_seen + j  # this item's place among all [[recording.agenda]] tables

            def item_line(key: str, nth: int = nth) -> int:
                return _line(text, "recording.agenda", nth, key)

            line = item_line("start")
            unknown_keys(item, AGENDA_KEYS, "agenda", item_line)
            try:
                start = seconds(str(item["start"]))
            except (KeyError, ValueError):
                raise fail(line, "agenda.start", f"{item.get('start')!r} is not a time like 12:30 or 1:05:00") from None
            if items and start <= items[-1].start:
                raise fail(line, "agenda.start", f"{item['start']} overlaps or comes before the item above it", "list items in time order")
            if duration and start >= duration:
                raise fail(line, "agenda.start", f"{item['start']} is after the recording ends ({duration / 60:.1f} min)")
            if not str(item.get("title", "")).strip():
                raise fail(line, "agenda.title", "every programme item needs a title")
            speakers = item.get("speakers", [])
            if not isinstance(speakers, list):
                raise fail(item_line("speakers"), "agenda.speakers", "must be a list of names")
            items.append(AgendaItem(float(start), " ".join(str(item["title"]).split()), tuple(" ".join(str(s).split()) for s in speakers)))
        if items and items[0].start != 0:
            raise fail(_line(text, "recording.agenda", agenda_seen, "start"), "agenda.start", "the first item must start at 0:00")
        agenda_seen += len(rec.get("agenda", []))
        sessions.append(Session(file, str(rec.get("title", file.stem)), tuple(items), duration))
    voices = []
    for i, voice in enumerate(data.get("voice", [])):
        unknown_keys(voice, VOICE_KEYS, "voice", lambda k, i=i: _line(text, "voice", i, k))
        name = " ".join(str(voice.get("name", "")).split())
        if not name or re.search(r"[<>:&]", name):
            raise fail(_line(text, "voice", i, "name"), "voice.name", f"{voice.get('name')!r} is not a speaker's name",
                       "a name of letters and spaces, like name = \"Kari Nordmann\"")
        clip = base / str(voice.get("clip", ""))
        try:
            media.probe(clip).track(None)
        except AccessMediaError as exc:
            raise fail(_line(text, "voice", i, "clip"), "voice.clip", exc.message, "a recording of this person speaking alone, 10 s or more")
        voices.append((name, str(clip.resolve())))
    routes = _routes(data.get("routes", {}), language, codes, lambda key: _line(text, "routes", 0, key), fail)
    return Event(path, title, tuple(codes), tuple(terms), styles, output, tuple(sessions),
                 workers, executor, event.get("ray_address"), str(model) if model is not None else None,
                 tuple(ladder), tuple(burn), language, tuple(voices), routes)


def _routes(table: dict, language: str, codes: list[str], line_of, fail) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """[routes]: `so = "nllb-200-distilled-600M"` (one model, direct) or `ar = ["model to English", "model from
    English"]`; each model installed and translating its leg."""
    from accessmedia.models import translation as mt_models
    from accessmedia.translation import routes as mt_routes

    if not table:
        return ()
    installed, catalogue = mt_models.installed(), models.catalog()
    out = []
    for key, value in table.items():
        where = f"routes.{key}"
        try:
            code = languages.normalize(str(key))
        except AccessMediaError as exc:
            raise fail(line_of(key), where, exc.message, exc.hint) from None
        if code not in codes:
            raise fail(line_of(key), where, f"{code} is not one of the event's languages", "add it to languages first")
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise fail(line_of(key), where, f"{value!r} is not a model name or a list of two",
                       'e.g. so = "nllb-200-distilled-600M" or ar = ["opus-mt-tc-big-gmq-en", "nllb-200-distilled-600M"]')
        try:
            mt_routes.pinned(language, code, names, installed, catalogue)
        except AccessMediaError as exc:
            raise fail(line_of(key), where, exc.message, exc.hint) from None
        out.append((code, tuple(names)))
    return tuple(out)


def _settings(event: Event, settings: Settings, hotwords: list[str], programme: tuple, packaging: Packaging, languages_=None) -> Settings:
    """`settings` with the event's languages, glossary, style, model, routes, voices, these hotwords, and the programme's speakers."""
    recognition = settings.recognition
    if event.model and not recognition.load.model:
        recognition = replace(recognition, load=replace(recognition.load, model=event.model))
    speakers = settings.speakers
    if programme and speakers.count == "auto":  # the programme bounds how many speak (and one more, from the floor)
        speakers = replace(speakers, high=len(programme) + 1)
    speakers = replace(speakers, references=event.voices, names=programme)
    translation = replace(settings.translation, routes=event.routes) if event.routes else settings.translation
    return build(event.language, recognition, event.languages if languages_ is None else languages_, event.glossary, hotwords,
                 event.style, translation, packaging, settings.formats, speakers)


def live_settings(event: Event, settings: Settings = Settings(), languages_: tuple[str, ...] | None = None) -> Settings:
    """A live session of the event: every session's speakers and titles as hotwords; `languages_` (if given) for the event's."""
    programme = tuple(dict.fromkeys(sp for s in event.sessions for sp in s.speakers))
    hotwords = [*event.terms, *programme, *(a.title for s in event.sessions for a in s.agenda)]
    return _settings(event, settings, hotwords, programme, Packaging(event.title), languages_)


def jobs(event: Event, settings: Settings = Settings()) -> list[Job]:
    """One Job per session: `settings` (from the command line) with the event's (as _settings), the session's title and
    chapters, and as hotwords the glossary, the session's speakers and its programme titles."""
    out = []
    for s in event.sessions:
        hotwords = [*event.terms, *s.speakers, *(a.title for a in s.agenda)]
        session = _settings(event, settings, hotwords, s.speakers, Packaging(s.title, event.ladder, event.burn, s.chapters))
        out.append(Job.of(s.file, event.output, session))
    return out


def run(event: Event, settings: Settings = Settings(), workers: int | None = None, executor: str | None = None,
        address: str | None = None, display: Callable[[list[str], int], Display] = Display) -> RunOutcome:
    """Process every session, then write OUTPUT/index.html and the run report (OUTPUT/report.json, .html)."""
    workers, executor, address = workers or event.workers, executor or event.executor, address or event.ray_address
    check_executor(executor, workers, address)
    ensure_writable(event.output, f"change output in {event.path.name}, or make the folder writable")
    with run_lock(event.output):
        outcome = process_all(jobs(event, settings), event.output, event.title, {s.name: s.title for s in event.sessions},
                              workers, executor, address, display)
        eventsite.write_index(event, outcome.report)
    return outcome


def manifest_text(title: str, languages_: list[str], recordings: list[dict], output: str = "ut", model: str | None = None,
                  routes: dict[str, list[str]] | None = None) -> str:
    """An event manifest (TOML) from plain values: what the studio's form saves, and what `process` reads.
    `recordings`: [{"file", "title", "agenda": [{"start", "title", "speakers": [...]}]}]."""
    def q(value: object) -> str:
        text = str(value)
        if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            raise AccessMediaError(f"{text.encode('utf-8', 'replace').decode('utf-8')[:40]!r} holds a character that is not text",
                                   "type it again")
        # a JSON string is a TOML basic string, but for DEL, which TOML wants escaped
        return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")

    lines = ["[event]", f"title = {q(title)}", f"languages = [{', '.join(q(c) for c in languages_)}]", f"output = {q(output)}"]
    if model:
        lines.append(f"model = {q(model)}")
    if routes:
        lines += ["", "[routes]", *[f"{code} = [{', '.join(q(m) for m in models_)}]" for code, models_ in routes.items()]]
    for rec in recordings:
        lines += ["", "[[recording]]", f"file = {q(rec['file'])}", f"title = {q(rec.get('title') or Path(rec['file']).stem)}"]
        for item in rec.get("agenda", []):
            lines += ["", "[[recording.agenda]]", f"start = {q(item['start'])}", f"title = {q(item['title'])}",
                      f"speakers = [{', '.join(q(s) for s in item.get('speakers', []))}]"]
    return "\n".join(lines) + "\n"


def save_manifest(path: str | Path, text: str) -> Event:
    """Check a manifest as `load` does and only then write it (atomically): a bad one changes nothing."""
    from accessmedia.core.fsutil import write_atomic

    path = Path(path)
    trial = path.with_name(f".{path.name}.check")
    trial.write_text(text, encoding="utf-8")
    try:
        load(trial)
    except AccessMediaError as exc:
        raise AccessMediaError(exc.message.replace(trial.name, path.name), exc.hint) from None
    finally:
        trial.unlink(missing_ok=True)
    write_atomic(path, text)
    return load(path)
