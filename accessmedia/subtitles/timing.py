"""When each cue is shown: from its words' times, within the style profile's rules. Pure.

A cue starts at its first word and is held, where there is time, for its text to be read at a comfortable pace;
one still too fast borrows time from the silence around it and from slower neighbours, as subtitlers do.
"""

from __future__ import annotations

import math
from typing import Sequence

from accessmedia.core.transcript import Word
from accessmedia.subtitles.cue import Cue
from accessmedia.subtitles.style import StyleProfile, char_count


def _in_ms(p: StyleProfile) -> tuple[int, int, int, int]:
    """The profile's gap, shortest and longest duration and extension, in whole milliseconds, rounded so that what
    is checked (in seconds, with a tolerance) holds."""
    return (math.ceil(p.min_gap * 1000 - 1e-6), math.ceil(p.min_duration * 1000 - 1e-6),
            math.floor(p.max_duration * 1000 + 1e-6), round(p.max_extend * 1000))


def time_cues(words: Sequence[Word], spans, p: StyleProfile) -> list[Cue]:
    """Start each cue at its first word and hold it long enough to read, within the rules; then a cue still too fast
    borrows time (`borrow`) from the silence around it and from slower neighbours.

    Times are whole milliseconds, as subtitle files store them, so that what
    is checked here is exactly what is written.
    """
    gap, shortest, longest, extend = _in_ms(p)
    first_word = [round(words[i].start * 1000) for i, _, _ in spans]
    last_word = [max(round(words[j].end * 1000), first_word[n]) for n, (_, j, _) in enumerate(spans)]
    chars = [char_count(lines) for _, _, lines in spans]
    starts: list[int] = []
    ends: list[int] = []
    for n in range(len(spans)):
        start = first_word[n] if not ends else max(first_word[n], ends[-1] + gap)
        spoken_end = max(last_word[n], start)
        needed = max(shortest, math.ceil(chars[n] * 1000 / min(p.max_cps, p.comfortable_cps)))  # held where there is time
        end = min(max(spoken_end, start + needed), spoken_end + extend, start + longest)
        end = max(end, start + shortest)  # a cue too short to read is worse than the next one starting late
        if n + 1 < len(spans) and first_word[n + 1] - gap - start >= shortest:
            end = min(end, first_word[n + 1] - gap)
        starts.append(start)
        ends.append(end)
    for pace in sorted({p.max_cps, min(p.max_cps, p.comfortable_cps)}, reverse=True):  # readable first, then comfortable
        borrow(starts, ends, first_word, last_word, chars, p, pace)
    return [Cue(a / 1000, b / 1000, lines) for a, b, (_, _, lines) in zip(starts, ends, spans)]


def borrow(starts: list[int], ends: list[int], first_word: Sequence[int], last_word: Sequence[int],
           chars: Sequence[int], p: StyleProfile, pace: float) -> None:
    """Give each cue faster than `pace` (characters per second) the time it lacks (milliseconds, in place), as
    subtitlers do: from the silence before it (up to `lead_in` before its first word) and after it (up to `max_extend` after its last), then from a
    neighbour that has time to spare, by moving their shared boundary within `sync_tolerance` of the words (the
    neighbour shown a little later than said, or gone a little before its last word ends). No cue is left shorter
    than its own reading time at `pace` or than the minimum duration; gaps and the maximum duration always hold."""
    gap, shortest, longest, extend = _in_ms(p)
    lead, tolerance = round(p.lead_in * 1000), round(p.sync_tolerance * 1000)
    n = len(starts)
    need = [max(shortest, math.ceil(c * 1000 / pace)) for c in chars]

    def spare(k: int) -> int:
        return (ends[k] - starts[k]) - need[k]

    for _round in range(2):  # a second round gives what a neighbour gained in the first
        for k in range(n):
            lacking = need[k] - (ends[k] - starts[k])
            if lacking <= 0:
                continue
            latest_end = min(last_word[k] + extend, starts[k] + longest)
            # later: into the silence after it, then into the next cue's time
            room = (starts[k + 1] - gap if k + 1 < n else latest_end)
            grow = max(0, min(lacking, min(latest_end, room) - ends[k]))
            ends[k] += grow
            lacking -= grow
            if lacking > 0 and k + 1 < n and ends[k] < latest_end:
                push = min(lacking, spare(k + 1), first_word[k + 1] + tolerance - starts[k + 1], latest_end - ends[k])
                if push > 0:
                    starts[k + 1] += push
                    ends[k] += push
                    lacking -= push
            # earlier: into the silence before it, then into the previous cue's time
            earliest = max(first_word[k] - lead, ends[k] - longest, 0)
            room = ends[k - 1] + gap if k > 0 else 0
            take = max(0, min(lacking, starts[k] - max(earliest, room)))
            starts[k] -= take
            lacking -= take
            if lacking > 0 and k > 0:
                earliest_borrowed = max(first_word[k] - max(lead, tolerance), ends[k] - longest, 0)
                pull = min(lacking, spare(k - 1), ends[k - 1] - (last_word[k - 1] - tolerance), starts[k] - earliest_borrowed)
                if pull > 0:
                    ends[k - 1] -= pull
                    starts[k] -= pull
