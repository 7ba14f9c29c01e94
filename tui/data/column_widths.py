"""Column widths for a table that must fit its width: value columns first, labels shrink.

A table of figures is read for its numbers. When it is too wide, the label columns give
up cells in a set order (a segment before a company before a metric) down to a floor;
the value columns keep their full width. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Column", "fit_widths"]


@dataclass(frozen=True)
class Column:
    """One column: its header, whether it holds a value, and for a label column how soon
    it shrinks (lower first) and how narrow it may get."""

    label: str
    value: bool = False
    shrink_order: int = 0
    floor: int = 4


def fit_widths(columns: list[Column], wanted: list[int], room: int, padding: int = 2) -> list[int]:
    """Cell widths for ``columns`` whose content wants ``wanted`` cells, within ``room``
    cells in all (each column also takes ``padding``). Value columns keep ``wanted``."""
    widths = list(wanted)
    over = sum(widths) + padding * len(widths) - room
    labels = sorted((c.shrink_order, i) for i, c in enumerate(columns) if not c.value)
    for _, index in labels:
        if over <= 0:
            break
        give = min(over, max(0, widths[index] - columns[index].floor))
        widths[index] -= give
        over -= give
    return widths
