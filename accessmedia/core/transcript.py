"""Word, Segment and Transcript records, and their JSON form.

The word-level transcript is the source of truth for every later stage:
subtitles in every language are derived from it, never edited in place.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from accessmedia.core.clock import clock
from accessmedia.core.errors import AccessMediaError

SCHEMA = "accessmedia.transcript/1"


@dataclass(frozen=True)
class Word:
    text: str  # as the model wrote it, without surrounding spaces
    start: float
    end: float
    probability: float
    speaker: str | None = None  # "S1", "S2" ...: the speaker id in NAME.speakers.json; None = nobody found


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...]
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0
    speaker: str | None = None  # every word of a segment has this speaker: a segment never spans two


@dataclass(frozen=True)
class Removal:
    """A stretch of model output that a guard dropped, kept for the report."""

    start: float
    end: float
    text: str
    reason: str


@dataclass(frozen=True)
class Transcript:
    language: str  # BCP-47
    duration: float
    segments: tuple[Segment, ...]
    model: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    removed: tuple[Removal, ...] = ()
    speakers: tuple[dict[str, Any], ...] = ()  # {"id", "label", "seconds", "words"} per speaker found; () = not diarized

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "language": self.language,
            "duration": round(self.duration, 3),
            "model": self.model,
            "settings": self.settings,
            "source": self.source,
            "segments": [
                {
                    "start": s.start,
                    "end": s.end,
                    "text": s.text,
                    "avg_logprob": round(s.avg_logprob, 4),
                    "no_speech_prob": round(s.no_speech_prob, 4),
                    "compression_ratio": round(s.compression_ratio, 4),
                    **({"speaker": s.speaker} if s.speaker else {}),
                    "words": [
                        {"text": w.text, "start": w.start, "end": w.end, "probability": round(w.probability, 4),
                         **({"speaker": w.speaker} if w.speaker else {})}
                        for w in s.words
                    ],
                }
                for s in self.segments
            ],
            "removed": [asdict(r) for r in self.removed],
            **({"speakers": list(self.speakers)} if self.speakers else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Transcript":
        if data.get("schema") != SCHEMA:
            raise AccessMediaError(
                f"not an accessmedia transcript (schema {data.get('schema')!r})",
                "pass a NAME.transcript.json written by `accessmedia transcribe`",
            )
        try:
            segments = tuple(
                Segment(
                    start=float(s["start"]),
                    end=float(s["end"]),
                    text=s["text"],
                    words=tuple(
                        Word(w["text"], float(w["start"]), float(w["end"]), float(w["probability"]), w.get("speaker"))
                        for w in s["words"]
                    ),
                    avg_logprob=float(s.get("avg_logprob", 0.0)),
                    no_speech_prob=float(s.get("no_speech_prob", 0.0)),
                    compression_ratio=float(s.get("compression_ratio", 0.0)),
                    speaker=s.get("speaker"),
                )
                for s in data["segments"]
            )
            removed = tuple(Removal(**r) for r in data.get("removed", []))
            return cls(
                language=data["language"],
                duration=float(data["duration"]),
                segments=segments,
                model=data.get("model", {}),
                settings=data.get("settings", {}),
                source=data.get("source", {}),
                removed=removed,
                speakers=tuple(dict(x) for x in data.get("speakers", ())),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AccessMediaError(f"transcript JSON is malformed: {exc!r}", "regenerate it with `accessmedia transcribe`") from exc

    @classmethod
    def from_json(cls, text: str) -> "Transcript":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AccessMediaError(f"transcript is not valid JSON: line {exc.lineno}: {exc.msg}") from exc
        return cls.from_dict(data)


def readable_text(transcript: Transcript, names: dict[str, str] | None = None, paragraph_pause: float = 2.0,
                  max_paragraph: float = 60.0) -> str:
    """Paragraphs with timestamps: a new paragraph after a long pause or once one grows long. With more than
    one speaker, in speaker turns: `Amina Yusuf [00:12:03]: ...`."""
    if len(transcript.speakers) > 1:
        return _turns_text(transcript, {**{s["id"]: s.get("label", s["id"]) for s in transcript.speakers}, **(names or {})})
    paragraphs: list[tuple[float, list[str]]] = []
    last_end = None
    for seg in transcript.segments:
        if not seg.text:
            continue
        new = (
            not paragraphs
            or (last_end is not None and seg.start - last_end >= paragraph_pause)
            or seg.start - paragraphs[-1][0] >= max_paragraph and paragraphs[-1][1][-1].rstrip()[-1:] in ".?!"
        )
        if new:
            paragraphs.append((seg.start, []))
        paragraphs[-1][1].append(seg.text.strip())
        last_end = seg.end
    return "".join(f"[{clock(start, hours=True, pad=True)}] {' '.join(parts)}\n\n" for start, parts in paragraphs)


def _turns_text(transcript: Transcript, names: dict[str, str]) -> str:
    turns: list[tuple[str | None, float, list[str]]] = []
    for seg in transcript.segments:
        if not seg.text:
            continue
        if not turns or (seg.speaker and seg.speaker != turns[-1][0]):
            turns.append((seg.speaker, seg.start, []))
        turns[-1][2].append(seg.text.strip())
    return "".join(f"{names.get(who, who) if who else '?'} [{clock(start, hours=True, pad=True)}]: {' '.join(parts)}\n\n" for who, start, parts in turns)


def segment_text(words: Iterable[Word]) -> str:
    return " ".join(w.text for w in words)
