"""Pane 2, Watchlist: watched companies; for one, its reports, figures by quarter and picks.

A company that is not watched can be shown here too (the palette's jump to a company):
it sits below the watched ones, marked "not watched", with the same detail, until it is
watched (``w``) or another one takes its place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker
from yanbao.store.units import basis_label
from yanbao.tui.data.company_detail import CompanyDetail, company_names
from yanbao.tui.data.company_names import closest_names, company_keys, registry_name
from yanbao.tui.widgets.fitted_table import Column, append_fitted, fill_fitted
from yanbao.tui.widgets.figures import FIGURE_LANG, metric_label
from yanbao.tui.widgets.scroll import ScrollWhenNeeded
from yanbao.tui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from yanbao.tui.data.library import Library

__all__ = ["WatchlistPane"]

REPORT_COLUMNS = [
    Column("Date", value=True),
    Column("Broker", shrink_order=0, floor=12),
    Column("Period", value=True),
    Column("Pick", value=True),
    Column("Title", shrink_order=1, floor=12),
]
"""A watched company's reports: a long broker name gives up cells first, then the title."""

REPORT_PAGE = 200
"""A company's reports read at a time as its list scrolls (the first window: ``REPORT_WINDOW``)."""
REPORT_AHEAD = 40
"""The next page is read when the cursor or the view comes this close to the last row read."""
QUIET_FOLD = 250
"""A company whose figures need more reports read than this shows its report list first."""


def views_text(detail: CompanyDetail) -> Text:
    """Each broker's latest rating and target price, then the latest guidance, one per line."""
    text = Text(end="")
    if detail.reading:
        text.append(f"Reading the figures of {detail.reading:,} reports…\n", style="dim italic")
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

    class MoreReports(Message):
        """More of a company's report list was read (``None``: the read failed)."""

        def __init__(self, detail: CompanyDetail, start: int, reports: list[tuple[Any, bool]] | None) -> None:
            super().__init__()
            self.detail = detail
            self.start = start
            self.reports = reports

    class Changed(Message):
        """The watchlist was changed (or a change was refused); ``note`` says how."""

        def __init__(self, items: list[Any], note: str, keep: str | None = None) -> None:
            super().__init__()
            self.items = items
            self.note = note
            self.keep = keep

    class Failed(Message):
        """The store could not be changed or read."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class Unsure(Message):
        """A name neither the registry nor the library knows: ask before watching it."""

        def __init__(self, name: str, suggestions: list[str]) -> None:
            super().__init__()
            self.name = name
            self.suggestions = suggestions

    class OpenReport(Message):
        """Enter on one of the company's reports: show it in the Key points pane."""

        def __init__(self, digest_id: str) -> None:
            super().__init__()
            self.digest_id = digest_id

    def __init__(self, library: Library | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[Any] = []
        self.library: Library | None = library
        self._report_ids: list[str] = []
        self._figure_keys: list[tuple] = []  # the figures table's rows: (segment, metric, basis)
        self._detail: CompanyDetail | None = None
        self._reading_more: CompanyDetail | None = None  # the detail whose next page is being read
        self._tables_width = 0
        self.lang = FIGURE_LANG  # the screen's label language
        self.unread: dict[str, int] = {}  # per watched company, the new reports naming it
        self.peeked: Any | None = None  # a company shown without being watched (below the watched)

    def compose(self) -> ComposeResult:
        yield OptionList(id="watch-list")
        with ScrollWhenNeeded(id="watch-detail"):
            yield Static(Text("No company watched yet: press w to add one.", style="dim italic"), id="watch-heading")
            yield Static(Text("Reports naming it"), classes="section-title")
            yield DataTable(id="watch-reports", cursor_type="row", zebra_stripes=True)
            yield Static(Text(""), id="watch-views")
            yield Static(Text("Figures by quarter"), classes="section-title")
            yield DataTable(id="watch-figures", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        reports = self.query_one("#watch-reports", DataTable)
        # (``self.watch`` watches a company: the table watches its own scrolling for us)
        reports.watch(reports, "scroll_y", lambda y: self._want_more(int(y) + reports.scrollable_content_region.height),
                      init=False)

    @property
    def shown(self) -> list[Any]:
        """The companies in the list: the watched ones, then the one shown unwatched."""
        return [*self.items, self.peeked] if self.peeked is not None else list(self.items)

    @property
    def highlighted_item(self) -> Any | None:
        """The company under the list's cursor (watched, or the one shown unwatched)."""
        option_list = self.query_one("#watch-list", OptionList)
        index = option_list.highlighted
        shown = self.shown
        if index is not None and 0 <= index < len(shown):
            return shown[index]
        return None

    @property
    def highlighted_figure(self) -> tuple[str, set[str], tuple, str, tuple] | None:
        """With the figures table focused, the highlighted figure's latest statement: (the
        stating report's id, the company's names, the figure, its period, what it says) —
        where ``o`` opens the source."""
        table = self.query_one("#watch-figures", DataTable)
        detail, item = self._detail, self.highlighted_item
        if detail is None or item is None or not table.has_focus or not 0 <= table.cursor_row < len(self._figure_keys):
            return None
        figure = self._figure_keys[table.cursor_row]
        sources = detail.sources.get(figure, {})
        period = next((p for p in reversed(detail.periods) if p in sources), None)
        if period is None:
            return None
        digest_id, says = sources[period]
        return digest_id, company_names(item), figure, period, says

    @property
    def highlighted_unwatched(self) -> bool:
        """True when the cursor is on the company shown without being watched."""
        item = self.highlighted_item
        return item is not None and item is self.peeked

    def _watched(self, name: str) -> Any | None:
        """The watched company ``name`` stands for (any alias or ticker), else None."""
        keys = company_keys(name)
        return next((i for i in self.items if keys & {i.name.casefold(), (i.ticker or "").casefold()}), None)

    def set_data(self, items: Sequence[Any], library: Library, *, keep: str | None = None) -> None:
        """Show a new watchlist; each company's reports are asked of ``library`` when shown."""
        current = keep or (self.highlighted_item.name if self.highlighted_item else None)
        old_index = self.query_one("#watch-list", OptionList).highlighted or 0
        self.items = list(items)
        self.library = library
        if self.peeked is not None:
            watched = self._watched(self.peeked.name)
            if watched is not None:  # watched now: the watched entry takes its place
                current = watched.name if current == self.peeked.name else current
                self.peeked = None
        self._fill_list(current, old_index)

    def _fill_list(self, current: str | None, old_index: int = 0) -> None:
        option_list = self.query_one("#watch-list", OptionList)
        option_list.clear_options()
        option_list.add_options(Option(self._label(item)) for item in self.items)
        if self.peeked is not None:
            option_list.add_option(Option(self._peek_label(self.peeked)))
        shown = self.shown
        if shown:
            names = [item.name for item in shown]
            # The same company, else the row where it was (after a removal, its neighbour).
            option_list.highlighted = names.index(current) if current in names else min(old_index, len(names) - 1)
        else:
            self._show(None)

    def highlight(self, name: str) -> bool:
        """Put the cursor on the watched company ``name`` stands for (any alias or ticker);
        False when it is not watched."""
        watched = self._watched(name)
        if watched is None:
            return False
        self.query_one("#watch-list", OptionList).highlighted = self.items.index(watched)
        return True

    def peek(self, item: Any) -> None:
        """Show ``item`` (a company not watched: name, ticker) below the watched ones, with
        its detail, without watching it; it replaces the one shown before."""
        self.peeked = item
        self._fill_list(item.name)
        self._compute(item)  # the cursor may already have been on that row

    def _peek_label(self, item: Any) -> Text:
        label = safe(f"{item.name}" + (f"  {item.ticker}" if item.ticker else ""), "italic", one_line=True)
        label.append("  not watched (w)", style="dim")
        return label

    def _label(self, item: Any) -> Text:
        label = safe(f"{item.name}" + (f"  {item.ticker}" if item.ticker else ""), one_line=True)
        new = self.unread.get(item.name, 0)
        if new:
            label.append(f"  ● {new} new", style="bold cyan")
        return label

    def set_unread(self, counts: dict[str, int]) -> None:
        """How many new (unread) reports name each watched company, shown beside its name."""
        if counts == self.unread:
            return
        self.unread = dict(counts)
        option_list = self.query_one("#watch-list", OptionList)
        for index, item in enumerate(self.items[:option_list.option_count]):
            option_list.replace_option_prompt_at_index(index, self._label(item))

    # -- changing the watchlist (workers: the store writes to disk) -------------------------
    def watch(self, name: str, *, confirmed: bool = False) -> None:
        """Add ``name`` to the watchlist; a ``Changed`` message says how it went. A name no
        one knows (a typo) is not added unless ``confirmed``: ``Unsure`` asks first."""
        self._watch(name, confirmed)

    def unwatch(self, name: str) -> None:
        """Remove ``name`` from the watchlist; a ``Changed`` message says how it went."""
        self._unwatch(name)

    @work(thread=True, exclusive=False, exit_on_error=False, group="watchlist")
    def _watch(self, name: str, confirmed: bool) -> None:
        try:
            assert self.library is not None
            items = self.library.watchlist()
            keys = company_keys(name)
            already = next((i for i in items if keys & {i.name.casefold(), (i.ticker or "").casefold()}), None)
            if already is not None:
                shown = name if already.name == name else f"{name} ({already.name})"
                self.post_message(self.Changed(items, f"{shown} is already watched", keep=already.name))
                return
            if not confirmed and registry_name(name) is None:
                summaries = self.library.summaries()
                if not any(k.casefold() in keys for s in summaries for k in s.company_keys):
                    library_names = {n for s in summaries for n in s.companies}
                    self.post_message(self.Unsure(name, closest_names(name, library_names)))
                    return
            item = self.library.watch(name)
            items = self.library.watchlist()
        except Exception as error:
            self.post_message(self.Failed(clean(error, one_line=True)))
            return
        self.post_message(self.Changed(items, f"Watching {item.name}", keep=item.name))

    @work(thread=True, exclusive=False, exit_on_error=False, group="watchlist")
    def _unwatch(self, name: str) -> None:
        try:
            assert self.library is not None
            before = [i.name for i in self.library.watchlist()]
            removed = self.library.unwatch(name)
            items = self.library.watchlist()
        except Exception as error:
            self.post_message(self.Failed(clean(error, one_line=True)))
            return
        # Say it in the user's words; the watched name too when it differs (苹果 → Apple).
        gone = [n for n in before if n not in {i.name for i in items}]
        shown = name if gone in ([], [name]) else f"{name} ({', '.join(gone)})"
        note = f"Stopped watching {shown}" if removed else f"{name} was not on the watchlist"
        self.post_message(self.Changed(items, note))

    @on(OptionList.OptionHighlighted, "#watch-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        item = self.highlighted_item
        if item is not None:
            self._compute(item)

    @work(thread=True, exclusive=True, exit_on_error=False, group="watch-detail")
    def _compute(self, item: Any) -> None:
        if self.library is None:
            return
        worker = get_current_worker()
        # The report list first; figures the kept fold lacks are read after, and when many
        # are missing the list shows meanwhile, saying how many reports are being read.
        detail = self.library.company_detail(item, self.lang, figures=False)
        if detail.reading > QUIET_FOLD and not worker.is_cancelled:
            self.post_message(self.DetailReady(detail))
        if detail.reading:
            detail = self.library.company_detail(item, self.lang, stop=lambda: worker.is_cancelled)
        if not worker.is_cancelled:  # another company was asked for meanwhile
            self.post_message(self.DetailReady(detail))

    def on_watchlist_pane_detail_ready(self, message: DetailReady) -> None:
        message.stop()
        old, new = self._detail, message.detail
        if (old is not None and old.name == new.name and old.report_numbers is not None
                and old.report_numbers == new.report_numbers and len(old.reports) > len(new.reports)):
            new.reports = old.reports  # the figures came: keep the rows read while scrolling
        self._show(new)

    @on(DataTable.RowHighlighted, "#watch-reports")
    def _report_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._want_more(event.cursor_row + 1)

    def _want_more(self, seen: int) -> None:
        """Read the next page of the company's reports when row ``seen`` nears the last read."""
        detail = self._detail
        if detail is None or self._reading_more is detail:
            return
        have = len(detail.reports)
        if have < detail.report_count and seen >= have - REPORT_AHEAD:
            self._reading_more = detail
            self._read_more(detail, have)

    @work(thread=True, exclusive=False, exit_on_error=False, group="watch-more")
    def _read_more(self, detail: CompanyDetail, start: int) -> None:
        reports = None
        try:
            if self.library is not None:
                reports = self.library.report_window(detail, start, start + REPORT_PAGE)
        finally:
            self.post_message(self.MoreReports(detail, start, reports))

    def on_watchlist_pane_more_reports(self, message: MoreReports) -> None:
        message.stop()
        detail = message.detail
        if self._reading_more is detail:
            self._reading_more = None
        if detail is not self._detail or not message.reports or len(detail.reports) != message.start:
            return  # another company, a failed read, or reports taken out since: no more now
        detail.reports.extend(message.reports)
        self._report_ids.extend(digest.id for digest, _ in message.reports)
        table = self.query_one("#watch-reports", DataTable)
        if not append_fitted(table, REPORT_COLUMNS, self._report_rows(message.reports), self._tables_width):
            self._fill_tables()
        self._want_more(max(table.cursor_row + 1, int(table.scroll_y) + table.scrollable_content_region.height))

    @on(DataTable.RowSelected, "#watch-reports")
    def _report_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._report_ids):
            self.post_message(self.OpenReport(self._report_ids[event.cursor_row]))

    def _show(self, detail: CompanyDetail | None) -> None:
        heading = self.query_one("#watch-heading", Static)
        self._detail = detail
        self._report_ids = [digest.id for digest, _ in detail.reports] if detail else []
        self._fill_tables()
        if detail is None:
            heading.update(Text("No company watched yet: press w to add one.", style="dim italic"))
            self.query_one("#watch-views", Static).update(Text(""))
            return
        self.query_one("#watch-views", Static).update(views_text(detail))
        title = safe(detail.name, "bold", one_line=True)
        title.append(f"  {detail.report_count} reports, recommended in {detail.picks}", style="dim")
        if self.peeked is not None and detail.name == self.peeked.name:
            title.append("  · not watched: w watches it", style="italic")
        heading.update(title)

    def set_lang(self, lang: str) -> None:
        """Write the figures in ``lang`` from now on (the highlighted company is redone)."""
        if lang != self.lang:
            self.lang = lang
            item = self.highlighted_item
            if item is not None:
                self._compute(item)

    def on_resize(self, event: events.Resize) -> None:
        if self._detail is not None and self._detail_width() != self._tables_width:
            self._fill_tables()

    def _detail_width(self) -> int:
        return self.query_one("#watch-detail").scrollable_content_region.width

    def _fill_tables(self) -> None:
        """Reports and figures at the detail's width: dates, periods and values whole."""
        detail = self._detail
        width = self._tables_width = self._detail_width()
        reports = self.query_one("#watch-reports", DataTable)
        figures = self.query_one("#watch-figures", DataTable)
        if detail is None:
            self._figure_keys = []
            reports.clear()
            figures.clear(columns=True)
            return
        fill_fitted(reports, REPORT_COLUMNS, self._report_rows(detail.reports), width)
        figure_rows = []
        self._figure_keys = [figure for figure, _cells in sorted(detail.figures.items())]
        for (segment, metric, basis), cells in sorted(detail.figures.items()):
            shown_basis = basis_label(basis, self.lang) if basis != "actual" and basis not in metric else ""
            label = " · ".join(p for p in (segment, metric_label(metric, self.lang), shown_basis) if p)
            figure_rows.append([safe(label, one_line=True), *(Text(clean(cells.get(p, ""))) for p in detail.periods)])
        columns = [Column("Figure", shrink_order=0, floor=8), *(Column(p, value=True) for p in detail.periods)]
        fill_fitted(figures, columns, figure_rows, width)

    @staticmethod
    def _report_rows(reports: Sequence[tuple[Any, bool]]) -> list[list[Text]]:
        return [
            [
                Text(digest.date or "—"),
                safe(digest.broker or "—", one_line=True),
                Text(digest.period or "—"),
                Text("✓ pick", style="green bold") if recommended else Text(""),
                safe(digest.title, one_line=True),
            ]
            for digest, recommended in reports
        ]
