"""Pane 2, Watchlist: watched companies; for one, its reports, figures by quarter and picks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from yanbao.store.units import basis_label
from yanbao.tui.widgets.figures import FIGURE_LANG, format_metric_value, metric_label
from yanbao.tui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from yanbao.store.model import Digest, Metric
    from yanbao.tui.screens.library import Library

__all__ = ["WatchlistPane", "CompanyDetail", "company_detail", "company_names"]


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


class WatchlistPane(Horizontal):
    """The watched companies beside the detail of the highlighted one."""

    DEFAULT_CSS = """
    WatchlistPane > #watch-list { width: 26; height: 1fr; }
    WatchlistPane > VerticalScroll { padding: 0 1; }
    WatchlistPane .section-title { text-style: bold; color: $accent; margin-top: 1; }
    WatchlistPane DataTable { height: auto; max-height: 14; }
    """

    class DetailReady(Message):
        """A company's detail was computed in the worker."""

        def __init__(self, detail: CompanyDetail) -> None:
            super().__init__()
            self.detail = detail

    class OpenReport(Message):
        """Enter on one of the company's reports: show it in the Key points pane."""

        def __init__(self, digest_id: str) -> None:
            super().__init__()
            self.digest_id = digest_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[Any] = []
        self.library: Library | None = None
        self._report_ids: list[str] = []

    def compose(self) -> ComposeResult:
        yield OptionList(id="watch-list")
        with VerticalScroll(id="watch-detail"):
            yield Static(Text("No company watched yet: press w to add one.", style="dim italic"), id="watch-heading")
            yield Static(Text("Reports naming it"), classes="section-title")
            reports: DataTable[Any] = DataTable(id="watch-reports", cursor_type="row", zebra_stripes=True)
            reports.add_columns("Date", "Broker", "Period", "Pick", "Title")
            yield reports
            yield Static(Text("Figures by quarter"), classes="section-title")
            yield DataTable(id="watch-figures", cursor_type="row", zebra_stripes=True)

    @property
    def highlighted_item(self) -> Any | None:
        """The watched company under the list's cursor."""
        option_list = self.query_one("#watch-list", OptionList)
        index = option_list.highlighted
        if index is not None and 0 <= index < len(self.items):
            return self.items[index]
        return None

    def set_data(self, items: Sequence[Any], library: Library, *, keep: str | None = None) -> None:
        """Show a new watchlist; each company's reports are asked of ``library`` when shown."""
        current = keep or (self.highlighted_item.name if self.highlighted_item else None)
        self.items = list(items)
        self.library = library
        option_list = self.query_one("#watch-list", OptionList)
        option_list.clear_options()
        option_list.add_options(
            Option(safe(f"{item.name}" + (f"  {item.ticker}" if item.ticker else ""), one_line=True))
            for item in self.items
        )
        if self.items:
            names = [item.name for item in self.items]
            option_list.highlighted = names.index(current) if current in names else 0
        else:
            self._show(None)

    @on(OptionList.OptionHighlighted, "#watch-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        item = self.highlighted_item
        if item is not None:
            self._compute(item)

    @work(thread=True, exclusive=True, exit_on_error=False, group="watch-detail")
    def _compute(self, item: Any) -> None:
        if self.library is not None:
            self.post_message(self.DetailReady(company_detail(self.library.digests_naming(item), item)))

    def on_watchlist_pane_detail_ready(self, message: DetailReady) -> None:
        message.stop()
        self._show(message.detail)

    @on(DataTable.RowSelected, "#watch-reports")
    def _report_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._report_ids):
            self.post_message(self.OpenReport(self._report_ids[event.cursor_row]))

    def _show(self, detail: CompanyDetail | None) -> None:
        heading = self.query_one("#watch-heading", Static)
        reports = self.query_one("#watch-reports", DataTable)
        figures = self.query_one("#watch-figures", DataTable)
        reports.clear()
        figures.clear(columns=True)
        self._report_ids = [digest.id for digest, _ in detail.reports] if detail else []
        if detail is None:
            heading.update(Text("No company watched yet: press w to add one.", style="dim italic"))
            return
        picks = sum(1 for _, recommended in detail.reports if recommended)
        title = safe(detail.name, "bold", one_line=True)
        title.append(f"  {len(detail.reports)} reports, recommended in {picks}", style="dim")
        heading.update(title)
        for digest, recommended in detail.reports:
            reports.add_row(
                Text(digest.date or "—"),
                safe(digest.broker or "—", one_line=True),
                Text(digest.period or "—"),
                Text("✓ pick", style="green bold") if recommended else Text(""),
                safe(digest.title, one_line=True),
            )
        figures.add_column("Figure")
        for period in detail.periods:
            figures.add_column(period)
        for (segment, metric, basis), cells in sorted(detail.figures.items()):
            shown_basis = basis_label(basis, FIGURE_LANG) if basis != "actual" and basis not in metric else ""
            label = " · ".join(p for p in (segment, metric_label(metric), shown_basis) if p)
            figures.add_row(safe(label, one_line=True), *(Text(clean(cells.get(p, "")), style="") for p in detail.periods))
