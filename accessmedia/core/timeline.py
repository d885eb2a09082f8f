"""Timed items (turns, cues) found by time: sorted once, looked up by bisection, so that matching every
word or cue of an eight-hour recording against every turn is not a product of the two. Pure."""

from __future__ import annotations

from bisect import bisect_right
from typing import Callable, Generic, Iterable, TypeVar

T = TypeVar("T")


class Timeline(Generic[T]):
    def __init__(self, items: Iterable[T], start: Callable[[T], float], end: Callable[[T], float]):
        self.items = sorted(items, key=start)  # stable: items already in time order keep their order
        self.starts = [start(x) for x in self.items]
        self.longest = max((end(x) - start(x) for x in self.items), default=0.0)

    def near(self, a: float, b: float) -> list[T]:
        """Every item that may touch [a, b] (it starts by b and ends after a - its length allows), in order;
        callers keep the ones their own test accepts."""
        return self.items[bisect_right(self.starts, a - self.longest - 1e-9): bisect_right(self.starts, b)]
