"""Fill a DataTable so its value columns always show: labels are cut to what is left."""

from __future__ import annotations

from typing import Any, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable
from yanbao.tui.data.column_widths import Column, fit_widths
from yanbao.tui.widgets.safe_text import fit

__all__ = ["append_fitted", "fill_fitted", "Column"]

SCROLLBAR = 2
"""Cells the vertical scrollbar may take."""


def _fitted(cell: Text, width: int) -> Text:
    if cell_len(cell.plain) <= width:
        return cell
    cut = cell.copy()
    cut.truncate(width, overflow="ellipsis")
    return cut


def fill_fitted(table: DataTable[Any], columns: Sequence[Column], rows: Sequence[Sequence[Text]], width: int) -> None:
    """Replace ``table``'s columns and rows, sized to fit ``width`` cells (value columns
    whole, labels cut with … in their shrink order). The cursor stays on its row."""
    cursor = table.cursor_row
    wanted = [
        max([cell_len(c.label)] + [cell_len(row[i].plain) for row in rows]) for i, c in enumerate(columns)
    ]
    widths = fit_widths(list(columns), wanted, max(0, width - SCROLLBAR), padding=2 * table.cell_padding)
    table.clear(columns=True)
    for column, cells in zip(columns, widths):
        table.add_column(fit(column.label, cells).rstrip() if cell_len(column.label) > cells else column.label, width=cells)
    for row in rows:
        table.add_row(*(_fitted(cell, cells) for cell, cells in zip(row, widths)))
    if rows:
        table.move_cursor(row=min(max(cursor, 0), len(rows) - 1))


def append_fitted(table: DataTable[Any], columns: Sequence[Column], rows: Sequence[Sequence[Text]],
                  width: int) -> bool:
    """Add ``rows`` to a table ``fill_fitted`` filled at ``width``, cut to its columns'
    widths; False (nothing added) when they would come out otherwise than in a table
    filled with every row: a value too wide for its column, or a label cut while the
    table has room to spare. Then fill it again."""
    widths = [column.width for column in table.ordered_columns]
    if len(widths) != len(columns):
        return False
    spare = sum(widths) + 2 * table.cell_padding * len(widths) < width - SCROLLBAR
    for row in rows:
        for i, column in enumerate(columns):
            if cell_len(row[i].plain) > widths[i] and (column.value or spare):
                return False
    for row in rows:
        table.add_row(*(_fitted(cell, cells) for cell, cells in zip(row, widths)))
    return True
