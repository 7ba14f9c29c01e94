"""The Compare pane's history views: guidance revisions or ratings and target prices, a table
of every step and a chart of the highlighted subject with one line per broker."""

from __future__ import annotations

from typing import Any, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable
from textual_plotext import PlotextPlot
from yanbao.tui.data.histories import HistoryRow, Line, chart_lines, history_rows, joined_histories
from yanbao.tui.widgets.safe_text import clean, safe

__all__ = ["HistoryChart", "HistoryView"]

HEADERS = {
    "guidance": ("Guidance", "Date", "Broker", "Range / value", "Move", "Change"),
    "ratings": ("Company", "Date", "Broker", "Target price", "Rating", "Target change"),
}
"""Column names of each history view."""


class HistoryChart(PlotextPlot):
    """Lines over time, one per broker (guidance midpoints, target prices)."""

    def plot_lines(self, title: str, lines: Sequence[Line]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        dates = sorted({date for line in lines for date, _ in line.points})
        biggest = max((abs(v) for line in lines for _, v in line.points), default=0.0)
        scale, word = (1e8, " (亿)") if biggest >= 1e8 else (1.0, "")
        plt.title(clean(title, one_line=True)[:80] + word)  # plotext output is parsed as ANSI: clean text only
        for line in lines:
            xs = [dates.index(date) for date, _ in line.points]
            ys = [value / scale for _, value in line.points]
            plt.plot(xs, ys, marker="braille", label=clean(line.broker, one_line=True)[:20])
            plt.scatter(xs, ys, marker="●")
        if dates:
            plt.xticks(list(range(len(dates))), [d[2:7] if len(d) >= 7 else d for d in dates])
        self.refresh()


class HistoryView(Vertical):
    """A history table (``guidance`` or ``ratings``) and its chart; rows come from the pane."""

    DEFAULT_CSS = """
    HistoryView { height: 1fr; }
    HistoryView > #history-table { height: 1fr; min-height: 4; }
    HistoryView > HistoryChart { height: 14; }
    """

    AHEAD = 100
    """``NearTheEnd`` is posted once the cursor is this many rows from the last one shown."""

    class NearTheEnd(Message):
        """The cursor came near the last row shown: the next page may be read."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kind = "guidance"
        self.histories: list[Any] = []
        self.rows: list[HistoryRow] = []

    def compose(self) -> ComposeResult:
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield HistoryChart(id="history-chart")

    def show(self, kind: str, histories: list[Any]) -> None:
        """Show ``histories`` (guidance or rating histories, as ``kind`` says); a subject's name
        shows on its first row only."""
        table = self.query_one("#history-table", DataTable)
        self.kind, self.histories = kind, histories
        self.rows = rows = history_rows(kind, histories)
        table.clear(columns=True)
        table.add_columns(*HEADERS[kind])
        self._add_rows(table, rows, None)
        self._chart(0)

    def append(self, histories: list[Any]) -> None:
        """Add the next page of the histories shown (the first may go on the last shown's
        subject: it shows as one subject)."""
        rows = history_rows(self.kind, histories)
        # a ratings page may cut a company in two; a guidance page holds whole histories
        self.histories = (joined_histories(self.histories, histories) if self.kind == "ratings"
                          else self.histories + histories)
        previous = self.rows[-1].subject if self.rows else None
        self.rows += rows
        self._add_rows(self.query_one("#history-table", DataTable), rows, previous)
        self._chart(self.query_one("#history-table", DataTable).cursor_row)

    @staticmethod
    def _add_rows(table: DataTable, rows: list[HistoryRow], previous: str | None) -> None:
        for row in rows:
            move = Text(row.move)
            if "▲" in row.move or row.change.startswith("+"):
                move.stylize("green")
            elif "▼" in row.move or row.change.startswith("-"):
                move.stylize("red")
            table.add_row(
                safe(row.subject if row.subject != previous else "", one_line=True),
                safe(row.date, one_line=True), safe(row.broker, one_line=True),
                safe(row.value, one_line=True), move, safe(row.change, one_line=True),
            )
            previous = row.subject

    @property
    def highlighted(self) -> HistoryRow | None:
        table = self.query_one("#history-table", DataTable)
        return self.rows[table.cursor_row] if 0 <= table.cursor_row < len(self.rows) else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._chart(event.cursor_row)
        if event.cursor_row >= len(self.rows) - self.AHEAD:
            self.post_message(self.NearTheEnd())

    def _chart(self, index: int) -> None:
        chart = self.query_one(HistoryChart)
        if not 0 <= index < len(self.rows):
            chart.plot_lines("Nothing to chart", [])
            return
        series = self.rows[index].series
        chart.plot_lines(series, chart_lines(self.rows, series))

    def export_subject(self) -> tuple[str, list[Any]]:
        """What ``e`` exports from this view: its kind and histories."""
        return self.kind, list(self.histories)
