"""How figures read in the panes: store.units formatting plus colour for flags and changes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from yanbao.store import units

__all__ = ["FIGURE_LANG", "format_number", "format_metric_value", "format_cell", "consensus_flag", "format_change", "metric_label"]

FIGURE_LANG = "zh"
"""Figures and metric names read as in the reports: 167亿美元, 收入同比增速."""


def format_number(value: float | None, unit: str | None) -> str:
    """One value with its unit (``33%``, ``+0.2pp``, ``167亿美元``); ``—`` when missing."""
    return units.format_value(value, unit, lang=FIGURE_LANG) or "—"


def format_metric_value(metric: Any) -> str:
    """A metric's value, or its low-high range."""
    return units.format_value(metric.value, metric.unit, low=metric.low, high=metric.high, lang=FIGURE_LANG) or "—"


def format_cell(cell: Any) -> str:
    """A compare-engine FigureCell (value or range), ``—`` when absent."""
    if cell is None:
        return "—"
    return format_metric_value(cell)


def consensus_flag(vs: str | None) -> Text:
    """▲ above / ● inline / ▼ below consensus, coloured."""
    if vs == "above":
        return Text("▲ above", style="green")
    if vs == "below":
        return Text("▼ below", style="red")
    if vs == "inline":
        return Text("● inline", style="yellow")
    return Text("")


def format_change(change: float | None, unit: str | None) -> Text:
    """A change with its unit, green ↑ when up and red ↓ when down."""
    if change is None:
        return Text("—", style="dim")
    style = "green" if change > 0 else "red" if change < 0 else ""
    arrow = "↑" if change > 0 else "↓" if change < 0 else "→"
    return Text(f"{arrow} {units.format_change(change, unit, lang=FIGURE_LANG)}", style=style)


def metric_label(metric: str) -> str:
    """The metric key in words (收入同比增速); unknown keys as they are."""
    return units.metric_label(metric, FIGURE_LANG)
