"""The replay page: a static site (no server needed) that plays the HLS package
with a subtitle language menu and a transcript that follows the video.

In fullscreen, where the page's own caption overlay cannot show, the
browser's text track of the chosen language takes over.

The page speaks the participant's language: its own words (web/interface.json, a word missing
there shows in English) follow the chosen subtitle language, right to left for Arabic, Persian and
Urdu. `?lang=so` (or #lang=so) asks for a language; otherwise the browser's preferred languages pick
the first subtitles shown. A language asked for that has no subtitles yet is said so, in its own words.

hls.js ships with accessmedia (accessmedia/web/hls.min.js, Apache-2.0), so
nothing is fetched from a CDN when someone watches. Every piece of subtitle
text reaches the page as JSON inside a script element, escaped so that it can
never close that element, and is put on screen with textContent only.
"""

from __future__ import annotations

import html
import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Mapping, Sequence

from accessmedia.core import languages
from accessmedia.subtitles import markup
from accessmedia.subtitles import voices
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.formats import compose_vtt

ASSETS = ("app.js", "style.css", "hls.min.js", "hls.js-LICENSE.txt")

PAGE = """<!doctype html>
<html lang="nb" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="assets/style.css">
</head>
<body>
<a class="skip" href="#transcript" data-word="skip">Gå til teksten / Skip to transcript</a>
<header><h1>{title}</h1></header>
<p id="language-note" class="note" role="status" hidden></p>
<main>
<section class="player" aria-label="Video" data-word-label="video">
<div class="stage">
<video id="video" controls playsinline preload="metadata"{poster} aria-describedby="caption-help">
{tracks}</video>
<div class="captions" aria-hidden="true"><span id="caption-text"></span></div>
</div>
<div class="controls">
<label for="language" data-word="subtitles">Undertekster / Subtitles</label>
<select id="language"></select>
</div>
<p id="caption-help" class="status" data-word="caption_help">Undertekster vises over videoen. / Subtitles show over the video.</p>
<nav id="chapters" class="chapters" aria-labelledby="chapters-title"{chapters_hidden}>
<h2 id="chapters-title" data-word="chapters">Program / Chapters</h2>
<ol id="chapter-list"></ol>
</nav>
</section>
<section id="transcript" class="transcript" aria-labelledby="transcript-title" tabindex="-1">
<h2 id="transcript-title" data-word="transcript">Tekst / Transcript</h2>
<label for="search" data-word="search">Søk i teksten / Search the transcript</label>
<input id="search" type="search" autocomplete="off">
<div id="speaker-filter"{speakers_hidden}>
<label for="speaker" data-word="speaker">Hvem snakker / Speaker</label>
<select id="speaker"><option value="" data-word="everyone">Alle / Everyone</option></select>
</div>
<p id="search-status" class="status" role="status" aria-live="polite"></p>
<ol id="transcript-list"></ol>
</section>
</main>
<script type="application/json" id="replay-data">{data}</script>
<script src="assets/hls.min.js"></script>
<script src="assets/app.js"></script>
</body>
</html>
"""


INTERFACE_LANGUAGES = ("nb", "nn", "en", "ar", "pl", "uk", "fa", "ur", "so", "ti")


def interface_words(page: str = "replay", codes: Sequence[str] | None = None) -> dict[str, dict[str, str]]:
    """A page's own words (the replay page's, the studio's, the review editor's: one file, web/static/interface.json)
    per interface language, English complete; a language's missing word is English's."""
    table = json.loads((resources.files("accessmedia") / "web" / "static" / "interface.json").read_text(encoding="utf-8"))[page]
    english = table["en"]
    codes = codes if codes is not None else INTERFACE_LANGUAGES if page == "replay" else tuple(k for k in table if k != "en") + ("en",)
    return {code: {key: table.get(code, {}).get(key) or text for key, text in english.items()} for code in codes}


def script_json(value: object) -> str:
    """JSON that is safe inside <script>: no '<', '>' or '&' can end the element or start markup."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _cue(c) -> list:
    """[start, end, plain text(, styled pieces or null(, speakers))]: the transcript shows the plain text, the
    caption the pieces when there is markup (italics as italics), each set as text by the page; the speakers
    (WebVTT voices) let a participant follow one speaker."""
    text = "\n".join(line.strip("\u200e\u200f") for line in c.lines)
    plain = markup.plain(text)
    who = voices.voices(c.lines)
    styled = markup.spans(text) if plain != text else None
    return [round(c.start, 3), round(c.end, 3), plain] + ([styled] if styled is not None or who else []) + ([who] if who else [])


def write_site(folder: Path, title: str, order: Sequence[str], cues: Mapping[str, Sequence[Cue]], hls: str, poster: str | None,
               chapters: Sequence[Cue] = ()) -> Path:
    """Write index.html and assets/ into `folder`; returns index.html. `chapters` are timed titles (programme items):
    a list to jump from, and a WebVTT chapters track."""
    assets = folder / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    speakers = list(dict.fromkeys(v for c in cues[order[0]] for v in voices.voices(c.lines)))
    web = resources.files("accessmedia") / "web" / "static" / "replay"  # the replay page's own files (read, never imported)
    for name in ASSETS:
        with resources.as_file(web / name) as src:
            shutil.copy(src, assets / name)
    data = {
        "title": title,
        "hls": hls,
        "default": order[0],
        "languages": [
            {
                "code": lang,
                "name": languages.native_name(lang),
                "dir": languages.direction(lang),
                "cues": [_cue(c) for c in cues[lang]],
            }
            for lang in order
        ],
        "chapters": [[round(c.start, 3), round(c.end, 3), c.text] for c in chapters],
        "speakers": speakers,
        "interface": interface_words(),
        "names": {code: languages.native_name(code) for code in INTERFACE_LANGUAGES},
        "rtl": sorted(languages.RIGHT_TO_LEFT),
    }
    subs = folder / "subs"
    subs.mkdir(exist_ok=True)
    tracks = []
    for lang in order:
        (subs / f"{lang}.vtt").write_text(compose_vtt(cues[lang]), encoding="utf-8")
        tracks.append(
            f'<track kind="subtitles" src="subs/{lang}.vtt" srclang="{lang}" label="{html.escape(languages.native_name(lang))}">\n'
        )
    if chapters:
        (subs / "chapters.vtt").write_text(compose_vtt(chapters), encoding="utf-8")
        tracks.append('<track kind="chapters" src="subs/chapters.vtt" srclang="nb" label="Program / Chapters">\n')
    page = PAGE.format(
        title=html.escape(title),
        tracks="".join(tracks),
        chapters_hidden="" if chapters else " hidden",
        speakers_hidden="" if speakers else " hidden",
        poster=f' poster="{html.escape(poster)}"' if poster else "",
        data=script_json(data),
    )
    index = folder / "index.html"
    index.write_text(page, encoding="utf-8")
    return index
