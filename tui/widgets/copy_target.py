"""What `y` copies: the thing under the cursor of the focused widget, as text.

A figure with its source sentence (Key points or Compare), a risk of the library tally, the
highlighted key point (its heading and sub-points), or — from the report list — the whole
digest as markdown, written by the store's export (``tui.data.export_file.view_markdown``),
never by a second writer.
"""

from __future__ import annotations

from typing import Any

from textual.widget import Widget
from textual.widgets import DataTable, OptionList
from yanbao.tui.data.figure_text import format_cell, format_metric_value, metric_label, who_said_what
from yanbao.tui.widgets.safe_text import clean

__all__ = ["copy_subject", "metric_text", "comparison_row_text"]


def _one(text: Any) -> str:
    return clean(text, one_line=True)


def metric_text(metric: Any, lang: str) -> str:
    """``腾讯控股 · 云业务 · 收入同比增速 2025Q2: 20%`` and, below it, the sentence it came from."""
    label = " · ".join(_one(p) for p in (metric.company, metric.segment, metric_label(metric.metric, lang)) if p)
    line = f"{label} {_one(metric.period)}".rstrip() + f": {format_metric_value(metric, lang)}"
    sentence = _one(metric.text or "")
    return f"{line}\n{sentence}" if sentence else line


def comparison_row_text(row: Any, lang: str) -> str:
    """A compared figure: ``label: from → to``, then who said what, one source a line."""
    from yanbao.tui.widgets.compare import _figure_label  # the pane's own label for the row

    line = f"{_one(_figure_label(row, lang=lang))}: {format_cell(row.left, lang)} → {format_cell(row.right, lang)}"
    sources = [_one(text) for text, _ in who_said_what(row, lang)]
    return "\n".join([line, *sources])


def _title(digest: Any) -> str:
    title = _one(digest.title)
    return title if len(title) <= 40 else title[:39] + "…"


def copy_subject(screen: Any) -> tuple[str, str] | None:
    """(what it is, the text) for the thing under the cursor on the main screen, or None."""
    from yanbao.tui.data.export_file import view_markdown
    from yanbao.tui.widgets.compare import ComparePane
    from yanbao.tui.widgets.key_point_list import KeyPointList, key_point_plain
    from yanbao.tui.widgets.key_points import KeyPointsPane
    from yanbao.tui.widgets.report_list import ReportList
    from yanbao.tui.widgets.risks import RisksPane
    from yanbao.tui.widgets.watchlist import WatchlistPane

    focused: Widget | None = screen.focused
    digest = screen.digest
    lang = screen.lang
    widget_id = focused.id if focused is not None else None
    if isinstance(focused, DataTable) and widget_id == "kp-metrics":
        metric = screen.query_one(KeyPointsPane).highlighted_metric
        if metric is not None:
            return f"the figure {metric_label(metric.metric, lang)} with its sentence", metric_text(metric, lang)
    if isinstance(focused, DataTable) and widget_id == "compare-table":
        row = screen.query_one(ComparePane).highlighted_row
        if row is not None:
            return f"the figure {metric_label(row.metric, lang)} with its sources", comparison_row_text(row, lang)
    if isinstance(focused, DataTable) and widget_id == "risks-library":
        pane = screen.query_one(RisksPane)
        if 0 <= focused.cursor_row < len(pane.tally):
            tally = pane.tally[focused.cursor_row]
            quarters = ", ".join(sorted(tally.periods))
            text = f"{_one(tally.wording)} (in {tally.count} report{'s' if tally.count != 1 else ''}"
            return "the risk", text + (f": {quarters})" if quarters else ")")
    if isinstance(focused, OptionList) and widget_id == "watch-list":
        item = screen.query_one(WatchlistPane).highlighted_item
        if item is not None:
            return f"the company {_one(item.name)}", " ".join(_one(p) for p in (item.name, item.ticker) if p)
    if isinstance(focused, KeyPointList) and focused.highlighted is not None:
        return f"key point {focused.cursor + 1}", key_point_plain(focused.highlighted)
    if isinstance(focused, ReportList) and digest is not None:
        highlighted = focused.highlighted
        if highlighted is not None and highlighted.id == digest.id:
            text, _stem, _what = view_markdown("keypoints", digest)
            return f"the digest of “{_title(digest)}” as markdown", text
    return None
