"""What a two-quarter comparison reads, from the catalog's aggregates: per report about
either quarter or a quarter next to one, a slim digest holding only the figures about the
two quarters (and, for the reports of either quarter, their risks, picks and annual
guidance). ``compare_quarters`` runs on these unchanged; sentences stay in the documents
of record (``attach_sentences`` in the app reads them for the figure being looked at).
"""

from __future__ import annotations

import contextlib

from yanbao.store.catalog import Catalog
from yanbao.store.model import Company, Digest, DigestError, Metric, Source
from yanbao.store.periods import QUARTER_RE, shift_quarter

__all__ = ["quarter_periods", "quarter_views"]


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


def _metrics(dicts: list[dict]) -> list[Metric]:
    out = []
    for d in dicts:
        with contextlib.suppress(DigestError, AttributeError, TypeError, ValueError, KeyError):
            out.append(Metric.from_dict(d))
    return out


def quarter_views(catalog: Catalog, left: str, right: str) -> list[Digest]:
    """The slim digests ``compare_quarters(…, left, right)`` needs, newest first."""
    own = sorted({left, right})
    both_quarters = bool(QUARTER_RE.fullmatch(left) and QUARTER_RE.fullmatch(right))
    views = []
    for (digest_id, title, broker, date, period, language), figures, extras in catalog.quarter_figures(
            quarter_periods(left, right), own, own):
        metrics, risks, companies = _metrics(figures), [], []
        if extras is not None:
            risks = list(extras[0])
            companies = [Company(name, ticker, "recommended") for name, ticker in extras[1]]
            if both_quarters:  # annual guidance as each quarter's reports gave it
                metrics += _metrics(extras[2])
        views.append(Digest(
            id=digest_id, source=Source(f"catalog:{digest_id}", "text", 0, digest_id), title=title, broker=broker,
            date=date, period=period, language=language, companies=companies, metrics=metrics, risks=risks))
    views.sort(key=lambda d: (d.date or "", d.title, d.id), reverse=True)
    return views
