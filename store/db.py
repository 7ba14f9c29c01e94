"""The digest store: one repository class in front of TinyDB.

``DigestStore`` keeps three tables — ``digests`` (keyed by the digest id, the source file's
sha256), ``watchlist`` (keyed by the company's canonical name) and ``meta`` (the store
schema). Every write happens under a file lock and starts from the file as it is now on
disk, so two processes (the app open while a batch ingest runs) never lose each other's
writes. No TinyDB object lives longer than one operation: TinyDB caches the next document
id per table, which loses inserts across processes.

Reads are cheap at 10,000 digests: they go through a ``Snapshot`` (summary rows and search
texts from the index kept beside the store, see ``store.storage``); full ``Digest`` objects
are decoded lazily, one at a time, and only the most recently used few are kept. Adds go
to the store's journal (one append per batch) instead of rewriting the store.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import MemoryStorage, Storage
from tinydb.table import Table

from yanbao.store.errors import StoreError
from yanbao.store.index import IndexRow, Snapshot, newest_first, snapshot_of
from yanbao.store.model import SCHEMA_VERSION, Digest, DigestError
from yanbao.store.storage import META_DOC, META_TABLE, AtomicJSONStorage

__all__ = ["DigestStore", "DigestSummary", "WatchItem", "company_registry", "default_store_path"]

DIGESTS = "digests"
WATCHLIST = "watchlist"
DIGEST_CACHE_SIZE = 64  # decoded digests kept for repeated get() (a small LRU)


def default_store_path() -> Path:
    """``$YANBAO_STORE`` when set, else ``store.json`` in the user data folder."""
    env = os.environ.get("YANBAO_STORE", "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("yanbao", appauthor=False)) / "store.json"


def company_registry() -> Any | None:
    """The company registry (``store.companies``), or None while that module is absent."""
    try:
        from yanbao.store.companies import get_registry
    except ModuleNotFoundError as exc:
        if exc.name == "yanbao.store.companies":
            return None
        raise
    return get_registry()


DigestSummary = IndexRow
"""The few fields the report list shows (id, title, broker, date, period, language,
n_metrics; companies and recommended load on first use), read from the index without
decoding digests."""


@dataclass(frozen=True)
class WatchItem:
    """A watched company: canonical name when the registry knows it, else the text given."""

    name: str
    ticker: str | None = None


class _KeyedTable(Table):
    """A TinyDB table whose document ids are our own string keys (no auto-increment)."""

    document_id_class = str

    def put_many(self, docs: Mapping[str, dict]) -> int:
        """Insert or replace documents by key in one write; returns how many were new."""
        new = 0

        def updater(table: dict) -> None:
            nonlocal new
            for key, doc in docs.items():
                new += key not in table
                table[key] = doc

        self._update_table(updater)
        return new


class _StoreDB(TinyDB):
    table_class = _KeyedTable


class _Expander:
    """Turns a company name, alias or ticker into every casefolded key the registry knows."""

    def __init__(self, registry: Any | None, *, lazy: bool = False) -> None:
        self._registry = registry
        self._lazy = lazy  # load the registry on first use (`yanbao list` never needs it)
        self._cache: dict[str, frozenset[str]] = {}

    def __call__(self, text: Any) -> frozenset[str]:
        if not isinstance(text, str) or not text.strip():
            return frozenset()
        text = text.strip()
        hit = self._cache.get(text)
        if hit is None:
            if self._lazy:
                self._registry, self._lazy = company_registry(), False
            keys = {text.casefold()}
            info = self._registry.lookup(text) if self._registry is not None else None
            if info is not None:
                for value in [info.name, info.name_zh, *info.aliases, *info.tickers]:
                    if value:
                        keys.add(str(value).casefold())
            hit = self._cache[text] = frozenset(keys)
        return hit


def _newest_first_order(rows: list[IndexRow], presorted: int) -> list[int]:
    """Row numbers newest first; ``rows[:presorted]`` are known to be in that order already."""
    def key(i: int) -> tuple[str, str, str]:
        return newest_first(rows[i])

    rest = len(rows) - presorted
    if presorted < 2 or rest > len(rows) // 4:
        return sorted(range(len(rows)), key=key, reverse=True)
    ascending = list(range(presorted - 1, -1, -1))  # bisect works on ascending keys
    for i in range(presorted, len(rows)):
        bisect.insort(ascending, i, key=key)
    ascending.reverse()
    return ascending


class DigestStore:
    """Digests, the watchlist and store metadata, kept in one TinyDB file (or in memory).

    ``DigestStore(path)`` uses an atomic JSON file (default: ``default_store_path()``);
    ``DigestStore(storage=MemoryStorage())`` keeps everything in memory.
    Safe to share between threads; safe to open from several processes.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, storage: Storage | None = None) -> None:
        if storage is None:
            self.path: Path | None = Path(path) if path is not None else default_store_path()
            storage = AtomicJSONStorage(self.path)
        else:
            self.path = getattr(storage, "path", None)
        self._storage = storage
        self._mutex = threading.RLock()
        self._writes = 0
        self._snapshot: Snapshot | None = None
        self._snapshot_key: tuple | None = None
        self._order: list[int] = []  # snapshot row numbers, newest first
        self._summaries: list[DigestSummary] = []
        self._by_id: dict[str, int] = {}
        self._digests: OrderedDict[str, Digest] = OrderedDict()  # LRU of decoded digests
        self._expander = _Expander(None)
        self._company_keys: dict[int, frozenset[str]] = {}

    # -- plumbing ---------------------------------------------------------------------------

    def _db(self) -> TinyDB:
        # A fresh TinyDB per operation: nothing cached survives past the lock.
        return _StoreDB(storage=lambda: self._storage)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[TinyDB]:
        locked = getattr(self._storage, "locked", None)
        with self._mutex, (locked() if locked else contextlib.nullcontext()):
            db = self._db()
            data = self._storage.read() or {}  # re-reads the file if it changed underneath
            if not isinstance(self._storage, AtomicJSONStorage) and META_DOC not in data.get(META_TABLE, {}):
                db.table(META_TABLE).put_many({META_DOC: {"schema": SCHEMA_VERSION}})
            try:
                yield db
            finally:
                self._writes += 1

    def _current(self) -> Snapshot:
        """The snapshot of the stored data, rebuilding views when it changed anywhere."""
        if isinstance(self._storage, AtomicJSONStorage):
            snap = self._storage.snapshot()
            key: tuple = (id(snap), self._storage.version)
        else:
            data = self._storage.read()
            key = (id(data), self._writes)
            if key == self._snapshot_key and self._snapshot is not None:
                return self._snapshot
            snap = snapshot_of(data)
        if key == self._snapshot_key and self._snapshot is not None:
            return self._snapshot
        rows = snap.rows
        self._order = _newest_first_order(rows, snap.presorted)
        self._summaries = [rows[i] for i in self._order]
        self._by_id = {row.id: i for i, row in enumerate(rows)}
        self._digests = OrderedDict()
        self._expander = _Expander(None, lazy=True)  # the registry loads on the first name lookup
        self._company_keys = {}
        self._snapshot, self._snapshot_key = snap, key
        return snap

    def _keys_of(self, snap: Snapshot, i: int) -> frozenset[str]:
        keys = self._company_keys.get(i)
        if keys is None:
            keys = frozenset().union(*(self._expander(k) for k in snap.rows[i].company_keys))
            self._company_keys[i] = keys
        return keys

    def _digest(self, snap: Snapshot, digest_id: str) -> Digest | None:
        hit = self._digests.get(digest_id)
        if hit is not None:
            self._digests.move_to_end(digest_id)
            return hit
        doc = snap.load(digest_id)
        if doc is None:
            return None
        try:
            digest = Digest.from_dict(doc)
        except DigestError as exc:
            where = self.path or "store"
            raise StoreError(str(where), f"digest {digest_id[:12]} is damaged ({exc})") from None
        self._digests[digest_id] = digest
        if len(self._digests) > DIGEST_CACHE_SIZE:
            self._digests.popitem(last=False)
        return digest

    def _digests_for(self, snap: Snapshot, rows: Iterable[int]) -> list[Digest]:
        out = []
        for i in rows:
            try:
                digest = self._digest(snap, snap.rows[i].id)
            except StoreError:
                continue  # a damaged entry is reported by `yanbao doctor`, not fatal here
            if digest is not None:
                out.append(digest)
        return out

    # -- digests ----------------------------------------------------------------------------

    def add(self, digest: Digest) -> bool:
        """Store ``digest``; True when it is new, False when it replaced the stored copy."""
        return self.add_many([digest]) == 1

    def add_many(self, digests: Iterable[Digest]) -> int:
        """Store many digests in one write; returns how many were new."""
        docs = {d.id: d.to_dict() for d in digests}
        if not docs:
            return 0
        if isinstance(self._storage, AtomicJSONStorage):
            # Appending to the journal costs the batch, not the store: no TinyDB round trip.
            with self._mutex, self._storage.locked():
                self._storage.refresh()
                known = self._storage.known_ids()
                new = sum(1 for k in docs if k not in known)
                if self._storage.append_digests(docs):
                    self._writes += 1
                    return new
        with self._writing() as db:
            return db.table(DIGESTS).put_many(docs)

    def remove(self, digest_id: str) -> bool:
        """Delete one digest; True when it was there."""
        with self._writing() as db:
            self._current()
            if digest_id not in self._by_id:
                return False
            db.table(DIGESTS).remove(doc_ids=[digest_id])
            return True

    def get(self, digest_id: str) -> Digest | None:
        """The digest with this id, or None."""
        with self._mutex:
            return self._digest(self._current(), digest_id)

    def has(self, digest_id: str) -> bool:
        """Whether a digest with this id is stored."""
        with self._mutex:
            if isinstance(self._storage, AtomicJSONStorage):
                self._storage.refresh()  # cheap per call during an ingest: no view rebuilt
                return digest_id in self._storage.known_ids()
            self._current()
            return digest_id in self._by_id

    def find_ids(self, prefix: str) -> list[str]:
        """Ids that start with ``prefix`` (for ``yanbao show ID``), newest first."""
        prefix = prefix.strip().lower()
        with self._mutex:
            self._current()
            if prefix in self._by_id:
                return [prefix]
            return [s.id for s in self._summaries if s.id.startswith(prefix)]

    def __len__(self) -> int:
        with self._mutex:
            self._current()
            return len(self._summaries)

    @property
    def version(self) -> tuple:
        """Changes whenever the stored data may have changed (poll it to refresh a view)."""
        with self._mutex:
            self._current()
            assert self._snapshot_key is not None
            return self._snapshot_key

    def all(self) -> list[Digest]:
        """Every digest, newest first by date (undated last)."""
        with self._mutex:
            return self._digests_for(self._current(), self._order)

    def summaries(self) -> list[DigestSummary]:
        """Summary rows for every digest, newest first; cheap even at 10,000 digests."""
        with self._mutex:
            self._current()
            return list(self._summaries)

    def search(self, query: str) -> list[str]:
        """Ids of digests matching every word of ``query``: a case-insensitive substring of
        title, broker, key points, recommendation, company names/aliases/tickers or risks,
        or a company name the registry knows that the digest names in any form."""
        terms = query.casefold().split()
        with self._mutex:
            snap = self._current()
            texts = snap.search_texts
            companies = [self._expander(t) if self._expander(t) != {t} else None for t in terms]
            hits = []
            for i in self._order:
                text = texts[i]
                if all(
                    t in text or (keys is not None and keys & self._keys_of(snap, i))
                    for t, keys in zip(terms, companies)
                ):
                    hits.append(snap.rows[i].id)
            return hits

    def by_company(self, name: str) -> list[Digest]:
        """Digests naming a company, given by name, alias or ticker."""
        with self._mutex:
            snap = self._current()
            wanted = self._expander(name)
            return self._digests_for(snap, (i for i in self._order if self._keys_of(snap, i) & wanted))

    def by_period(self, period: str) -> list[Digest]:
        """Digests about a period: ``2025Q1`` exactly, or every quarter of ``2025``."""
        period = period.strip().upper()
        with self._mutex:
            snap = self._current()
            return self._digests_for(snap, (
                i for i in self._order
                if (p := snap.rows[i].period) and (p == period or (len(period) == 4 and p.startswith(period)))
            ))

    def by_broker(self, broker: str) -> list[Digest]:
        """Digests from one broker (case-insensitive)."""
        broker = broker.strip().casefold()
        with self._mutex:
            snap = self._current()
            return self._digests_for(
                snap, (i for i in self._order if (snap.rows[i].broker or "").casefold() == broker)
            )

    # -- watchlist --------------------------------------------------------------------------

    @staticmethod
    def _resolve(name: str) -> WatchItem:
        name = " ".join(name.split())
        if not name:
            raise ValueError("a company name is needed")
        registry = company_registry()
        info = registry.lookup(name) if registry is not None else None
        if info is None:
            return WatchItem(name, None)
        return WatchItem(info.name, info.ticker)

    def watchlist(self) -> list[WatchItem]:
        """Watched companies in the order they were added."""
        with self._mutex:
            return [
                WatchItem(doc["name"], doc.get("ticker"))
                for doc in self._current().watchlist.values()
                if isinstance(doc, dict) and isinstance(doc.get("name"), str)
            ]

    def watchlist_add(self, name: str) -> WatchItem:
        """Watch a company (registry name when known, else the text as given); idempotent."""
        item = self._resolve(name)
        with self._writing() as db:
            table = db.table(WATCHLIST)
            key = item.name.casefold()
            existing = table.get(doc_id=key)
            if existing is not None:
                return WatchItem(existing["name"], existing.get("ticker"))
            table.put_many({key: {"name": item.name, "ticker": item.ticker}})
        return item

    def watchlist_remove(self, name: str) -> bool:
        """Stop watching a company given by any of its names or tickers; True when it was watched."""
        item = self._resolve(name)
        wanted = {name.strip().casefold(), item.name.casefold()}
        if item.ticker:
            wanted.add(item.ticker.casefold())
        with self._writing() as db:
            table = db.table(WATCHLIST)
            keys = [
                doc.doc_id for doc in table.all()
                if doc.doc_id in wanted
                or str(doc.get("name", "")).casefold() in wanted
                or str(doc.get("ticker") or "").casefold() in wanted
            ]
            if not keys:
                return False
            table.remove(doc_ids=keys)
            return True

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Release cached data; the store file is always consistent, nothing to flush."""
        with self._mutex:
            self._storage.close()
            self._snapshot = self._snapshot_key = None
            self._summaries, self._by_id, self._digests = [], {}, OrderedDict()

    def __enter__(self) -> DigestStore:  # noqa: PYI034 - typing.Self needs 3.11
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DigestStore({str(self.path) if self.path else 'memory'!r})"


def memory_store() -> DigestStore:
    """A store that lives only in memory (tests, previews)."""
    return DigestStore(storage=MemoryStorage())
