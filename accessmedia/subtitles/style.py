"""Style profiles: the subtitling rules for a language, and checking cues against them.

A profile is plain data loaded from TOML. The built-in profile follows
Norwegian broadcast practice and Netflix's timed-text style guide; a user's
TOML file overrides any field of it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from accessmedia.core.errors import AccessMediaError
from accessmedia.subtitles.condense import LEVELS, Lexicon
from accessmedia.subtitles.markup import plain

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

TIME_EPSILON = 0.0005  # subtitle files keep milliseconds


@dataclass(frozen=True)
class StyleProfile:
    name: str = "default"
    language: str = "nb"
    max_lines: int = 2
    max_chars_per_line: int = 42
    max_cps: float = 17.0
    comfortable_cps: float = 15.0  # the pace a cue is held for, and borrows time for, where there is time
    min_duration: float = 0.833
    max_duration: float = 7.0
    fps: float = 25.0
    min_gap_frames: int = 2
    max_extend: float = 1.0
    pause_break: float = 1.0
    sentence_end: str = ".?!…"
    clause_end: str = ",;:–—"
    break_before: frozenset[str] = field(default_factory=frozenset)
    no_break_after: frozenset[str] = field(default_factory=frozenset)
    # who speaks, when a recording has more than one speaker: "names" = the speaker's label ("Taler 1" until
    # named) at each change of speaker and dashes when two share a cue; "short" = the whole label at a speaker's
    # first turn, then a short name ("Amina Yusuf:", later "Amina:"); "dashes" = dashes only; "none" = nothing
    # visible. WebVTT always carries voice spans (<v Name>).
    speaker_labels: str = "names"
    # a cue may appear this long before its first word, when nothing is on screen then
    lead_in: float = 0.25
    # how far a cue's times may move off its words (shown later than said, or gone before its last word ends) so that
    # a fast cue borrows time from a slow neighbour
    sync_tolerance: float = 0.5
    # what a cue too fast to read may leave out (condense.py): "none" (verbatim, archives), "light" (hesitations,
    # repeated words, restarts), "full" (also discourse phrases and particles)
    condensation: str = "full"
    lexicon: Lexicon = field(default_factory=Lexicon)  # the language's words for condensation ([languages.X.condense])

    @property
    def min_gap(self) -> float:
        return self.min_gap_frames / self.fps


SPEAKER_LABELS = ("names", "short", "dashes", "none")
_SCALARS = {f.name for f in fields(StyleProfile)} - {"break_before", "no_break_after", "language", "lexicon"}


def _apply(profile: StyleProfile, data: dict[str, Any], language: str, origin: str) -> StyleProfile:
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "languages":
            continue
        if key not in _SCALARS:
            raise AccessMediaError(f"{origin}: unknown style field '{key}'", f"known fields: {', '.join(sorted(_SCALARS))}")
        expected = type(getattr(profile, key))
        if expected is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool) and expected is not bool:
            raise AccessMediaError(f"{origin}: style field '{key}' must be a {expected.__name__}, not {value!r}")
        changes[key] = value
    tables = data.get("languages", {})
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise AccessMediaError(f"{origin}: 'languages' must hold one table per language, like [languages.nb]")
    lang = tables.get(language, {})
    for key in ("break_before", "no_break_after"):
        if key in lang:
            words = lang[key]
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise AccessMediaError(f"{origin}: style field 'languages.{language}.{key}' must be a list of words, like [\"og\", \"men\"]")
            changes[key] = frozenset(w.lower() for w in words)
    if "condense" in lang:
        table = lang["condense"]
        if not isinstance(table, dict) or not all(isinstance(v, list) and all(isinstance(w, str) for w in v) for v in table.values()):
            raise AccessMediaError(f"{origin}: 'languages.{language}.condense' must hold lists of words, like fillers = [\"eh\"]")
        unknown = set(table) - {"fillers", "set_off", "inside", "small", "never"}
        if unknown:
            raise AccessMediaError(f"{origin}: unknown list '{sorted(unknown)[0]}' in languages.{language}.condense",
                                   "known lists: fillers, set_off, inside, small, never")
        changes["lexicon"] = Lexicon.from_table(table, profile.lexicon)
    return replace(profile, **changes)


# (field, lowest allowed, whether the lowest itself is allowed): every number must also be finite
_RANGES = (("max_lines", 1, True), ("max_chars_per_line", 10, True), ("max_cps", 0, False), ("comfortable_cps", 0, False), ("min_duration", 0, False),
           ("max_duration", 0, False), ("fps", 0, False), ("min_gap_frames", 0, True), ("max_extend", 0, True),
           ("pause_break", 0, False), ("lead_in", 0, True), ("sync_tolerance", 0, True))


def _check_ranges(profile: StyleProfile, origin: str) -> None:
    for name, lowest, inclusive in _RANGES:
        value = getattr(profile, name)
        if not math.isfinite(value) or value < lowest or (value == lowest and not inclusive):
            bound = f"at least {lowest}" if inclusive else f"greater than {lowest}"
            raise AccessMediaError(f"{origin}: style field '{name}' must be {bound}, not {value!r}", "fix the style file")
    if profile.speaker_labels not in SPEAKER_LABELS:
        raise AccessMediaError(f"{origin}: style field 'speaker_labels' must be one of {', '.join(SPEAKER_LABELS)}, "
                               f"not {profile.speaker_labels!r}", "fix the style file")
    if profile.condensation not in LEVELS:
        raise AccessMediaError(f"{origin}: style field 'condensation' must be one of {', '.join(LEVELS)}, "
                               f"not {profile.condensation!r}", "fix the style file")
    if profile.min_duration >= profile.max_duration:
        raise AccessMediaError(f"{origin}: style field 'min_duration' ({profile.min_duration:g} s) must be below max_duration "
                               f"({profile.max_duration:g} s)", "fix the style file")


def read_style_file(path: Path) -> tuple[str, dict[str, Any]]:
    """The text of a style profile file and its parsed rules."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except FileNotFoundError:
        raise AccessMediaError(f"style file {path} does not exist", "check the --style path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccessMediaError(f"style file {path} is not valid TOML: {exc}", "fix the file") from exc


@lru_cache(maxsize=1)
def _builtin() -> dict[str, Any]:
    return tomllib.loads((resources.files("accessmedia") / "profiles" / "default.toml").read_text(encoding="utf-8"))


def profile_from(language: str, overrides: Mapping[str, Any] | None = None, origin: str | None = None) -> StyleProfile:
    """The built-in profile for `language`, overridden by the rules of a style file (parsed)."""
    profile = _apply(StyleProfile(language=language), _builtin(), language, "default.toml")
    if overrides is not None:
        profile = _apply(profile, overrides, language, origin or "style file")
    _check_ranges(profile, origin or "default.toml")
    return profile


def load_profile(language: str = "nb", path: str | Path | None = None) -> StyleProfile:
    """The built-in profile for `language`, overridden by the TOML file at `path`."""
    if path is None:
        return profile_from(language)
    return profile_from(language, read_style_file(Path(path))[1], str(path))


# -- conformance ----------------------------------------------------------

ERROR_RULES = ("timing", "overlap", "order")  # broken files; the others are style advice
HARD_RULES = ("timing", "lines", "line_length", "min_duration", "max_duration", "overlap", "gap", "order")  # never traded away
RULES = ("timing", "lines", "line_length", "reading_speed", "min_duration", "max_duration", "overlap", "gap", "order")


_DETAILS = {  # rule -> its explanation from the measured value and the profile's limit
    "lines": lambda v, limit: f"{v:g} lines, at most {limit:g}",
    "line_length": lambda v, limit: f"line of {v:g} characters, at most {limit:g}",
    "reading_speed": lambda v, limit: f"{v:.1f} characters per second, at most {limit:g}",
    "timing": lambda v, limit: f"ends {-v:.3f} s before it starts" if v < 0 else "ends when it starts",
    "min_duration": lambda v, limit: f"on screen {v:.3f} s, at least {limit:g} s",
    "max_duration": lambda v, limit: f"on screen {v:.3f} s, at most {limit:g} s",
    "order": lambda v, limit: "starts after the next cue",
    "overlap": lambda v, limit: f"overlaps the next cue by {v:.3f} s",
    "gap": lambda v, limit: f"{v:.3f} s before the next cue, at least {limit:.3f} s",
}


@dataclass(frozen=True, slots=True)
class Breach:
    cue: int  # 1-based position in the file
    start: float
    rule: str
    value: float = 0.0  # what was measured (characters, seconds, characters per second)
    limit: float = 0.0  # the profile's bound

    @property
    def detail(self) -> str:
        return _DETAILS[self.rule](self.value, self.limit)

    def to_dict(self) -> dict:
        return {"cue": self.cue, "start": self.start, "rule": self.rule, "detail": self.detail}


@dataclass(frozen=True)
class Conformance:
    cues: int
    breaches: tuple[Breach, ...]

    def failing(self, rule: str) -> int:
        return len({b.cue for b in self.breaches if b.rule == rule})

    def share_ok(self, rule: str) -> float:
        return 1.0 if self.cues == 0 else 1 - self.failing(rule) / self.cues

    def met(self) -> str:
        """One line for people: the share of cues that meet every hard rule, and the reading speed's."""
        hard = min(self.share_ok(rule) for rule in HARD_RULES)
        return f"rules met {hard:.0%} (reading speed {self.share_ok('reading_speed'):.0%})"

    def summary(self) -> dict[str, float]:
        return {rule: round(self.share_ok(rule), 4) for rule in RULES}

    @property
    def errors(self) -> list[Breach]:
        """Breaches that make a file broken (timing, overlap, order), not just hard to read."""
        return [b for b in self.breaches if b.rule in ERROR_RULES]


_INVISIBLE_CHARS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")


def visible_length(line: str) -> int:
    """Characters a viewer sees: span tags (<i>), direction marks and other invisible controls do not count."""
    line = plain(line)
    return len(line.translate(_INVISIBLE)) if _HAS_INVISIBLE.search(line) else len(line)


def char_count(lines: Sequence[str]) -> int:
    return sum(visible_length(line) for line in lines)


def check(cues: Iterable[Any], profile: StyleProfile) -> Conformance:
    """Check cues (anything with start, end and lines) against every rule of `profile`, one pass over
    them, holding only the cue before (a large file is checked as it is read)."""
    out: list[Breach] = []
    add = out.append
    p = profile
    previous = None
    n = 0
    for n, cue in enumerate(cues, start=1):
        if previous is not None:  # the previous cue against this one: its last rules, before this cue's own
            if cue.start < previous.start:
                add(Breach(n - 1, previous.start, "order"))
            elif cue.start < previous.end - TIME_EPSILON:
                add(Breach(n - 1, previous.start, "overlap", previous.end - cue.start))
            elif cue.start - previous.end < p.min_gap - TIME_EPSILON:
                add(Breach(n - 1, previous.start, "gap", cue.start - previous.end, p.min_gap))
        previous = cue
        duration = cue.end - cue.start
        if len(cue.lines) > p.max_lines:
            add(Breach(n, cue.start, "lines", len(cue.lines), p.max_lines))
        lengths = [visible_length(line) for line in cue.lines]
        for length in lengths:
            if length > p.max_chars_per_line:
                add(Breach(n, cue.start, "line_length", length, p.max_chars_per_line))
        if duration > 0:
            cps = sum(lengths) / duration
            if cps > p.max_cps + 1e-6:
                add(Breach(n, cue.start, "reading_speed", cps, p.max_cps))
        if duration <= 0:
            add(Breach(n, cue.start, "timing", duration))
        elif duration < p.min_duration - TIME_EPSILON:
            add(Breach(n, cue.start, "min_duration", duration, p.min_duration))
        if duration > p.max_duration + TIME_EPSILON:
            add(Breach(n, cue.start, "max_duration", duration, p.max_duration))
    return Conformance(n, tuple(out))


@dataclass(frozen=True)
class Styles:
    """The style profile file's rules, parsed once; `profile(lang)` gives each language's StyleProfile."""

    origin: str | None = None  # the file's path, for messages; None = the built-in rules only
    text: str | None = None  # the file's text: part of the stage keys, so a changed file remakes the cues
    data: Mapping = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def read(cls, path: str | Path | None) -> "Styles":
        if path is None:
            return cls()
        path = Path(path).resolve()
        text, data = read_style_file(path)
        styles = cls(str(path), text, data)
        styles.profile("nb")  # a broken profile fails now, at the edge, not in a worker
        return styles

    def profile(self, language: str) -> StyleProfile:
        return profile_from(language, self.data if self.origin else None, self.origin)

    def record(self) -> dict:
        return {"file": self.origin}
