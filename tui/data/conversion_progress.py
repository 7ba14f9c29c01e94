"""How the library's conversion on open is going, in words: N of M digests, time left.

A library in the previous layout, or of schema-1 digests that gain their pages (each
re-parsed from its PDF, seconds apiece), is converted when it is first opened; the app
says so while it runs instead of looking hung. Fed by ``Library.progress``. No Textual here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from yanbao.tui.data.ingest_progress import RATE_AFTER_S, duration_text

__all__ = ["ConversionProgress"]


@dataclass
class ConversionProgress:
    """One conversion: what it converts to, how far it is, and how fast it goes."""

    what: str = ""
    done: int = 0
    total: int = 0
    clock: Callable[[], float] = time.monotonic
    _first: tuple[float, int] | None = field(default=None, repr=False)  # (when, done) at the first tick

    def record(self, done: int, total: int, what: str) -> None:
        """A tick of the store's progress."""
        if what != self.what or self._first is None:
            self._first = (self.clock(), done)  # a new conversion (the layout, then the pages)
        self.what, self.done, self.total = what, done, total

    def time_left(self) -> float | None:
        """Seconds until the last digest at the speed so far (the digests kept as they were,
        counted at the first tick, took no time and say nothing of it)."""
        if self._first is None:
            return None
        started, first_done = self._first
        elapsed, moved = self.clock() - started, self.done - first_done
        if moved <= 0 or elapsed < RATE_AFTER_S:
            return None
        return max(0, self.total - self.done) * elapsed / moved

    def short(self) -> str:
        """``Converting the library: 12 of 40 digests``, for the list's one status line."""
        return f"Converting the library: {self.done:,} of {self.total:,} digests"

    def long(self) -> str:
        """What is converted, how far, the time left, and that quitting is safe."""
        line = f"Converting the library {self.what}: {self.done:,} of {self.total:,} digests"
        left = self.time_left()
        if left is not None and self.done < self.total:
            line += f", about {duration_text(left)} left"
        return line + ". The reports show once it is done; q quits, and the conversion goes on next time."
