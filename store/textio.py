"""Read a report's text file whatever its encoding: UTF-8 (with or without BOM), GB18030/GBK, Big5.

The encoding is detected from the bytes, never guessed from the file name.
"""

from __future__ import annotations

import codecs
import re

from yanbao.store.errors import ReportError

__all__ = ["decode_report_bytes", "clean_control_chars"]

# Control characters other than tab/newline, and ANSI/OSC escape sequences, never belong in a
# report's text: they could restyle a terminal. They are removed at the source.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\x80-\x9f]")


def clean_control_chars(text: str) -> str:
    """Drop escape sequences and control characters; keep newlines and tabs, map \\f and \\r to \\n."""
    text = _ANSI.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x0c", "\n")
    return _CONTROL.sub("", text)


def _cjk_share(text: str) -> float:
    """Share of characters that are common CJK ideographs or full-width punctuation."""
    if not text:
        return 0.0
    common = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return common / len(text)


def _simplified_score(text: str) -> int:
    """How many very frequent simplified-only characters appear: tells GB18030 from Big5 text."""
    return sum(text.count(ch) for ch in "的这们说时会为对发经过国业务长营计开亿实现较预")


def decode_report_bytes(data: bytes, path: str) -> str:
    """Decode a text report, raising ReportError when no supported encoding fits."""
    if not data.strip():
        raise ReportError(path, "the file is empty")
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
    candidates: list[tuple[float, str]] = []
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _cjk_share(text) + (0.5 if _simplified_score(text) > 0 and encoding == "gb18030" else 0)
        candidates.append((score, text))
    plausible = [c for c in candidates if c[0] > 0.2]
    if not plausible:
        raise ReportError(path, "text encoding not recognised (expected UTF-8, GB18030/GBK or Big5)")
    return max(plausible, key=lambda c: c[0])[1]
