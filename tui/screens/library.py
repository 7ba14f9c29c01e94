"""The open store and what the screens cache from it; no Textual here.

Every method blocks (TinyDB, parsing), so screens call them from thread workers. The
store itself is safe to share between threads; the lock only guards opening and closing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from store.db import DigestStore
    from store.model import Digest

__all__ = ["Library", "LibrarySnapshot"]


@dataclass
class LibrarySnapshot:
    """All digests and the watchlist at one moment, for panes that look across reports."""

    digests: list[Digest] = field(default_factory=list)
    by_id: dict[str, Digest] = field(default_factory=dict)
    watchlist: list[Any] = field(default_factory=list)

    @property
    def periods(self) -> list[str]:
        """Every report period and metric period in the library, oldest first."""
        seen: set[str] = set()
        for digest in self.digests:
            if digest.period:
                seen.add(digest.period)
            for metric in digest.metrics:
                if metric.period:
                    seen.add(metric.period)
        return sorted(seen)


class Library:
    """The store behind the app, opened lazily in a worker."""

    def __init__(self, store_path: str | Path | None = None) -> None:
        self.store_path = store_path
        self.store: DigestStore | None = None
        self.lock = threading.RLock()
        # Set on close: stops a running seed or ingest so quitting never waits on parsing.
        self._stopping = threading.Event()
        self._cancels: set[threading.Event] = set()

    @property
    def is_open(self) -> bool:
        """True once ``open`` has succeeded."""
        return self.store is not None

    def open(self, *, seed: bool = True) -> tuple[int, list[str]]:
        """Open the store, seeding it with the bundled samples when empty.

        Returns how many samples were stored and one line per sample that failed.
        """
        from store.db import DigestStore

        with self.lock:
            if self.store is None:
                self.store = DigestStore(self.store_path)
            if not seed:
                return 0, []
            try:
                from store.bundled import seed_if_empty
            except ImportError:  # a build without bundled samples: start empty
                return 0, []
            report = seed_if_empty(self.store, cancel=self._stopping)
            if report is None:
                return 0, []
            seeded = sum(1 for r in report.results if r.status == "ok")
            failed = [f"{Path(str(r.path)).name}: {r.reason}" for r in report.results if r.status == "failed"]
            return seeded, failed

    def _require(self) -> DigestStore:
        if self.store is None:
            raise RuntimeError("the store is not open yet")
        return self.store

    def summaries(self) -> list[Any]:
        """The cheap per-report rows for the report list."""
        return list(self._require().summaries())

    def snapshot(self) -> LibrarySnapshot:
        """Every digest (newest first) and the watchlist."""
        store = self._require()
        digests = list(store.all())
        watchlist = list(store.watchlist())
        return LibrarySnapshot(digests, {d.id: d for d in digests}, watchlist)

    def get(self, digest_id: str) -> Digest | None:
        """One digest by id."""
        return self._require().get(digest_id)

    def search(self, query: str) -> list[str]:
        """Ids of the digests whose text matches ``query``."""
        return list(self._require().search(query))

    def by_company(self, name: str) -> list[Digest]:
        """Digests that name a company (any alias or ticker)."""
        return list(self._require().by_company(name))

    def watchlist(self) -> list[Any]:
        """The watched companies."""
        return list(self._require().watchlist())

    def watch(self, name: str) -> Any:
        """Add a company to the watchlist; returns the stored WatchItem."""
        return self._require().watchlist_add(name)

    def unwatch(self, name: str) -> bool:
        """Remove a company from the watchlist; False when it was not watched."""
        return self._require().watchlist_remove(name)

    def ingest(
        self,
        paths: list[str],
        progress: Callable[..., None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Any:
        """Parse and store files or folders; returns the IngestReport."""
        from store.ingest import ingest_paths

        cancel = cancel or threading.Event()
        self._cancels.add(cancel)
        if self._stopping.is_set():
            cancel.set()
        try:
            return ingest_paths(paths, self._require(), progress=progress, cancel=cancel)
        finally:
            self._cancels.discard(cancel)

    def close(self) -> None:
        """Stop any seed or ingest in progress, then close the store."""
        self._stopping.set()
        for cancel in list(self._cancels):
            cancel.set()
        with self.lock:
            if self.store is not None:
                self.store.close()
                self.store = None
