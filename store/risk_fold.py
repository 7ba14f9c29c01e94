"""Pane 3's risk tally, folded from the catalog's risk rows and kept between openings.

An ingest writes a report's risk rows and nothing else of the tally: counters per risk,
per wording and per period, updated in place, rewrote the same dozen pages of the
catalog's log at every ingest (about 14 KB of 50 at 100,000 reports,
``benchmarks.scale_bench``). The pane folds the rows instead and keeps the fold
(``Catalog.keep_pane``) with the last row it read: opened again, it reads only the rows
stored since. A report taken out since (or replaced) folds everything again, as the
other kept panes do (``store.kept_views``).
"""

from __future__ import annotations

import contextlib
import zlib
from typing import Any

import orjson

__all__ = ["kept_risk_tally"]

KEY = "risk_tally"


def _mark(catalog: Any) -> tuple[int, int]:
    """(the risk rows' last row number, reports dropped so far), read at one moment."""
    mark, gen = catalog.query("SELECT (SELECT coalesce(max(rowid), 0) FROM risk_rows), "
                              "(SELECT value FROM info WHERE key = 'dropped')")[0]
    return mark, int(gen) if gen is not None else 0


def _fold(catalog: Any, fold: dict[str, list], between: tuple[int, int]) -> None:
    """Add the risk rows numbered after ``between[0]`` up to ``between[1]`` to ``fold``:
    per risk key, [reports, {wording: reports}, {period: reports}]."""
    for key, wording, period in catalog.stream("SELECT key, wording, period FROM risk_rows "
                                               "WHERE rowid > ? AND rowid <= ?", between, 4096):
        entry = fold.setdefault(key, [0, {}, {}])
        entry[0] += 1
        entry[1][wording] = entry[1].get(wording, 0) + 1
        if period:
            entry[2][period] = entry[2].get(period, 0) + 1


def kept_risk_tally(catalog: Any, writable: bool = True) -> list[tuple[str, int, str, list[str]]]:
    """(key, report count, commonest wording, periods) per distinct risk, commonest first
    (ties by key; a wording tie goes to the first in text order), from the kept fold plus
    the risk rows stored since; kept again when ``writable``."""
    mark, gen = _mark(catalog)
    kept = catalog.pane_cached(KEY)
    fold: dict[str, list] = {}
    since = 0
    if kept is not None and kept[1] == gen and kept[0] <= mark:
        with contextlib.suppress(Exception):  # a damaged blob: fold everything again
            fold, since = orjson.loads(zlib.decompress(kept[2])), kept[0]
    if since < mark:
        _fold(catalog, fold, (since, mark))
        if writable:
            catalog.keep_pane(KEY, mark, gen, zlib.compress(orjson.dumps(fold), 1))
    tally = []
    for key, (count, wordings, periods) in fold.items():
        wording = min(wordings.items(), key=lambda w: (-w[1], w[0]))[0]
        tally.append((key, count, wording, sorted(periods)))
    tally.sort(key=lambda t: (-t[1], t[0]))
    return tally
