"""Progress on the terminal: a live bar (rich) on a terminal, a line every 10 % in a log; for a run of many
recordings a live table of bars, or a line when a stage starts or ends and every 25 %."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from accessmedia.api import Display, Reporter


class TerminalReporter(Reporter):
    """A stage's progress on the terminal; `quiet` keeps only the warnings."""

    def __init__(self, quiet: bool = False):
        self.console = Console(stderr=True)
        self.quiet = quiet
        self.live = self.console.is_terminal and not quiet
        self._progress: Progress | None = None
        self._task = None
        self._last_tenth = -1
        self._started = 0.0
        self._label = ""

    def note(self, message: str) -> None:
        if not self.quiet:
            self.console.print(message, highlight=False, markup=False)

    def warn(self, message: str) -> None:
        self.console.print(f"warning: {message}", style="yellow", highlight=False, markup=False)

    def start(self, label: str, total: float) -> None:
        self._label, self._started, self._last_tenth = label, time.monotonic(), -1
        if self.live:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("elapsed"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=self.console,
            )
            self._progress.start()
            self._task = self._progress.add_task(label, total=max(total, 1e-6))
        self.total = total

    def update(self, done: float, stage: str | None = None) -> None:
        if self.quiet:
            return
        if self._progress is not None:
            kwargs = {"completed": min(done, self.total)}
            if stage:
                kwargs["description"] = f"{self._label}: {stage}"
            self._progress.update(self._task, **kwargs)
            return
        share = min(1.0, done / self.total) if self.total else 1.0
        tenth = int(share * 10)
        if tenth > self._last_tenth:
            self._last_tenth = tenth
            elapsed = time.monotonic() - self._started
            left = elapsed / share - elapsed if share > 0 else float("nan")
            eta = f", about {left:.0f} s left" if share > 0 and share < 1 else ""
            print(f"{self._label}: {stage or 'working'} {share:4.0%}{eta}", file=sys.stderr, flush=True)

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class RunDisplay(Display):
    """Progress of many recordings at once: each one's stage, share done and time left, and the run's count.

    On a terminal a live table of bars (rich); in a log, a line when a stage starts or ends and every 25 %.
    """

    def __init__(self, names: list[str], stages_per_recording: int, quiet: bool = False):
        self.console = Console(stderr=True)
        self.quiet = quiet
        self.live = self.console.is_terminal and not quiet
        self.total_stages = max(1, len(names) * stages_per_recording)
        self.stages_done = 0
        self._started: dict[str, float] = {}
        self._label: dict[str, str] = {}
        self._total: dict[str, float] = {}
        self._quarter: dict[str, int] = {}
        self._progress: Progress | None = None
        self._tasks: dict[str, int] = {}
        if self.live:
            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                TextColumn("left"), TimeRemainingColumn(), console=self.console,
            )
            self._overall = self._progress.add_task(f"all: 0/{self.total_stages} stages", total=self.total_stages)
            for name in names:
                self._tasks[name] = self._progress.add_task(f"{name}: waiting", total=1.0)
            self._progress.start()

    def _print(self, message: str, style: str | None = None) -> None:
        (self._progress.console if self._progress else self.console).print(message, style=style, highlight=False, markup=False,
                                                                           soft_wrap=True)

    def handle(self, event: tuple) -> None:
        kind, name = event[0], event[1]
        if kind == "warn":
            self._print(f"warning: {name}: {event[2]}" if not event[2].startswith(name) else f"warning: {event[2]}", "yellow")
        elif self.quiet:
            if kind == "stage" and event[3] in ("done", "skipped"):
                self.stages_done += 1
        elif kind == "note":
            self._print(event[2] if event[2].startswith(name) else f"{name}: {event[2]}")
        elif kind == "stage":
            stage, state = event[2], event[3]
            if state in ("done", "skipped"):
                self.stages_done += 1
            if self._progress is not None:
                self._progress.update(self._overall, completed=self.stages_done, description=f"all: {self.stages_done}/{self.total_stages} stages")
                self._progress.update(self._tasks[name], description=f"{name}: {stage}" + (" done" if state == "done" else ""),
                                      completed=0.0 if state == "start" else 1.0, total=1.0)
            elif state == "start":
                self._print(f"{name}: {stage} started ({self.stages_done}/{self.total_stages} stages of the run done)")
            elif state == "done":
                self._print(f"{name}: {stage} done")
        elif kind == "start":
            self._label[name], self._total[name] = event[2], max(float(event[3]), 1e-6)
            self._started[name], self._quarter[name] = time.monotonic(), -1
            if self._progress is not None:
                self._progress.reset(self._tasks[name], total=self._total[name], description=f"{name}: {event[2]}")
        elif kind == "update":
            done, stage = float(event[2]), event[3]
            total = self._total.get(name, 1.0)
            if self._progress is not None:
                self._progress.update(self._tasks[name], completed=min(done, total), description=f"{name}: {stage or self._label.get(name, '')}")
                return
            share = min(1.0, done / total)
            quarter = int(share * 4)
            if quarter > self._quarter.get(name, -1) and 0 < share < 1:
                self._quarter[name] = quarter
                elapsed = time.monotonic() - self._started.get(name, time.monotonic())
                left = elapsed / share - elapsed
                label = self._label.get(name, name)
                self._print(f"{label if label.startswith(name) else name}: {stage or 'working'} {share:4.0%}, about {left:.0f} s left")

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
