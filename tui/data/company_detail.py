"""Everything the library says about one watched company: the reports naming it, its figures
pivoted by quarter (a ``*`` marks a cell two reports disagree on), each broker's latest rating
and target price, and its latest guidance."""

from __future__ import annotations

import contextlib
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Collection, Iterable, Sequence

import orjson

from yanbao.store import units
from yanbao.store.compare import period_sort_key
from yanbao.store.model import CompanyRating, DigestError
from yanbao.tui.data.figure_text import FIGURE_LANG, format_figure, format_metric_value, metric_label

if TYPE_CHECKING:
    from yanbao.store.company_reports import CompanyReportList
    from yanbao.store.model import Digest, Metric

__all__ = ["BrokerView", "CompanyDetail", "DetailFold", "GuidanceNow", "company_detail", "company_names"]


@dataclass
class CompanyDetail:
    """Everything the library says about one company."""

    name: str
    # (digest, recommended), newest first: every report, or (from the library) the newest
    # window of ``report_numbers``, the rest read as the list scrolls (``Library.report_window``)
    reports: list[tuple[Digest, bool]] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    figures: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)
    # per figure and period, the report stating the value shown and what it says (value,
    # unit, low, high): where ``o`` opens the source
    sources: dict[tuple[str, str, str], dict[str, tuple[str, tuple]]] = field(default_factory=dict)
    views: list[BrokerView] = field(default_factory=list)  # latest rating per broker, newest first
    guidance: list[GuidanceNow] = field(default_factory=list)  # latest guidance per figure
    # every report's catalog number, newest first (None: ``reports`` is all of them)
    report_numbers: list[int] | None = None
    recommended: set[int] = field(default_factory=set)  # the numbers of those recommending it
    reading: int = 0  # reports whose figures are still being read (the figures shown miss them)

    @property
    def report_count(self) -> int:
        """How many reports are the company's (not only those read so far)."""
        return len(self.report_numbers) if self.report_numbers is not None else len(self.reports)

    @property
    def picks(self) -> int:
        """How many of them recommend it."""
        if self.report_numbers is not None:
            return len(self.recommended)
        return sum(1 for _, recommended in self.reports if recommended)


@dataclass(frozen=True)
class BrokerView:
    """A broker's latest rating and target price for the company."""

    broker: str
    date: str
    rating: str
    target: str  # "720 港元", or "" when the report gives none


@dataclass(frozen=True)
class GuidanceNow:
    """The latest guidance the library holds for one of the company's figures."""

    figure: str  # "资本开支 · 2025"
    value: str
    broker: str
    date: str


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


def company_detail(digests: Sequence[Digest], item: Any, lang: str = FIGURE_LANG) -> CompanyDetail:
    """Reports naming the company (newest first) and its figures pivoted by quarter."""
    names = company_names(item)
    detail = CompanyDetail(str(item.name))
    periods: set[str] = set()
    # What the value shown in each cell says (value, unit, range): a later statement saying
    # the same is not formatted again, and a cell once marked ``*`` formats nothing more.
    said: dict[tuple, tuple] = {}
    own: dict[int, list[Metric]] = {}  # each listed report's figures of the company
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
            own[id(digest)] = mine
        for metric in mine:
            period = metric.period or digest.period or "—"
            periods.add(period)
            figure = (metric.segment or "", metric.metric, metric.basis)
            row = detail.figures.setdefault(figure, {})
            says = (metric.value, metric.unit, metric.low, metric.high)
            if period not in row:  # digests come newest first: the latest report wins
                row[period] = format_metric_value(metric, lang)
                said[figure, period] = says
                detail.sources.setdefault(figure, {})[period] = (digest.id, says)
            elif (not row[period].endswith("*") and said[figure, period] != says
                  and row[period] != format_metric_value(metric, lang)):
                row[period] += "*"  # another report disagrees
    detail.reports.sort(key=lambda pair: pair[0].date or "", reverse=True)
    detail.periods = sorted(periods)
    detail.views, detail.guidance = _latest_views(detail.reports, names, lang, own)
    return detail


def _latest_views(
    reports: list[tuple[Digest, bool]], names: set[str], lang: str = FIGURE_LANG,
    own: dict[int, list[Metric]] | None = None,
) -> tuple[list[BrokerView], list[GuidanceNow]]:
    """Each broker's latest rating and target, and each guidance figure's latest value, from
    ``reports`` (newest first); ``own``: each report's figures of the company, when known."""
    views: dict[str, BrokerView] = {}
    guidance: dict[tuple, GuidanceNow] = {}
    for digest, _ in reports:
        broker = digest.broker or "—"
        for r in digest.company_ratings:
            if broker not in views and ({r.company.casefold(), (r.ticker or "").casefold()} & names):
                target = units.format_value(r.target_price, r.currency or "", lang=lang) if r.target_price else ""
                views[broker] = BrokerView(broker, digest.date or "—", r.rating, target or "")
        mine = own.get(id(digest)) if own is not None else None
        if mine is None:
            mine = [m for m in digest.metrics
                    if (m.company and m.company.casefold() in names) or (m.ticker and m.ticker.casefold() in names)]
        for m in mine:
            if (m.basis == "guidance" or m.metric.endswith("_guidance")) and m.basis != "consensus":
                key = (m.segment, m.metric.removesuffix("_guidance"), m.period)
                if key not in guidance:
                    figure = " · ".join(x for x in (m.segment, metric_label(m.metric, lang), m.period) if x)
                    guidance[key] = GuidanceNow(figure, format_metric_value(m, lang), broker, digest.date or "—")
    # Guidance for what is still ahead: periods from the newest report's own period on.
    newest = next((d.period for d, _ in reports if d.period), None)
    ahead = [(key, now) for key, now in guidance.items()
             if newest is None or key[2] is None or period_sort_key(key[2]) >= period_sort_key(newest[:4] if len(key[2]) == 4 else newest)]
    return list(views.values()), [now for _, now in sorted(ahead, key=lambda kv: (kv[1].figure, period_sort_key(kv[0][2])))]


def _names(company: str | None, ticker: str | None, names: set[str]) -> bool:
    """True when a figure filed under ``company`` (and ``ticker``) is the company's."""
    return bool((company and company.casefold() in names) or (ticker and ticker.casefold() in names))


def _strings(view: BrokerView | GuidanceNow) -> tuple[str, ...]:
    """A view's fields in order (``astuple`` without its deep copy: they are strings)."""
    return tuple(view.__dict__.values())


class DetailFold:
    """What ``company_detail`` shows of a company's figures and ratings, folded one report at
    a time in any order and kept between openings (``to_blob``): each cell's latest
    statement — latest by (date, title, id), then first in the report, the order
    ``company_detail`` reads the library's reports in — with whether another statement's
    value differs; each broker's latest rating; each guidance figure's latest value. A
    report added later folds in; one taken out needs a new fold."""

    def __init__(self, lang: str = FIGURE_LANG) -> None:
        self.lang = lang
        self.cells: dict[tuple, list] = {}  # (figure, period) -> [key, says, shown, starred]
        self.views: dict[str, tuple[tuple, BrokerView]] = {}
        self.guidance: dict[tuple, tuple[tuple, GuidanceNow]] = {}
        # reports folded in with ratings but no figure of the company: id -> their ratings
        self.no_figures: dict[str, list[tuple[tuple, BrokerView]]] = {}

    def add(self, digest: Digest, names: set[str]) -> None:
        """Fold in one report's statements about the company (``names``: its casefolded names)."""
        statements = [(m.metric, m.period, m.value, m.unit, m.segment, m.basis, m.low, m.high, None, None, None, None)
                      for m in digest.metrics if _names(m.company, m.ticker, names)]
        self._add_report((digest.date or "", digest.title, digest.id), digest.broker, digest.period, statements,
                         digest.company_ratings, names)

    def add_entries(self, entries: Iterable[list], names: set[str]) -> None:
        """Fold in figure rows as ``DigestStore.figure_entries`` gives them, a report's rows
        together in the order read (as ``company_views`` makes a report of them), without
        making a figure of each statement: a company in a third of 100,000 reports folds in
        a third of the time."""
        reports: dict[str, list] = {}
        for digest_id, title, broker, date, period, _language, company, ticker, rows, rated in entries:
            report = reports.get(digest_id)
            if report is None:
                report = reports[digest_id] = [(date or "", title, digest_id), broker, period, [], []]
            try:
                if _names(company, ticker, names):
                    report[3] += rows
                report[4] += [CompanyRating.from_dict(r) for r in rated]
            except (DigestError, AttributeError, TypeError, ValueError, KeyError):
                continue
        for base, broker, period, statements, ratings in reports.values():
            with contextlib.suppress(TypeError, ValueError):  # a damaged row: the report's rest is not read
                self._add_report(base, broker, period, statements, ratings, names)

    def _add_report(self, base: tuple[str, str, str], broker: str | None, period: str | None,
                    statements: list[tuple], ratings: list[CompanyRating], names: set[str]) -> None:
        """One report's statements of the company's figures, as the figures table packs them
        (``aggregates._PACKED``: a unit or basis left out is % or actual), in the report's
        order, and its ratings (any company's: those of the company count). ``base``:
        (date or "", title, id)."""
        lang, date = self.lang, base[0] or "—"
        broker = broker or "—"
        position = 0
        for metric, stated, value, unit, segment, basis, low, high, _consensus, _vs, _fiscal, _prev in statements:
            unit, basis = unit or "%", basis or "actual"
            position -= 1
            key = (*base, position)
            cell_key = ((segment or "", metric, basis), stated or period or "—")
            says = (value, unit, low, high)
            cell = self.cells.get(cell_key)
            if cell is None:
                self.cells[cell_key] = [key, says, format_figure(value, unit, low, high, lang), False]
            elif key > cell[0]:  # the new latest: another value shown, marked if any other differs
                shown = cell[2] if says == cell[1] else format_figure(value, unit, low, high, lang)
                cell[:] = [key, says, shown, cell[3] or shown != cell[2]]
            elif not cell[3] and says != cell[1]:
                cell[3] = format_figure(value, unit, low, high, lang) != cell[2]
            if (basis == "guidance" or metric.endswith("_guidance")) and basis != "consensus":
                gkey = (segment, metric.removesuffix("_guidance"), stated)
                kept = self.guidance.get(gkey)
                if kept is None or key > kept[0]:
                    figure = " · ".join(x for x in (segment, metric_label(metric, lang), stated) if x)
                    self.guidance[gkey] = (key, GuidanceNow(figure, format_figure(value, unit, low, high, lang),
                                                            broker, date))
        rated = []
        for k, r in enumerate(ratings):
            if {r.company.casefold(), (r.ticker or "").casefold()} & names:
                target = units.format_value(r.target_price, r.currency or "", lang=lang) if r.target_price else ""
                rated.append(((*base, -k), BrokerView(broker, date, r.rating, target or "")))
        if not position:  # its ratings count only if it names the company (known when shown)
            self.no_figures[base[2]] = rated
            return
        self._rate(self.views, rated)

    @staticmethod
    def _rate(views: dict[str, tuple[tuple, BrokerView]], rated: list[tuple[tuple, BrokerView]]) -> None:
        for key, view in rated:
            kept = views.get(view.broker)
            if kept is None or key > kept[0]:
                views[view.broker] = (key, view)

    def detail(self, name: str, reports: list[tuple[Digest, bool]], listed: CompanyReportList | None = None
               ) -> CompanyDetail:
        """The company's detail: ``reports`` (newest first) with the folded figures; or,
        with ``listed`` (every report of the company), a window of them, the newest first."""
        detail = CompanyDetail(name, reports)
        if listed is not None:
            detail.report_numbers, detail.recommended = listed.numbers, listed.recommended
            rated: Collection[str] = listed.rated
            newest = listed.newest_period
        else:
            rated = {digest.id for digest, _ in reports}
            newest = next((d.period for d, _ in reports if d.period), None)
        for (figure, period), (key, says, shown, starred) in self.cells.items():
            detail.figures.setdefault(figure, {})[period] = shown + "*" if starred else shown
            detail.sources.setdefault(figure, {})[period] = (key[2], says)  # key: (date, title, id, position)
        detail.periods = sorted({period for _figure, period in self.cells})
        views = dict(self.views)
        for digest_id, ratings in self.no_figures.items():
            if digest_id in rated:  # the ratings of a report without figures count when it is listed
                self._rate(views, ratings)
        detail.views = [view for _key, view in sorted(views.values(), key=lambda kv: kv[0], reverse=True)]
        ahead = [(key, now) for key, (_k, now) in self.guidance.items()
                 if newest is None or key[2] is None
                 or period_sort_key(key[2]) >= period_sort_key(newest[:4] if len(key[2]) == 4 else newest)]
        detail.guidance = [now for _, now in sorted(ahead, key=lambda kv: (kv[1].figure, period_sort_key(kv[0][2])))]
        return detail

    def to_blob(self) -> bytes:
        return zlib.compress(orjson.dumps([
            self.lang,
            [[*figure, period, list(key), list(says), shown, starred]
             for (figure, period), (key, says, shown, starred) in self.cells.items()],
            [[list(key), *_strings(view)] for key, view in self.views.values()],
            [[*gkey, list(key), *_strings(now)] for gkey, (key, now) in self.guidance.items()],
            [[digest_id, [[list(key), *_strings(view)] for key, view in rated]]
             for digest_id, rated in self.no_figures.items()],
        ]), 1)

    @classmethod
    def from_blob(cls, blob: bytes) -> DetailFold:
        lang, cells, views, guidance, no_figures = orjson.loads(zlib.decompress(blob))
        fold = cls(lang)
        fold.cells = {((seg, metric, basis), period): [tuple(key), tuple(says), shown, starred]
                      for seg, metric, basis, period, key, says, shown, starred in cells}
        fold.views = {view[1]: (tuple(view[0]), BrokerView(*view[1:])) for view in views}
        fold.no_figures = {digest_id: [(tuple(v[0]), BrokerView(*v[1:])) for v in rated]
                           for digest_id, rated in no_figures}
        fold.guidance = {(g[0], g[1], g[2]): (tuple(g[3]), GuidanceNow(*g[4:])) for g in guidance}
        return fold
