"""The catalog: an SQLite file of what lists, search and panes 2-4 read, kept beside the
documents of record and rebuilt from them by ``yanbao doctor --rebuild``.

One row per report (the list's columns, newest-first order in an index), the search texts
in an FTS5 trigram index plus a table of two-character words (a trigram index cannot
find 腾讯), company keys, and the aggregates the panes show (risk rows, figures per
company). Everything is updated incrementally when a report is stored or removed, in
one transaction, so a kill leaves the catalog as it was before or after. The catalog is
derived data: nothing in it is the only copy of anything. To keep a write small, the
full-text indexes are contentless; each report's search text is kept once, compressed
(``texts_z``), for deletes and single-character queries.

A report stored one at a time does not enter the full-text indexes at once: its text waits
in ``texts_z`` (listed in ``unindexed``) and search reads the few waiting texts directly,
until ``FOLD_AT`` wait and go into the indexes together, in the transaction of the write
that reached that many. An index segment of one report is written, then merged and
rewritten again and again as the library grows; one of dozens is written once and merged
far fewer times (bytes written per report, ``benchmarks.scale_bench``).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from yanbao.store.aggregates import (CatalogEntry, Extras, bigrams, entry_of, unpack_extras, unpack_figures,
                                     unpack_history, unpack_sides)
from yanbao.store import fold_removal, pane_tables, report_rows
from yanbao.store.index import IndexRow
from yanbao.store.model import Metric

__all__ = ["CATALOG_FORMAT", "Catalog"]

CATALOG_FORMAT = 8  # 7-8: figures by period and per-report extras for pane 4; packed figures keep `previous`
PAGE_SIZE = 1024
JOURNAL_MODE = "WAL"
# Pages written to the WAL go back into the file at a checkpoint, each one a random write of
# a whole disk block: a longer WAL (32 MB) checkpoints a much-rewritten page (the index
# roots, the tallies, the full-text structure) once for many writes, not once per few.
WAL_PAGES = 32_000
SEARCH_CACHE_KB = 4_000  # the searches' own connection (``Catalog.searcher``)
FOLD_AT = 64  # reports whose texts wait outside the full-text indexes, at most (see above)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS reports(
    n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, broker TEXT,
    date TEXT NOT NULL, period TEXT, language TEXT, n_metrics INTEGER, companies TEXT,
    recommended TEXT, company_keys TEXT, broker_key TEXT, size INTEGER);
CREATE INDEX IF NOT EXISTS reports_newest ON reports(date, title, id, broker, period, language, n_metrics);
CREATE INDEX IF NOT EXISTS reports_period ON reports(period);
CREATE INDEX IF NOT EXISTS reports_broker ON reports(broker_key);
CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5(text, tokenize='trigram', detail='full', content='');
CREATE TABLE IF NOT EXISTS texts_z(n INTEGER PRIMARY KEY, z BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS unindexed(n INTEGER PRIMARY KEY);
CREATE VIRTUAL TABLE IF NOT EXISTS grams USING fts5(words, tokenize='unicode61', detail='none', content='');
CREATE TABLE IF NOT EXISTS company_keys(key TEXT NOT NULL, n INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS company_keys_key ON company_keys(key, n);
CREATE TABLE IF NOT EXISTS risk_rows(n INTEGER NOT NULL, key TEXT NOT NULL, wording TEXT NOT NULL, period TEXT);
CREATE TABLE IF NOT EXISTS figures(n INTEGER NOT NULL, company_key TEXT, ticker_key TEXT, packed BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS figures_n ON figures(n);
CREATE INDEX IF NOT EXISTS figures_company ON figures(company_key);
CREATE INDEX IF NOT EXISTS figures_ticker ON figures(ticker_key);
CREATE TABLE IF NOT EXISTS extras(n INTEGER PRIMARY KEY, periods TEXT NOT NULL, z BLOB NOT NULL);
"""

# When each report came into the library (seconds since the epoch): what tells a new report
# from one the user has seen (``store.user_state``). Derived like the rest: a rebuild takes
# the time from the document's file. Created on open, so catalogs made before it gain it.
_ADDED_SCHEMA = "CREATE TABLE IF NOT EXISTS added(id TEXT PRIMARY KEY, t REAL NOT NULL) WITHOUT ROWID"
# Reports whose text is in texts_z but not yet in the full-text indexes (see the module's
# docstring). Created on open: a catalog made before it has every text indexed.
_UNINDEXED_SCHEMA = "CREATE TABLE IF NOT EXISTS unindexed(n INTEGER PRIMARY KEY)"

# Panes' results kept between openings (``pane_cached``/``keep_pane``): derived from the
# figures up to a mark (the figures table's last rowid) and a count of reports dropped, so a
# pane reads what it kept plus the figures added since, and recomputes after a removal.
# Written when a pane is shown, never by an ingest. Created on open, like ``added``.
_PANE_SCHEMA = ("CREATE TABLE IF NOT EXISTS pane_cache(key TEXT PRIMARY KEY, mark INTEGER NOT NULL, "
                "gen INTEGER NOT NULL, z BLOB NOT NULL) WITHOUT ROWID")

# The newest-first index holds every list column: the list and a search's ordering read it
# alone, in order, never the table (a catalog made with the narrower index gains it on open).
NEWEST_INDEX = "CREATE INDEX reports_newest ON reports(date, title, id, broker, period, language, n_metrics)"
# The company-key index holds the report's number: a search for a company reads the index
# alone (at 100k, 90,000 table lookups for Tencent's keys took 0.3 s).
KEYS_INDEX = "CREATE INDEX company_keys_key ON company_keys(key, n)"
ROW_COLUMNS = "id, title, broker, nullif(date, ''), period, language, n_metrics"
NEWEST_FIRST = "ORDER BY date DESC, title DESC, id DESC"


def _unz(blob: bytes) -> str:
    return zlib.decompress(blob).decode()


def _widen_indexes(conn: sqlite3.Connection) -> None:
    """Give a catalog made before ``reports_newest`` held the list columns, or before
    ``company_keys_key`` held the report's number, the wider index (one transaction,
    seconds at 100,000 reports, once)."""
    for name, columns, create in (("reports_newest", 7, NEWEST_INDEX), ("company_keys_key", 2, KEYS_INDEX)):
        found = conn.execute(f"PRAGMA index_info({name})").fetchall()
        if found and len(found) < columns:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(f"DROP INDEX {name}")
                conn.execute(create)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")


class _Details:
    """Company names of every listed row, read from the catalog on first use (one query)."""

    def __init__(self, catalog: Catalog, ids: Sequence[str]) -> None:
        self._catalog, self._ids = catalog, ids
        self._columns: list[list[str]] | None = None
        self._lock = threading.Lock()

    def column(self, k: int) -> Sequence[str]:
        with self._lock:
            if self._columns is None:
                found = {r[0]: r[1:] for r in self._catalog.query(
                    "SELECT id, companies, recommended, company_keys FROM reports")}
                empty = ("", "", "")
                self._columns = [[found.get(i, empty)[j] for i in self._ids] for j in range(3)]
        return self._columns[k]


class Catalog:
    """The SQLite catalog at ``path`` (``None``: in memory). Safe to share between threads."""

    def __init__(self, path: Path | None, cache_kb: int = 16_000) -> None:
        self.path = path
        self.cache_kb = cache_kb  # SQLite's page cache: memory stays flat at any size
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self.writes = 0
        self._unkept: dict[str, tuple[int, int, bytes]] = {}  # folds this process could not keep (``folded``)
        self._searcher: Catalog | None = None
        self._searcher_made = threading.Lock()  # not ``_lock``: a long reading holds that

    # -- connection -------------------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        with self._lock:
            if self._conn is None:
                if self.path is not None:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(self.path) if self.path else ":memory:",
                                       check_same_thread=False, isolation_level=None, timeout=60)
                # Small pages: a write touches a few dozen index pages, each a page in the WAL.
                # (Takes effect only on a new, empty file, before the journal mode is set.)
                conn.execute(f"PRAGMA page_size={PAGE_SIZE}")
                conn.execute(f"PRAGMA journal_mode={JOURNAL_MODE}")
                conn.execute("PRAGMA synchronous=FULL")
                # A page freed by a delete is not overwritten with zeros (a build of SQLite
                # may default to that): a removal or a rebuilt table writes what changed only.
                conn.execute("PRAGMA secure_delete=FAST")
                conn.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES}")
                conn.execute(f"PRAGMA cache_size=-{self.cache_kb}")
                conn.create_function("unz", 1, _unz, deterministic=True)
                conn.create_function("bigrams", 1, bigrams, deterministic=True)
                with contextlib.suppress(sqlite3.DatabaseError):  # a read-only or damaged file
                    conn.execute(_ADDED_SCHEMA)
                    conn.execute(_PANE_SCHEMA)
                    conn.execute(_UNINDEXED_SCHEMA)
                    pane_tables.create_tables(conn)
                    _widen_indexes(conn)
                self._conn = conn
            return self._conn

    def searcher(self) -> Catalog:
        """The same catalog on a connection of its own, with a lock of its own, for searches:
        a pane's long reading holds this connection (one SQLite step of a few hundred
        milliseconds, at 100,000 reports), never the search's, and in WAL mode the two read
        at once (a search behind a company's report list waited 0.24 s, in the app over a
        second). An in-memory catalog is its own: another connection would be another database."""
        if self.path is None:
            return self
        with self._searcher_made:
            if self._searcher is None:  # a search reads a few index pages per term: a small cache
                self._searcher = Catalog(self.path, cache_kb=SEARCH_CACHE_KB)
            return self._searcher

    def exists(self) -> bool:
        """True when there is a catalog of this format to read."""
        if self.path is not None and not self.path.exists():
            return False
        try:
            found = self.query("SELECT value FROM info WHERE key='format'")
        except sqlite3.DatabaseError:
            return False
        return bool(found) and found[0][0] == str(CATALOG_FORMAT)

    def create(self) -> None:
        """Make an empty catalog (dropping whatever was at the path); ``mark_complete`` it
        once it is filled."""
        with self._lock:
            self.close()
            if self.path is not None:
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        Path(f"{self.path}{suffix}").unlink()
            conn = self.connection()  # a new file: its page size is set before anything else
            conn.executescript(_SCHEMA)
            conn.execute(_ADDED_SCHEMA)
            conn.execute(_PANE_SCHEMA)
            pane_tables.create(conn)
            # Merge 16 index segments at a time instead of 4: fewer levels, so each indexed
            # byte is rewritten fewer times as the library grows (queries read a few more segments).
            for table in ("texts", "grams"):
                conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('automerge', 16)")

    def mark_complete(self) -> None:
        """Declare the catalog whole (after a build): until then ``exists`` is False, so a
        build cut short by a kill is started again instead of being trusted."""
        with self.transaction() as conn:
            self._fold(conn)
            conn.execute("INSERT OR REPLACE INTO info VALUES ('format', ?)", (str(CATALOG_FORMAT),))

    def fold(self) -> int:
        """Put every waiting text into the full-text indexes now; how many there were."""
        with self.transaction() as conn:
            return self._fold(conn)

    def waiting(self) -> int:
        """How many reports' texts wait outside the full-text indexes."""
        return self.query("SELECT count(*) FROM unindexed")[0][0]

    @staticmethod
    def _fold(conn: sqlite3.Connection) -> int:
        waiting = conn.execute("SELECT count(*) FROM unindexed").fetchone()[0]
        if waiting:
            source = "FROM unindexed u CROSS JOIN texts_z t ON t.n = u.n ORDER BY u.n"
            conn.execute(f"INSERT INTO texts(rowid, text) SELECT u.n, unz(t.z) {source}")
            conn.execute(f"INSERT INTO grams(rowid, words) SELECT u.n, bigrams(unz(t.z)) {source}")
            conn.execute("DELETE FROM unindexed")
        return waiting

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            return self.connection().execute(sql, params).fetchall()

    def in_one_step(self, columns: str, sql: str, params: Sequence[Any] = ()) -> list:
        """The rows of ``sql`` (in its order) as lists of ``columns``, read by SQLite in one
        step and decoded at once. A plain fetch hands the GIL back and forth once per row,
        and each handback can wait out the switch interval of a busy thread (the app
        painting while a worker reads 100,000 rows): one step keeps that cost constant."""
        found = self.query(f"SELECT json_group_array(json_array({columns})) FROM ({sql})", params)
        return orjson.loads(found[0][0]) if found and found[0][0] else []

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 512) -> Iterator[tuple]:
        """Rows of ``sql`` a batch at a time from one cursor (memory does not grow with the
        result; the first batch arrives before the rest is read)."""
        with self._lock:
            cursor = self.connection().execute(sql, params)
        try:
            while True:
                with self._lock:
                    batch = cursor.fetchmany(size)
                yield from batch
                if len(batch) < size:
                    return
        finally:
            cursor.close()

    def data_version(self) -> int:
        """Changes when another connection commits (SQLite's own counter)."""
        with self._lock:
            return self.connection().execute("PRAGMA data_version").fetchone()[0]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            conn = self.connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            self.writes += 1

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- writing ----------------------------------------------------------------------------

    def put(self, docs: Mapping[str, Mapping[str, Any]], sizes: Mapping[str, int] | None = None,
            added: Mapping[str, float] | None = None) -> None:
        """Add or replace the catalog entries of ``docs`` (digest dicts) in one transaction.
        ``added``: when each came into the library (default now; a replaced entry keeps its time)."""
        entries = [entry_of(doc, (sizes or {}).get(digest_id, 0)) for digest_id, doc in docs.items()]
        now = time.time()
        with self.transaction() as conn:
            for entry in entries:
                self._drop(conn, entry.id)
                self._insert(conn, entry)
            conn.executemany("INSERT OR IGNORE INTO added VALUES (?, ?)",
                             [(e.id, (added or {}).get(e.id, now)) for e in entries])
            if conn.execute("SELECT count(*) FROM unindexed").fetchone()[0] >= FOLD_AT:
                self._fold(conn)

    def remove(self, ids: Iterable[str]) -> None:
        """Drop the entries of ``ids`` (nothing for ids not there)."""
        with self.transaction() as conn:
            for digest_id in ids:
                self._drop(conn, digest_id)
                conn.execute("DELETE FROM added WHERE id = ?", (digest_id,))

    @staticmethod
    def _insert(conn: sqlite3.Connection, e: CatalogEntry) -> None:
        cur = conn.execute(
            "INSERT INTO reports(id, title, broker, date, period, language, n_metrics, companies,"
            " recommended, company_keys, broker_key, size) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (e.id, e.title, e.broker, e.date or "", e.period, e.language, e.n_metrics, *e.details,
             (e.broker or "").casefold(), e.size))
        n = cur.lastrowid
        conn.execute("INSERT INTO texts_z VALUES (?, ?)", (n, zlib.compress(e.text.encode(), 6)))
        conn.execute("INSERT INTO unindexed VALUES (?)", (n,))  # indexed at the next fold
        report_rows.insert(conn, "company_keys", "key, n", n, [(k, n) for k in e.keys])
        report_rows.insert(conn, "risk_rows", "n, key, wording, period", n, [(n, *r) for r in e.risks])
        conn.executemany("INSERT INTO figures VALUES (?, ?, ?, ?)", [(n, *f) for f in e.figures])
        # periods: kept empty (it named the rows of a table of figures by period, gone)
        conn.execute("INSERT INTO extras VALUES (?, '', ?)", (n, e.extras))
        pane_tables.insert(conn, n, e.statements, e.ratings, e.guidance)

    @staticmethod
    def _drop(conn: sqlite3.Connection, digest_id: str) -> None:
        found = conn.execute("SELECT n FROM reports WHERE id = ?", (digest_id,)).fetchone()
        if found is None:
            return
        n = found[0]
        # Kept pane results cannot take a report out: counting drops tells them to recompute,
        # all but the counts, which take its rows out (``store.fold_removal``).
        dropped = conn.execute("SELECT value FROM info WHERE key = 'dropped'").fetchone()
        conn.execute("INSERT INTO info VALUES ('dropped', '1') ON CONFLICT(key) DO UPDATE SET value = value + 1")
        taken = fold_removal.taken_rows(conn, n)
        for table in ("risk_rows", "company_keys"):
            rows, args = report_rows.where(conn, table, n)
            conn.execute(f"DELETE FROM {table} WHERE {rows}", args)
        conn.execute("DELETE FROM figures WHERE n = ?", (n,))
        conn.execute("DELETE FROM extras WHERE n = ?", (n,))
        old = conn.execute("SELECT z FROM texts_z WHERE n = ?", (n,)).fetchone()
        waited = conn.execute("DELETE FROM unindexed WHERE n = ?", (n,)).rowcount
        if old is not None and not waited:  # a contentless index forgets a row given the words it was given
            text = zlib.decompress(old[0]).decode()
            conn.execute("INSERT INTO texts(texts, rowid, text) VALUES ('delete', ?, ?)", (n, text))
            conn.execute("INSERT INTO grams(grams, rowid, words) VALUES ('delete', ?, ?)", (n, bigrams(text)))
        conn.execute("DELETE FROM texts_z WHERE n = ?", (n,))
        pane_tables.drop(conn, n)
        conn.execute("DELETE FROM reports WHERE n = ?", (n,))
        fold_removal.take_out(conn, taken, int(dropped[0]) if dropped else 0)

    # -- reading ----------------------------------------------------------------------------

    def count(self) -> int:
        return self.query("SELECT count(*) FROM reports")[0][0]

    def rows(self) -> list[IndexRow]:
        """Every report's list row, newest first (company names load on first use)."""
        # The subquery keeps its ORDER BY: SQLite never flattens an ordered subquery into an
        # aggregate, and the aggregate reads it in order (``test_rows_newest_first``).
        raw = self.in_one_step("id, title, broker, d, period, language, n_metrics",
                               f"SELECT id, title, broker, nullif(date, '') AS d, period, language, n_metrics "
                               f"FROM reports {NEWEST_FIRST}")
        details = _Details(self, [r[0] for r in raw])
        return [IndexRow.lazy(r, details, i) for i, r in enumerate(raw)]

    def newest(self, limit: int) -> list[IndexRow]:
        """The newest ``limit`` reports' list rows (read through the newest-first index)."""
        raw = self.query(f"SELECT {ROW_COLUMNS} FROM reports {NEWEST_FIRST} LIMIT ?", (limit,))
        details = _Details(self, [r[0] for r in raw])
        return [IndexRow.lazy(r, details, i) for i, r in enumerate(raw)]

    def rows_for(self, ids: Iterable[str]) -> list[IndexRow]:
        """The rows of ``ids`` with their company names, newest first."""
        ids = list(ids)
        out: list[IndexRow] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            out += [IndexRow.lazy(r[:7], (r[7], r[8], r[9]), -1) for r in self.query(
                f"SELECT {ROW_COLUMNS}, companies, recommended, company_keys FROM reports "
                f"WHERE id IN ({','.join('?' * len(chunk))})", chunk)]
        out.sort(key=lambda r: (r.date or "", r.title, r.id), reverse=True)
        return out

    def count_and_first(self, hits: str, params: Sequence[Any], limit: int) -> tuple[int, list[str]]:
        """How many reports ``hits`` (SQL selecting ``n``, maybe some twice) finds, and the
        ids of the newest ``limit`` of them. SQLite reads the matches in one step, as they
        come (de-duplicating in SQLite costs a b-tree insert per match: 0.3 s for 90,000
        company-key rows at 100k); a set counts them; a few are then sorted by SQLite, many
        are met walking the newest-first index until ``limit`` are found."""
        with self._lock:
            conn = self.connection()
            found = conn.execute(f"SELECT json_group_array(n) FROM ({hits})", params).fetchone()[0]
            matched = set(orjson.loads(found)) if found else set()
            if len(matched) <= 20 * limit:
                first = [r[0] for r in conn.execute(
                    f"SELECT id FROM reports WHERE n IN (SELECT value FROM json_each(?)) {NEWEST_FIRST} LIMIT ?",
                    (orjson.dumps(sorted(matched)).decode(), limit))]
                return len(matched), first
            first = []
            cursor = conn.execute(f"SELECT n, id FROM reports {NEWEST_FIRST}")
            try:
                while len(first) < limit:
                    batch = cursor.fetchmany(256)
                    first += [digest_id for n, digest_id in batch if n in matched]
                    if len(batch) < 256:
                        break
            finally:
                cursor.close()
        return len(matched), first[:limit]

    def has(self, digest_id: str) -> bool:
        return bool(self.query("SELECT 1 FROM reports WHERE id = ?", (digest_id,)))

    def known(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            found.update(r[0] for r in self.query(
                f"SELECT id FROM reports WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def ids_with_prefix(self, prefix: str) -> list[str]:
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else None
        if upper is None:
            return [r[0] for r in self.query(f"SELECT id FROM reports {NEWEST_FIRST}")]
        return [r[0] for r in self.query(
            f"SELECT id FROM reports WHERE id >= ? AND id < ? {NEWEST_FIRST}", (prefix, upper))]

    def ids_by_period(self, period: str) -> list[str]:
        if len(period) == 4:
            return [r[0] for r in self.query(
                f"SELECT id FROM reports WHERE period >= ? AND period < ? {NEWEST_FIRST}", (period, period + "\uffff"))]
        return [r[0] for r in self.query(f"SELECT id FROM reports WHERE period = ? {NEWEST_FIRST}", (period,))]

    def ids_by_broker(self, broker: str) -> list[str]:
        return [r[0] for r in self.query(
            f"SELECT id FROM reports WHERE broker_key = ? {NEWEST_FIRST}", (broker.casefold(),))]

    def ids_by_company(self, keys: Iterable[str]) -> list[str]:
        keys = sorted(set(keys))
        if not keys:
            return []
        return [r[0] for r in self.query(
            f"SELECT id FROM reports WHERE n IN (SELECT n FROM company_keys WHERE key IN "
            f"({','.join('?' * len(keys))})) {NEWEST_FIRST}", keys)]

    def added_since(self, since: float) -> list[tuple[str, float]]:
        """(id, when) of the reports that came into the library after ``since`` (epoch seconds)."""
        try:
            return [(r[0], r[1]) for r in self.query("SELECT id, t FROM added WHERE t > ?", (since,))]
        except sqlite3.OperationalError:  # a read-only catalog made before the table existed
            return []

    def periods(self) -> list[str]:
        return [r[0] for r in self.query("SELECT DISTINCT period FROM reports WHERE period IS NOT NULL ORDER BY period")]

    # -- aggregates -------------------------------------------------------------------------

    def figures_for(self, keys: Iterable[str], keep: Callable[[str, str | None], bool] | None = None,
                    between: tuple[int, int] | None = None) -> list[tuple[str, list[Metric], list[dict]]]:
        """(digest id, metrics without sentences, rating dicts) per report and company
        filed under one of ``keys`` (casefolded company names or tickers); ``keep(metric,
        basis)``: only the figures it passes; ``between`` (low, high): only those stored
        after the figures mark ``low`` and up to ``high`` (``figures_mark``)."""
        keys = sorted(set(keys))
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        since, args = "", keys * 3
        if between is not None:
            since, args = " AND f.rowid > ? AND f.rowid <= ?", [*keys, *between, *keys, *keys, *between]
        found = self.stream(  # a batch at a time: another thread's query waits a batch, not all
            f"SELECT reports.id, f.packed FROM figures f JOIN reports ON reports.n = f.n "
            f"WHERE f.company_key IN ({marks}){since} UNION ALL "
            f"SELECT reports.id, f.packed FROM figures f JOIN reports ON reports.n = f.n "
            f"WHERE f.ticker_key IN ({marks}) AND f.company_key NOT IN ({marks}){since}", args)
        return [(digest_id, *unpack_figures(packed, keep)) for digest_id, packed in found]

    def figure_report_ids(self, keys: Iterable[str]) -> list[str]:
        """Ids of the reports with figures or ratings filed under one of ``keys``."""
        keys = sorted(set(keys))
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        return [r[0] for r in self.query(
            f"SELECT id FROM reports WHERE n IN (SELECT n FROM figures WHERE company_key IN ({marks}) "
            f"UNION SELECT n FROM figures WHERE ticker_key IN ({marks}))", keys * 2)]

    def figures_mark(self) -> tuple[int, int]:
        """(the figures' last rowid, reports dropped so far): what a kept pane result was
        computed up to (``pane_cached``)."""
        return self.mark("figures")

    def mark(self, table: str) -> tuple[int, int]:
        """(``table``'s last rowid, reports dropped so far), read at one moment."""
        mark, gen = self.query(f"SELECT (SELECT coalesce(max(rowid), 0) FROM {table}), "
                               "(SELECT value FROM info WHERE key = 'dropped')")[0]
        return mark, int(gen) if gen is not None else 0

    def pane_cached(self, key: str) -> tuple[int, int, bytes] | None:
        """(mark, drops, blob) kept for ``key``, or None."""
        try:
            found = self.query("SELECT mark, gen, z FROM pane_cache WHERE key = ?", (key,))
        except sqlite3.DatabaseError:  # a read-only catalog made before the table existed
            return None
        return (found[0][0], found[0][1], found[0][2]) if found else None

    def kept_fold(self, key: str, table: str) -> tuple[Any, int, int, int]:
        """A fold kept for ``key`` over ``table``'s rows (JSON, ``keep_fold``): (its value,
        None when none is kept, it is damaged or a report was taken out since; the row
        number of ``table`` it holds rows up to; the table's last row number; drops)."""
        mark, gen = self.mark(table)
        kept = self.pane_cached(key)
        if kept is not None and kept[1] == gen and kept[0] <= mark:
            with contextlib.suppress(Exception):  # a damaged blob: fold everything again
                return fold_removal.unpack(kept[2]), kept[0], mark, gen
        return None, 0, mark, gen

    def folded(self, key: str, table: str, add: Callable[[dict, int, int], object], writable: bool = True) -> dict:
        """The fold kept for ``key`` (a dict; empty when none is kept) with ``table``'s rows
        stored since added by ``add(fold, since, upto)``; kept again when ``writable``."""
        fold, since, mark, gen = self.kept_fold(key, table)
        unkept = self._unkept.get(key)
        if unkept is not None and unkept[1] == gen and since < unkept[0] <= mark:
            fold, since = orjson.loads(unkept[2]), unkept[0]
        fold = fold or {}
        if since < mark:
            add(fold, since, mark)
            # Not kept (a read-only library, or another process writing): this process keeps
            # it, so a shared archive opened read-only folds the whole library once, not each time.
            if not (writable and self.keep_fold(key, mark, gen, fold)):
                self._unkept[key] = (mark, gen, orjson.dumps(fold))
        return fold

    def keep_fold(self, key: str, upto: int, gen: int, value: Any) -> bool:
        """Keep a fold (JSON values) holding rows up to ``upto`` (``kept_fold``)."""
        return self.keep_pane(key, upto, gen, fold_removal.pack(value))

    def keep_pane(self, key: str, mark: int, gen: int, blob: bytes) -> bool:
        """Keep a pane's result; False (nothing written) when the catalog is read-only or
        another process is writing it: a pane never waits on a writer for its cache."""
        with self._lock:
            conn = self.connection()
            try:
                conn.execute("PRAGMA busy_timeout = 0")
                try:
                    with self.transaction() as tx:
                        tx.execute("INSERT OR REPLACE INTO pane_cache VALUES (?, ?, ?, ?)", (key, mark, gen, blob))
                finally:
                    conn.execute("PRAGMA busy_timeout = 60000")
            except sqlite3.Error:
                return False
        return True

    def quarter_figures(self, report_periods: Sequence[str], figure_periods: Sequence[str],
                        own_periods: Sequence[str]) -> list[tuple[tuple, list[Metric], Extras | None]]:
        """What a comparison of periods reads, without a digest decoded: per report about
        one of ``report_periods`` — its row (id, title, broker, date, period, language), its
        figures about ``figure_periods`` (metrics without sentences, company by company,
        each company's in the report's order) and, for reports about one of ``own_periods``, its extras (risks, picks,
        non-actual year figures; ``unpack_extras``)."""
        reports = ",".join("?" * len(report_periods))
        wanted = set(figure_periods)
        found: dict[str, tuple[tuple, list[Metric], Extras | None]] = {}
        for row in self.stream(
                f"SELECT r.id, r.title, r.broker, nullif(r.date, ''), r.period, r.language, f.packed "
                f"FROM reports r JOIN figures f ON f.n = r.n WHERE r.period IN ({reports})", report_periods):
            metrics = [m for m in unpack_figures(row[6])[0] if m.period in wanted]
            if metrics:
                found.setdefault(row[0], (row[:6], [], None))[1].extend(metrics)
        if own_periods:
            for row in self.query(
                    f"SELECT r.id, r.title, r.broker, nullif(r.date, ''), r.period, r.language, e.z FROM reports r "
                    f"JOIN extras e ON e.n = r.n WHERE r.period IN ({','.join('?' * len(own_periods))})", own_periods):
                head, metrics, _ = found.get(row[0], (row[:6], [], None))
                found[row[0]] = (head, metrics, unpack_extras(row[6]))
        return list(found.values())

    def risks_and_picks(self, periods: Sequence[str]) -> Iterator[tuple[tuple, list[str], list[tuple[str, str | None]]]]:
        """Per report about one of ``periods``: its row (id, title, broker, date, period,
        language), risks and picks, a batch at a time (no figure built)."""
        for row in self.stream(f"SELECT r.id, r.title, r.broker, nullif(r.date, ''), r.period, r.language, e.z "
                               f"FROM reports r JOIN extras e ON e.n = r.n "
                               f"WHERE r.period IN ({','.join('?' * len(periods))})", periods):
            yield (row[:6], *unpack_sides(row[6]))

    def all_extras(self) -> Iterator[tuple[tuple, Extras]]:
        """Every report's row (id, title, broker, date, period, language) and extras, a batch
        at a time: what the library-wide guidance and ratings histories read."""
        for row in self.stream("SELECT r.id, r.title, r.broker, nullif(r.date, ''), r.period, r.language, e.z "
                               "FROM reports r JOIN extras e ON e.n = r.n"):
            yield row[:6], unpack_extras(row[6])

    def history_rows(self, guidance: bool = True, ratings: bool = True) -> Iterator[tuple[tuple, list[Metric], list[dict]]]:
        """Every report's row (id, title, broker, date, period, language), guidance figures
        and rating dicts, a batch at a time, building only what is asked for: what the
        library-wide guidance or ratings history reads."""
        for row in self.stream("SELECT r.id, r.title, r.broker, nullif(r.date, ''), r.period, r.language, e.z "
                               "FROM reports r JOIN extras e ON e.n = r.n"):
            yield (row[:6], *unpack_history(row[6], guidance, ratings))
