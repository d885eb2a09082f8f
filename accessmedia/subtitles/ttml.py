"""TTML for broadcasters and platforms: IMSC 1.1 Text Profile documents, written within what EBU-TT-D
allows too (media time base, hh:mm:ss.fff times, one region at the bottom and one at the top, styles by
reference), and read back (what accessmedia writes and what common TTML has). Pure.

The language is on the document (xml:lang); Arabic, Persian and Urdu paragraphs run right to left
(tts:direction="rtl"); italics, bold, underline and colour classes become styled spans; a cue set at
the top (line:0) goes to the top region.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Sequence

from accessmedia.core.clock import clock
from accessmedia.core import languages
from accessmedia.subtitles import markup
from accessmedia.subtitles import voices
from accessmedia.subtitles.cue import Cue
from accessmedia.core.errors import SubtitleError

TT = "http://www.w3.org/ns/ttml"
TTS = "http://www.w3.org/ns/ttml#styling"
TTP = "http://www.w3.org/ns/ttml#parameter"
TTM = "http://www.w3.org/ns/ttml#metadata"
IMSC_TEXT = "http://www.w3.org/ns/ttml/profile/imsc1.1/text"
EBU_TT_D = "urn:ebu:tt:distribution:2018-04"
_STYLES = {"i": ("italic", 'tts:fontStyle="italic"'), "b": ("bold", 'tts:fontWeight="bold"'), "u": ("underline", 'tts:textDecoration="underline"')}


def _x(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _line(text: str) -> str:
    """One cue line as TTML content: styled spans for the span tags, everything else escaped text."""
    out = []
    for piece, flags in markup.spans(text):
        styles = " ".join(_STYLES[f][0] for f in flags)
        out.append(f'<span style="{styles}">{_x(piece)}</span>' if styles else _x(piece))
    return "".join(out)


def compose_ttml(cues: Sequence[Cue], language: str) -> str:
    rtl = languages.direction(language) == "rtl"
    direction = ' style="rtl"' if rtl else ""  # styles by reference only: EBU-TT-D has no inline styling
    styles = "".join(f'\n      <style xml:id="{name}" {attr}/>' for name, attr in _STYLES.values())
    if rtl:
        styles += '\n      <style xml:id="rtl" tts:direction="rtl"/>'
    agents: dict[str, str] = {}  # who speaks: one ttm:agent per voice, named
    body = []
    for n, cue in enumerate(cues, start=1):
        region = "top" if cue.settings.startswith(markup.TOP) else "bottom"
        said = [(voices.voice_of(line), _line(line)) for line in cue.lines]
        for voice, _ in said:
            if voice:
                agents.setdefault(voice, f"a{len(agents) + 1}")
        who = {v for v, _ in said if v}
        agent = ""
        if len(who) == 1 and said[0][0]:
            agent = f' ttm:agent="{agents[said[0][0]]}"'
            content = "<br/>".join(text for _, text in said)
        else:  # two speakers: each line a span with its own agent
            content = "<br/>".join(f'<span ttm:agent="{agents[v]}">{text}</span>' if v else text for v, text in said)
        body.append(f'      <p xml:id="c{n}" begin="{clock(cue.start, millis=".")}" end="{clock(cue.end, millis=".")}" region="{region}"{direction}{agent}>{content}</p>')
    people = "".join(f'\n      <ttm:agent xml:id="{aid}" type="person"><ttm:name type="full">{_x(name)}</ttm:name></ttm:agent>'
                     for name, aid in agents.items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<tt xmlns="{TT}" xmlns:tts="{TTS}" xmlns:ttp="{TTP}" xmlns:ebuttm="urn:ebu:tt:metadata" '
        + (f'xmlns:ttm="{TTM}" ' if agents else "") +
        f'xml:lang="{language}" ttp:timeBase="media" ttp:contentProfiles="{IMSC_TEXT}">\n'
        "  <head>\n"
        f"    <metadata><ebuttm:documentMetadata><ebuttm:conformsToStandard>{EBU_TT_D}</ebuttm:conformsToStandard>"
        f"</ebuttm:documentMetadata>{people}</metadata>\n"
        '    <styling>\n      <style xml:id="base" tts:fontFamily="proportionalSansSerif" tts:fontSize="100%" tts:lineHeight="125%" '
        'tts:textAlign="center" tts:color="#FFFFFF" tts:backgroundColor="#000000C2"/>'
        f"{styles}\n    </styling>\n"
        "    <layout>\n"
        '      <region xml:id="bottom" tts:origin="10% 10%" tts:extent="80% 80%" tts:displayAlign="after"/>\n'
        '      <region xml:id="top" tts:origin="10% 10%" tts:extent="80% 80%" tts:displayAlign="before"/>\n'
        "    </layout>\n  </head>\n"
        '  <body style="base">\n    <div>\n' + "\n".join(body) + ("\n" if body else "") + "    </div>\n  </body>\n</tt>\n"
    )


# -- reading ----------------------------------------------------------------------------------

_CLOCK = re.compile(r"(\d+):(\d{2}):(\d{2})(?:\.(\d+)|:(\d+)(?:\.\d+)?)?$")
_OFFSET = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms|f|t)$")


def _time(value: str, frame_rate: float, tick_rate: float, where: str) -> float:
    value = value.strip()
    m = _CLOCK.match(value)
    if m:
        h, mi, s, frac, frames = m.groups()
        return int(h) * 3600 + int(mi) * 60 + int(s) + (float("0." + frac) if frac else 0.0) + (int(frames) / frame_rate if frames else 0.0)
    m = _OFFSET.match(value)
    if m:
        number, unit = float(m.group(1)), m.group(2)
        return number * {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "f": 1 / frame_rate, "t": 1 / tick_rate}[unit]
    raise SubtitleError(where, None, f"{value!r} is not a TTML time like 00:00:01.500 or 1.5s")


def parse_ttml(text: str, path: str = "subtitles.ttml") -> tuple[list[Cue], list[str], str | None]:
    """The cues of a TTML document, warnings, and its language (xml:lang). A document type declaration is
    refused: entities are not needed for subtitles, and can be made to expand without end."""
    if "<!DOCTYPE" in text[:4096] or "<!ENTITY" in text:
        raise SubtitleError(path, None, "a TTML file with a document type declaration or entities is not read", "remove the <!DOCTYPE ...>")
    try:
        root = ET.fromstring(text.encode("utf-8") if isinstance(text, str) else text)
    except ET.ParseError as exc:
        raise SubtitleError(path, exc.position[0], f"not well-formed XML: {exc}") from None
    if root.tag != f"{{{TT}}}tt":
        raise SubtitleError(path, 1, "not a TTML document (its root is not <tt> in the TTML namespace)")
    frame_rate = float(root.get(f"{{{TTP}}}frameRate", "30"))
    tick_rate = float(root.get(f"{{{TTP}}}tickRate", "1"))
    styles = {s.get("{http://www.w3.org/XML/1998/namespace}id"): s for s in root.iter(f"{{{TT}}}style")}
    regions = {r.get("{http://www.w3.org/XML/1998/namespace}id"): r for r in root.iter(f"{{{TT}}}region")}
    agent_names = {a.get("{http://www.w3.org/XML/1998/namespace}id"): " ".join("".join(n.itertext()).split())
                   for a in root.iter(f"{{{TTM}}}agent") for n in a.iter(f"{{{TTM}}}name")}
    warnings: list[str] = []
    cues: list[Cue] = []

    def voiced(element, inner: str) -> str:
        name = agent_names.get(element.get(f"{{{TTM}}}agent") or "")
        return f"<v {name}>{inner}" if name else inner

    def flags(element) -> str:
        out = ""
        chain = [element] + [styles[s] for s in (element.get("style") or "").split() if s in styles]
        for e in chain:
            if e.get(f"{{{TTS}}}fontStyle") == "italic":
                out += "i"
            if e.get(f"{{{TTS}}}fontWeight") == "bold":
                out += "b"
            if e.get(f"{{{TTS}}}textDecoration") == "underline":
                out += "u"
        return out

    def content(element, inherited: str) -> str:
        mine = "".join(sorted(set(inherited + flags(element))))
        added = [f for f in mine if f not in inherited]
        text = (element.text or "")
        parts = [text]
        for child in element:
            if child.tag == f"{{{TT}}}br":
                parts.append("\n")
            elif child.tag == f"{{{TT}}}span":
                parts.append(voiced(child, content(child, mine)))
            parts.append(child.tail or "")
        inner = "".join(parts)
        for f in added:
            inner = "\n".join(f"<{f}>{line}</{f}>" if line else line for line in inner.split("\n"))
        return inner

    def walk(element, offset: float) -> None:
        begin = element.get("begin")
        start = offset + (_time(begin, frame_rate, tick_rate, path) if begin else 0.0)
        if element.tag == f"{{{TT}}}p":
            end, dur = element.get("end"), element.get("dur")
            if end is None and dur is None:
                warnings.append(f"{path}: a paragraph without end or dur is skipped")
                return
            finish = offset + _time(end, frame_rate, tick_rate, path) if end is not None else start + _time(dur, frame_rate, tick_rate, path)
            lines = tuple(line.strip() for line in voiced(element, content(element, "")).split("\n"))
            region = regions.get(element.get("region") or "")
            top = region is not None and region.get(f"{{{TTS}}}displayAlign") == "before"
            cues.append(Cue(round(start, 3), round(finish, 3), lines, markup.TOP if top else ""))
            return
        for child in element:
            walk(child, start)

    body = root.find(f"{{{TT}}}body")
    if body is not None:
        walk(body, 0.0)
    cues.sort(key=lambda c: c.start)
    return cues, warnings, root.get("{http://www.w3.org/XML/1998/namespace}lang")
