"""Read a report's text file whatever its encoding: UTF-8 (with or without BOM), GB18030/GBK, Big5.

The encoding is detected from the bytes (charset-normalizer), never guessed from the file name.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from yanbao.store.errors import ReportError
from yanbao.store.text_safety import strip_controls

__all__ = ["decode_report_bytes", "clean_control_chars"]

# Anything a reader could see: not white space, not a control character, not a BOM.
_READABLE = re.compile(r"[^\s\x00-\x1f\x7f-\x9f\ufeff]")


def clean_control_chars(text: str) -> str:
    """Drop escape sequences and control characters (``store.text_safety``, the one
    sanitiser); keep newlines and tabs, map \\f and \\r to \\n. Done at the source, so no
    digest carries them."""
    return strip_controls(text.replace("\x0c", "\n"))


def decode_report_bytes(data: bytes, path: str) -> str:
    """Decode a text report, raising ReportError when no supported encoding fits or the
    text has no readable character (a file of NUL bytes is as empty as an empty one)."""
    if not data.strip():
        raise ReportError(path, "the file is empty")
    text = _decode(data, path)
    if not _READABLE.search(text):
        raise ReportError(path, "the file is empty (no readable characters)")
    return text


def _decode(data: bytes, path: str) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding)
            except UnicodeDecodeError:
                raise ReportError(path, f"text is not valid {encoding} despite its byte-order mark") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # charset-normalizer tells GB18030/GBK from Big5 (and from neither) by the text they give;
    # only those two are offered: a Latin-1 or random byte file is refused, not mis-decoded.
    best = from_bytes(data, cp_isolation=["gb18030", "big5"]).best()
    if best is None or best.chaos > 0.2:
        raise ReportError(path, "text encoding not recognised (expected UTF-8, GB18030/GBK or Big5)")
    return str(best)
