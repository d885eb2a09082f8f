"""The event site: OUTPUT/index.html lists every session with its title, speakers, duration,
programme and subtitle languages, and links each replay page (and each programme item to its
moment in the replay, `index.html#t=SECONDS`).

Static, no script. The same rules as the replay page: every text escaped,
language and direction marked on every language name, visible focus, large
targets, one column on phones.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote

from accessmedia.core.clock import clock
from accessmedia.core import languages
from accessmedia.speakers import record as speakers
from accessmedia.core.errors import AccessMediaError
from accessmedia.core.files import RecordingFiles
from accessmedia.core.fsutil import write_atomic

CSS = """
:root{--ink:#1b1b1b;--paper:#fff;--accent:#0b4f8a;--muted:#4a4a4a}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","Noto Sans Ethiopic",sans-serif;color:var(--ink);background:var(--paper)}
header,main{max-width:900px;margin:0 auto;padding:.75rem 1rem}
h1,h2,p,li{overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.25rem 0}h2{font-size:1.25rem;margin:.25rem 0}h3{font-size:1rem;margin:.75rem 0 .25rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:var(--paper);padding:.5rem;z-index:10}
a{color:var(--accent)}:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.sessions{list-style:none;margin:0;padding:0}
.sessions>li{border-top:1px solid #bbb;padding:.75rem 0}
.sessions h2 a{display:inline-block;min-height:44px;padding:.35rem 0}
.meta,.status{color:var(--muted);margin:.25rem 0}
.langs{display:flex;flex-wrap:wrap;gap:.25rem .75rem;list-style:none;margin:.25rem 0;padding:0}
.programme{margin:.25rem 0;padding-inline-start:0;list-style:none}
.programme a{display:inline-flex;gap:.6rem;align-items:baseline;min-height:44px;padding:.5rem 0}
.programme time,.meta time{font-variant-numeric:tabular-nums;direction:ltr;unicode-bidi:isolate}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _clock(seconds: float) -> str:
    return clock(round(seconds))  # rounded: a session of 59.6 s lasted 1:00


def _iso_duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"PT{s // 3600}H{s % 3600 // 60}M{s % 60}S"


def _language_items(codes: list[str], href: str | None = None) -> str:
    """Each language in its own name; with the replay page's address, a link that opens it in that language."""
    def item(c: str) -> str:
        name = _e(languages.native_name(c))
        return f'<a href="{_e(href)}?lang={_e(c)}">{name}</a>' if href else name

    return "".join(f'<li lang="{_e(c)}" dir="{languages.direction(c)}">{item(c)}</li>' for c in codes)


def _who_spoke(files: RecordingFiles) -> list[tuple[str, float]]:
    """The recording's speakers as found (named, or "Taler 1" ...) with their speaking time, when there are
    several, or one who was named."""
    if not files.speakers.exists():
        return []
    try:
        found = speakers.read(files.speakers)["speakers"]
    except AccessMediaError:
        return []
    if len(found) < 2 and not any(s.get("name") for s in found):
        return []
    return [(s.get("name") or s["label"], float(s["seconds"])) for s in found]


SITE_RECORD = Path(".accessmedia") / "site.json"  # what the index was made from, to make it again after a naming


def write_index(event, report: dict) -> Path:
    """Write OUTPUT/index.html for `event` (an event.Event), with the languages and state the run `report` found,
    and keep what it was made from (OUTPUT/.accessmedia/site.json) so that `refresh` makes it again."""
    found = {s["name"]: s for s in report.get("sessions", [])}
    site = {"title": event.title, "sessions": []}
    for s in event.sessions:
        produced = list(found.get(s.name, {}).get("languages", {}).get("produced", {}))
        site["sessions"].append({"name": s.name, "title": s.title, "duration": s.duration, "speakers": list(s.speakers),
                                 "languages": [event.language, *[c for c in event.languages if c in produced]],
                                 "agenda": [[a.start, a.label] for a in s.agenda]})
    write_atomic(event.output / SITE_RECORD, json.dumps(site, ensure_ascii=False) + "\n")
    return _render(event.output, site)


def refresh(output: Path) -> Path | None:
    """OUTPUT/index.html made again from what it was made from, with the speakers as named now and the languages
    the recordings have now; None where no event site was made there."""
    try:
        site = json.loads((Path(output) / SITE_RECORD).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    for session in site["sessions"]:  # a language a kit or a correction brought since: listed, and promised
        files = RecordingFiles(Path(output) / session["name"], session["name"])
        session["languages"] += [c for c in files.subtitle_languages() if c not in session["languages"]]
    return _render(Path(output), site)


def _tagline(site: dict) -> str:
    """What the recordings have: translations are promised only where a recording has subtitles in another language."""
    if any(len(s["languages"]) > 1 for s in site["sessions"]):
        return "Opptak med undertekster og oversettelser / Recordings with subtitles and translations"
    return "Opptak med undertekster / Recordings with subtitles"


def _render(output: Path, site: dict) -> Path:
    rows = []
    for n, s in enumerate(site["sessions"], start=1):
        name = s["name"]
        page = RecordingFiles(output / name, name).replay_page
        href = f"{quote(name)}/dist/site/index.html"
        ready = page.exists()
        codes = s["languages"]
        title = f'<a href="{_e(href)}">{_e(s["title"])}</a>' if ready else _e(s["title"])
        meta = [f'Varighet / Duration: <time datetime="{_iso_duration(s["duration"])}">{_clock(s["duration"])}</time>']
        if s["speakers"]:
            meta.append(f"Talere / Speakers: {_e(', '.join(s['speakers']))}")
        spoke = _who_spoke(RecordingFiles(output / name, name))
        if spoke:
            meta.append("Hvem snakket / Who spoke: " + ", ".join(
                f'{_e(label)} (<time datetime="{_iso_duration(sec)}">{_clock(sec)}</time>)' for label, sec in spoke))
        parts = [
            f'<li><article aria-labelledby="session-{n}"><h2 id="session-{n}">{title}</h2>',
            f'<p class="meta">{" · ".join(meta)}</p>',
        ]
        if ready:
            parts.append(f'<h3 id="langs-{n}">Undertekster / Subtitles</h3><ul class="langs" aria-labelledby="langs-{n}">{_language_items(codes, href)}</ul>')
        else:
            parts.append('<p class="status">Ikke klar ennå / Not ready yet</p>')
        if s["agenda"]:
            items = []
            for start, label in s["agenda"]:
                when = f'<time datetime="{_iso_duration(start)}">{_clock(start)}</time>'
                text = f"{when} <span>{_e(label)}</span>"
                items.append(f'<li><a href="{_e(href)}#t={int(start)}">{text}</a></li>' if ready else f"<li>{text}</li>")
            parts.append(f'<h3 id="programme-{n}">Program / Programme</h3><ol class="programme" aria-labelledby="programme-{n}">{"".join(items)}</ol>')
        parts.append("</article></li>")
        rows.append("".join(parts))
    page = (
        '<!doctype html>\n<html lang="nb">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(site['title'])}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#sessions">Gå til opptakene / Skip to the recordings</a>\n'
        f"<header><h1>{_e(site['title'])}</h1>"
        f"<p>{_tagline(site)}</p></header>\n"
        f'<main id="sessions" tabindex="-1"><ul class="sessions">{"".join(rows)}</ul></main>\n</body>\n</html>\n'
    )
    index = output / "index.html"
    write_atomic(index, page)
    return index
