"""The speakers stage's part of the settings: how many speakers to look for, with which model."""

from __future__ import annotations

from dataclasses import dataclass

from accessmedia.core.errors import AccessMediaError


@dataclass(frozen=True)
class Diarizing:
    """Who speaks: how many speakers to look for, and with which speaker model."""

    count: str = "auto"  # "auto" (found), "off", or a fixed number ("3")
    low: int = 1  # when found: at least this many
    high: int = 10  # and at most this many (the programme's speakers bound it)
    model: str | None = None  # catalogue name, installed name or folder; None = the default
    threads: int = 0  # 0 = every core
    references: tuple[tuple[str, str], ...] = ()  # (name, clip path): voices to name automatically
    names: tuple[str, ...] = ()  # the programme's speakers: offered when people name the voices

    @property
    def off(self) -> bool:
        return self.count == "off"

    @property
    def fixed(self) -> int | None:
        return int(self.count) if self.count.isdigit() else None


def diarizing(count: str | int | None = "auto", model: str | None = None, high: int | None = None) -> Diarizing:
    """A checked Diarizing from what a person typed: --speakers N|auto|off."""
    text = str(count if count is not None else "auto").strip().lower()
    if text not in ("auto", "off") and not (text.isdigit() and 1 <= int(text) <= 50):
        raise AccessMediaError(f"--speakers {count!r} is not a number of speakers, auto or off", "e.g. --speakers 3, --speakers auto, --speakers off")
    return Diarizing(count=str(int(text)) if text.isdigit() else text, model=model, high=high or 10)
