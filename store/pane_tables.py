"""Two catalog tables pane 4 reads a screen at a time, kept at ingest beside the other
aggregates (and rebuilt with them by ``doctor --rebuild``):

- ``company_statements``: per report about a period, per company and per period a figure
  is about, the report's statements (packed, compressed), in the order of the report's
  period, then company, then report: a two-quarter comparison's rows go company by
  company, so it reads its first screen from the first companies of the few report periods
  it compares, without reading the rest (``store.compare_window``);
- ``rating_rows``: one row per company rating (company × broker × date), in the order of
  company and publication, so the ratings history of every company reads a screen at a
  time;
- ``guidance_rows``: per report and company, the report's statements of that company's
  guidance (packed), in the order of the company's canonical name, then publication: the
  guidance history, of every company or of one, reads a company at a time. (In the order
  of guidance figure instead, one company's first screen read 20 ms at 100,000 reports
  instead of about a second, but a report wrote a page of the catalog's log per statement
  of guidance: 72–130 KB an ingest, about 2x the digest's own size.)

The statements are kept in the order they were stored, under an index of the order above
(the primary key): an ingest appends its rows and inserts short keys where they sort.
Clustered by that order instead (``WITHOUT ROWID``), a report's rows, a few hundred bytes
each on 1 KB pages, split pages and their neighbours wherever they went: at 10,000
reports, 46 pages of the catalog's log an ingest against 29 (20 real-sized digests). What
it costs: a company's rows lie apart, so a comparison narrowed to Tencent reads 0.43–0.54 s
at 100,000 reports with the page cache warm, 2.9 s cold. The two histories stay clustered:
their rows are few per report (an index would save 3 pages an ingest) and a company's
history reads them all (Tencent's guidance: 0.7 s warm either way, 6.2 s cold unclustered).
A catalog made with clustered statements keeps them (the same rows, read the same way)
until ``doctor --rebuild``.

A catalog made before these tables gets them when first asked (``fill_step``, a few hundred
reports per transaction, in the background: ``DigestStore``), filled from the catalog's own
per-report aggregates; until then, and in a read-only catalog without them, pane 4 reads
the old way.
"""

from __future__ import annotations

import contextlib
import sqlite3
import zlib
from collections.abc import Mapping
from typing import Any

import orjson
from yanbao.store.compare.common import _BASIS_ORDER, _guidance_metric, _proxy_date, canonical_company, period_sort_key
from yanbao.store.compare.histories import is_company_guidance
from yanbao.store.compare.figures import _METRIC_ORDER
from yanbao.store import report_rows
from yanbao.store.model import CompanyRating, DigestError

__all__ = ["SCHEMA", "create", "create_tables", "drop", "guidance_rows", "history_key", "history_of_key", "insert", "order_key", "fill_step",
           "is_ready", "rating_rows_of", "statement_rows_of"]

# Value columns are declared without a type: a number keeps the type it was stored with (an
# int target price comes back an int, as the document of record says it).
SCHEMA = """
CREATE TABLE IF NOT EXISTS company_statements(
    rp TEXT NOT NULL, sc TEXT NOT NULL, co INTEGER NOT NULL, n INTEGER NOT NULL, fp TEXT NOT NULL,
    packed BLOB NOT NULL, PRIMARY KEY(rp, sc, co, n, fp));
CREATE TABLE IF NOT EXISTS rating_rows(
    ck TEXT NOT NULL, ord TEXT NOT NULL, k INTEGER NOT NULL, n INTEGER NOT NULL, id TEXT NOT NULL,
    company TEXT NOT NULL, ticker, broker, date, rating, action, target, currency, prev,
    PRIMARY KEY(ck, ord, k)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rating_rows_n ON rating_rows(n);
CREATE TABLE IF NOT EXISTS guidance_rows(
    ck TEXT NOT NULL, ord TEXT NOT NULL, n INTEGER NOT NULL, packed BLOB NOT NULL, PRIMARY KEY(ck, ord, n)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS guidance_rows_n ON guidance_rows(n);
"""
TABLES = ("company_statements", "rating_rows", "guidance_rows")
READY = "pane_tables"  # the info key saying the tables hold every report (its value: VERSION)
VERSION = "2"  # 2: guidance_rows too; a catalog of an older version fills them all again
FILLED = "pane_tables_filled"  # while a catalog made before them is filled: the last report number in


def order_key(date: str | None, period: str | None, digest_id: str) -> str:
    """``store.compare.report_order`` as one string that sorts the same way (in Python and
    in SQLite): the date or its stand-in, the period's (year, quarter), the id."""
    year, quarter = period_sort_key(period)
    return f"{date or _proxy_date(period)}\x01{year:05d}{quarter}\x01{digest_id}"


def statement_rows(metrics: Any, report_period: str | None) -> list[tuple]:
    """One report's statements (fp, sc, ss, rank, metric, br, basis, co, so, k, rp, unit,
    value, low, high, consensus, vs) from its metric dicts: every figure about a period, in
    the report's order, filed as ``figure_matrix`` files it (``insert`` packs them)."""
    out = []
    for k, m in enumerate(m for m in metrics or [] if isinstance(m, dict) and isinstance(m.get("period"), str)):
        basis = m.get("basis") or "actual"
        metric = str(m.get("metric"))
        filed = _guidance_metric(metric) if basis == "guidance" else metric
        company, segment = m.get("company"), m.get("segment")
        out.append((m["period"], company or "", segment or "", _METRIC_ORDER.get(filed, len(_METRIC_ORDER)), filed,
                    _BASIS_ORDER.get(basis, 9), basis, int(company is None), int(segment is None), k,
                    report_period, m.get("unit") or "%", m.get("value"), m.get("low"), m.get("high"),
                    m.get("consensus"), m.get("vs_consensus")))
    return out


def statement_rows_of(doc: Mapping[str, Any], report_period: str | None) -> list[tuple]:
    return statement_rows(doc.get("metrics"), report_period)


def rating_rows(ratings: Any, digest_id: str, broker: str | None, date: str | None, period: str | None) -> list[tuple]:
    """``rating_rows`` rows of one report's rating dicts (``n`` left out), as
    ``rating_history`` files them: under the company's canonical name, in report order; a
    rating that does not read as one is left out, as there."""
    order = order_key(date, period, digest_id)
    out = []
    for k, r in enumerate(ratings or []):
        try:
            rating = CompanyRating.from_dict(r)
        except (DigestError, AttributeError, TypeError, ValueError, KeyError):
            continue
        name = canonical_company(rating.company, rating.ticker)
        out.append((name.casefold(), order, k, digest_id, name, rating.ticker, broker, date, rating.rating,
                    rating.action, rating.target_price, rating.currency, rating.previous_target_price))
    return out


def rating_rows_of(doc: Mapping[str, Any], digest_id: str, broker: str | None, date: str | None,
                   period: str | None) -> list[tuple]:
    return rating_rows([r for r in doc.get("company_ratings") or [] if isinstance(r, dict)],
                       digest_id, broker, date, period)


def history_key(company: str | None, segment: str | None, metric: str, period: str) -> str:
    """A guidance history's place among one company's, as one string that sorts as
    ``guidance_history`` sorts them (company, segment, metric, then period by time), and
    holds them (``history_of_key``)."""
    year, quarter = period_sort_key(period)
    return "\x01".join((company or "", segment or "", metric, f"{year:05d}{quarter}", period,
                        f"{int(company is None)}{int(segment is None)}"))


def history_of_key(key: str) -> tuple[str | None, str | None, str, str]:
    """(company, segment, metric, period) of a ``history_key``."""
    company, segment, metric, _order, period, nones = key.split("\x01")
    return (None if nones[0] == "1" else company), (None if nones[1] == "1" else segment), metric, period


def guidance_rows(guidance: list[list], digest_id: str, broker: str | None, date: str | None,
                  period: str | None) -> list[tuple]:
    """``guidance_rows`` rows (``n`` left out) of one report's guidance figures, packed as
    the catalog's extras pack them: per company (by canonical name), its statements in the
    report's order, each [history key, unit, value, low, high, and the previous value, low,
    high], packed. The report's columns are read from its catalog row; the order ends with
    the first 16 characters of its id (a sha256), which order reports as the whole id does."""
    from yanbao.store.aggregates import metrics_of_rows  # (it imports this module)

    by_company: dict[str, list[list]] = {}
    for m in metrics_of_rows(guidance):
        if isinstance(m.period, str) and is_company_guidance(m.metric, m.basis):
            company = canonical_company(m.company).casefold() if m.company is not None else ""
            prev = m.previous
            by_company.setdefault(company, []).append(
                [history_key(m.company, m.segment, _guidance_metric(m.metric), m.period), m.unit, m.value, m.low,
                 m.high, *((prev.value, prev.low, prev.high) if prev is not None else (None, None, None))])
    order = order_key(date, period, digest_id[:16])
    return [(company, order, zlib.compress(orjson.dumps(rows))) for company, rows in by_company.items()]


def insert(conn: sqlite3.Connection, n: int, statements: list[tuple], ratings: list[tuple],
           guidance: list[tuple]) -> None:
    """One report's rows (in the transaction storing the report)."""
    by_company: dict[tuple, list[list]] = {}
    for s in statements:  # packed as compare_window reads them: [ss, rank, metric, br, basis, so, k, unit…vs]
        if s[10]:  # a report about no period is in no comparison
            by_company.setdefault((s[10], s[1], s[7], s[0]), []).append([*s[2:7], s[8], s[9], *s[11:]])
    report_rows.insert(conn, "company_statements", "rp, sc, co, n, fp, packed", n,
                       [(rp, sc, co, n, fp, zlib.compress(orjson.dumps(rows))) for (rp, sc, co, fp), rows in by_company.items()],
                       "INSERT OR REPLACE")
    conn.executemany("INSERT OR REPLACE INTO rating_rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     [(*r[:3], n, *r[3:]) for r in ratings])
    conn.executemany("INSERT OR REPLACE INTO guidance_rows VALUES (?, ?, ?, ?)",
                     [(company, order, n, packed) for company, order, packed in guidance])


def drop(conn: sqlite3.Connection, n: int) -> None:
    """One report's rows (in the transaction dropping the report)."""
    for table in TABLES:
        rows, args = report_rows.where(conn, table, n)
        conn.execute(f"DELETE FROM {table} WHERE {rows}", args)


def create_tables(conn: sqlite3.Connection) -> None:
    """Both tables, when missing (on open: a store writes into them from then on; ``ready``
    fills them with what was stored before). Not executescript: that would commit."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def create(conn: sqlite3.Connection) -> None:
    """Both tables in a new, empty catalog (filled as reports are stored)."""
    create_tables(conn)
    conn.execute("INSERT OR REPLACE INTO info VALUES (?, ?)", (READY, VERSION))


def is_ready(catalog: Any) -> bool:
    """True when the tables hold every report (a new catalog, or ``fill_step`` done)."""
    with contextlib.suppress(sqlite3.DatabaseError):
        return bool(catalog.query("SELECT 1 FROM info WHERE key = ? AND value = ?", (READY, VERSION)))
    return False


def fill_step(catalog: Any, batch: int = 256) -> bool:
    """Fill the tables of a catalog made before them with the next ``batch`` reports (by
    number), read from its per-report aggregates, in one transaction; True once every
    report is in. A step is short, so readers and writers wait for one step at most; a
    kill loses one step. The first step clears what a store of another version left."""
    from yanbao.store.aggregates import unpack_extras_rows, unpack_figures

    with catalog.transaction() as conn:
        if conn.execute("SELECT 1 FROM info WHERE key = ? AND value = ?", (READY, VERSION)).fetchone():
            return True
        create_tables(conn)
        found = conn.execute("SELECT value FROM info WHERE key = ?", (FILLED,)).fetchone()
        if found is None:
            for table in TABLES:
                conn.execute(f"DELETE FROM {table}")
        upto = int(found[0]) if found else 0
        reports = conn.execute("SELECT r.n, r.id, r.broker, nullif(r.date, ''), r.period, e.z FROM reports r "
                               "JOIN extras e ON e.n = r.n WHERE r.n > ? ORDER BY r.n LIMIT ?", (upto, batch)).fetchall()
        for n, digest_id, broker, date, period, extras in reports:
            # Read back company by company: a company's figures keep the report's order (all
            # a comparison's row compares).
            metrics = [m.to_dict() for (packed,) in conn.execute("SELECT packed FROM figures WHERE n = ?", (n,))
                       for m in unpack_figures(packed)[0]]
            _risks, _picks, _vintage, guidance, ratings = unpack_extras_rows(extras)
            insert(conn, n, statement_rows(metrics, period), rating_rows(ratings, digest_id, broker, date, period),
                   guidance_rows(guidance, digest_id, broker, date, period))
        if len(reports) < batch:
            conn.execute("DELETE FROM info WHERE key = ?", (FILLED,))
            conn.execute("INSERT OR REPLACE INTO info VALUES (?, ?)", (READY, VERSION))
            return True
        conn.execute("INSERT OR REPLACE INTO info VALUES (?, ?)", (FILLED, str(reports[-1][0])))
        return False
