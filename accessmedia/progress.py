"""Progress for long work: stage, share done and time left, on stderr.

On a terminal it is a live bar (rich); in a log it is a line every 10 %.
"""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class Reporter:
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
