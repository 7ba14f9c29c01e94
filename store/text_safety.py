"""The one sanitiser for text that came from reports, file names or a store: nothing in it
may drive a terminal.

Report text comes from PDFs we did not write, file names from folders we did not make. It
may hold ANSI/OSC escape sequences (colours, hyperlinks, window titles, clipboard writes),
8-bit C1 controls (U+009B is a CSI on some terminals), other C0/C1 controls, bidi
overrides and invisible characters that make a line read differently from what it holds,
and lone surrogates that no UTF-8 stream can carry. :func:`clean` removes all of it; the
parser (at the source), the CLI, the markdown export and the app use it. :func:`json_text`
writes JSON whose strings keep the text exactly but escape every such character.
"""

from __future__ import annotations

import json
import re

__all__ = ["clean", "clean_line", "json_text", "strip_controls"]

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST, or cut off), DCS/SOS/PM/APC strings,
# any other ESC sequence or a lone ESC, and the 8-bit CSI and OSC forms.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                 # CSI ... final byte
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?     # OSC ... BEL or ST (or cut off)
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?          # DCS / SOS / PM / APC strings
    | \x1b[ -/]*[0-~]?                       # other ESC sequences, or a lone ESC
    | \x9b[0-?]*[ -/]*[@-~]                  # 8-bit CSI
    | \x9d[^\x07\x9c]*(?:\x07|\x9c)?         # 8-bit OSC
    """,
    re.VERBOSE,
)
# What remains: C0 controls but tab and newline, DEL, C1, zero-width and bidi controls,
# word joiner and invisible operators, bidi isolates, the BOM, lone surrogates.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
_CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE}]")
_SURROGATES = re.compile("[\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """``text`` without escape sequences or control characters; tabs and newlines stay,
    carriage returns become newlines and lone surrogates U+FFFD."""
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub("", text)
    return _SURROGATES.sub("\ufffd", text)


def clean(text: object, *, one_line: bool = False) -> str:
    """``text`` (anything; None is empty) ready to show: :func:`strip_controls`, tabs as
    spaces, and with ``one_line`` every run of white space one space."""
    value = strip_controls("" if text is None else str(text)).replace("\t", " ")
    if one_line:
        value = " ".join(value.split())
    return value


def clean_line(text: object) -> str:
    """:func:`clean` on one line: what a table cell, a list item or a message shows."""
    return clean(text, one_line=True)


# json.dumps escapes C0 controls itself; these it would write raw (ensure_ascii=False keeps
# CJK readable), so they are escaped here: DEL, C1, the invisible and bidi characters,
# U+2028/2029 and lone surrogates. They can only occur inside JSON strings.
_JSON_ESCAPES = {
    c: f"\\u{c:04x}"
    for start, end in ((0x7F, 0x9F), (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2069),
                       (0xFEFF, 0xFEFF), (0xD800, 0xDFFF))
    for c in range(start, end + 1)
}


def json_text(data: object, *, indent: int | None = 2) -> str:
    """``data`` as JSON that keeps every string exactly and no terminal can act on."""
    return json.dumps(data, ensure_ascii=False, indent=indent).translate(_JSON_ESCAPES)
