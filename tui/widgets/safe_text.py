"""Untrusted report text made safe to show: escapes stripped, markup never interpreted.

Report text comes from PDFs we did not write. It may hold Rich/Textual markup
(``[bold red]``, ``[@click=app.quit]``), ANSI/OSC escape sequences or other control
characters. ``clean`` removes the escapes and controls; ``safe`` wraps the result in a
``rich.text.Text`` so no widget parses it as markup.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

__all__ = ["clean", "safe", "fit"]

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences,
# 8-bit C1 CSI/OSC forms, then any remaining C0/C1 control except tab and newline.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI ... final byte
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?     # OSC ... BEL or ST (or cut off)
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?          # DCS / SOS / PM / APC strings
    | \x1b[@-Z\\-_]                          # other Fe escapes
    | \x9b[0-?]*[ -/]*[@-~]                  # 8-bit CSI
    | \x9d[^\x07\x9c]*(?:\x07|\x9c)?         # 8-bit OSC
    """,
    re.VERBOSE,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: object, *, one_line: bool = False) -> str:
    """Return ``text`` as a string without escape sequences or control characters.

    Tabs become spaces; with ``one_line`` newlines become spaces too.
    """
    value = "" if text is None else str(text)
    value = _ESCAPES.sub("", value)
    value = value.replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROLS.sub("", value)
    if one_line:
        value = " ".join(value.split())
    return value


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
