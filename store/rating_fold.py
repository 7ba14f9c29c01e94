"""Pane 4's ratings history of every company, its outline: each company the history lists,
with its ratings counted and the name and ticker its first rating gives, folded from
``rating_rows`` and kept between openings. Counting them in SQLite read the whole table
each time: 96 MB at 100,000 reports, 1.9 s with the page cache cold (0.1 s warm). Kept,
the first screen reads the fold and that screen's own rows.

The fold holds the ratings of the reports numbered up to a mark (``Catalog.kept_fold``
over ``reports``): opened again, it reads the ratings of the reports stored since; a
report taken out since (or replaced) folds everything again.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from yanbao.store import pane_tables

__all__ = ["fold_rows", "rating_outline", "refold_firsts"]

KEY = "rating_outline\n" + pane_tables.VERSION  # tables filled again for a new version: a new fold


def fold_rows(catalog: Any, fold: dict[str, list], since: int, upto: int) -> None:
    """Add the ratings of reports numbered after ``since`` up to ``upto`` to ``fold``."""
    for row in catalog.stream("SELECT ck, ord, k, company, ticker FROM rating_rows WHERE n > ? AND n <= ?",
                              (since, upto)):
        _add(fold, *row)


def _add(fold: dict[str, list], ck: str, order: str, k: int, company: str, ticker: str | None) -> None:
    """One rating into ``fold``: per company key, [ratings, first (ord, k), its company,
    first (ord, k) with a ticker, that ticker]."""
    first = [order, k]
    entry = fold.get(ck)
    if entry is None:
        fold[ck] = [1, first, company, first if ticker is not None else None, ticker]
        return
    entry[0] += 1
    if first < entry[1]:
        entry[1], entry[2] = first, company
    if ticker is not None and (entry[3] is None or first < entry[3]):
        entry[3], entry[4] = first, ticker


def refold_firsts(conn: sqlite3.Connection, fold: dict[str, list], ck: str, mark: int) -> None:
    """Find one company's first rating, and first with a ticker, among the reports
    numbered up to ``mark`` again (a report taken out gave one of them), in the removal's
    transaction: two seeks in the table's order, not the company's every rating."""
    entry = fold[ck]
    found = conn.execute("SELECT ord, k, company FROM rating_rows WHERE ck = ? AND n <= ? ORDER BY ord, k LIMIT 1",
                         (ck, mark)).fetchone()
    if found is None:
        entry[0] = 0
        return
    entry[1], entry[2] = [found[0], found[1]], found[2]
    found = conn.execute("SELECT ord, k, ticker FROM rating_rows WHERE ck = ? AND n <= ? AND ticker IS NOT NULL "
                         "ORDER BY ord, k LIMIT 1", (ck, mark)).fetchone()
    entry[3], entry[4] = ([found[0], found[1]], found[2]) if found is not None else (None, None)


def rating_outline(catalog: Any, writable: bool = True) -> dict[str, tuple[int, str, str | None]]:
    """Per company key (the casefolded canonical name), (its ratings, the company as its
    first rating names it, the first ticker its ratings give), ratings in history order
    (``ord``, then ``k``); kept again when ``writable``."""
    fold = catalog.folded(KEY, "reports", lambda f, since, upto: fold_rows(catalog, f, since, upto), writable)
    return {ck: (count, company, ticker) for ck, (count, _first, company, _tfirst, ticker) in fold.items()}
