"""How figures read in the panes: the plain figure text (``tui.data.figure_text``) plus colour
for consensus flags and changes."""

from __future__ import annotations

from rich.text import Text
from yanbao.store import units
from yanbao.tui.data.figure_text import (
    FIGURE_LANG,
    format_cell,
    format_metric_value,
    format_number,
    metric_label,
)

__all__ = ["FIGURE_LANG", "format_number", "format_metric_value", "format_cell", "consensus_flag", "format_change", "metric_label"]

def consensus_flag(vs: str | None, lang: str = FIGURE_LANG) -> Text:
    """▲ above / ● inline / ▼ below consensus (in ``lang``), coloured."""
    marks = {"above": ("▲", "green"), "below": ("▼", "red"), "inline": ("●", "yellow")}
    if vs not in marks:
        return Text("")
    mark, style = marks[vs]
    return Text(f"{mark} {units.vs_consensus_label(vs, lang)}", style=style)


def format_change(change: float | None, unit: str | None, lang: str = FIGURE_LANG) -> Text:
    """A change with its unit, green ↑ when up and red ↓ when down."""
    if change is None:
        return Text("—", style="dim")
    style = "green" if change > 0 else "red" if change < 0 else ""
    arrow = "↑" if change > 0 else "↓" if change < 0 else "→"
    return Text(f"{arrow} {units.format_change(change, unit, lang=lang)}", style=style)
