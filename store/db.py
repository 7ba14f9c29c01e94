"""The digest store: one repository class in front of TinyDB, the documents and the catalog.

A library at ``store.json`` is:

- ``store.json``: TinyDB's small tables — ``meta`` and the user's state (``watchlist``,
  ``marks``: stars, tags and notes, ``read``: read marks; see ``store.user_state``) — so a
  watchlist or note change rewrites a few hundred bytes;
- ``store.json.d/docs/``: each digest's body, its own JSON document, written once and read
  only when a report is shown (``store.documents``);
- ``store.json.d/rows/``: one small TinyDB row per report, in 4,096 shard tables, each its
  own file (``store.storage``): storing a report rewrites one shard;
- ``store.json.d/catalog.sqlite``: what lists, search and the panes read (``store.catalog``),
  derived from the documents and rebuilt from them by ``yanbao doctor --rebuild``.

A write names the digests it is about in ``pending.json`` first, then writes documents,
rows and catalog, then removes it; whoever opens the library next and finds it finishes
the job from the documents (redo) — so a kill at any moment loses nothing that was
acknowledged, and never leaves a row without its document. A store in the previous
layout (everything in one file) migrates on first open (``store.migrate``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import MemoryStorage, Storage
from tinydb.table import Table

from yanbao.store.catalog import Catalog
from yanbao.store.company_reports import (CompanyReportList, figure_reports_between, figures_step, ids_of,
                                          kept_company_report_list)
from yanbao.store.documents import DocumentDamaged, DocumentFiles, Documents, MemoryDocuments, encode_document
from yanbao.store.errors import RecordsRefused, StoreError
from yanbao.store.index import IndexRow, index_row
from yanbao.store.kept_views import figure_entries, kept_company_views, kept_series
from yanbao.store.migrate_pages import PagesMigration
from yanbao.store.model import SCHEMA_VERSION, Company, CompanyRating, Digest, DigestError, Metric, Source
from yanbao.store.rating_fold import rating_outline
from yanbao.store.risk_fold import fold_step, kept_risk_tally
from yanbao.store.search import search_first, search_ids
from yanbao.store.storage import LAYOUT_VERSION, META_DOC, META_TABLE, ROWS_PREFIX, AtomicJSONStorage, library_dir
from yanbao.store.user_state import UNREAD_SINCE, UserStateMixin

__all__ = ["DigestStore", "DigestSummary", "WatchItem", "company_registry", "default_store_path", "memory_store"]

WATCHLIST = "watchlist"
DIGEST_CACHE_SIZE = 64  # decoded digests kept for repeated get() (a small LRU)
Progress = Callable[[int, int], None]


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
n_metrics; companies and recommended load on first use), read from the catalog."""


@dataclass(frozen=True)
class WatchItem:
    """A watched company: canonical name when the registry knows it, else the text given."""

    name: str
    ticker: str | None = None


def row_shard(digest_id: str) -> str:
    """The TinyDB table (one of 4,096) holding the row of ``digest_id``."""
    return ROWS_PREFIX + hashlib.blake2b(digest_id.encode("utf-8", "surrogatepass"), digest_size=2).hexdigest()[:3]


def row_record(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The row of record of one digest: the list's columns and its company names."""
    row, _ = index_row(doc)
    return {"columns": row.columns(), "details": row.details()}


def _store_schema(main: Mapping[str, Any] | None) -> int:
    """The digest schema a library's meta says its documents were written in (a library
    with no meta yet is new: the current schema)."""
    meta = ((main or {}).get(META_TABLE) or {}).get(META_DOC)
    schema = meta.get("schema") if isinstance(meta, dict) else None
    return schema if isinstance(schema, int) else SCHEMA_VERSION


class _Busy(Exception):
    """The library's lock is held by a live writer right now."""


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


class KeyedTinyDB(TinyDB):
    """TinyDB whose tables are keyed by our own string ids (digest ids, company names)."""

    table_class = _KeyedTable


class _Expander:
    """Turns a company name, alias or ticker into every casefolded key the registry knows."""

    def __init__(self) -> None:
        self._registry: Any | None = None
        self._loaded = False  # the registry loads on first use (`yanbao list` never needs it)
        self._cache: dict[str, frozenset[str]] = {}

    def __call__(self, text: Any) -> frozenset[str]:
        if not isinstance(text, str) or not text.strip():
            return frozenset()
        text = text.strip()
        hit = self._cache.get(text)
        if hit is None:
            if not self._loaded:
                self._registry, self._loaded = company_registry(), True
            keys = {text.casefold()}
            info = self._registry.lookup(text) if self._registry is not None else None
            if info is not None:
                for value in [info.name, info.name_zh, *info.aliases, *info.tickers]:
                    if value:
                        keys.add(str(value).casefold())
            hit = self._cache[text] = frozenset(keys)
        return hit


def _views(rows: Iterable[IndexRow], named: set[str], metrics: Mapping[str, list[Metric]],
           ratings: Mapping[str, list[CompanyRating]]) -> list[Digest]:
    """Slim digests of catalog rows, newest first: the companies of reports in ``named``,
    the figures and ratings given per id."""
    views = []
    for row in rows:
        companies = []
        if row.id in named:
            recommended = set(row.recommended)  # each access splits the joined names again
            companies = [Company(n, None, "recommended" if n in recommended else "mentioned", [], 1)
                         for n in row.companies]
        views.append(Digest(
            id=row.id, source=Source(f"catalog:{row.id}", "text", 0, row.id), title=row.title,
            broker=row.broker, date=row.date, period=row.period, language=row.language, companies=companies,
            metrics=metrics.get(row.id, []), company_ratings=ratings.get(row.id, [])))
    views.sort(key=lambda d: (d.date or "", d.title, d.id), reverse=True)
    return views


class DigestStore(UserStateMixin):
    """Digests, the watchlist and store metadata: a library on disk (or in memory).

    ``DigestStore(path)`` opens the library at ``path`` (default: ``default_store_path()``);
    ``DigestStore(storage=MemoryStorage())`` keeps everything in memory. ``progress``
    hears (done, total) while a store in the previous layout migrates on first open.
    Safe to share between threads; safe to open from several processes.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, storage: Storage | None = None,
                 progress: Progress | None = None, stop: Callable[[], bool] | None = None) -> None:
        file_backed = storage is None or isinstance(storage, AtomicJSONStorage)
        if file_backed:
            # The store file's own storage, or one configured by the caller (a lock wait):
            # either way the library's documents and catalog live beside that file.
            self.path: Path | None = (Path(path) if path is not None else
                                      storage.path if storage is not None else default_store_path())
            storage = storage if storage is not None else AtomicJSONStorage(self.path)
            folder = library_dir(self.path)
            self._documents: Documents = DocumentFiles(folder / "docs")
            self._catalog = Catalog(folder / "catalog.sqlite")
            self._pending: Path | None = folder / "pending.json"
        else:
            self.path = getattr(storage, "path", None)
            self._documents, self._catalog, self._pending = MemoryDocuments(), Catalog(None), None
        self._storage = storage
        self._progress = progress
        self._stop = stop  # asked during the schema-2 migration on open: True ends it (PagesStopped)
        self._mutex = threading.RLock()
        self._filler: threading.Thread | None = None  # fills pane 4's tables of an older catalog
        self._filler_stop = threading.Event()
        self._opened = False
        self.read_only = False
        self.warnings: list[str] = []  # one line per damaged record skipped by a reader
        self._writes = 0
        self._rows_key: tuple | None = None
        self._rows: list[IndexRow] = []
        self._digests: OrderedDict[str, Digest] = OrderedDict()  # LRU of decoded digests
        self._expander = _Expander()
        self.migrated: int | None = None  # digests moved from the previous layout by this open
        self.pages_migration: PagesMigration | None = None  # what the schema-2 migration did on this open
        self.migrating = "to the new layout"  # what ``progress`` hears about (said by the CLI)

    # -- plumbing ---------------------------------------------------------------------------

    def _db(self) -> TinyDB:
        # A fresh TinyDB per operation: nothing cached survives past the lock.
        return KeyedTinyDB(storage=lambda: self._storage)

    def _locked(self) -> contextlib.AbstractContextManager:
        locked = getattr(self._storage, "locked", None)  # a storage shared by processes has a lock
        return locked() if locked else contextlib.nullcontext()

    @contextlib.contextmanager
    def _batch(self) -> Iterator[None]:
        """Documents and row shards written in one go, made durable together at the end."""
        batch = getattr(self._storage, "batch", None)
        with batch() if batch else contextlib.nullcontext():
            yield
        self._documents.sync()

    @contextlib.contextmanager
    def _try_locked(self) -> Iterator[None]:
        """The lock if it is free right now, else _Busy."""
        lock = getattr(self._storage, "_lock", None)
        if lock is None:
            yield
            return
        try:
            lock.acquire(timeout=0)
        except Exception:  # filelock.Timeout: a live writer has it
            raise _Busy from None
        try:
            yield
        finally:
            lock.release()

    def _main(self) -> dict[str, dict] | None:
        """The small tables (meta, user state); StoreError when the store file is unusable."""
        read_main = getattr(self._storage, "read_main", None)
        return read_main() if read_main else self._storage.read()

    def _open_catalog(self) -> Catalog | None:
        """The catalog once the library is open (None while there is none), for a reading
        that takes long: it runs on the catalog, whose own lock is taken a batch at a time,
        not under the store's, so a figure series folding in a worker never holds up the
        app's next search or page."""
        with self._mutex:
            return self._catalog if self._open() else None

    def _open(self, *, for_write: bool = False) -> bool:
        """Make the library usable (migrate, finish an interrupted write, build a missing
        catalog); False while there is no library yet."""
        main = self._main()
        if self._opened and not (self._pending is not None and self._pending.exists()):
            return True
        if main is None and not for_write and (self._pending is None or not self._pending.parent.exists()):
            return False
        from yanbao.store.legacy import is_legacy

        self.read_only = bool(getattr(self._storage, "read_only", False))
        if is_legacy(main):
            self.migrating = "to the new layout"
            with self._locked():
                if is_legacy(self._main()):
                    from yanbao.store.migrate import migrate_legacy

                    self.migrated = migrate_legacy(self._storage, self._documents, self._catalog,  # type: ignore[arg-type]
                                                   self.bulk_load, self._progress)
        if self._pending is not None and self._pending.exists() and not self.read_only:
            # A live writer holds the lock while its pending list exists: a reader never
            # waits for it (the writer finishes its own job); a dead writer's list is redone.
            try:
                with self._locked() if for_write or not self._opened else self._try_locked():
                    self._finish_pending()
            except _Busy:
                pass
        if not self._catalog.exists():
            if self.read_only:
                self._catalog = Catalog(None)  # a read-only library gets its catalog in memory
            with self._locked() if not self.read_only else contextlib.nullcontext():
                if not self._catalog.exists():
                    self.rebuild_catalog()
        if not self.read_only and self._pending is not None and _store_schema(self._main()) < SCHEMA_VERSION:
            # A read-only library reads its schema-1 digests as they are (pages unknown); so
            # does a reader while another process migrates (it never waits for the re-parse).
            try:
                with self._locked() if for_write else self._try_locked():
                    if _store_schema(self._main()) < SCHEMA_VERSION:
                        self._migrate_pages()
            except _Busy:
                pass
        self._opened = True
        return True

    def _put_rows(self, docs: Mapping[str, Mapping[str, Any]]) -> None:
        self._put_records({digest_id: row_record(doc) for digest_id, doc in docs.items()})

    def _put_records(self, records: Mapping[str, dict]) -> None:
        """Row records into their shards, each shard file written once."""
        by_shard: dict[str, dict[str, dict]] = {}
        for digest_id, record in records.items():
            by_shard.setdefault(row_shard(digest_id), {})[digest_id] = record
        db = self._db()
        for shard, rows in by_shard.items():
            db.table(shard).put_many(rows)

    def _drop_rows(self, ids: Iterable[str]) -> None:
        db = self._db()
        for digest_id in ids:
            table = db.table(row_shard(digest_id))
            if table.contains(doc_id=digest_id):
                table.remove(doc_ids=[digest_id])

    def _write_pending(self, ids: Iterable[str]) -> None:
        if self._pending is not None:
            from yanbao.store.storage import atomic_file

            with atomic_file(self._pending) as out:
                out.write(orjson.dumps(list(ids)))

    def _clear_pending(self) -> None:
        if self._pending is not None:
            with contextlib.suppress(FileNotFoundError):
                self._pending.unlink()

    def _finish_pending(self) -> None:
        """Redo an interrupted write from the documents of record (the caller holds the lock)."""
        assert self._pending is not None
        try:
            ids = orjson.loads(self._pending.read_bytes())
        except FileNotFoundError:
            return
        except orjson.JSONDecodeError:
            ids = None  # torn by a kill: the atomic replace makes this near impossible
        if not isinstance(ids, list):
            self.rebuild_catalog()
        else:
            present: dict[str, dict] = {}
            for digest_id in ids:
                doc = self._load_doc(str(digest_id))
                if doc is not None:
                    present[str(digest_id)] = doc
            gone = [str(i) for i in ids if str(i) not in present]
            if not self._catalog.exists():
                self.rebuild_catalog()
            else:
                self._catalog.put(present, {k: self._documents.size(k) or 0 for k in present})
                self._catalog.remove(gone)
            self._put_rows(present)
            self._drop_rows(gone)
        self._clear_pending()

    def _load_doc(self, digest_id: str) -> dict | None:
        """A document of record, or None when absent or damaged (damaged ones are
        quarantined when the library is writable, and named in ``warnings``)."""
        try:
            return self._documents.get(digest_id)
        except DocumentDamaged as exc:
            self.warnings.append(str(exc))
            if not self.read_only:
                with contextlib.suppress(OSError):
                    self._documents.quarantine(digest_id)
            return None

    def create(self) -> None:
        """Make an empty library at the path (nothing when one is there)."""
        with self._mutex, self._locked():
            self._open(for_write=True)
            self._check_writable()

    def bulk_load(self, documents: Iterable[tuple[str, bytes, dict]], progress: Progress | None = None,
                  total: int = 0, batch: int = 256) -> int:
        """Store many (id, document bytes, decoded document) at once, the way migration
        and benchmark builders need: documents and catalog a batch at a time, each row
        shard written once at the end, one sync before returning. Not atomic as a whole:
        the caller commits afterwards (migration) or owns a fresh library (builders)."""
        rows: dict[str, dict] = {}
        docs: dict[str, dict] = {}
        blobs: dict[str, bytes] = {}
        done = 0

        def flush() -> None:
            self._documents.put_many(blobs)
            self._catalog.put(docs, {k: len(v) for k, v in blobs.items()})
            rows.update({k: row_record(doc) for k, doc in docs.items()})
            docs.clear()
            blobs.clear()

        for digest_id, blob, doc in documents:
            docs[digest_id], blobs[digest_id] = doc, blob
            done += 1
            if len(docs) >= batch:
                flush()
                if progress:
                    progress(done, total)
        flush()
        with self._batch():
            self._put_records(rows)
        self._writes += 1
        return done

    def rebuild_catalog(self, progress: Progress | None = None) -> tuple[int, int]:
        """Build the catalog again from the documents of record; (recovered, lost) where
        lost counts documents that did not parse (quarantined)."""
        self._catalog.create()
        ids = list(self._documents.ids())
        good = lost = 0
        batch: dict[str, dict] = {}
        sizes: dict[str, int] = {}
        added: dict[str, float] = {}
        for number, digest_id in enumerate(ids, 1):
            doc = self._load_doc(digest_id)
            if doc is None:
                lost += 1
            else:
                try:
                    Digest.from_dict(doc)
                except (DigestError, AttributeError, TypeError, ValueError, KeyError) as exc:
                    self.warnings.append(f"digest {digest_id[:12]} is damaged: {exc}")
                    if not self.read_only:
                        self._documents.quarantine(digest_id)
                    lost += 1
                    continue
                batch[digest_id] = doc
                sizes[digest_id] = self._documents.size(digest_id) or 0
                added[digest_id] = self._documents.added(digest_id) or 0.0
                good += 1
            if len(batch) >= 256 or number == len(ids):
                self._catalog.put(batch, sizes, added)
                batch, sizes, added = {}, {}, {}
                if progress:
                    progress(number, len(ids))
        self._catalog.mark_complete()
        self._writes += 1
        return good, lost

    def _version_key(self) -> tuple:
        version = getattr(self._storage, "file_version", None)
        return (version() if version else None, self._catalog.data_version(), self._catalog.writes, self._writes)

    def _digest(self, digest_id: str) -> Digest | None:
        hit = self._digests.get(digest_id)
        if hit is not None:
            self._digests.move_to_end(digest_id)
            return hit
        try:
            doc = self._documents.get(digest_id)
        except DocumentDamaged as exc:
            raise StoreError(str(self.path or "store"), f"{exc}; run 'yanbao doctor'") from None
        if doc is None:
            return None
        try:
            digest = Digest.from_dict(doc)
        except (DigestError, AttributeError, TypeError, ValueError, KeyError) as exc:
            where = self.path or "store"
            raise StoreError(str(where), f"digest {digest_id[:12]} is damaged ({exc}); run 'yanbao doctor'") from None
        self._digests[digest_id] = digest
        if len(self._digests) > DIGEST_CACHE_SIZE:
            self._digests.popitem(last=False)
        return digest

    def _digests_for(self, ids: Iterable[str]) -> list[Digest]:
        out = []
        for digest_id in ids:
            try:
                digest = self._digest(digest_id)
            except StoreError as exc:
                self.warnings.append(exc.reason)  # named by `yanbao doctor`, never fatal here
                continue
            if digest is not None:
                out.append(digest)
        return out

    # -- digests ----------------------------------------------------------------------------

    def add(self, digest: Digest) -> bool:
        """Store ``digest``; True when it is new, False when it replaced the stored copy."""
        return self.add_many([digest]) == 1

    def add_many(self, digests: Iterable[Digest]) -> int:
        """Store many digests in one write; returns how many were new. A digest that cannot
        be encoded never costs the others: they are stored, then StoreError names it."""
        docs: dict[str, dict] = {}
        blobs: dict[str, bytes] = {}
        refused: dict[str, str] = {}
        for digest in digests:
            doc = digest.to_dict()
            try:
                blobs[digest.id] = encode_document(doc)
            except (TypeError, ValueError) as exc:
                refused[digest.id] = f"{type(exc).__name__}: {exc}"
                continue
            docs[digest.id] = doc
        new = 0
        if docs:
            with self._mutex, self._locked():
                self._open(for_write=True)
                self._check_writable()
                new = len(docs) - len(self._catalog.known(docs))
                self._write_documents(docs, blobs)
        if refused:
            raise RecordsRefused(str(self.path or "store"), refused)
        return new

    def _write_documents(self, docs: Mapping[str, dict], blobs: Mapping[str, bytes]) -> None:
        """Documents, rows and catalog of ``docs``, crash-safe (pending list first); the
        caller holds the lock on an open, writable library."""
        try:
            self._write_pending(docs)
            with self._batch():
                self._documents.put_many(blobs)
                self._put_rows(docs)
            self._catalog.put(docs, {k: len(v) for k, v in blobs.items()})
            self._clear_pending()
        except OSError as exc:
            raise StoreError(str(self.path), f"cannot be written: {exc.strerror or exc}") from None
        for digest_id in docs:
            self._digests.pop(digest_id, None)
        self._writes += 1

    def _migrate_pages(self) -> None:
        """Schema-1 digests gain pages (``store.migrate_pages``), then the meta says schema 2;
        the caller holds the lock."""
        from yanbao.store.migrate_pages import drop_previous, migrate_pages

        def write(docs: dict[str, dict]) -> None:
            self._write_documents(docs, {k: encode_document(v) for k, v in docs.items()})

        self.migrating = "to digest schema 2 (pages of key points and figures)"
        self.pages_migration = migrate_pages(self._documents, write, self._progress, stop=self._stop)
        meta = dict(((self._main() or {}).get(META_TABLE) or {}).get(META_DOC) or {})
        self._db().table(META_TABLE).put_many({META_DOC: {**meta, "schema": SCHEMA_VERSION}})
        drop_previous(self._documents)

    def _check_writable(self) -> None:
        if getattr(self._storage, "read_only", False):
            self.read_only = True
            raise StoreError(str(self.path), "is read-only (no write permission); nothing was changed")
        main = self._main()
        if main is None or META_DOC not in main.get(META_TABLE, {}):
            self._db().table(META_TABLE).put_many({META_DOC: {"schema": SCHEMA_VERSION, "layout": LAYOUT_VERSION,
                                                             UNREAD_SINCE: time.time()}})
        else:
            self._start_read_marks(self._db(), main)

    def remove(self, digest_id: str) -> bool:
        """Delete one digest; True when it was there."""
        with self._mutex, self._locked():
            if not self._open() or not self._catalog.has(digest_id):
                return False
            self._check_writable()
            self._write_pending([digest_id])
            self._documents.remove(digest_id)
            self._drop_rows([digest_id])
            self._catalog.remove([digest_id])
            self._clear_pending()
            self._digests.pop(digest_id, None)
            self._writes += 1
            return True

    def get(self, digest_id: str) -> Digest | None:
        """The digest with this id, or None."""
        with self._mutex:
            if not self._open():
                return None
            return self._digest(digest_id)

    def has(self, digest_id: str) -> bool:
        """Whether a digest with this id is stored."""
        with self._mutex:
            return self._open() and self._catalog.has(digest_id)

    def find_ids(self, prefix: str) -> list[str]:
        """Ids that start with ``prefix`` (for ``yanbao show ID``), newest first."""
        prefix = prefix.strip().lower()
        with self._mutex:
            if not self._open():
                return []
            if prefix and self._catalog.has(prefix):
                return [prefix]
            return self._catalog.ids_with_prefix(prefix)

    def __len__(self) -> int:
        with self._mutex:
            return self._catalog.count() if self._open() else 0

    @property
    def version(self) -> tuple:
        """Changes whenever the stored data may have changed (poll it to refresh a view)."""
        with self._mutex:
            if not self._open():
                return (None,)
            return self._version_key()

    def all(self) -> list[Digest]:
        """Every digest, newest first by date (undated last). Decodes the whole library:
        for tools and small stores; the app and the panes read the catalog instead."""
        return list(self.stream())

    def stream(self, ids: Iterable[str] | None = None) -> Iterator[Digest]:
        """Digests (every one, or those of ``ids``) newest first, decoded one at a time."""
        with self._mutex:
            if not self._open():
                return
            ids = list(ids) if ids is not None else self._catalog.ids_with_prefix("")
        for digest_id in ids:
            with self._mutex:
                found = self._digests_for([digest_id])
            yield from found

    def summaries(self) -> list[DigestSummary]:
        """Summary rows for every digest, newest first (one catalog query)."""
        with self._mutex:
            if not self._open():
                return []
            key = self._version_key()
            if key != self._rows_key:
                self._rows, self._rows_key = self._catalog.rows(), key
            return list(self._rows)

    def newest(self, limit: int) -> list[DigestSummary]:
        """Summary rows of the newest ``limit`` digests, without reading the others."""
        with self._mutex:
            return self._catalog.newest(limit) if self._open() else []

    def rows_for(self, ids: Iterable[str]) -> list[DigestSummary]:
        """Summary rows (with company names) of ``ids``, newest first."""
        with self._mutex:
            return self._catalog.rows_for(ids) if self._open() else []

    def search(self, query: str) -> list[str]:
        """Ids of digests matching every word of ``query``: a case-insensitive substring of
        title, broker, key points, recommendation, company names/aliases/tickers or risks,
        or a company name the registry knows that the digest names in any form."""
        return list(self.search_stream(query))

    def search_stream(self, query: str, page: int = 512) -> Iterator[str]:
        """``search`` a page at a time: the first ids arrive before the rest are read."""
        with self._mutex:
            if not self._open():
                return
        yield from search_ids(self._catalog.searcher(), query, self._expander, page)

    def search_first(self, query: str, limit: int = 100) -> tuple[int, list[str]]:
        """What a user sees first of ``search``: how many digests match and the ids of the
        newest ``limit`` of them, without reading every match's id in order."""
        with self._mutex:
            if not self._open():
                return 0, []
        return search_first(self._catalog.searcher(), query, self._expander, limit)

    def warm(self) -> None:
        """Load what a first search needs and later ones find loaded — the company registry
        and the full-text index's structure — so the app's first search costs what later
        ones do, and fold pane 3's risk tally (the app calls this in the background once
        the library is open)."""
        self._expander("腾讯")
        with self._mutex:
            if self._opened:  # never reopens a library closed meanwhile
                searcher = self._catalog.searcher()  # the connection searches run on
                searcher.query("SELECT rowid FROM texts WHERE texts MATCH '\"研报研\"' LIMIT 1")
                searcher.query("SELECT rowid FROM grams WHERE grams MATCH '\"研报\"' LIMIT 1")
        # Pane 3's tally, folded a step at a time and kept, then pane 4's ratings outline;
        # both on the catalog, not under the store's lock (the app goes on meanwhile). A
        # catalog that cannot be read leaves them to the panes, which say so.
        with contextlib.suppress(sqlite3.Error):
            while not self.read_only:
                with self._mutex:
                    catalog = self._catalog if self._opened else None
                if catalog is None or fold_step(catalog):
                    break
            with self._mutex:
                from yanbao.store import pane_tables

                catalog = self._catalog if self._opened and pane_tables.is_ready(self._catalog) else None
            if catalog is not None and not self.read_only:
                rating_outline(catalog)

    def company_keys(self, name: str) -> set[str]:
        """Every casefolded name, alias and ticker the registry knows for ``name``."""
        keys: set[str] = set()
        for key in self._expander(name):
            keys |= self._expander(key)
        return keys

    def _company_ids(self, name: str) -> list[str]:
        return self._catalog.ids_by_company(self.company_keys(name))

    def by_company(self, name: str) -> list[Digest]:
        """Digests naming a company, given by name, alias or ticker."""
        with self._mutex:
            return self._digests_for(self._company_ids(name)) if self._open() else []

    def by_period(self, period: str) -> list[Digest]:
        """Digests about a period: ``2025Q1`` exactly, or every quarter of ``2025``."""
        with self._mutex:
            return self._digests_for(self._catalog.ids_by_period(period.strip().upper())) if self._open() else []

    def by_broker(self, broker: str) -> list[Digest]:
        """Digests from one broker (case-insensitive)."""
        with self._mutex:
            return self._digests_for(self._catalog.ids_by_broker(broker.strip())) if self._open() else []

    def periods(self) -> list[str]:
        """Every report period in the library, oldest first."""
        with self._mutex:
            return self._catalog.periods() if self._open() else []

    # -- aggregates (panes 2-4) -------------------------------------------------------------

    def risk_tally(self) -> list[tuple[str, int, str, list[str]]]:
        """(key, report count, usual wording, periods) per distinct risk, commonest first,
        folded from the catalog's risk rows and kept between readings (``store.risk_fold``)."""
        with self._mutex:
            return kept_risk_tally(self._catalog, writable=not self.read_only) if self._open() else []

    def company_report_ids(self, name: str) -> list[str]:
        """Ids of the reports naming a company by any name or ticker, newest first."""
        with self._mutex:
            return self._company_ids(name) if self._open() else []

    def company_reports(self, name: str) -> list[DigestSummary]:
        """Rows of the reports naming a company by any name or ticker, newest first."""
        with self._mutex:
            return self._catalog.rows_for(self._company_ids(name)) if self._open() else []

    def company_views(self, names: Iterable[str], named_by: Iterable[str] = (), metric: str | None = None,
                      keep: Callable[[str, str | None], bool] | None = None,
                      between: tuple[int, int] | None = None) -> list[Digest]:
        """What the library says of one company, without decoding a digest: per report, a
        slim digest (header, the company's figures without sentences, its ratings) from the
        aggregates, newest first. ``names``: the company's casefolded names and tickers;
        reports in ``named_by`` (ids) name it without figures and come as headers; ``metric``
        keeps only that figure (and its guidance, ``<metric>_guidance``) and the reports that
        state it; ``keep(metric, basis)`` keeps only the figures it passes (every report stays);
        ``between``: only the figures stored between two figures marks (``figures_mark``)."""
        names = {n.casefold() for n in names}
        if metric is not None:
            wanted = {metric, f"{metric}_guidance"}
            keep = lambda key, _basis: key in wanted  # noqa: E731
        catalog = self._open_catalog()
        if catalog is None:
            return []
        found = catalog.figures_for(names, keep, between)  # figures not kept are never built
        named = set(named_by)
        if metric is not None:
            found = [f for f in found if f[1]]
        rows = {r.id: r for r in catalog.rows_for(named | {i for i, _, _ in found})}
        metrics: dict[str, list[Metric]] = {}
        ratings: dict[str, list[CompanyRating]] = {}
        for digest_id, figures, rating_dicts in found:
            with contextlib.suppress(DigestError, AttributeError, TypeError, ValueError, KeyError):
                metrics.setdefault(digest_id, []).extend(figures)
                ratings.setdefault(digest_id, []).extend(CompanyRating.from_dict(r) for r in rating_dicts)
        return _views(rows.values(), named, metrics, ratings)

    def figure_entries(self, names: Iterable[str], between: tuple[int, int]) -> Iterator[list]:
        """The figure rows filed under one company stored between two figures marks, unpacked
        but not built into figures (``store.kept_views.figure_entries``): what a fold of every
        figure reads. ``names``: the company's names and tickers."""
        catalog = self._open_catalog()
        return iter(()) if catalog is None else figure_entries(catalog, {n.casefold() for n in names}, between)

    def report_views(self, ids: Iterable[str], named_by: Iterable[str] = ()) -> list[Digest]:
        """Slim digests (header only; the companies named, for reports in ``named_by``) of
        ``ids``, newest first, from the catalog's rows."""
        with self._mutex:
            rows = self._catalog.rows_for(set(ids)) if self._open() else []
        return _views(rows, set(named_by), {}, {})

    def company_report_list(self, keys: Iterable[str], names: Iterable[str],
                            no_figures: Iterable[str] = ()) -> CompanyReportList:
        """Every report of one company as catalog numbers, newest first, with those
        recommending it (``store.company_reports``): what pane 2 counts and reads a window of.
        Kept between openings in the catalog's pane cache (not when the library is read-only)."""
        catalog = self._open_catalog()
        if catalog is None:
            return CompanyReportList()
        return kept_company_report_list(catalog, keys, set(names), set(no_figures), writable=not self.read_only)

    def kept_company_views(self, names: Iterable[str], kind: str, metric: str | None = None) -> list[Digest]:
        """``company_views`` of one company for one kind of pane 4 (``guidance``, ``ratings``,
        or a ``metric``'s series), kept between readings (``store.kept_views``)."""
        catalog = self._open_catalog()
        return [] if catalog is None else kept_company_views(catalog, set(names), kind, metric,
                                                             writable=not self.read_only)

    def kept_series(self, names: Iterable[str], company: str | None, segment: str | None, metric: str,
                    basis: str = "actual") -> list[tuple[str, float]]:
        """``series`` of one figure over what ``kept_company_views(names, "metric", metric)``
        reads, from a fold kept between readings (``store.kept_views``)."""
        catalog = self._open_catalog()
        return [] if catalog is None else kept_series(catalog, set(names), company, segment, metric, basis,
                                                      writable=not self.read_only)

    def report_views_by_number(self, numbers: Sequence[int]) -> list[tuple[int, Digest]]:
        """``report_views`` (with the companies named) of reports given by catalog number
        (``company_report_list``), in the order given; a report gone since is left out."""
        with self._mutex:
            ids = ids_of(self._catalog, numbers) if self._open() else {}
        views = {view.id: view for view in self.report_views(ids.values(), ids.values())}
        return [(n, views[ids[n]]) for n in numbers if n in ids and ids[n] in views]

    def figures_step(self, after: int, rows: int, mark: int) -> int:
        """A figures mark about ``rows`` rows after ``after``, at the end of a report (see
        ``store.company_reports.figures_step``): where a fold read in steps stops."""
        with self._mutex:
            return figures_step(self._catalog, after, rows, mark) if self._open() else mark

    def figure_reports_between(self, names: Iterable[str], between: tuple[int, int]) -> int:
        """How many reports have figures of a company (its casefolded names) stored between
        two figures marks (``figures_mark``)."""
        with self._mutex:
            return figure_reports_between(self._catalog, set(names), between) if self._open() else 0

    def figure_report_ids(self, names: Iterable[str]) -> list[str]:
        """Ids of the reports with figures or ratings of a company (its casefolded names)."""
        with self._mutex:
            return self._catalog.figure_report_ids({n.casefold() for n in names}) if self._open() else []

    def figures_mark(self) -> tuple[int, int]:
        """Where the figures stand: (last figures row, reports dropped so far). A pane's kept
        result computed up to a mark needs the figures after it, or (drops changed) a recompute."""
        with self._mutex:
            return self._catalog.figures_mark() if self._open() else (0, 0)

    def pane_cached(self, key: str) -> tuple[int, int, bytes] | None:
        """A pane's kept result: (figures mark, drops, blob), or None."""
        with self._mutex:
            return self._catalog.pane_cached(key) if self._open() else None

    def keep_pane(self, key: str, mark: int, gen: int, blob: bytes) -> bool:
        """Keep a pane's result computed up to (``mark``, ``gen``); derived data, never
        waited for (False when the library is read-only or busy)."""
        with self._mutex:
            if not self._open() or self.read_only:
                return False
            return self._catalog.keep_pane(key, mark, gen, blob)

    def quarter_views(self, left: str, right: str) -> list[Digest]:
        """What a comparison of two quarters reads, from the aggregates (no digest decoded):
        slim digests of the reports about either quarter or a quarter next to one
        (``store.compare_views``)."""
        from yanbao.store.compare_views import quarter_views

        catalog = self._open_catalog()
        return [] if catalog is None else quarter_views(catalog, left, right)

    def history_views(self, kind: str | None = None) -> list[Digest]:
        """What the library-wide guidance and ratings histories read, from the aggregates:
        per report a slim digest of its guidance figures and ratings (``store.compare_views``);
        ``kind`` ``guidance`` or ``ratings``: only what that history reads."""
        from yanbao.store.compare_views import history_views

        catalog = self._open_catalog()
        return [] if catalog is None else history_views(catalog, kind)

    def quarter_rows(self, left: str, right: str, names: Collection[str] | None = None) -> Any | None:
        """``left`` against ``right`` (the figures of ``names`` only, when given) read a screen
        at a time (``store.compare_window``), or None when the catalog cannot hold the tables
        that reads (read-only, made before them)."""
        from yanbao.store.compare_window import QuarterRows

        with self._mutex:
            if not self._open() or not self._pane_tables():
                return None
            return QuarterRows(self._catalog, left, right, names)

    def rating_pages(self, names: Collection[str] | None = None) -> Any | None:
        """The ratings history of every company (or of ``names``) a page at a time
        (``store.compare_window``), or None as for ``quarter_rows``."""
        from yanbao.store.compare_window import RatingPages

        with self._mutex:
            if not self._open() or not self._pane_tables():
                return None
            catalog = self._catalog
        return RatingPages(catalog, names, writable=not self.read_only)

    def guidance_pages(self, names: Collection[str] | None = None) -> Any | None:
        """The guidance history of every company (or of ``names``) a page at a time
        (``store.compare_window``), or None as for ``quarter_rows``."""
        from yanbao.store.compare_window import GuidancePages

        with self._mutex:
            if not self._open() or not self._pane_tables():
                return None
            return GuidancePages(self._catalog, names)

    def _pane_tables(self) -> bool:
        """True when pane 4's tables hold the library; else (a catalog made before them)
        start filling them in the background, a step at a time, and say False."""
        from yanbao.store import pane_tables

        if pane_tables.is_ready(self._catalog):
            return True
        if not self.read_only and (self._filler is None or not self._filler.is_alive()):
            self._filler_stop.clear()
            self._filler = threading.Thread(target=self.fill_pane_tables, name="yanbao-pane-tables", daemon=True)
            self._filler.start()
        return False

    def fill_pane_tables(self) -> None:
        """Fill pane 4's tables of a catalog made before them, a step at a time, until they
        hold the library or the store closes (a later opening goes on from there)."""
        from yanbao.store import pane_tables

        catalog = self._catalog
        with contextlib.suppress(sqlite3.Error):
            while not self._filler_stop.is_set() and not pane_tables.fill_step(catalog):
                pass

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
            main = self._main() or {}
            return [
                WatchItem(doc["name"], doc.get("ticker"))
                for doc in main.get(WATCHLIST, {}).values()
                if isinstance(doc, dict) and isinstance(doc.get("name"), str)
            ]

    @contextlib.contextmanager
    def _writing(self) -> Iterator[TinyDB]:
        with self._mutex, self._locked():
            self._main()  # refuses a bad store file before anything is written
            self._check_writable()
            try:
                yield self._db()
            finally:
                self._writes += 1

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
        """Release cached data and the catalog connection; every write is already durable."""
        self._filler_stop.set()  # a background fill stops after its step (``_pane_tables``)
        if self._filler is not None and self._filler is not threading.current_thread():
            self._filler.join()
        with self._mutex:
            self._storage.close()
            self._catalog.close()
            self._opened = False
            self._rows, self._rows_key, self._digests = [], None, OrderedDict()

    def __enter__(self) -> DigestStore:  # noqa: PYI034 - typing.Self needs 3.11
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DigestStore({str(self.path) if self.path else 'memory'!r})"


def memory_store() -> DigestStore:
    """A store that lives only in memory (tests, previews)."""
    return DigestStore(storage=MemoryStorage())
