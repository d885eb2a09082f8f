"""Markup inside cue text: the spans WebVTT defines, kept as its specification does, and SRT's common
tags translated into them. Pure.

A cue's lines carry WebVTT's own span tags where a person put them: <i>, <b>, <u>, <c.class>, <v Name>
and <lang xx> (with their end tags). Everything else is text: a `<script>` a volunteer typed is shown as
typed, escaped in every WebVTT file, never run. SRT files bring <i>, <b>, <u>, <font color="..."> (a
colour class) and ASS override blocks: {\\an8} puts the cue at the top (a cue setting), the others are
dropped.
"""

from __future__ import annotations

import re

TAG = re.compile(r"</?(?:i|b|u|c(?:\.[\w-]+)*|v(?:\.[\w-]+)*(?:[ \t][^<>&\n]*)?|lang(?:[ \t][\w-]+)?)>")
TOP = "line:0"  # the cue setting for the top of the picture ({\an8}); at the bottom there is none
# WebVTT's colour classes, from the colours SRT files name
COLOURS = {"white": "#ffffff", "lime": "#00ff00", "cyan": "#00ffff", "red": "#ff0000", "yellow": "#ffff00",
           "magenta": "#ff00ff", "blue": "#0000ff", "black": "#000000"}
_BY_HEX = {v: k for k, v in COLOURS.items()}
_SRT_TAG = re.compile(r"<(/?)([ibu])>|<font\s+color\s*=\s*[\"']?([#\w]+)[\"']?\s*>|</font>", re.I)
_ASS = re.compile(r"\{\\[^{}]*\}")


def plain(text: str) -> str:
    """What a viewer reads: the text without its span tags."""
    return TAG.sub("", text) if "<" in text else text


def escape_vtt(text: str) -> str:
    """Cue text for a WebVTT file: span tags as they are, every other '<', '>' and '&' escaped."""
    out, last = [], 0
    for match in TAG.finditer(text):
        out.append(_escape(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_escape(text[last:]))
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\u00a0", "&nbsp;")


def from_srt(lines: list[str]) -> tuple[list[str], str]:
    """SRT cue lines as cue text, and the cue setting their ASS override asked for ("" or TOP)."""
    settings = ""
    out = []
    open_font: list[str] = []
    for line in lines:
        if "{" in line:
            if re.search(r"\{[^{}]*\\an?8[^{}]*\}", line):
                settings = TOP
            line = _ASS.sub("", line)
        if "<" in line:
            line = _SRT_TAG.sub(lambda m: _srt_tag(m, open_font), line)
        out.append(line)
    return out, settings


def _srt_tag(match: re.Match, open_font: list[str]) -> str:
    close, tag, colour = match.groups()
    if tag:
        return f"<{close}{tag.lower()}>"
    if colour is not None:
        name = colour.lower() if colour.lower() in COLOURS else _BY_HEX.get(colour.lower())
        open_font.append("</c>" if name else "")
        return f"<c.{name}>" if name else ""
    return open_font.pop() if open_font else ""  # </font>


def to_srt(text: str) -> str:
    """Cue text for an SRT file: <i>, <b>, <u> and colours as SRT players know them; voices, classes and
    languages (which SRT has not) as their text."""
    if "<" not in text:
        return text
    stack: list[str] = []

    def convert(match: re.Match) -> str:
        tag = match.group(0)
        name = re.match(r"</?([a-z]+)", tag).group(1)
        if tag.startswith("</"):
            return stack.pop() if stack and name == "c" else (f"</{name}>" if name in "ibu" else "")
        if name in ("i", "b", "u"):
            return tag
        if name == "c":
            colour = next((c for c in tag[3:-1].split(".") if c in COLOURS), None)
            stack.append("</font>" if colour else "")
            return f'<font color="{COLOURS[colour]}">' if colour else ""
        return ""

    return TAG.sub(convert, text)


def spans(text: str) -> list[list]:
    """The text as [text, "i"/"b"/"u" styles] pieces for a page that builds them with textContent, never
    as HTML: italics show as italics, anything else as text."""
    out: list[list] = []
    open_tags: list[str] = []
    last = 0
    for match in TAG.finditer(text):
        if match.start() > last:
            out.append([text[last : match.start()], "".join(sorted(set(open_tags)))])
        tag = match.group(0)
        name = re.match(r"</?([a-z]+)", tag).group(1)
        if name in ("i", "b", "u"):
            if tag.startswith("</"):
                if name in open_tags:
                    open_tags.remove(name)
            else:
                open_tags.append(name)
        last = match.end()
    if last < len(text):
        out.append([text[last:], "".join(sorted(set(open_tags)))])
    return out
