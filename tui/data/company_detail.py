"""Everything the library says about one watched company: the reports naming it and its
figures pivoted by quarter (a ``*`` marks a cell two reports disagree on)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from yanbao.tui.data.figure_text import format_metric_value

if TYPE_CHECKING:
    from yanbao.store.model import Digest, Metric

__all__ = ["CompanyDetail", "company_detail", "company_names"]


@dataclass
class CompanyDetail:
    """Everything the library says about one company."""

    name: str
    reports: list[tuple[Digest, bool]] = field(default_factory=list)  # (digest, recommended)
    periods: list[str] = field(default_factory=list)
    figures: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)


def company_names(item: Any) -> set[str]:
    """The casefolded names, aliases and tickers that stand for a watched company."""
    names = {str(item.name).casefold()}
    if getattr(item, "ticker", None):
        names.add(str(item.ticker).casefold())
    try:
        from yanbao.store.companies import get_registry

        info = get_registry().lookup(item.name)
    except Exception:  # the registry is optional here: fall back to the name itself
        info = None
    if info is not None:
        names.update(n.casefold() for n in [info.name, info.name_zh, *info.aliases, *info.tickers] if n)
    return names


def company_detail(digests: Sequence[Digest], item: Any) -> CompanyDetail:
    """Reports naming the company (newest first) and its figures pivoted by quarter."""
    names = company_names(item)
    detail = CompanyDetail(str(item.name))
    periods: set[str] = set()
    for digest in digests:
        named = False
        recommended = False
        for company in digest.companies:
            keys = {company.name.casefold(), *(a.casefold() for a in company.aliases_seen)}
            if company.ticker:
                keys.add(company.ticker.casefold())
            if keys & names:
                named = True
                recommended = recommended or company.role == "recommended"
        mine: list[Metric] = [
            m for m in digest.metrics
            if (m.company and m.company.casefold() in names) or (m.ticker and m.ticker.casefold() in names)
        ]
        if named or mine:
            detail.reports.append((digest, recommended))
        for metric in mine:
            period = metric.period or digest.period or "—"
            periods.add(period)
            row = detail.figures.setdefault((metric.segment or "", metric.metric, metric.basis), {})
            value = format_metric_value(metric)
            if period not in row:  # digests come newest first: the latest report wins
                row[period] = value
            elif row[period] != value and not row[period].endswith("*"):
                row[period] += "*"  # another report disagrees
    detail.reports.sort(key=lambda pair: pair[0].date or "", reverse=True)
    detail.periods = sorted(periods)
    return detail
