"""From word timestamps to subtitle cues: segmentation, line breaks and timing.

Pure functions. The segmentation is a shortest-path search over the words:
every way to cut the words into cues has a cost (a cut mid-phrase, a
sentence or a long pause inside a cue, reading speed above the limit, a cue
too short to read), and the cheapest one wins. Hard rules (line count, line
length, duration, gaps) are never traded away.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.style import StyleProfile, char_count
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


def build_cues(words: Sequence[Word], profile: StyleProfile, labels: Mapping[str, str] | None = None) -> list[Cue]:
    """Cut words into cues and time them under `profile`.

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
        return []
    turns = speaker_turns(words)
    label_at: frozenset[int] = frozenset()
    if turns is not None:
        words, turns, label_at = _labelled(words, turns, labels or {}, profile)
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
    return _time(words, spans, profile)


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
    if chars < 12 and not s.sentence_end[j]:
        cost += 3.0
    return cost


def _time(words: Sequence[Word], spans, p: StyleProfile) -> list[Cue]:
    """Start each cue at its first word; hold it long enough to read, within the rules.

    Times are whole milliseconds, as subtitle files store them, so that what
    is checked here is exactly what is written.
    """
    gap = math.ceil(p.min_gap * 1000 - 1e-6)
    shortest = math.ceil(p.min_duration * 1000 - 1e-6)
    longest = math.floor(p.max_duration * 1000 + 1e-6)
    extend = round(p.max_extend * 1000)
    first_word = [round(words[i].start * 1000) for i, _, _ in spans]
    cues: list[Cue] = []
    previous_end = None
    for n, (_, j, lines) in enumerate(spans):
        start = first_word[n] if previous_end is None else max(first_word[n], previous_end + gap)
        spoken_end = max(round(words[j].end * 1000), start)
        needed = max(shortest, math.ceil(char_count(lines) * 1000 / p.max_cps))
        end = min(max(spoken_end, start + needed), spoken_end + extend, start + longest)
        end = max(end, start + shortest)  # a cue too short to read is worse than the next one starting late
        if n + 1 < len(spans) and first_word[n + 1] - gap - start >= shortest:
            end = min(end, first_word[n + 1] - gap)
        cues.append(Cue(start / 1000, end / 1000, lines))
        previous_end = end
    return cues


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


def cues_from_transcript(transcript: Transcript, profile: StyleProfile, labels: Mapping[str, str] | None = None) -> list[Cue]:
    """The transcript's cues; speakers are called by `labels` (id -> name), else by the transcript's own labels."""
    known = {s["id"]: s.get("label", s["id"]) for s in transcript.speakers}
    return build_cues(transcript.words, profile, {**known, **(labels or {})})


# -- speakers --------------------------------------------------------------------------------------

def speaker_turns(words: Sequence[Word]) -> list[int] | None:
    """The turn number of every word (a word with no speaker continues the turn before it), or None when
    the words have fewer than two speakers: then captions say nothing of who speaks."""
    if len({w.speaker for w in words if w.speaker}) < 2:
        return None
    turns, turn, current = [], 0, None
    for w in words:
        if w.speaker and current and w.speaker != current:
            turn += 1
        current = w.speaker or current
        turns.append(turn)
    return turns


def _speaker_of(words: Sequence[Word], i: int) -> str | None:
    while i >= 0 and not words[i].speaker:
        i -= 1
    return words[i].speaker if i >= 0 else next((w.speaker for w in words if w.speaker), None)


def _labelled(words: list[Word], turns: list[int], labels: Mapping[str, str],
              profile: StyleProfile) -> tuple[list[Word], list[int], frozenset[int]]:
    """With profile speaker_labels = "names", a label word ("Amina Yusuf:") before the first word of each turn;
    the words, their turns, and where the labels are."""
    if profile.speaker_labels != "names":
        return words, turns, frozenset()
    out_words, out_turns, at = [], [], []
    for k, w in enumerate(words):
        if k == 0 or turns[k] != turns[k - 1]:
            who = _speaker_of(words, k)
            at.append(len(out_words))
            out_words.append(Word(f"{labels.get(who, who)}:", w.start, w.start, 1.0, who))
            out_turns.append(turns[k])
        out_words.append(w)
        out_turns.append(turns[k])
    return out_words, out_turns, frozenset(at)


def _voiced(s: _Scorer, i: int, ends: tuple[int, ...], labels: Mapping[str, str]) -> tuple[str, ...]:
    """A cue's lines with its speaker's voice span (WebVTT <v>); in a two-speaker cue each line starts with a dash."""
    lines = s.lines(i, ends)
    first_voice = labels.get(_speaker_of(s.words, i), _speaker_of(s.words, i))
    if s.turns[ends[-1]] == s.turns[i]:
        return (f"<v {first_voice}>{lines[0]}",) + lines[1:]
    second = _speaker_of(s.words, ends[0] + 1)
    dash = DASH if s.p.speaker_labels != "none" else ""
    return (f"<v {first_voice}>{dash}{lines[0]}</v>", f"<v {labels.get(second, second)}>{dash}{lines[1]}")
