"""Progress for long work, as events: what a stage does, how far it is, what went wrong on the way.

The library reports to a `Reporter` and a run to a `Display`; both only log here (the `accessmedia` logger), so
that library code never prints. The command line shows them on the terminal (accessmedia.cli.display), the studio
reads the run's records, and a worker forwards its events to the parent that shows them.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger("accessmedia")


class Reporter:
    """Where a stage says what it does: notes, warnings, and a share of its work done."""

    def note(self, message: str) -> None:
        log.info(message)

    def warn(self, message: str) -> None:
        log.warning(message)

    def start(self, label: str, total: float) -> None:
        self.total = total

    def update(self, done: float, stage: str | None = None) -> None:
        pass

    def stop(self) -> None:
        pass


class ForwardingReporter(Reporter):
    """A reporter in a worker: it sends what it would show, labelled with the recording, to `sink`
    (a queue's put), and the parent's RunDisplay shows it."""

    def __init__(self, sink, name: str, interval: float = 0.5):
        self.sink = sink
        self.name = name
        self.interval = interval
        self._last, self._total, self._stage = 0.0, 0.0, None

    def note(self, message: str) -> None:
        self.sink(("note", self.name, message))

    def warn(self, message: str) -> None:
        self.sink(("warn", self.name, message))

    def start(self, label: str, total: float) -> None:
        self._last, self._total, self._stage = 0.0, total, None
        self.sink(("start", self.name, label, total))

    def update(self, done: float, stage: str | None = None) -> None:
        """Sent at most every `interval` seconds, except the end and a new stage, which are always sent
        (a short recording would otherwise leave its bar where the first update put it)."""
        now = time.monotonic()
        if now - self._last >= self.interval or done >= self._total or stage != self._stage:
            self._last, self._stage = now, stage
            self.sink(("update", self.name, done, stage))

    def stop(self) -> None:
        self.sink(("stop", self.name))

    def stage(self, stage: str, state: str) -> None:
        self.sink(("stage", self.name, stage, state))


class Display:
    """Where a run of many recordings sends its workers' events (see ForwardingReporter): counts finished
    stages and logs warnings; the command line's display shows the rest."""

    def __init__(self, names: list[str], stages_per_recording: int):
        self.total_stages = max(1, len(names) * stages_per_recording)
        self.stages_done = 0

    def handle(self, event: tuple) -> None:
        kind, name = event[0], event[1]
        if kind == "warn":
            log.warning("%s", event[2] if event[2].startswith(name) else f"{name}: {event[2]}")
        elif kind == "stage" and event[3] in ("done", "skipped"):
            self.stages_done += 1

    def close(self) -> None:
        pass
