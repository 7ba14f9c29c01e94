"""What pane 4's comparisons read, from the catalog's aggregates, as slim digests the
store.compare functions run on unchanged:

- a two-quarter comparison: per report about either quarter or a quarter next to one, only
  the figures about the two quarters (and, for the reports of either quarter, their risks,
  picks and annual guidance);
- the library-wide guidance and ratings histories: per report, its guidance figures and
  company ratings.

Sentences stay in the documents of record (``attach_sentences`` in the app reads them for
the figure being looked at).
"""

from __future__ import annotations

import contextlib

from yanbao.store.catalog import Catalog
from yanbao.store.model import Company, CompanyRating, Digest, DigestError, Metric, Source
from yanbao.store.compare.common import report_order
from yanbao.store.periods import QUARTER_RE, shift_quarter

__all__ = ["history_views", "quarter_periods", "quarter_sides", "quarter_views"]


def quarter_periods(left: str, right: str) -> list[str]:
    """The report periods a comparison of ``left`` and ``right`` reads: both and the quarters
    next to each (a quarter's figures are also stated a quarter later, restated, and a
    quarter earlier, as guidance). A year reads the reports of each of its quarters too."""
    periods = {left, right}
    for period in (left, right):
        periods.update(p for p in (shift_quarter(period, -1), shift_quarter(period, 1)) if p)
        if len(period) == 4 and period.isdigit():
            periods.update(f"{period}Q{q}" for q in range(1, 5))
    return sorted(periods)


def _slim(head: tuple, metrics: list[Metric], **more: object) -> Digest:
    digest_id, title, broker, date, period, language = head
    return Digest(id=digest_id, source=Source(f"catalog:{digest_id}", "text", 0, digest_id), title=title,
                  broker=broker, date=date, period=period, language=language, metrics=metrics, **more)


def _newest_first(views: list[Digest]) -> list[Digest]:
    views.sort(key=lambda d: (d.date or "", d.title, d.id), reverse=True)
    return views


def history_views(catalog: Catalog, kind: str | None = None) -> list[Digest]:
    """What ``guidance_history`` and ``rating_history`` read of the whole library: per
    report, its guidance figures and company ratings, newest first. ``kind``: only what
    that history reads (``guidance``: no ratings; ``ratings``: no figures)."""
    views = []
    for head, guidance, rating_dicts in catalog.history_rows(kind != "ratings", kind != "guidance"):
        if guidance or rating_dicts:
            ratings = []
            for r in rating_dicts:
                with contextlib.suppress(DigestError, AttributeError, TypeError, ValueError, KeyError):
                    ratings.append(CompanyRating.from_dict(r))
            views.append(_slim(head, guidance, company_ratings=ratings))
    return _newest_first(views)


def quarter_views(catalog: Catalog, left: str, right: str) -> list[Digest]:
    """The slim digests ``compare_quarters(…, left, right)`` needs, newest first."""
    own = sorted({left, right})
    both_quarters = bool(QUARTER_RE.fullmatch(left) and QUARTER_RE.fullmatch(right))
    views = []
    for head, figures, extras in catalog.quarter_figures(quarter_periods(left, right), own, own):
        metrics, risks, companies = figures, [], []
        if extras is not None:
            risks = list(extras.risks)
            companies = [Company(name, ticker, "recommended") for name, ticker in extras.picks]
            if both_quarters:  # annual guidance as each quarter's reports gave it
                metrics += extras.vintage
        views.append(_slim(head, metrics, companies=companies, risks=risks))
    return _newest_first(views)


def quarter_sides(catalog: Catalog, left: str, right: str) -> tuple[list[Digest], list[Digest]]:
    """The reports about ``left`` and about ``right`` as slim digests with their risks and
    picks (no figures), each side in publication order: what a comparison's risk and pick
    changes and report ids read."""
    views = [_slim(head, [], risks=risks, companies=[Company(name, ticker, "recommended") for name, ticker in picks])
             for head, risks, picks in catalog.risks_and_picks(sorted({left, right}))]
    views.sort(key=report_order)
    return [d for d in views if d.period == left], [d for d in views if d.period == right]
