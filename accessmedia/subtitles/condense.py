"""Condensation: what a subtitler leaves out of a cue that is too fast to read, and nothing else.

Pure functions over the words of one cue. The transcript keeps every word; a cue whose text cannot be read in its
time (more characters per second than the style profile allows) loses its least meaningful stretches first, one
rule after the other, until it can be read or nothing more may go. The rules, in the order they are used:

1. `filler`: hesitation sounds. "Vi har, eh, fått svar" -> "Vi har fått svar".
2. `repeat`: a word said twice in a row. "det det er viktig" -> "det er viktig".
3. `restart`: a start abandoned and begun again with the same word, when what is abandoned holds only small
   words (pronouns, auxiliaries, articles). "vi skal, vi må gjøre det" -> "vi må gjøre det"; never
   "de kom, de så" (a content word would go).
4. `set_off`: discourse phrases set off by commas or at the edge of a sentence. "Altså, vi begynner" ->
   "Vi begynner"; "Det er dyrt, ikke sant?" -> "Det er dyrt." (but "Det er ikke sant." keeps every word).
5. `inside`: particles and hedges inside a clause. "det er jo viktig" -> "det er viktig"; "egentlig", "faktisk",
   "rett og slett", "på en måte".

Levels (style profile `condensation`): "none" (verbatim, for archives), "light" (rules 1-3), "full" (1-5).
Never left out, whatever a rule says: names (a capital inside a sentence), numbers (digits and number words),
negations, and the glossary's terms. The words of each rule are the style profile's, per language
([languages.nb.condense] in profiles/default.toml).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Collection, Mapping, Sequence

LEVELS = ("none", "light", "full")
RULES = ("filler", "repeat", "restart", "set_off", "inside")  # the order they are used in: least meaningful first
_LEVEL_RULES = {"none": (), "light": RULES[:3], "full": RULES}
_EDGE = "\"'“”«»()[]{}"
_MARKS = ".,;:!?…–—"
_SENTENCE_END = ".?!…"


@dataclass(frozen=True)
class Lexicon:
    """One language's words for the rules (from the style profile)."""

    fillers: tuple[str, ...] = ()
    set_off: tuple[str, ...] = ()  # phrases
    inside: tuple[str, ...] = ()  # phrases
    small: frozenset[str] = frozenset()  # words a restart may hold (pronouns, auxiliaries, articles, prepositions)
    never: frozenset[str] = frozenset()  # negations and number words

    @classmethod
    def from_table(cls, table: Mapping, base: "Lexicon | None" = None) -> "Lexicon":
        """From a style file's [languages.X.condense] table; a list it leaves out stays as in `base`."""
        base = base or cls()

        def phrases(key: str) -> tuple[str, ...]:  # longest first: "på en måte" before "på"
            if key not in table:
                return getattr(base, key)
            return tuple(sorted({" ".join(str(p).lower().split()) for p in table[key]}, key=lambda p: (-len(p.split()), p)))

        def words(key: str) -> frozenset[str]:
            return frozenset(str(w).lower() for w in table[key]) if key in table else getattr(base, key)

        return cls(phrases("fillers"), phrases("set_off"), phrases("inside"), words("small"), words("never"))


@dataclass(frozen=True, order=True)
class Cut:
    """Words first..last (inclusive, positions in the cue) that `rule` may leave out."""

    rank: int
    first: int
    last: int
    rule: str


def bare(text: str) -> str:
    """A word without its punctuation, in lower case: "Altså," -> "altså"."""
    return text.strip(_EDGE).rstrip(_MARKS).strip(_EDGE).lower()


def _mark(text: str) -> str:
    """The punctuation a word ends with ("," "." "?" ...), or ""."""
    core = text.rstrip(_EDGE)
    return core[len(core.rstrip(_MARKS)):]


def _is_number(word: str) -> bool:
    return any(ch.isdigit() for ch in word)


def _is_name(texts: Sequence[str], i: int) -> bool:
    """A capitalised word that does not begin a sentence (a name, a title); "I" and one-letter words aside."""
    word = texts[i].strip(_EDGE)
    if len(word) < 2 or not word[:1].isupper():
        return False
    return i > 0 and not _mark(texts[i - 1]).startswith(tuple(_SENTENCE_END))


def _protected(texts: Sequence[str], i: int, lexicon: Lexicon | None, keep: Collection[str]) -> bool:
    """Never left out: a name, a number, a glossary term's word, and (`lexicon` given) a negation or number word.
    A phrase the lexicon lists ("ikke sant") is checked without the lexicon: it is listed as a whole."""
    word = bare(texts[i])
    return ((lexicon is not None and word in lexicon.never) or _is_number(word) or _is_name(texts, i)
            or any(word in k.lower().split() for k in keep))


def _phrase_at(words: Sequence[str], i: int, phrases: Sequence[str]) -> int:
    """The number of words of the first of `phrases` that starts at word i, or 0."""
    for phrase in phrases:
        parts = phrase.split()
        if [bare(w) for w in words[i : i + len(parts)]] == parts:
            return len(parts)
    return 0


def _starts_clause(texts: Sequence[str], i: int) -> bool:
    return i == 0 or _mark(texts[i - 1]) != ""


def cuts(texts: Sequence[str], lexicon: Lexicon, level: str = "full", keep: Collection[str] = (),
         sentence_start: bool = True) -> list[Cut]:
    """Every stretch of `texts` (the words of one cue, as shown) that a rule of `level` may leave out, least
    meaningful first. `sentence_start`: the cue's first word begins a sentence (else it may be a name)."""
    rules = _LEVEL_RULES[level]
    if not rules:
        return []
    texts = list(texts)
    shown = texts if sentence_start else ["x"] + texts  # a word before the cue, inside its sentence: the capital test
    base = 0 if sentence_start else 1
    out: list[Cut] = []
    n = len(texts)

    def allowed(a: int, b: int, listed: bool = False) -> bool:
        return not any(_protected(shown, k + base, None if listed else lexicon, keep) for k in range(a, b + 1))

    for i in range(n):
        word, mark = bare(texts[i]), _mark(texts[i])
        if not word:
            continue
        if "filler" in rules and (k := _phrase_at(texts, i, lexicon.fillers)) and allowed(i, i + k - 1, True):
            out.append(Cut(1, i, i + k - 1, "filler"))
            continue
        if "repeat" in rules and i + 1 < n and bare(texts[i + 1]) == word and mark in ("", ",") and allowed(i, i):
            out.append(Cut(2, i, i, "repeat"))
            continue
        if "restart" in rules and _starts_clause(texts, i):
            for last in range(i, min(i + 3, n - 1)):  # at most three words, ended by a comma, begun again after it
                if _mark(texts[last]) in (",", "–", "—", "…") and bare(texts[last + 1]) == word:
                    if last > i and all(bare(texts[k]) in lexicon.small for k in range(i, last + 1)) and allowed(i, last):
                        out.append(Cut(3, i, last, "restart"))
                    break
                if _mark(texts[last]):
                    break
        if "set_off" in rules and (k := _phrase_at(texts, i, lexicon.set_off)):
            end = i + k - 1
            after = _mark(texts[end])
            before_ok = _starts_clause(texts, i)
            after_ok = after != "" or end == n - 1
            if before_ok and after_ok and allowed(i, end, True):
                out.append(Cut(4, i, end, "set_off"))
                continue
        if "inside" in rules and (k := _phrase_at(texts, i, lexicon.inside)):
            end = i + k - 1
            if not _starts_clause(texts, i) and i > 0 and end + 1 < n and allowed(i, end, True):
                out.append(Cut(5, i, end, "inside"))
    return sorted(out)


def leave_out(texts: Sequence[str], applied: Sequence[Cut], sentence_start: bool = True) -> list[str]:
    """The words that stay once the `applied` cuts are left out, their punctuation and capitals mended: a sentence's
    closing mark moves to the word before ("dyrt, ikke sant?" -> "dyrt."), the commas around a filler or phrase close
    up ("vi har, eh, fått" -> "vi har fått"; after a sentence's first word they stay: "Ja, altså, vi" -> "Ja, vi"),
    and a word that now begins the sentence gets its capital ("Altså, vi" -> "Vi")."""
    by_first = {c.first: c for c in applied}
    out: list[str] = []
    sentence_first = -1  # position in `out` of the first word of the sentence being written
    capital_next = False
    i, n = 0, len(texts)
    while i < n:
        cut = by_first.get(i)
        begins = (not out and sentence_start) or (bool(out) and _mark(out[-1]).startswith(tuple(_SENTENCE_END)))
        if cut is None:
            word = _capitalise(texts[i]) if capital_next else texts[i]
            capital_next = False
            if begins:
                sentence_first = len(out)
            out.append(word)
            i += 1
            continue
        closing, prev = _mark(texts[cut.last]), _mark(out[-1]) if out else ""
        if begins and texts[cut.first].strip(_EDGE)[:1].isupper():
            capital_next = True
        if out and closing.startswith(tuple(_SENTENCE_END)) and not prev.startswith(tuple(_SENTENCE_END)):
            out[-1] = _with_mark(out[-1], "." if closing == "?" and cut.rule == "set_off" else closing)
        elif (out and prev == "," and cut.rule in ("filler", "set_off", "inside") and cut.last + 1 < n
              and sentence_first != len(out) - 1):
            out[-1] = _with_mark(out[-1], "")  # the commas around the stretch close up
        i = cut.last + 1
    return out


def _with_mark(word: str, mark: str) -> str:
    core = word.rstrip(_EDGE)
    tail = word[len(core):]
    return core.rstrip(_MARKS) + mark + tail


def _capitalise(word: str) -> str:
    for k, ch in enumerate(word):
        if ch.isalpha():
            return word[:k] + ch.upper() + word[k + 1 :]
    return word


def saving(texts: Sequence[str], cut: Cut) -> int:
    """Characters a cut saves (its words and the space after each)."""
    return sum(len(texts[k]) + 1 for k in range(cut.first, cut.last + 1))


def condense(texts: Sequence[str], excess: int, lexicon: Lexicon, level: str = "full", keep: Collection[str] = (),
             sentence_start: bool = True) -> tuple[list[str], set[int]]:
    """Leave out the least meaningful stretch of `texts`, then look again (what is left may now be a clause of its
    own: "har, eh, egentlig" -> "har egentlig"), until `excess` characters are saved or nothing more may go: the
    words shown, and the positions (in `texts`) left out."""
    current, at = list(texts), list(range(len(texts)))
    removed: set[int] = set()
    saved = 0
    while saved < excess:
        cut = next((c for c in cuts(current, lexicon, level, keep, sentence_start) if c.last - c.first + 1 < len(current)), None)
        if cut is None:
            break
        saved += saving(current, cut)
        removed |= {at[k] for k in range(cut.first, cut.last + 1)}
        current = leave_out(current, [cut], sentence_start)
        at = [p for k, p in enumerate(at) if not cut.first <= k <= cut.last]
    return current, removed
