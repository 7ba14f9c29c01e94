"""The Compare pane's history views as rows and chart lines, without Textual.

- Guidance history: each company's guidance for each year, every revision in publication
  order, who reported it and when, raise / cut / narrow marked; the chart follows the
  guidance midpoint over time, one line per broker.
- Ratings and target prices: per company and broker over time with the changes; the chart
  follows each broker's target price.
Both are narrowed to one company or to the watchlist by the caller (``names``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yanbao.store import units
from yanbao.store.compare.common import keep_companies
from yanbao.store.compare import (
    GuidanceHistory,
    RatingHistory,
    guidance_history,
    rating_history,
)
from yanbao.tui.data.figure_text import FIGURE_LANG, metric_label

if TYPE_CHECKING:
    from yanbao.store.model import Digest

__all__ = ["HistoryRow", "Line", "chart_lines", "guidance_histories", "history_rows", "joined_histories", "keep_companies", "rating_histories"]

MOVE_MARKS = {"initial": "·", "raise": "▲", "cut": "▼", "narrow": "↔", "widen": "⇔", "reiterate": "="}
"""One mark per guidance move, shown before the move's name."""


@dataclass(frozen=True)
class HistoryRow:
    """One line of a history table: the subject (company · figure · year, or company), the
    report (date, broker), what it said and how that moved."""

    subject: str
    date: str
    broker: str
    value: str
    move: str
    change: str
    series: str  # the chart this row belongs to (one chart per subject)
    point: float | None  # the value the chart plots (guidance midpoint, target price)
    digest_id: str


@dataclass(frozen=True)
class Line:
    """One broker's points on a chart: (date, value), oldest first."""

    broker: str
    points: tuple[tuple[str, float], ...]


def guidance_histories(digests: Iterable[Digest], names: set[str] | None = None) -> list[GuidanceHistory]:
    """Every guidance figure's history (store.compare's), for the companies in ``names``."""
    keep = keep_companies(names)
    return [h for h in guidance_history(digests) if keep(h.company)]


def rating_histories(digests: Iterable[Digest], names: set[str] | None = None) -> list[RatingHistory]:
    """Every company's ratings and target prices (store.compare's), for the companies in ``names``."""
    keep = keep_companies(names)
    return [h for h in rating_history(digests) if keep(h.company)]


def joined_histories(first: list[RatingHistory], rest: list[RatingHistory]) -> list[RatingHistory]:
    """Two consecutive pages of the ratings history as one: a company cut by the page
    boundary is one history again (a new one: the first page stays as it was shown)."""
    if first and rest and first[-1].company == rest[0].company:
        cut, head = first[-1], rest[0]
        return [*first[:-1], RatingHistory(cut.company, cut.ticker, [*cut.entries, *head.entries]), *rest[1:]]
    return first + rest


def history_rows(kind: str, histories: Iterable) -> list[HistoryRow]:
    """The table rows of a ``guidance`` or ``ratings`` view, each subject's steps oldest first."""
    to_rows = _guidance_history_rows if kind == "guidance" else _rating_history_rows
    return [row for history in histories for row in to_rows(history)]


def _guidance_history_rows(history: GuidanceHistory) -> list[HistoryRow]:
    subject = " · ".join(x for x in (history.company, history.segment, metric_label(history.metric), history.period) if x)
    rows = []
    for step in history.steps:
        value = units.format_value(step.value, step.unit, low=step.low, high=step.high, lang=FIGURE_LANG,
                                   metric=history.metric) or "—"
        arrow = {"up": "↑", "down": "↓"}.get(step.direction or "", "") if step.move in ("narrow", "widen") else ""
        move = f"{MOVE_MARKS.get(step.move, '')} {step.move}{arrow}".strip()
        date = (step.date or "—") + (" (quoted)" if step.quoted else "")
        rows.append(HistoryRow(subject, date, step.broker or "—", value, move,
                               units.format_change(step.change, step.change_unit, lang=FIGURE_LANG),
                               subject, units.midpoint(step.value, step.low, step.high), step.digest_id))
    return rows


def _rating_history_rows(history: RatingHistory) -> list[HistoryRow]:
    subject = f"{history.company} ({history.ticker})" if history.ticker else history.company
    rows = []
    for entry in history.entries:
        target = units.format_value(entry.target_price, entry.currency or "", lang=FIGURE_LANG) or "—"
        move = " ".join(x for x in (entry.rating, units.action_label(entry.action, FIGURE_LANG)) if x)
        rows.append(HistoryRow(subject, entry.date or "—", entry.broker or "—", target, move,
                               units.format_change(entry.target_change_pct, "%", lang=FIGURE_LANG),
                               subject, entry.target_price, entry.digest_id))
    return rows


def chart_lines(rows: Iterable[HistoryRow], series: str) -> list[Line]:
    """The chart of one subject: a line per broker through its plotted values, by date."""
    by_broker: dict[str, list[tuple[str, float]]] = {}
    for row in rows:
        if row.series == series and row.point is not None and not row.date.endswith("(quoted)"):
            by_broker.setdefault(row.broker, []).append((row.date, row.point))
    return [Line(broker, tuple(sorted(points))) for broker, points in sorted(by_broker.items())]
