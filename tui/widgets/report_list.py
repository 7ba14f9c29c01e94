"""The report list: a Line-API widget that draws only the rows on screen.

With 10,000 reports a widget per row, or a fully built DataTable, takes seconds; here
each row is rendered from its summary when it scrolls into view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Mapping, Sequence

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from yanbao.tui.data.settings import SORT_FIELDS
from yanbao.tui.widgets.safe_text import clean, fit

__all__ = ["ReportList", "ReportListHeader", "Columns", "SORT_KEYS", "sort_summaries", "filter_summaries", "header_text"]

SORT_KEYS = SORT_FIELDS
"""The columns the list can be sorted by, in the order `s` cycles through them."""


@dataclass(frozen=True)
class Columns:
    """Cell widths of the list's columns for a given total width."""

    date: int = 10
    broker: int = 10
    period: int = 6
    title: int = 20

    @classmethod
    def for_width(cls, width: int) -> Columns:
        """Give the title whatever the fixed columns leave (at least 8 cells); a wide list
        gives the broker up to 18 cells, so "Kestrelmoor Securities" is not "Kestrelmo…"."""
        # Columns keep their widths for a given width so the header always lines up. The
        # period column fits "Period▼" (the sort arrow) as well as "2025Q1".
        broker = 10 + max(0, min(8, (width - 70) // 5))
        title = max(8, width - (1 + 10 + 1 + broker + 1 + 7 + 1))
        return cls(10, broker, 7, title)

    def line(self, date: str, broker: str, period: str, title: str) -> str:
        """One row laid out in cells, so that Chinese columns line up."""
        return " ".join(
            ("", fit(date, self.date), fit(broker, self.broker), fit(period, self.period), fit(title, self.title))
        )


def header_text(width: int, sort_key: str, reverse: bool) -> str:
    """The column header line, with an arrow on the sort column."""
    arrow = "▼" if reverse else "▲"
    names = {key: (f"{key.title()}{arrow}" if key == sort_key else key.title()) for key in SORT_KEYS}
    return Columns.for_width(width).line(names["date"], names["broker"], names["period"], names["title"])


def _sort_value(summary: Any, key: str) -> str:
    value = getattr(summary, key, None)
    return "" if value is None else str(value)


def sort_summaries(rows: Sequence[Any], key: str = "date", reverse: bool = True) -> list[Any]:
    """Rows sorted by one column; ties fall back to date, newest first."""
    by_date = sorted(rows, key=lambda s: _sort_value(s, "date"), reverse=True)
    if key == "date":
        return by_date if reverse else list(reversed(by_date))
    return sorted(by_date, key=lambda s: _sort_value(s, key).casefold(), reverse=reverse)


def filter_summaries(
    rows: Sequence[Any], query: str, ids: set[str] | None = None,
    company_names: Mapping[str, frozenset[str]] | None = None,
) -> list[Any]:
    """Rows matching a filter such as ``broker:华安 period:2025Q1 company:Tencent cloud``.

    ``broker:``, ``period:`` and ``company:`` match their field; bare words match the
    title, broker, period or companies. ``ids`` (a search result) narrows further.
    ``company_names`` maps a ``company:`` value to every name of its company (the
    registry's, see ``tui.data.company_names``), so ``company:腾讯`` finds Tencent.
    """
    if not query.split():  # nothing but a search to filter by: never touch the rows' company details
        return list(rows) if ids is None else [s for s in rows if s.id in ids]
    terms: list[tuple[str, str]] = []
    for word in query.split():
        field_name, sep, value = word.partition(":")
        if sep and field_name.lower() in ("broker", "period", "company") and value:
            terms.append((field_name.lower(), value.casefold()))
        else:
            terms.append(("any", word.casefold()))

    def matches(summary: Any) -> bool:
        broker = (summary.broker or "").casefold()
        period = (summary.period or "").casefold()
        companies = " ".join(summary.companies or ()).casefold()
        for field_name, value in terms:
            if field_name == "broker" and value not in broker:
                return False
            if field_name == "period" and value not in period:
                return False
            if field_name == "company" and value not in companies:
                names = company_names.get(value) if company_names else None
                if not names or names.isdisjoint(k.casefold() for k in summary.company_keys):
                    return False
            if field_name == "any" and not any(
                value in part for part in (summary.title.casefold(), broker, period, companies)
            ):
                return False
        return True

    return [s for s in rows if (ids is None or s.id in ids) and matches(s)]


class ReportListHeader(Widget):
    """The column names above the list, laid out for the header's own width."""

    DEFAULT_CSS = """
    ReportListHeader { height: 1; text-style: bold; color: $text-muted; background: $boost; }
    """

    sort_key: reactive[str] = reactive("date")
    """The column the list is sorted by (marked with an arrow)."""

    sort_reverse: reactive[bool] = reactive(True)
    """True when the sort is descending."""

    def render(self) -> Text:
        return Text(header_text(self.size.width, self.sort_key, self.sort_reverse), no_wrap=True, end="")


class ReportList(ScrollView, can_focus=True):
    """Reports newest first: date, broker, period, title; one line each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, tooltip="Previous report"),
        Binding("down,j", "cursor_down", "Down", show=False, tooltip="Next report"),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "open", "Open", show=False, tooltip="Open the report in the Key points pane"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"report-list--cursor", "report-list--empty", "report-list--unread"}

    DEFAULT_CSS = """
    ReportList { height: 1fr; }
    ReportList > .report-list--cursor { background: $block-cursor-blurred-background; }
    ReportList:focus > .report-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    ReportList > .report-list--empty { color: $text-muted; text-style: italic; }
    ReportList > .report-list--unread { text-style: bold; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)
    """Index of the highlighted row in the shown rows."""

    empty_message: reactive[str] = reactive("Loading reports…")
    """What to say when there are no rows to show."""

    class _ReportMessage(Message):
        """A message about one report of the list."""

        def __init__(self, report_list: ReportList, summary: Any) -> None:
            super().__init__()
            self.report_list = report_list
            self.summary = summary

        @property
        def control(self) -> ReportList:
            return self.report_list

    class Highlighted(_ReportMessage):
        """The cursor moved onto a report."""

    class Opened(_ReportMessage):
        """Enter was pressed (or a row clicked twice) on a report."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: list[Any] = []
        self._lines: dict[int, str] = {}  # cache of laid-out row text, cleared on resize
        self._line_width = 0
        self._unread: set[str] = set()  # shown with a dot, in bold
        self._starred: set[str] = set()  # shown with a star before the title

    def set_marks(self, unread: set[str], starred: set[str]) -> None:
        """Which reports are new (a dot and bold) and which are starred (★)."""
        if unread != self._unread or starred != self._starred:
            self._unread, self._starred = set(unread), set(starred)
            self._lines.clear()
            self.refresh()

    def is_unread(self, index: int) -> bool:
        return 0 <= index < len(self._rows) and self._rows[index].id in self._unread

    @property
    def rows(self) -> list[Any]:
        """The summaries shown, in order."""
        return self._rows

    @property
    def highlighted(self) -> Any | None:
        """The summary under the cursor, if any."""
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def set_rows(self, rows: Sequence[Any], *, keep_id: str | None = None) -> None:
        """Show ``rows``; keep the cursor on ``keep_id`` when it is among them."""
        self._rows = list(rows)
        self._lines.clear()
        self.virtual_size = Size(0, len(self._rows))
        index = 0
        if keep_id is not None:
            index = next((i for i, s in enumerate(self._rows) if s.id == keep_id), 0)
        self.cursor = index
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._lines.clear()
        self.virtual_size = Size(0, len(self._rows))
        self.call_after_refresh(self._scroll_to_cursor)

    def _scroll_to_cursor(self) -> None:
        if self._rows:
            self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, force=True, immediate=True)

    def _row_text(self, index: int, width: int) -> str:
        if width != self._line_width:
            self._lines.clear()
            self._line_width = width
        text = self._lines.get(index)
        if text is None:
            s = self._rows[index]
            text = Columns.for_width(width).line(
                clean(s.date or "—", one_line=True),
                clean(s.broker or "—", one_line=True),
                clean(s.period or "—", one_line=True),
                ("★ " if s.id in self._starred else "") + clean(s.title, one_line=True),
            )
            if s.id in self._unread:  # the line's first cell is a blank gutter: the dot goes there
                text = "●" + text[1:]
            text = fit(text, width)
            self._lines[index] = text
        return text

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not self._rows:
            if y == 0:
                style = base + self.get_component_rich_style("report-list--empty")
                return Strip([Segment(fit(" " + self.empty_message, width), style)], width)
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        style = base
        if self._rows[index].id in self._unread:
            style = base + self.get_component_rich_style("report-list--unread")
        if index == self.cursor:
            style = style + self.get_component_rich_style("report-list--cursor")
        return Strip([Segment(self._row_text(index, width), style)], width)

    def watch_cursor(self, old: int, new: int) -> None:
        if not self._rows:
            return
        clamped = max(0, min(new, len(self._rows) - 1))
        if clamped != new:
            self.cursor = clamped
            return
        # Only the two lines whose look changed are redrawn (scrolling redraws the rest).
        self.refresh_line(old)
        self.refresh_line(new)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self, self._rows[new]))

    def action_cursor_up(self) -> None:
        if self.cursor > 0:
            self.cursor -= 1

    def action_cursor_down(self) -> None:
        if self.cursor < len(self._rows) - 1:
            self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor = max(0, self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self.cursor = min(len(self._rows) - 1, self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(0, len(self._rows) - 1)

    def action_open(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Opened(self, self.highlighted))

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self._rows):
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self.cursor = index

    def watch_empty_message(self) -> None:
        self.refresh()
