"""Translation sheets for volunteers (CSV): timed cues with the source text, the English where a model
gives one, and an empty column for the language to fill in; and reading a filled-in sheet back."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Sequence

from accessmedia.core.clock import clock, seconds
from accessmedia.subtitles import encodings
from accessmedia.subtitles.cue import Cue
from accessmedia.core.errors import AccessMediaError


def template_csv(cues: Sequence[Cue], english: Sequence[Cue] | None, source: str, target: str) -> str:
    """Timed cues with the source text (and English where there is a model) and an empty column to fill in."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    helper = "en" not in (source, target)  # the English column helps translate into a third language
    writer.writerow(["cue", "start", "end", source, *(["en"] if helper else []), target])
    english = list(english or [])
    for n, cue in enumerate(cues, start=1):
        overlapping = [e.text.replace("\n", " ") for e in english if e.start < cue.end and e.end > cue.start]
        writer.writerow([n, clock(cue.start, millis=","), clock(cue.end, millis=","), cue.text.replace("\n", " "),
                         *([" ".join(overlapping)] if helper else []), ""])
    return "\ufeff" + buf.getvalue()  # a BOM, so that spreadsheet programs read it as UTF-8


def cues_from_sheet(path: Path, lang: str) -> list[Cue]:
    """The cues of a filled-in sheet: its times and the `lang` column."""
    text = encodings.decode(path.read_bytes(), str(path), lang).text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))  # a cell may hold a line break
    if not rows or lang not in rows[0] or "start" not in rows[0] or "end" not in rows[0]:
        raise AccessMediaError(f"{path.name}: the first row must name the columns cue,start,end,...,{lang}", "use the sheet `kit export` wrote",
                               code="kit_columns")
    col = {n: i for i, n in enumerate(rows[0])}
    cues = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        target = row[col[lang]].strip() if len(row) > col[lang] else ""
        if not target:
            raise AccessMediaError(f"{path.name}:{number}: cue {row[0]} has no {lang} text yet", "fill in every row, then import again",
                                   code="kit_unfilled")
        try:
            start = seconds(row[col["start"]], millis=True)
            end = seconds(row[col["end"]], millis=True)
        except ValueError:
            raise AccessMediaError(f"{path.name}:{number}: start or end is not a time like 00:01:02,500", code="kit_time") from None
        cues.append(Cue(start, end, tuple(line.strip() for line in target.splitlines() if line.strip())))
    return cues
