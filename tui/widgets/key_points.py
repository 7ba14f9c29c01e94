"""Pane 1, Key points: the selected report's sections, recommendation and metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static
from yanbao.store.units import basis_label
from yanbao.tui.data.company_names import short_name
from yanbao.tui.widgets.figures import (
    FIGURE_LANG,
    consensus_flag,
    format_metric_value,
    format_number,
    metric_label,
)
from yanbao.tui.widgets.fitted_table import Column, fill_fitted
from yanbao.tui.widgets.key_point_list import KeyPointList
from yanbao.tui.widgets.paragraphs import Paragraphs, ParagraphsStatic
from yanbao.tui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from yanbao.store.model import Digest, KeyPoint, Metric

__all__ = ["KeyPointsPane", "report_heading"]

METRIC_COLUMNS = [
    Column("Company", shrink_order=1, floor=6),
    Column("Segment", shrink_order=0, floor=3),
    Column("Metric", shrink_order=2, floor=6),
    Column("Period", value=True),
    Column("Basis", value=True),
    Column("Value", value=True),
    Column("Consensus", value=True),
    Column("vs", value=True),
]
"""The metrics table: labels give up cells (segment first) so that the values always show."""

COMPACT_WIDTH = 100
"""Below this many cells the value columns use short forms (no fiscal label, ▲ for ▲ above)."""

COMPACT_COLUMNS = [*METRIC_COLUMNS[:6], Column("Cons.", value=True), Column("vs", value=True)]


def report_heading(digest: Digest) -> Text:
    """Title on one line, then broker · date · period · sector rating · analysts."""
    text = safe(digest.title, "bold", one_line=True)
    meta = [digest.broker or "—", digest.date or "no date", digest.period or "no period"]
    if digest.rating.sector:
        meta.append(f"sector: {digest.rating.sector}")
    if digest.analysts:
        meta.append(", ".join(a.name for a in digest.analysts))
    text.append("\n")
    text.append(clean(" · ".join(meta), one_line=True), style="dim")
    picks = [c.name for c in digest.recommended]
    if picks:
        text.append("\nRecommended: ", style="bold")
        text.append(clean(", ".join(picks), one_line=True))
    return text


def paragraph(text: Text) -> Paragraphs:
    """One paragraph, wrapped by character where it is Chinese."""
    return Paragraphs([(Text(), text)])


class KeyPointsPane(VerticalScroll, can_focus=False):
    """Key points (with a cursor), recommendation, metrics table and the highlighted metric's
    source. The pane itself takes no focus: its key point list and metrics table do, and
    the list scrolls the pane (see ``KeyPointList``)."""

    DEFAULT_CSS = """
    KeyPointsPane { padding: 0 1; }
    KeyPointsPane > .section-title { text-style: bold; color: $accent; margin-top: 1; }
    KeyPointsPane > DataTable { height: auto; max-height: 16; }
    KeyPointsPane > #kp-source { color: $text-muted; padding: 0 1; border-left: outer $accent; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.digest: Digest | None = None
        self._metrics: list[Metric] = []
        self._metrics_width = 0
        self.lang = FIGURE_LANG  # the screen's label language (set before ``show``)

    def compose(self) -> ComposeResult:
        yield Static(Text("Opening the store…", style="dim italic"), id="kp-heading")
        yield Static(Text("Key points"), classes="section-title")
        yield KeyPointList(id="kp-points")
        yield Static(Text("Recommendation"), classes="section-title")
        yield ParagraphsStatic(Text(""), id="kp-recommendation")
        yield Static(Text("Metrics"), classes="section-title")
        yield DataTable(id="kp-metrics", cursor_type="row", zebra_stripes=True)
        yield Static(Text("Source sentence"), classes="section-title")
        yield ParagraphsStatic(Text(""), id="kp-source")

    @property
    def highlighted_metric(self) -> Metric | None:
        """The metric under the table's cursor."""
        table = self.query_one("#kp-metrics", DataTable)
        if 0 <= table.cursor_row < len(self._metrics):
            return self._metrics[table.cursor_row]
        return None

    @property
    def metric_under_cursor(self) -> Metric | None:
        """The highlighted metric, when the metrics table has focus (what ``o`` opens at)."""
        return self.highlighted_metric if self.query_one("#kp-metrics", DataTable).has_focus else None

    @property
    def key_point_under_cursor(self) -> KeyPoint | None:
        """The highlighted key point, when the key point list has focus."""
        points = self.query_one(KeyPointList)
        return points.highlighted if points.has_focus else None

    @property
    def page_target(self) -> tuple[str, int | None] | None:
        """What ``o`` opens at: ("figure", its page) or ("key point", its page) for the
        highlighted one of the focused list or table; None when neither has focus."""
        metric = self.metric_under_cursor
        if metric is not None:
            return "figure", metric.page
        point = self.key_point_under_cursor
        if point is not None:
            return "key point", point.page
        return None

    @property
    def company_under_cursor(self) -> str | None:
        """The highlighted metric's company, when the metrics table has focus."""
        table = self.query_one("#kp-metrics", DataTable)
        metric = self.highlighted_metric
        return metric.company if table.has_focus and metric is not None else None

    def show(self, digest: Digest | None) -> None:
        """Fill the pane from one digest (None clears it); another report starts at the top."""
        if digest is None or self.digest is None or digest.id != self.digest.id:
            self.scroll_home(animate=False)
        self.digest = digest
        self._metrics = list(digest.metrics) if digest else []
        heading = self.query_one("#kp-heading", Static)
        self._fill_metrics()
        if digest is None:
            heading.update(Text("No report selected.", style="dim italic"))
            self.query_one(KeyPointList).show(None)
            self.query_one("#kp-recommendation", Static).update(Text(""))
            self.query_one("#kp-source", Static).update(Text(""))
            return
        heading.update(report_heading(digest))
        self.query_one(KeyPointList).show(digest)
        recommendation = digest.recommendation or ""
        self.query_one("#kp-recommendation", Static).update(
            paragraph(safe(recommendation, one_line=True)) if recommendation else Text("None given.", style="dim italic")
        )
        self._show_source(self.highlighted_metric)

    def _metric_row(self, metric: Metric, compact: bool) -> list[Text]:
        lang = self.lang
        period = metric.period or "—"
        if metric.fiscal_period and not compact:
            period = f"{period} ({metric.fiscal_period})"
        flag = consensus_flag(metric.vs_consensus, lang)
        company = short_name(metric.company) if compact and metric.company else metric.company
        return [
            safe(company or "—", one_line=True),
            safe(metric.segment or "", one_line=True),
            safe(metric_label(metric.metric, lang), one_line=True),
            safe(period, one_line=True),
            Text(basis_label(metric.basis, lang)),
            safe(format_metric_value(metric, lang), one_line=True),
            Text(format_number(metric.consensus, metric.unit, lang) if metric.consensus is not None else ""),
            flag[:1] if compact else flag,
        ]

    def _fill_metrics(self) -> None:
        """The metrics table at the pane's width: every value column whole, labels cut."""
        width = self._metrics_width = self.scrollable_content_region.width
        compact = width < COMPACT_WIDTH
        rows = [self._metric_row(metric, compact) for metric in self._metrics]
        table = self.query_one("#kp-metrics", DataTable)
        fill_fitted(table, COMPACT_COLUMNS if compact else METRIC_COLUMNS, rows, width)

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._metrics_width:
            self._fill_metrics()

    def opening_store(self, line: str) -> None:
        """The store is still opening (converting the library): say so in the heading."""
        if self.digest is None:
            self.query_one("#kp-heading", Static).update(Text(line, style="italic"))

    def opening(self, title: str) -> None:
        """The cursor rests on a report whose digest is being read: name it meanwhile."""
        if self.digest is None:
            heading = safe(title, "bold", one_line=True)
            heading.append("\nOpening the report…", style="dim italic")
            self.query_one("#kp-heading", Static).update(heading)

    def _show_source(self, metric: Metric | None) -> None:
        source = self.query_one("#kp-source", Static)
        if metric is None:
            source.update(Text("No metrics in this report." if self.digest else "", style="dim italic"))
        else:
            source.update(paragraph(safe(metric.text or "(no sentence recorded)", one_line=True)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_source(self.highlighted_metric)
