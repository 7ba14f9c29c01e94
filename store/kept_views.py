"""One company's figures of one kind — one metric's statements (a figure series), its
guidance, its ratings — kept between readings in the catalog's pane cache, so pane 4 reads
one blob instead of unpacking every figure row the company has in the library. A figure
series keeps less still: its fold (``store.series_fold``), the reduction ``series`` makes.

What is kept is what ``DigestStore.company_views`` reads for that kind, per figure row
that holds something of that kind:
the report's list columns and the row's company, ticker, kept figures (packed, as the
figures table holds them) and ratings. Like the company detail's fold, it is kept up to a
figures mark: rows stored since are read and added, and a report taken out since (the
catalog's drop count changed) reads everything again. Derived data: a rebuilt catalog
starts without it.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Callable, Collection, Iterator

import orjson

from yanbao.store.aggregates import figures_of
from yanbao.store.catalog import Catalog
from yanbao.store.model import CompanyRating, Digest, DigestError, Metric, Source
from yanbao.store.series_fold import SeriesFold

__all__ = ["KINDS", "figure_entries", "kept_company_views", "kept_series"]


def _guidance_figure(metric: str, basis: str | None) -> bool:
    """A figure the guidance history may read (it keeps guidance that is not a consensus)."""
    return basis == "guidance" or metric.endswith("_guidance")


def _no_figure(_metric: str, _basis: str | None) -> bool:
    return False


KINDS: dict[str, Callable[[str, str | None], bool]] = {"guidance": _guidance_figure, "ratings": _no_figure}
"""The kinds kept besides a metric's series, each with the figures it keeps. A figure row
with nothing its kind reads (no figure kept; for ``ratings``, no rating) is not kept."""


def figure_entries(catalog: Catalog, names: Collection[str], between: tuple[int, int]) -> Iterator[list]:
    """Every figure row filed under ``names`` (casefolded names and tickers) stored between
    two figures marks, in the order ``Catalog.figures_for`` reads them, as an entry: the
    report's id, title, broker, date, period and language, then the row's company, ticker,
    packed figure rows (positions as ``aggregates._PACKED``) and rating dicts."""
    names = sorted(names)
    marks = ",".join("?" * len(names))
    head = "SELECT r.id, r.title, r.broker, nullif(r.date, ''), r.period, r.language, f.packed FROM figures f "
    found = catalog.stream(
        f"{head} JOIN reports r ON r.n = f.n WHERE f.company_key IN ({marks}) AND f.rowid > ? AND f.rowid <= ? "
        f"UNION ALL {head} JOIN reports r ON r.n = f.n WHERE f.ticker_key IN ({marks}) "
        f"AND f.company_key NOT IN ({marks}) AND f.rowid > ? AND f.rowid <= ?",
        [*names, *between, *names, *names, *between])
    for *columns, packed in found:
        yield [*columns, *orjson.loads(zlib.decompress(packed))]


def _read(catalog: Catalog, names: list[str], keep: Callable[[str, str | None], bool], ratings: bool,
          between: tuple[int, int]) -> list[list]:
    """The ``figure_entries`` with a figure ``keep`` passes (those figures alone), or (for
    ``ratings``) a rating."""
    entries = []
    for *columns, company, ticker, rows, rated in figure_entries(catalog, names, between):
        rows = [row for row in rows if keep(row[0], row[5])]
        if (rated if ratings else rows):
            entries.append([*columns, company, ticker, rows, rated])
    return entries


def _views(entries: list[list]) -> list[Digest]:
    """Slim digests of the entries, one per report, newest first (as ``company_views``)."""
    heads: dict[str, list] = {}
    metrics: dict[str, list[Metric]] = {}
    ratings: dict[str, list[CompanyRating]] = {}
    for digest_id, title, broker, date, period, language, company, ticker, rows, rating_dicts in entries:
        heads.setdefault(digest_id, [title, broker, date, period, language])
        with contextlib.suppress(DigestError, AttributeError, TypeError, ValueError, KeyError):
            metrics.setdefault(digest_id, []).extend(figures_of(company, ticker, rows))
            ratings.setdefault(digest_id, []).extend(CompanyRating.from_dict(r) for r in rating_dicts)
    views = [Digest(id=digest_id, source=Source(f"catalog:{digest_id}", "text", 0, digest_id), title=title,
                    broker=broker, date=date, period=period, language=language, companies=[],
                    metrics=metrics.get(digest_id, []), company_ratings=ratings.get(digest_id, []))
             for digest_id, (title, broker, date, period, language) in heads.items()]
    views.sort(key=lambda d: (d.date or "", d.title, d.id), reverse=True)
    return views


def _metric_figure(metric: str | None) -> Callable[[str, str | None], bool]:
    """The figures a series of ``metric`` may read (its guidance is filed as ``metric_guidance``)."""
    wanted = {metric, f"{metric}_guidance"}
    return lambda key, _basis: key in wanted


def _fold_rows(catalog: Catalog, names: list[str], fold: SeriesFold, between: tuple[int, int]) -> None:
    """Fold the figure rows ``_read`` reads for ``fold``'s metric, in its order, reading only
    what the fold needs (a row naming no such metric is not even parsed)."""
    marks = ",".join("?" * len(names))
    head = "SELECT r.id, nullif(r.date, ''), r.period, f.packed FROM figures f JOIN reports r ON r.n = f.n "
    found = catalog.stream(
        f"{head} WHERE f.company_key IN ({marks}) AND f.rowid > ? AND f.rowid <= ? "
        f"UNION ALL {head} WHERE f.ticker_key IN ({marks}) AND f.company_key NOT IN ({marks}) "
        "AND f.rowid > ? AND f.rowid <= ?",
        [*names, *between, *names, *names, *between])
    named = orjson.dumps(fold.metric)[:-1]  # '"revenue' is in every packing of revenue or revenue_guidance
    filed = orjson.dumps([fold.company])[:-1] + b","  # '["Tencent",' begins a row filed under that name
    for digest_id, date, period, packed in found:
        raw = zlib.decompress(packed)
        if raw.startswith(filed) and named in raw:
            company, _ticker, rows, _rated = orjson.loads(raw)
            fold.add_entry(digest_id, date, period, company, rows)


def kept_series(catalog: Catalog, names: Collection[str], company: str | None, segment: str | None, metric: str,
                basis: str = "actual", writable: bool = True) -> list[tuple[str, float]]:
    """``series`` of one figure over ``kept_company_views(catalog, names, "metric", metric)``,
    from its fold as the pane cache keeps it plus the figure rows stored since (a report
    taken out since folds everything again); kept again when ``writable``."""
    names = sorted({n.casefold() for n in names})
    if not names:
        return []
    key = "series\n" + orjson.dumps([company, segment, metric, basis]).decode() + "\n" + "\n".join(names)
    mark, gen = catalog.figures_mark()
    kept = catalog.pane_cached(key)
    fold, since = None, 0
    if kept is not None and kept[1] == gen and kept[0] <= mark:
        with contextlib.suppress(Exception):  # a damaged blob: fold everything again
            fold, since = SeriesFold.from_json(orjson.loads(zlib.decompress(kept[2]))), kept[0]
    if fold is None:
        fold, since = SeriesFold(company, segment, metric, basis), 0
    if since < mark:
        _fold_rows(catalog, names, fold, (since, mark))
        if writable:
            catalog.keep_pane(key, mark, gen, zlib.compress(orjson.dumps(fold.to_json()), 1))
    return fold.series()


def kept_company_views(catalog: Catalog, names: Collection[str], kind: str, metric: str | None = None,
                       writable: bool = True) -> list[Digest]:
    """What one ``kind`` of pane 4 reads of one company (``names``: its casefolded names
    and tickers) — ``company_views`` of the reports with a figure (or, for ``ratings``, a
    rating) of that kind: ``guidance``, ``ratings``, or ``metric`` with ``metric`` — from
    what the pane cache keeps plus the figure rows stored since; kept again when ``writable``."""
    names = sorted({n.casefold() for n in names})
    if not names:
        return []
    if kind == "metric":
        keep = _metric_figure(metric)
    else:
        keep = KINDS[kind]
    key = "company_views\n" + (f"metric {metric}" if kind == "metric" else kind) + "\n" + "\n".join(names)
    mark, gen = catalog.figures_mark()
    kept = catalog.pane_cached(key)
    entries, since = [], 0
    if kept is not None and kept[1] == gen and kept[0] <= mark:
        with contextlib.suppress(Exception):  # a damaged blob: read everything again
            entries, since = orjson.loads(zlib.decompress(kept[2])), kept[0]
    if since < mark:
        entries += _read(catalog, names, keep, kind == "ratings", (since, mark))
        if writable:
            catalog.keep_pane(key, mark, gen, zlib.compress(orjson.dumps(entries), 1))
    return _views(entries)
