"""Rows a catalog table keeps per report, found by the report's number ``n`` without an
index of ``n``.

In a catalog made since (``company_keys``, ``risk_rows``, ``company_statements``), a
report's rows are numbered ``n · SPAN + k``: they lie together at the end of the table
in the order stored, and a removal finds them by a range of row numbers. An index of
``n`` cost each ingest a page or two of the catalog's log per table, for a removal's sake
(``benchmarks.scale_bench``). A table made before keeps its index of ``n`` and its rows
their own numbers; it is read and written as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

__all__ = ["SPAN", "by_report", "insert", "where"]

SPAN = 1 << 20  # row numbers per report: more rows than a digest can hold (``digest_limits``)


def by_report(conn: sqlite3.Connection, table: str) -> bool:
    """True when ``table`` numbers its rows by report (it has no index of ``n``)."""
    return conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?",
                        (f"{table}_n",)).fetchone() is None


def where(conn: sqlite3.Connection, table: str, n: int) -> tuple[str, tuple[int, ...]]:
    """The condition (and its parameters) that selects report ``n``'s rows of ``table``."""
    if by_report(conn, table):
        return "rowid BETWEEN ? AND ?", (n * SPAN, n * SPAN + SPAN - 1)
    return "n = ?", (n,)


def insert(conn: sqlite3.Connection, table: str, columns: str, n: int, rows: Sequence[Sequence],
           verb: str = "INSERT") -> None:
    """Insert report ``n``'s ``rows`` (values of ``columns``, comma separated) into ``table``."""
    if not rows:
        return
    marks = ",".join("?" * len(rows[0]))
    if not by_report(conn, table):
        conn.executemany(f"{verb} INTO {table}({columns}) VALUES ({marks})", rows)
        return
    if len(rows) > SPAN:
        raise ValueError(f"{len(rows)} rows of one report for {table}: at most {SPAN}")
    conn.executemany(f"{verb} INTO {table}(rowid, {columns}) VALUES (?, {marks})",
                     [(n * SPAN + k, *row) for k, row in enumerate(rows)])
