"""Figures as the panes write them (167亿美元, 33%, +0.2pp), without colour: store.units in the
panes' language."""

from __future__ import annotations

from typing import Any

from yanbao.store import units

__all__ = ["FIGURE_LANG", "format_cell", "format_metric_value", "format_number", "metric_label"]

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


def metric_label(metric: str) -> str:
    """The metric key in words (收入同比增速); unknown keys as they are."""
    return units.metric_label(metric, FIGURE_LANG)
