"""Watch folders and ingest the reports that land in them (``yanbao ingest --watch DIR``).

Change events come from watchfiles (inotify, FSEvents, …), grouped while they keep arriving.
A file counts once its name is a report's (``.pdf``/``.txt``, not hidden) and its size has
stopped changing: a browser's ``report.pdf.part`` or ``.crdownload`` is never a report, and
its rename to ``report.pdf`` is the event that brings it in. Each batch goes through
``ingest_paths``, so errors are the same one line per file as any ingest.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchfiles import Change, DefaultFilter, watch

from yanbao.store.ingest import REPORT_SUFFIXES, IngestReport, ingest_paths

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore

__all__ = ["ReportFilter", "settled", "watch_and_ingest"]

# How long a file's size must hold still before it is read (a copy or download in progress
# grows between two looks), and how often to look.
SETTLE_SECONDS = 0.3
SETTLE_POLL = 0.1
SETTLE_GIVE_UP = 30.0


class ReportFilter(DefaultFilter):
    """watchfiles' default filter (editor swap files, VCS folders, …) narrowed to report files
    that were added or changed; partial downloads (``.part``, ``.crdownload``) never pass."""

    def __call__(self, change: Change, path: str) -> bool:
        name = os.path.basename(path)
        return (
            change != Change.deleted
            and not name.startswith((".", "~$"))
            and name.lower().endswith(REPORT_SUFFIXES)
            and super().__call__(change, path)
        )


def settled(path: Path, stop: threading.Event | None = None) -> bool:
    """True once ``path`` is a file whose size held still for ``SETTLE_SECONDS``; False when it
    went away, never settled within ``SETTLE_GIVE_UP`` seconds, or ``stop`` was set."""
    deadline = time.monotonic() + SETTLE_GIVE_UP
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline and not (stop is not None and stop.is_set()):
        try:
            size = path.stat().st_size
        except OSError:
            return False
        now = time.monotonic()
        if size != last:
            last, since = size, now
        elif now - since >= SETTLE_SECONDS:
            return True
        time.sleep(SETTLE_POLL)
    return False


def watch_and_ingest(
    folders: Iterable[str | os.PathLike[str]],
    store: DigestStore,
    *,
    on_batch: Callable[[IngestReport], None] | None = None,
    stop: threading.Event | None = None,
    debounce_ms: int = 500,
    **ingest_options: Any,
) -> None:
    """Ingest every report file that appears (or changes) under ``folders`` until ``stop`` is
    set (or Ctrl+C). ``on_batch`` gets each batch's report; ``ingest_options`` go to
    ``ingest_paths`` (progress, jobs, timeout, …)."""
    roots = [Path(folder) for folder in folders]
    for changes in watch(*roots, watch_filter=ReportFilter(), debounce=debounce_ms, step=100,
                         stop_event=stop, raise_interrupt=False, recursive=True):
        ready = sorted({Path(p) for _, p in changes if settled(Path(p), stop)})
        if stop is not None and stop.is_set():
            return
        if ready:
            report = ingest_paths(ready, store, **ingest_options)
            if on_batch is not None:
                on_batch(report)
