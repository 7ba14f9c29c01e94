"""A report taken out of the folds that can subtract it: pane 3's risk tally and pane 4's
ratings outline count rows, so a removal takes the report's rows out of what they keep,
in the removal's own transaction, instead of leaving them to fold everything again
(1.1 s for the risk tally at 100,000 reports, which the pane then waited for).

A fold holds the rows up to its mark. A removed report's rows past the mark were never
folded and are not subtracted. After the removal the mark is lowered to the table's last
row if that is now lower: the number of a report removed from the end is given to the
next one stored, whose rows must read as new. The fold is stamped with the removal's
drop count, so it stays valid; every other kept result still folds everything again.
"""

from __future__ import annotations

import sqlite3
import zlib
from typing import Any

import orjson

from yanbao.store import rating_fold, report_rows, risk_fold

__all__ = ["out_of_step", "pack", "taken_rows", "take_out", "unpack"]


def pack(fold: Any) -> bytes:
    """A fold (JSON values) as ``pane_cache`` keeps it."""
    return zlib.compress(orjson.dumps(fold), 1)


def unpack(blob: bytes) -> Any:
    """A fold as ``pack`` made it (raises on a damaged blob)."""
    return orjson.loads(zlib.decompress(blob))


def _kept(conn: sqlite3.Connection, key: str, gen: int) -> tuple[int, Any] | None:
    """(mark, fold) kept for ``key`` when it is valid at drop count ``gen``; else None."""
    found = conn.execute("SELECT mark, gen, z FROM pane_cache WHERE key = ?", (key,)).fetchone()
    if found is None or found[1] != gen:
        return None
    try:
        return found[0], unpack(found[2])
    except (zlib.error, orjson.JSONDecodeError):
        return None


def _keep(conn: sqlite3.Connection, key: str, mark: int, gen: int, fold: Any) -> None:
    conn.execute("INSERT OR REPLACE INTO pane_cache VALUES (?, ?, ?, ?)", (key, mark, gen, pack(fold)))


def taken_rows(conn: sqlite3.Connection, n: int) -> tuple[list[tuple], list[tuple]]:
    """Report ``n``'s risk rows (rowid, key, wording, period) and rating rows (n, ck, ord, k,
    ticker), read before they are deleted."""
    rows, args = report_rows.where(conn, "risk_rows", n)
    risks = conn.execute(f"SELECT rowid, key, wording, period FROM risk_rows WHERE {rows}", args).fetchall()
    ratings = conn.execute("SELECT n, ck, ord, k, ticker FROM rating_rows WHERE n = ?", (n,)).fetchall()
    return risks, ratings


def take_out(conn: sqlite3.Connection, taken: tuple[list[tuple], list[tuple]], gen: int) -> None:
    """Subtract the rows ``taken_rows`` read from the folds kept at drop count ``gen`` (the
    count before this removal), once the report's rows are deleted, and stamp them ``gen + 1``."""
    risks, ratings = taken
    kept = _kept(conn, risk_fold.KEY, gen)
    if kept is not None:
        mark, fold = kept
        for rowid, key, wording, period in risks:
            if rowid <= mark and key in fold:
                entry = fold[key]
                entry[0] -= 1
                _less(entry[1], wording)
                if period:
                    _less(entry[2], period)
                if entry[0] <= 0:
                    del fold[key]
        last = conn.execute("SELECT coalesce(max(rowid), 0) FROM risk_rows").fetchone()[0]
        _keep(conn, risk_fold.KEY, min(mark, last), gen + 1, fold)
    kept = _kept(conn, rating_fold.KEY, gen)
    if kept is not None:
        mark, fold = kept
        firsts = set()
        for n, ck, order, k, ticker in ratings:
            if n <= mark and ck in fold:
                entry = fold[ck]
                entry[0] -= 1
                if [order, k] == entry[1] or (ticker is not None and [order, k] == entry[3]):
                    firsts.add(ck)  # its first rating, or first with a ticker, went
        for ck in firsts:
            rating_fold.refold_firsts(conn, fold, ck, mark)
        for ck in [ck for ck, entry in fold.items() if entry[0] <= 0]:
            del fold[ck]
        last = conn.execute("SELECT coalesce(max(n), 0) FROM reports").fetchone()[0]
        _keep(conn, rating_fold.KEY, min(mark, last), gen + 1, fold)


def _less(counts: dict[str, int], key: str) -> None:
    if key in counts:
        counts[key] -= 1
        if counts[key] <= 0:
            del counts[key]


def out_of_step(catalog: Any) -> list[str]:
    """The kept folds that differ from the same rows folded from nothing (``yanbao
    doctor``): a subtraction gone wrong would otherwise show until the next fold."""
    problems = []
    for name, module, table in (("risk tally", risk_fold, "risk_rows"), ("ratings outline", rating_fold, "reports")):
        kept, mark, _last, _gen = catalog.kept_fold(module.KEY, table)
        if kept is None:
            continue
        fresh: dict = {}
        module.fold_rows(catalog, fresh, 0, mark)
        if fresh != kept:
            problems.append(f"the kept {name} differs from its rows (folded again by doctor --rebuild)")
    return problems
