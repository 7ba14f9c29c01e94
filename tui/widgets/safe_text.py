"""Untrusted report text made safe to show: escapes stripped, markup never interpreted.

Report text comes from PDFs we did not write. It may hold Rich/Textual markup
(``[bold red]``, ``[@click=app.quit]``), ANSI/OSC escape sequences or other control
characters. ``clean`` (``store.text_safety``, the one sanitiser the CLI and the export use
too) removes the escapes and controls; ``safe`` wraps the result in a ``rich.text.Text``
so no widget parses it as markup.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

from yanbao.store.text_safety import clean

__all__ = ["clean", "safe", "fit"]


def safe(text: object, style: str | Style = "", *, one_line: bool = False) -> Text:
    """Wrap cleaned ``text`` in a ``Text`` so that no widget reads it as markup."""
    return Text(clean(text, one_line=one_line), style=style, end="")


def fit(text: str, width: int) -> str:
    """Pad or cut ``text`` to exactly ``width`` terminal cells (CJK counts two)."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)
