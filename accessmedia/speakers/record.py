"""Speakers of a recording: words given to speaker turns, the speakers' record (NAME.speakers.json), labels
and names. Pure, except `read` and `write`.

NAME.speakers.json (schema accessmedia.speakers/1):
    speakers: [{id "S1", label "Taler 1" (or the name once named), name (null until named), seconds of
               speech, words, sample [start, end] (a stretch of their speech to listen to), embedding
               (their voice: 192 numbers, unit length, for matching voices across an event)}]
    turns:    [[start, end, id], ...] as diarization found them (also NAME.rttm)
    overlap_seconds: speech where two voices were found at once, as far as the model tells
The transcript's words and segments carry the ids; a segment never spans two speakers.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from accessmedia.core.errors import AccessMediaError
from accessmedia.core.fsutil import write_atomic
from accessmedia.core.timeline import Timeline
from accessmedia.core.transcript import Segment, Transcript, Word

SCHEMA = "accessmedia.speakers/1"
GENERIC = {"nb": "Taler", "nn": "Talar", "no": "Taler", "da": "Taler", "sv": "Talare", "en": "Speaker", "de": "Sprecher"}
SNAP = 1.0  # seconds either side of a found change of speaker to look for the pause it belongs in


def generic_label(number: int, language: str) -> str:
    return f"{GENERIC.get(language.split('-')[0], 'Speaker')} {number}"


def _turn_of(word: Word, turns: Timeline) -> str | None:
    """The speaker of the turn the word overlaps most, else of the turn with an edge nearest it (2 s at most)."""
    best, best_overlap = None, 0.0
    for start, end, who in turns.near(word.start, word.end):
        overlap = min(end, word.end) - max(start, word.start)
        if overlap > best_overlap:
            best, best_overlap = who, overlap
    if best is not None:
        return best
    middle = (word.start + word.end) / 2
    nearest = min(turns.near(middle - 2.0, middle + 2.0), key=lambda t: min(abs(t[0] - middle), abs(t[1] - middle)), default=None)
    if nearest is not None and min(abs(nearest[0] - middle), abs(nearest[1] - middle)) <= 2.0:
        return nearest[2]
    return None


def _snap(words: list[Word], who: list[str | None], sentence_end: str = ".?!…") -> list[str | None]:
    """Move each change of speaker to the longest pause near it (a sentence end counts as a long pause):
    turns found from windows are a few tenths of a second off, words are not."""
    who = list(who)
    n = len(words)
    k = 1
    while k < n:
        if who[k] == who[k - 1] or who[k] is None or who[k - 1] is None:
            k += 1
            continue
        t = words[k].start
        lo = k
        while lo - 1 > 0 and t - words[lo - 1].start <= SNAP:
            lo -= 1
        hi = k
        while hi + 1 < n and words[hi + 1].start - t <= SNAP:
            hi += 1

        def score(c: int) -> float:
            pause = words[c].start - words[c - 1].end
            ends = words[c - 1].text.rstrip("\"'”»)").endswith(tuple(sentence_end))
            return pause + (0.5 if ends else 0.0) - 0.05 * abs(c - k)

        cut = max(range(max(lo, 1), hi + 1), key=score)
        a, b = who[k - 1], who[k]
        for i in range(max(lo, 1) - 1, cut):
            if who[i] in (a, b):
                who[i] = a
        for i in range(cut, hi + 1):
            if who[i] in (a, b):
                who[i] = b
        k = hi + 1
    return who


def without_speakers(transcript: Transcript) -> Transcript:
    segments = tuple(replace(s, speaker=None, words=tuple(replace(w, speaker=None) for w in s.words)) for s in transcript.segments)
    return replace(transcript, segments=segments, speakers=())


def assign(transcript: Transcript, turns: Sequence[tuple[float, float, str]],
           language: str | None = None) -> tuple[Transcript, dict[str, str]]:
    """The transcript with a speaker on every word and segments split where the speaker changes.
    Speakers are renumbered S1, S2 ... in the order they first speak; a speaker without words (music,
    applause) is dropped."""
    words = transcript.words
    timeline = Timeline(turns, lambda t: t[0], lambda t: t[1])
    raw = _snap(words, [_turn_of(w, timeline) for w in words]) if turns else [None] * len(words)
    raw = _filled(raw)
    order: dict[str, str] = {}
    for who in raw:
        if who is not None and who not in order:
            order[who] = f"S{len(order) + 1}"
    ids = [order.get(w) if w is not None else None for w in raw]
    segments: list[Segment] = []
    k = 0
    for seg in transcript.segments:
        group: list[Word] = []
        for w in seg.words:
            w = replace(w, speaker=ids[k])
            k += 1
            if group and w.speaker != group[-1].speaker:
                segments.append(_piece(seg, group))
                group = []
            group.append(w)
        segments.append(_piece(seg, group) if group else replace(seg, speaker=None))
    spoken = {}
    for start, end, who in turns:
        if who in order:
            spoken[order[who]] = spoken.get(order[who], 0.0) + end - start
    count = {i: sum(1 for x in ids if x == i) for i in order.values()}
    lang = language or transcript.language
    record = tuple({"id": i, "label": generic_label(int(i[1:]), lang), "seconds": round(spoken.get(i, 0.0), 2), "words": count[i]}
                   for i in order.values())
    return replace(transcript, segments=tuple(segments), speakers=record), order


def _filled(who: list[str | None]) -> list[str | None]:
    """A word far from every turn (speech the voice detection missed) belongs to the speaker before it, or
    the first speaker after it: every word has a speaker once anyone was found."""
    out, last = list(who), None
    for i, w in enumerate(out):
        out[i] = last = w or last
    nxt = next((w for w in out if w), None)
    return [w or nxt for w in out]


def _piece(seg: Segment, words: list[Word]) -> Segment:
    if len(words) == len(seg.words):
        return replace(seg, words=tuple(words), speaker=words[0].speaker)
    return replace(seg, start=words[0].start, end=words[-1].end, text=" ".join(w.text for w in words), words=tuple(words),
                   speaker=words[0].speaker)


def turns_in_order(turns: Sequence[tuple[float, float, str]], order: dict[str, str]) -> list[tuple[float, float, str]]:
    """Diarization turns with the transcript's speaker ids (`order`: diarization's speaker -> S1 ...);
    turns of a speaker who said nothing (music, applause) are left out."""
    return [(s, e, order[w]) for s, e, w in turns if w in order]


# -- the record --------------------------------------------------------------------------------------

def record(transcript: Transcript, turns: Sequence[tuple[float, float, str]], embeddings: dict[str, list[float]],
           model: dict, settings: dict, overlap: float, previous: dict | None = None) -> dict:
    """NAME.speakers.json's content; names given before are kept for the voice they were given to."""
    names = _names_by_voice(previous, embeddings) if previous else {}
    speakers = []
    for s in transcript.speakers:
        own = [(a, b) for a, b, w in turns if w == s["id"]]
        sample = max(own, key=lambda t: t[1] - t[0], default=(0.0, 0.0))
        speakers.append({**s, "name": names.get(s["id"]), "sample": [round(sample[0], 2), round(min(sample[1], sample[0] + 8.0), 2)],
                         "embedding": [round(float(v), 5) for v in embeddings.get(s["id"], [])]})
    for s in speakers:
        if s["name"]:
            s["label"] = s["name"]
    return {"schema": SCHEMA, "model": model, "settings": settings, "speakers": speakers,
            "turns": [[round(a, 3), round(b, 3), w] for a, b, w in turns], "overlap_seconds": round(overlap, 2)}


def _names_by_voice(previous: dict, embeddings: dict[str, list[float]], threshold: float = 0.6) -> dict[str, str]:
    import numpy as np

    named = [(s["name"], np.asarray(s.get("embedding") or [], dtype=np.float32)) for s in previous.get("speakers", []) if s.get("name")]
    pairs = sorted(((float(np.asarray(v, dtype=np.float32) @ e), sid, name) for sid, v in embeddings.items()
                    for name, e in named if e.shape == np.shape(v)), reverse=True)
    out: dict[str, str] = {}
    for score, sid, name in pairs:  # the closest voices first, each name and speaker once
        if score >= threshold and sid not in out and name not in out.values():
            out[sid] = name
    return out


def read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AccessMediaError(f"{path.name} is missing: this recording's speakers were not found",
                               "run `accessmedia process` (speakers are found by default) or `accessmedia transcribe --speakers auto`") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise AccessMediaError(f"{path} cannot be read ({exc})", "run `accessmedia process` again to remake it") from None
    if data.get("schema") != SCHEMA:
        raise AccessMediaError(f"{path} is not an accessmedia speakers file", "run `accessmedia process` again to remake it")
    return data


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write(path: Path, data: dict) -> None:
    write_atomic(path, dumps(data))


def labels(data: dict | None) -> dict[str, str]:
    """Speaker id -> what captions call them: the name once named, "Taler 1" until then."""
    if not data:
        return {}
    return {s["id"]: s.get("name") or s["label"] for s in data.get("speakers", [])}


def parse_naming(text: str) -> tuple[str, str]:
    """'Taler 1=Amina Yusuf' -> ("Taler 1", "Amina Yusuf")."""
    old, sep, new = text.partition("=")
    old, new = " ".join(old.split()), " ".join(new.split())
    if not sep or not old or not new:
        raise AccessMediaError(f"--name {text!r} is not LABEL=NAME", 'write it as --name "Taler 1=Amina Yusuf"')
    if re.search(r"[<>:&\n]", new):
        raise AccessMediaError(f"the name {new!r} has a character a caption label cannot carry (< > : &)", "leave it out of the name")
    return old, new
