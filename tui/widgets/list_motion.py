"""Vim-style moves (g, G, Ctrl+d, Ctrl+u) for whatever list or table has focus.

One function answers for the report list, every DataTable, OptionList and scroll area, so
the screen binds each key once and never asks which widget it is talking to.
"""

from __future__ import annotations

from typing import Literal

from textual.containers import ScrollableContainer
from textual.widget import Widget
from textual.widgets import DataTable, OptionList

__all__ = ["Move", "move_cursor"]

Move = Literal["first", "last", "half_down", "half_up"]


def _half(widget: Widget) -> int:
    """Half the rows the widget shows (at least one)."""
    return max(1, widget.scrollable_content_region.height // 2)


def _target(index: int, count: int, move: Move, half: int) -> int:
    if move == "first":
        return 0
    if move == "last":
        return count - 1
    step = half if move == "half_down" else -half
    return max(0, min(count - 1, index + step))


def move_cursor(widget: Widget | None, move: Move) -> bool:
    """Move ``widget``'s cursor (or scroll it) to the first or last row, or half a page;
    False when the widget has no rows to move through."""
    from yanbao.tui.widgets.key_point_list import KeyPointList
    from yanbao.tui.widgets.report_list import ReportList

    if widget is None:
        return False
    if isinstance(widget, KeyPointList):
        if not widget.points:
            return False
        if move in ("first", "last"):
            widget.action_first() if move == "first" else widget.action_last()
        else:
            widget.move_half(move == "half_down")
        return True
    if isinstance(widget, ReportList):
        if not widget.rows:
            return False
        widget.cursor = _target(widget.cursor, len(widget.rows), move, _half(widget))
        return True
    if isinstance(widget, DataTable):
        if not widget.row_count:
            return False
        widget.move_cursor(row=_target(widget.cursor_row, widget.row_count, move, _half(widget)))
        return True
    if isinstance(widget, OptionList):
        if not widget.option_count:
            return False
        widget.highlighted = _target(widget.highlighted or 0, widget.option_count, move, _half(widget))
        return True
    if isinstance(widget, ScrollableContainer):
        if move == "first":
            widget.scroll_home(animate=False)
        elif move == "last":
            widget.scroll_end(animate=False)
        else:
            step = _half(widget) if move == "half_down" else -_half(widget)
            widget.scroll_relative(y=step, animate=False)
        return True
    return False
