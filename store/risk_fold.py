"""Pane 3's risk tally, folded from the catalog's risk rows and kept between openings.

An ingest writes a report's risk rows and nothing else of the tally: counters per risk,
per wording and per period, updated in place, rewrote the same dozen pages of the
catalog's log at every ingest (about 14 KB of 50 at 100,000 reports,
``benchmarks.scale_bench``). The pane folds the rows instead and keeps the fold
(``Catalog.keep_pane``) with the last row it read: opened again, it reads only the rows
stored since. A report taken out since (or replaced) folds everything again, as the
other kept panes do (``store.kept_views``). The app folds in steps in the background
when it opens a library (``fold_step``), so pane 3 finds the fold there (a first fold
of 740,000 risk rows, at 100,000 reports, takes about a second).
"""

from __future__ import annotations

from typing import Any

__all__ = ["fold_rows", "fold_step", "kept_risk_tally"]

KEY = "risk_tally"


def fold_rows(catalog: Any, fold: dict[str, list], since: int, upto: int, most: int | None = None) -> int:
    """Add the risk rows numbered after ``since`` up to ``upto`` (the first ``most`` of
    them) to ``fold`` — per risk key, [reports, {wording: reports}, {period: reports}] —
    and say up to which row number the fold now holds them. SQLite counts them (a report
    gives a risk key once): the app's thread keeps the interpreter meanwhile."""
    if most:
        found = catalog.query("SELECT rowid FROM risk_rows WHERE rowid > ? AND rowid <= ? ORDER BY rowid "
                              "LIMIT 1 OFFSET ?", (since, upto, most - 1))
        upto = found[0][0] if found else upto
    for key, wording, period, count in catalog.query(
            "SELECT key, wording, period, count(*) FROM risk_rows WHERE rowid > ? AND rowid <= ? "
            "GROUP BY key, wording, period", (since, upto)):
        entry = fold.setdefault(key, [0, {}, {}])
        entry[0] += count
        entry[1][wording] = entry[1].get(wording, 0) + count
        if period:
            entry[2][period] = entry[2].get(period, 0) + count
    return upto


def fold_step(catalog: Any, most: int = 50_000) -> bool:
    """Fold up to ``most`` more risk rows into the kept fold (a first fold of a large
    library, in steps the app takes in the background); True once it holds them all."""
    fold, since, mark, gen = catalog.kept_fold(KEY, "risk_rows")
    if since >= mark:
        return True
    fold = fold or {}
    upto = fold_rows(catalog, fold, since, mark, most)
    # Not kept (read-only, or another process writing): the step is lost, so stop here
    # and leave the fold to the pane.
    return not catalog.keep_fold(KEY, upto, gen, fold) or upto >= mark


def kept_risk_tally(catalog: Any, writable: bool = True) -> list[tuple[str, int, str, list[str]]]:
    """(key, report count, commonest wording, periods) per distinct risk, commonest first
    (ties by key; a wording tie goes to the first in text order), from the kept fold plus
    the risk rows stored since; kept again when ``writable``."""
    fold = catalog.folded(KEY, "risk_rows", lambda f, since, upto: fold_rows(catalog, f, since, upto), writable)
    tally = []
    for key, (count, wordings, periods) in fold.items():
        wording = min(wordings.items(), key=lambda w: (-w[1], w[0]))[0]
        tally.append((key, count, wording, sorted(periods)))
    tally.sort(key=lambda t: (-t[1], t[0]))
    return tally
