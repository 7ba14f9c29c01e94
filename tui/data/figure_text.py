"""Figures as the panes write them (167亿美元, 33%, +0.2pp), without colour: store.units in the
panes' language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from yanbao.store import units
from yanbao.store.compare import figure_matrix

__all__ = ["FIGURE_LANG", "attach_sentences", "format_cell", "format_figure", "format_metric_value", "format_number", "metric_label", "who_said_what"]

FIGURE_LANG = "zh"
"""The default label language (see ``tui.data.settings.label_lang``): 167亿美元, 收入同比增速."""


def format_number(value: float | None, unit: str | None, lang: str = FIGURE_LANG) -> str:
    """One value with its unit (``33%``, ``+0.2pp``, ``167亿美元``); ``—`` when missing."""
    return units.format_value(value, unit, lang=lang) or "—"


def format_metric_value(metric: Any, lang: str = FIGURE_LANG) -> str:
    """A metric's value, or its low-high range."""
    return format_figure(metric.value, metric.unit, metric.low, metric.high, lang)


def format_figure(value: float | None, unit: str, low: float | None, high: float | None,
                  lang: str = FIGURE_LANG) -> str:
    """A figure's value, or its low-high range, from what it says."""
    return units.format_value(value, unit, low=low, high=high, lang=lang) or "—"


def format_cell(cell: Any, lang: str = FIGURE_LANG) -> str:
    """A compare-engine FigureCell (value or range), ``—`` when absent."""
    if cell is None:
        return "—"
    return format_metric_value(cell, lang)


def metric_label(metric: str, lang: str = FIGURE_LANG) -> str:
    """The metric key in words (收入同比增速 / Revenue growth YoY); unknown keys as they are."""
    return units.metric_label(metric, lang)


def who_said_what(row: Any, lang: str = FIGURE_LANG) -> list[tuple[str, bool]]:
    """A compared figure's sources, side by side: for each side and each report that stated
    it, ``date broker: value — sentence``; the flag marks a value the other reports of that
    side do not share (a conflict)."""
    lines: list[tuple[str, bool]] = []
    for side, cell in (("From", getattr(row, "left", None)), ("To", getattr(row, "right", None))):
        if cell is None:
            continue
        lines.append((f"{side} {cell.period}:", False))
        distinct = len(cell.distinct)
        for obs in cell.observations:
            value = units.format_value(obs.value, obs.unit, low=obs.low, high=obs.high, lang=lang) or "—"
            who = " ".join(x for x in (obs.date, obs.broker) if x) or obs.digest_id[:12]
            sentence = " ".join(obs.text.split())
            odd = cell.conflict and distinct > 1 and not obs.same_figure(cell.shown)
            lines.append((f"  {who}: {value}" + (f" — {sentence}" if sentence else ""), odd))
    return lines



def attach_sentences(row: Any, digests: Iterable[Any]) -> Any:
    """``row`` (a compared figure) with the sentence of each statement found in ``digests``
    (its reports, read in full): a comparison made from the store's aggregates carries none.
    Statements are matched by report and figure, in the report's order."""
    digests = list(digests)
    for cell in (getattr(row, "left", None), getattr(row, "right", None)):
        if cell is None or all(obs.text for obs in cell.observations):
            continue
        ids = set(cell.source_ids)
        full = figure_matrix([d for d in digests if d.id in ids], periods=[cell.period])
        found = full.row(row.company, row.segment, row.metric, row.basis)
        texts: dict[tuple, list[str]] = {}
        for obs in found.cells[cell.period].observations if found and cell.period in found.cells else []:
            texts.setdefault((obs.digest_id, obs.figure_key), []).append(obs.text)
        for obs in cell.observations:
            queue = texts.get((obs.digest_id, obs.figure_key))
            if not obs.text and queue:
                obs.text = queue.pop(0)
    return row
