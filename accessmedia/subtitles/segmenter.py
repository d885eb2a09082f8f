"""From word timestamps to subtitle cues: segmentation, line breaks and timing.

Pure functions. The segmentation is a shortest-path search over the words:
every way to cut the words into cues has a cost (a cut mid-phrase, a
sentence or a long pause inside a cue, reading speed above the limit, a cue
too short to read), and the cheapest one wins. Hard rules (line count, line
length, duration, gaps) are never traded away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Collection, Mapping, Sequence

from accessmedia.subtitles.condense import condense
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.style import StyleProfile, char_count
from accessmedia.subtitles.timing import time_cues
from accessmedia.subtitles.voices import labelled_words, speaker_of, speaker_turns
from accessmedia.core.transcript import Transcript, Word

INFEASIBLE = math.inf
DASH = "- "
TWO_SPEAKERS_COST = 20.0  # a cue shared by two speakers: only when their lines are short and quick
MAX_WORDS_PER_CUE = 40


def _strip_punct(text: str) -> str:
    return text.strip("\"'“”«»()[]{}.,;:!?…–—-").lower()


class _Scorer:
    """Costs of breaking after each word, for lines and for cues."""

    def __init__(self, words: Sequence[Word], profile: StyleProfile, turns: Sequence[int] | None = None,
                 label_at: frozenset[int] = frozenset()):
        self.words = words
        self.p = profile
        self.turns = turns
        self.label_at = label_at
        self.prefix = [0]
        for w in words:
            self.prefix.append(self.prefix[-1] + len(w.text))
        n = len(words)
        self.pause = [
            max(0.0, words[i + 1].start - words[i].end) if i + 1 < n else math.inf for i in range(n)
        ]
        self.sentence_end = [w.text.rstrip("\"'”»)").endswith(tuple(profile.sentence_end)) for w in words]
        self.line_break_cost = [self._break_cost(i) for i in range(n)]
        # punctuation inside a line of a two-line cue: the line should have broken there
        self.inner = [0.0]
        for i, w in enumerate(words):
            mid = 6.0 if self.sentence_end[i] else 3.0 if w.text.endswith(tuple(profile.clause_end)) else 0.0
            self.inner.append(self.inner[-1] + mid)

    def _break_cost(self, i: int) -> float:
        """How bad it is to break (a line or a cue) after word i."""
        p, words = self.p, self.words
        if i + 1 >= len(words):
            return 0.0
        text, nxt = words[i].text, words[i + 1].text
        if i in self.label_at:
            return 100.0  # a speaker's label stays with their first words
        if self.turns is not None and self.turns[i + 1] != self.turns[i]:
            return 0.0  # the speaker changes here
        if self.pause[i] >= p.pause_break:
            return 0.5  # a long pause is where the speaker broke the phrase
        if self.sentence_end[i]:
            cost = 0.0
        elif text.endswith(tuple(p.clause_end)):
            cost = 2.0
        elif nxt and _strip_punct(nxt) in p.break_before:
            cost = 5.0
        else:
            cost = 10.0
        if self.pause[i] >= 0.4:
            cost = max(0.0, cost - 2.0)
        bare = _strip_punct(text)
        if text == bare or text.lower() == bare:  # no punctuation after the word
            if bare in p.no_break_after:
                cost += 40.0
            capitalised = text[:1].isupper() and nxt[:1].isupper() and not (text.isupper() and nxt.isupper())
            if capitalised and len(bare) > 1 and not self._starts_sentence(i):
                cost += 40.0  # first and last name, or a multi-word proper noun
        return cost

    def _starts_sentence(self, i: int) -> bool:
        return i == 0 or self.sentence_end[i - 1]

    # -- lines ---------------------------------------------------------

    def width(self, i: int, j: int) -> int:
        """Characters of words i..j set on one line."""
        return self.prefix[j + 1] - self.prefix[i] + (j - i)

    def layout(self, i: int, j: int, lines: int | None = None) -> tuple[float, tuple[int, ...]] | None:
        """Cheapest way to set words i..j in at most `lines` lines: (cost, index of each line's last word)."""
        p = self.p
        lines = lines or p.max_lines
        width = self.width(i, j)
        if width <= p.max_chars_per_line:
            return 0.0, (j,)
        if lines == 1 or width > lines * p.max_chars_per_line:
            return None
        best: tuple[float, tuple[int, ...]] | None = None
        for k in range(i, j):
            top = self.width(i, k)
            if top > p.max_chars_per_line:
                break
            rest = self.layout(k + 1, j, lines - 1)
            if rest is None:
                continue
            below = self.width(k + 1, rest[1][0])
            balance = 0.15 * abs(top - below) + (0.5 if top > below else 0.0)
            punctuation = self.inner[k] - self.inner[i]
            if len(rest[1]) == 1:
                punctuation += self.inner[j] - self.inner[k + 1]
            cost = self.line_break_cost[k] + balance + punctuation + rest[0]
            if best is None or cost < best[0]:
                best = (cost, (k, *rest[1]))
        return best

    def dash_layout(self, i: int, j: int) -> tuple[float, tuple[int, ...]] | None:
        """Two speakers in one cue: one line each, each starting with a dash; never more than two turns, and only
        two whole turns (a quick exchange), never the end of one turn with the start of the next."""
        if self.turns[j] - self.turns[i] != 1 or self.p.max_lines < 2:
            return None
        if (i > 0 and self.turns[i - 1] == self.turns[i]) or (j + 1 < len(self.turns) and self.turns[j + 1] == self.turns[j]):
            return None
        k = next(m for m in range(i, j) if self.turns[m + 1] != self.turns[m])
        if max(self.width(i, k), self.width(k + 1, j)) + len(DASH) > self.p.max_chars_per_line:
            return None
        return TWO_SPEAKERS_COST, (k, j)

    def lines(self, i: int, ends: tuple[int, ...]) -> tuple[str, ...]:
        out, first = [], i
        for last in ends:
            out.append(" ".join(w.text for w in self.words[first : last + 1]))
            first = last + 1
        return tuple(out)


def _clean(words: Sequence[Word]) -> list[Word]:
    """Words in order, none overlapping the next, none ending before it starts."""
    out: list[Word] = []
    for w in words:
        text = " ".join(w.text.split())
        if not text:
            continue
        start = max(w.start, out[-1].end if out else 0.0)
        end = max(w.end, start)
        out.append(Word(text, start, end, w.probability, w.speaker))
    return out


def _split_long_word(word: Word, width: int) -> list[Word]:
    """A 'word' longer than a line (a URL, say) is cut into line-sized pieces."""
    pieces = [word.text[k : k + width] for k in range(0, len(word.text), width)]
    span = (word.end - word.start) / len(pieces)
    return [Word(t, word.start + n * span, word.start + (n + 1) * span, word.probability, word.speaker)
            for n, t in enumerate(pieces)]


@dataclass(frozen=True)
class Omission:
    """What condensation left out of one cue: the cue's position, its lines with every word, the words left out."""

    cue: int
    verbatim: tuple[str, ...]
    left_out: tuple[str, ...]


@dataclass(frozen=True)
class Built:
    cues: list[Cue]
    omissions: list[Omission]


def build_cues(words: Sequence[Word], profile: StyleProfile, labels: Mapping[str, str] | None = None,
               keep: Collection[str] = ()) -> list[Cue]:
    """Cut words into cues and time them under `profile` (see `build`)."""
    return build(words, profile, labels, keep).cues


def build(words: Sequence[Word], profile: StyleProfile, labels: Mapping[str, str] | None = None,
          keep: Collection[str] = ()) -> Built:
    """Cut words into cues and time them under `profile`; a cue still too fast to read is condensed (condense.py,
    profile option condensation; `keep`: glossary terms never left out) and what it left out is said.

    When the words have more than one speaker (`labels`: speaker id -> label), a change of speaker ends
    a cue, except that two short lines of two speakers may share one, each line starting with a dash; the
    first cue of each turn starts with the speaker's label (profile option speaker_labels), and every cue
    carries its speaker as a WebVTT voice span.
    """
    cleaned: list[Word] = []
    for w in _clean(words):
        cleaned.extend(_split_long_word(w, profile.max_chars_per_line) if len(w.text) > profile.max_chars_per_line else [w])
    words = cleaned
    n = len(words)
    if n == 0:
        return Built([], [])
    turns = speaker_turns(words)
    label_at: frozenset[int] = frozenset()
    if turns is not None:
        words, turns, label_at = labelled_words(words, turns, labels or {}, profile)
        n = len(words)
    scorer = _Scorer(words, profile, turns, label_at)
    p = profile
    best = [INFEASIBLE] * (n + 1)
    choice: list[tuple[int, tuple[int, ...]] | None] = [None] * (n + 1)
    best[0] = 0.0
    for j in range(n):  # cue ends at word j
        chars = 0
        for i in range(j, max(-1, j - MAX_WORDS_PER_CUE), -1):  # cue starts at word i
            chars += len(words[i].text) + (1 if i < j else 0)
            if chars > p.max_lines * p.max_chars_per_line:
                break
            span = words[j].end - words[i].start
            if i < j and span > p.max_duration:
                break
            if best[i] == INFEASIBLE:
                continue
            laid = scorer.layout(i, j) if turns is None or turns[i] == turns[j] else scorer.dash_layout(i, j)
            if laid is None:
                if turns is not None and turns[j] - turns[i] > 1:
                    break  # three speakers never share a cue
                continue
            cost = best[i] + laid[0] + _cue_cost(scorer, i, j, chars)
            if cost < best[j + 1]:
                best[j + 1] = cost
                choice[j + 1] = (i, laid[1])
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    j = n
    while j > 0:
        i, ends = choice[j]
        spans.append((i, j - 1, scorer.lines(i, ends) if turns is None else _voiced(scorer, i, ends, labels or {})))
        j = i
    spans.reverse()
    cues = time_cues(words, spans, profile)
    if profile.condensation == "none":
        return Built(cues, [])
    spans, omissions = _condense(scorer, spans, cues, labels or {}, keep)
    return Built(time_cues(words, spans, profile) if omissions else cues, omissions)


def _condense(s: _Scorer, spans, cues: Sequence[Cue], labels: Mapping[str, str], keep: Collection[str]):
    """Each cue too fast to read in its time, condensed as far as it must be: its new lines and what it left out.
    A cue two speakers share is never condensed (each line is short by construction); a label never goes."""
    p, words = s.p, s.words
    out, omissions = [], []
    for k, ((i, j, lines), cue) in enumerate(zip(spans, cues)):
        excess = char_count(lines) - math.floor(p.max_cps * (cue.end - cue.start))
        if excess <= 0 or (s.turns is not None and s.turns[i] != s.turns[j]):
            out.append((i, j, lines))
            continue
        at = [m for m in range(i, j + 1) if m not in s.label_at]
        before = next((m for m in range(at[0] - 1, -1, -1) if m not in s.label_at), None)
        starts_sentence = before is None or s.sentence_end[before]
        kept, removed = condense([words[m].text for m in at], excess, p.lexicon, p.condensation, keep, starts_sentence)
        if not removed:
            out.append((i, j, lines))
            continue
        texts = dict(zip((m for r, m in enumerate(at) if r not in removed), kept))
        positions = [m for m in range(i, j + 1) if m in s.label_at or m in texts]
        sub = [words[m] if m in s.label_at else replace(words[m], text=texts[m]) for m in positions]
        turns = [s.turns[m] for m in positions] if s.turns is not None else None
        scorer = _Scorer(sub, p, turns, frozenset(r for r, m in enumerate(positions) if m in s.label_at))
        laid = scorer.layout(0, len(sub) - 1)
        if laid is None:
            out.append((i, j, lines))
            continue
        new = scorer.lines(0, laid[1]) if turns is None else _voiced(scorer, 0, laid[1], labels)
        out.append((i, j, new))
        omissions.append(Omission(k, lines, tuple(words[at[r]].text for r in sorted(removed))))
    return out, omissions


def _cue_cost(s: _Scorer, i: int, j: int, chars: int) -> float:
    p, words = s.p, s.words
    cost = 3.0 + s.line_break_cost[j] * 1.5  # every cue costs a little: prefer full cues
    for k in range(i, j):
        if s.sentence_end[k] and k - i >= 0:
            cost += 12.0  # a sentence ends inside the cue: the next should start a cue
        if s.pause[k] >= p.pause_break:
            cost += 15.0 + 5.0 * min(s.pause[k], 5.0)
    start = words[i].start
    room_end = words[j + 1].start - p.min_gap if j + 1 < len(words) else math.inf
    shown = min(max(words[j].end + p.max_extend, start + p.min_duration), room_end, start + p.max_duration) - start
    if shown < p.min_duration:
        cost += 60.0 + 100.0 * (p.min_duration - shown)
    if shown > 0 and chars / shown > p.max_cps:
        cost += 40.0 * (chars / shown / p.max_cps - 1.0) + 5.0
    elif shown > 0 and chars / shown > p.comfortable_cps:
        cost += 10.0 * (chars / shown / p.comfortable_cps - 1.0)
    if chars < 12 and not s.sentence_end[j]:
        cost += 3.0
    return cost


def fit_text(text: str, start: float, end: float, profile: StyleProfile) -> list[Cue]:
    """Set `text` (a translation) in the time span of one source cue under `profile`.

    When the text is too long for one cue's lines, the span is split into
    consecutive cues, in proportion to their text, as long as each stays on
    screen long enough; only when it cannot be split further are lines allowed
    to run long, so no word is ever dropped.
    """
    words = [Word(w, 0.0, 0.0, 1.0) for w in text.split()]
    if not words:
        return []
    scorer = _Scorer(words, profile)
    laid = scorer.layout(0, len(words) - 1)
    if laid is not None:
        return [Cue(start, end, scorer.lines(0, laid[1]))]
    gap, shortest = profile.min_gap, profile.min_duration
    if len(words) > 1 and end - start >= 2 * shortest + gap:
        # cut where the text breaks best near its middle, then time both halves by their length
        total = scorer.width(0, len(words) - 1)
        cut = min(range(len(words) - 1), key=lambda k: abs(scorer.width(0, k) - total / 2) / 4 + scorer.line_break_cost[k])
        first, second = " ".join(w.text for w in words[: cut + 1]), " ".join(w.text for w in words[cut + 1 :])
        share = len(first) / (len(first) + len(second))
        middle = min(max(start + (end - start - gap) * share, start + shortest), end - gap - shortest)
        middle = math.floor(middle * 1000) / 1000
        return fit_text(first, start, middle, profile) + fit_text(second, round(middle + gap, 3), end, profile)
    lines, line = [], ""
    for w in words:  # last resort: greedy lines, too many of them
        if line and len(line) + 1 + len(w.text) > profile.max_chars_per_line:
            lines.append(line)
            line = w.text
        else:
            line = f"{line} {w.text}" if line else w.text
    return [Cue(start, end, tuple(lines + [line]))]


def cues_from_transcript(transcript: Transcript, profile: StyleProfile, labels: Mapping[str, str] | None = None,
                         keep: Collection[str] = ()) -> list[Cue]:
    """The transcript's cues; speakers are called by `labels` (id -> name), else by the transcript's own labels."""
    return build_from_transcript(transcript, profile, labels, keep).cues


def build_from_transcript(transcript: Transcript, profile: StyleProfile, labels: Mapping[str, str] | None = None,
                          keep: Collection[str] = ()) -> Built:
    """`build` on the transcript's words, its speakers called by `labels`, else by the transcript's own labels."""
    known = {s["id"]: s.get("label", s["id"]) for s in transcript.speakers}
    return build(transcript.words, profile, {**known, **(labels or {})}, keep)


def _voiced(s: _Scorer, i: int, ends: tuple[int, ...], labels: Mapping[str, str]) -> tuple[str, ...]:
    """A cue's lines with its speaker's voice span (WebVTT <v>); in a two-speaker cue each line starts with a dash."""
    lines = s.lines(i, ends)
    first_voice = labels.get(speaker_of(s.words, i), speaker_of(s.words, i))
    if s.turns[ends[-1]] == s.turns[i]:
        return (f"<v {first_voice}>{lines[0]}",) + lines[1:]
    second = speaker_of(s.words, ends[0] + 1)
    dash = DASH if s.p.speaker_labels != "none" else ""
    return (f"<v {first_voice}>{dash}{lines[0]}</v>", f"<v {labels.get(second, second)}>{dash}{lines[1]}")
