"""How a running ingest is going, in words: N of M, files per second, time left, the end.

Fed by the store's own progress callback (``store.ingest.ingest_paths``); the app's status
line and the ingest dialog both read it. No Textual here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["IngestProgress", "duration_text"]

RATE_AFTER_S = 0.5
"""Speed and time left are guessed only after this long (the first files say little)."""


def duration_text(seconds: float) -> str:
    """``8 s``, ``3 min 5 s``, ``1 h 02 min``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@dataclass
class IngestProgress:
    """One ingest batch: what is done, what came of each file, and the final report."""

    path: str
    clock: Callable[[], float] = time.monotonic
    started: float = 0.0
    done: int = 0
    total: int = 0
    results: list[Any] = field(default_factory=list)
    report: Any | None = None  # the store's IngestReport, once the batch ended
    error: str | None = None  # the batch could not run at all
    stopping: bool = False  # the user asked to stop
    note: str = ""  # word about the batch as a whole (waiting for another writer)

    def __post_init__(self) -> None:
        self.started = self.clock()

    @property
    def running(self) -> bool:
        """True until the batch ended (with a report or an error)."""
        return self.report is None and self.error is None

    def record(self, done: int, total: int, result: Any) -> None:
        """One file settled (the store's ``progress(done, total, result)``)."""
        self.done, self.total = done, total
        self.results.append(result)

    def count(self, status: str) -> int:
        """Files settled so far with ``status`` (ok, skipped, failed)."""
        return sum(1 for r in self.results if getattr(r, "status", None) == status)

    def rate(self) -> float | None:
        """Files per second so far, once there is enough to tell."""
        elapsed = self.clock() - self.started
        if self.done == 0 or elapsed < RATE_AFTER_S:
            return None
        return self.done / elapsed

    def time_left(self) -> float | None:
        """Seconds until every file is done at the speed so far."""
        rate = self.rate()
        return None if rate is None else max(0, self.total - self.done) / rate

    def status_line(self) -> str:
        """``Ingesting 12 of 40 · 3.2 files/s · about 9 s left · 1 failed``."""
        if not self.running:
            return self.summary()
        if self.stopping:
            return f"Stopping the ingest after {self.done} of {self.total}… files already parsed are kept"
        if self.total == 0:
            return "Ingesting: looking for files…"
        parts = [f"Ingesting {self.done} of {self.total}"]
        rate, left = self.rate(), self.time_left()
        if rate is not None and left is not None:
            parts += [f"{rate:.1f} files/s", f"about {duration_text(left)} left"]
        failed = self.count("failed")
        if failed:
            parts.append(f"{failed} failed")
        return " · ".join(parts)

    def summary(self) -> str:
        """The end of the batch in one line: counts, and what a stop left out."""
        if self.error is not None:
            return self.error
        report = self.report
        if report is None:
            return self.status_line()
        counts = f"{report.ok} ok, {report.skipped} skipped, {report.failed} failed"
        if report.cancelled:
            return f"Stopped: {counts}; {report.not_done} not ingested (the {report.ok} stored are kept)"
        if report.stop_reason:
            return f"Stopped ({report.stop_reason}): {counts}; {report.not_done} not ingested"
        return f"Done: {counts}"
