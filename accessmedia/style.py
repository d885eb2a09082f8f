"""Style profiles: the subtitling rules for a language, and checking cues against them.

A profile is plain data loaded from TOML. The built-in profile follows
Norwegian broadcast practice and Netflix's timed-text style guide; a user's
TOML file overrides any field of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from .errors import AccessMediaError

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

    @property
    def min_gap(self) -> float:
        return self.min_gap_frames / self.fps


_SCALARS = {f.name for f in fields(StyleProfile)} - {"break_before", "no_break_after", "language"}


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
    return replace(profile, **changes)


# (field, lowest allowed, whether the lowest itself is allowed): every number must also be finite
_RANGES = (("max_lines", 1, True), ("max_chars_per_line", 10, True), ("max_cps", 0, False), ("min_duration", 0, False),
           ("max_duration", 0, False), ("fps", 0, False), ("min_gap_frames", 0, True), ("max_extend", 0, True),
           ("pause_break", 0, False))


def _check_ranges(profile: StyleProfile, origin: str) -> None:
    for name, lowest, inclusive in _RANGES:
        value = getattr(profile, name)
        if not math.isfinite(value) or value < lowest or (value == lowest and not inclusive):
            bound = f"at least {lowest}" if inclusive else f"greater than {lowest}"
            raise AccessMediaError(f"{origin}: style field '{name}' must be {bound}, not {value!r}", "fix the style file")
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
RULES = ("timing", "lines", "line_length", "reading_speed", "min_duration", "max_duration", "overlap", "gap", "order")


@dataclass(frozen=True)
class Breach:
    cue: int  # 1-based position in the file
    start: float
    rule: str
    detail: str


@dataclass(frozen=True)
class Conformance:
    cues: int
    breaches: tuple[Breach, ...]

    def failing(self, rule: str) -> int:
        return len({b.cue for b in self.breaches if b.rule == rule})

    def share_ok(self, rule: str) -> float:
        return 1.0 if self.cues == 0 else 1 - self.failing(rule) / self.cues

    def summary(self) -> dict[str, float]:
        return {rule: round(self.share_ok(rule), 4) for rule in RULES}

    @property
    def errors(self) -> list[Breach]:
        """Breaches that make a file broken (timing, overlap, order), not just hard to read."""
        return [b for b in self.breaches if b.rule in ERROR_RULES]


_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"))


def visible_length(line: str) -> int:
    """Characters a viewer sees: direction marks and other invisible controls do not count."""
    return len(line.translate(_INVISIBLE))


def char_count(lines: Sequence[str]) -> int:
    return sum(visible_length(line) for line in lines)


def check(cues: Iterable[Any], profile: StyleProfile) -> Conformance:
    """Check cues (anything with start, end and lines) against every rule of `profile`."""
    cues = list(cues)
    out: list[Breach] = []
    for n, cue in enumerate(cues, start=1):
        found: list[tuple[str, str]] = []
        duration = cue.end - cue.start
        if len(cue.lines) > profile.max_lines:
            found.append(("lines", f"{len(cue.lines)} lines, at most {profile.max_lines}"))
        for line in cue.lines:
            if visible_length(line) > profile.max_chars_per_line:
                found.append(("line_length", f"line of {visible_length(line)} characters, at most {profile.max_chars_per_line}"))
        if duration > 0:
            cps = char_count(cue.lines) / duration
            if cps > profile.max_cps + 1e-6:
                found.append(("reading_speed", f"{cps:.1f} characters per second, at most {profile.max_cps:g}"))
        if duration <= 0:
            found.append(("timing", f"ends {-duration:.3f} s before it starts" if duration < 0 else "ends when it starts"))
        elif duration < profile.min_duration - TIME_EPSILON:
            found.append(("min_duration", f"on screen {duration:.3f} s, at least {profile.min_duration:g} s"))
        if duration > profile.max_duration + TIME_EPSILON:
            found.append(("max_duration", f"on screen {duration:.3f} s, at most {profile.max_duration:g} s"))
        if n < len(cues):
            nxt = cues[n]
            if nxt.start < cue.start:
                found.append(("order", "starts after the next cue"))
            elif nxt.start < cue.end - TIME_EPSILON:
                found.append(("overlap", f"overlaps the next cue by {cue.end - nxt.start:.3f} s"))
            elif nxt.start - cue.end < profile.min_gap - TIME_EPSILON:
                found.append(("gap", f"{nxt.start - cue.end:.3f} s before the next cue, at least {profile.min_gap:.3f} s"))
        out.extend(Breach(n, cue.start, rule, detail) for rule, detail in found)
    return Conformance(len(cues), tuple(out))
