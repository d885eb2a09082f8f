"""Two people's edits of one subtitle file, merged: a three-way merge of cue lists (the version both started
from, mine, theirs). Edits of different cues merge by themselves; edits of the same cues are a conflict that
the person saving resolves (keep mine or keep theirs). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Hashable, Sequence, TypeVar

T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True)
class Conflict:
    start: int  # the place in the version both started from: items [start, end) changed on both sides
    end: int
    mine: tuple
    theirs: tuple


def _hunks(base: Sequence[T], other: Sequence[T]) -> list[tuple[int, int, tuple]]:
    """The changes from base to other: (start, end, replacement) over base's items, in order."""
    matcher = SequenceMatcher(None, list(base), list(other), autojunk=False)
    return [(i1, i2, tuple(other[j1:j2])) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def _clash(a: tuple[int, int, tuple], b: tuple[int, int, tuple]) -> bool:
    """Two changes touch the same items, or insert at the same place (their order would be a guess)."""
    if a[0] == a[1] or b[0] == b[1]:  # an insertion: clashes with what starts or ends where it goes, or covers it
        return a[0] == b[0] or (a[0] == a[1] and b[0] < a[0] < b[1]) or (b[0] == b[1] and a[0] < b[0] < a[1])
    return a[0] < b[1] and b[0] < a[1]


def merge(base: Sequence[T], mine: Sequence[T], theirs: Sequence[T], prefer: str | None = None) -> tuple[list[T], list[Conflict]]:
    """The merged list, and the conflicts; a conflict takes `prefer`'s side ("mine" or "theirs"), or, with
    none, mine (the caller refuses the merge when there are conflicts and nothing is preferred)."""
    ours, others = _hunks(base, mine), _hunks(base, theirs)
    changes: list[tuple[int, int, tuple]] = []
    conflicts: list[Conflict] = []
    i = j = 0
    while i < len(ours) or j < len(others):
        # the earliest change starts a group; changes of either side that clash with the group join it
        if j >= len(others) or (i < len(ours) and ours[i][:2] <= others[j][:2]):
            group_mine, group_theirs, i = [ours[i]], [], i + 1
        else:
            group_mine, group_theirs, j = [], [others[j]], j + 1
        grown = True
        while grown:
            grown = False
            every = group_mine + group_theirs
            span = (min(h[0] for h in every), max(h[1] for h in every), ())
            if i < len(ours) and _clash(ours[i], span):
                group_mine.append(ours[i])
                i, grown = i + 1, True
            if j < len(others) and _clash(others[j], span):
                group_theirs.append(others[j])
                j, grown = j + 1, True
        if not group_theirs or not group_mine:
            changes.extend(group_mine or group_theirs)
            continue
        start = min(h[0] for h in group_mine + group_theirs)
        end = max(h[1] for h in group_mine + group_theirs)
        mine_side, theirs_side = _region(base, group_mine, start, end), _region(base, group_theirs, start, end)
        if mine_side != theirs_side:  # the same change made twice is no conflict
            conflicts.append(Conflict(start, end, mine_side, theirs_side))
        changes.append((start, end, theirs_side if prefer == "theirs" else mine_side))
    merged: list[T] = []
    at = 0
    for start, end, replacement in sorted(changes, key=lambda h: (h[0], h[1])):
        merged.extend(base[at:start])
        merged.extend(replacement)
        at = max(at, end)
    merged.extend(base[at:])
    return merged, conflicts


def _region(base: Sequence[T], hunks: list[tuple[int, int, tuple]], start: int, end: int) -> tuple:
    """Base items [start, end) with one side's changes in them applied."""
    out: list[T] = []
    at = start
    for s, e, replacement in sorted(hunks, key=lambda h: (h[0], h[1])):
        out.extend(base[at:s])
        out.extend(replacement)
        at = max(at, e)
    out.extend(base[at:end])
    return tuple(out)
