"""Pane 2, Watchlist: watched companies; for one, its reports, figures by quarter and picks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option
from yanbao.store.units import basis_label
from yanbao.tui.data.company_detail import CompanyDetail
from yanbao.tui.widgets.figures import FIGURE_LANG, metric_label
from yanbao.tui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from yanbao.tui.data.library import Library

__all__ = ["WatchlistPane"]


def views_text(detail: CompanyDetail) -> Text:
    """Each broker's latest rating and target price, then the latest guidance, one per line."""
    text = Text(end="")
    for view in detail.views:
        text.append(clean(view.broker, one_line=True), style="bold")
        text.append(f" {view.date}  ", style="dim")
        text.append(clean(view.rating, one_line=True))
        if view.target:
            text.append(f" · target {view.target}", style="cyan")
        text.append("\n")
    for now in detail.guidance:
        text.append("Guidance ", style="dim")
        text.append(clean(f"{now.figure}: {now.value}", one_line=True))
        text.append(clean(f"  ({now.broker}, {now.date})", one_line=True) + "\n", style="dim")
    return text


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
            yield Static(Text(""), id="watch-views")
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
            self.post_message(self.DetailReady(self.library.company_detail(item)))

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
            self.query_one("#watch-views", Static).update(Text(""))
            return
        self.query_one("#watch-views", Static).update(views_text(detail))
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
