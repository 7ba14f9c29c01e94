"""What every export shares: bilingual labels, escaping report text so markdown shows it
literally, tables, and figures written as a reader writes them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from yanbao.store.compare import (
    FigureCell,
)
from yanbao.store.labels import DOCUMENT_LABELS, MOVE_LABELS
from yanbao.store.model import Metric
from yanbao.store.text_safety import clean_line as clean_text
from yanbao.store.units import (
    format_value,
    metric_label,
)

_LABELS = DOCUMENT_LABELS
_MOVES = MOVE_LABELS


def _t(key: str, lang: str) -> str:
    zh, en = _LABELS[key]
    return en if lang == "en" else zh


def _colon(lang: str) -> str:
    return ": " if lang == "en" else "："


def _paren(text: str, lang: str) -> str:
    return f" ({text})" if lang == "en" else f"（{text}）"


def _list_sep(lang: str) -> str:
    return ", " if lang == "en" else "、"


# ---------------------------------------------------------------- escaping

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Only what would open a block: "1. " / "2) " lists, "- " / "+ " bullets, "---" / "===" rules.
_LEADING = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([-+=])(?=\s|$|[-+=])")


def escape_markdown(text: str | None) -> str:
    """Report text that markdown shows literally, safe inside a table cell or at a line start."""
    text = _ENTITY.sub("\\&", _MD_SPECIAL.sub(r"\\\1", clean_text(text)))
    return _LEADING.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", text
    )


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GFM table; cells are already escaped markdown."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {escape_markdown(item)}" for item in items if clean_text(item))


def _company_label(name: str | None, ticker: str | None, lang: str) -> str:
    text = escape_markdown(name or "—")
    return text + _paren(escape_markdown(ticker), lang) if ticker else text


# ---------------------------------------------------------------- values


def _metric_value(m: Metric, lang: str) -> str:
    text = format_value(m.value, m.unit, low=m.low, high=m.high, lang=lang, metric=m.metric)
    if m.previous is not None:
        prev = format_value(
            m.previous.value,
            m.unit,
            low=m.previous.low,
            high=m.previous.high,
            lang=lang,
            metric=m.metric,
        )
        if prev:
            text += _paren(f"{_t('previous', lang)} {prev}", lang)
    return text


def _cell_value(cell: FigureCell | None, metric: str, lang: str) -> str:
    """A figure cell; a conflict shows every value stated."""
    if cell is None:
        return "—"
    values = [
        format_value(o.value, o.unit, low=o.low, high=o.high, lang=lang, metric=metric)
        for o in cell.distinct
    ]
    if cell.conflict and len(values) > 1:
        return " / ".join(values) + " ⚠"
    return format_value(
        cell.value, cell.unit, low=cell.low, high=cell.high, lang=lang, metric=metric
    )


def _metric_words(metric: str, lang: str, target_period: str | None = None) -> str:
    words = escape_markdown(metric_label(metric, lang))
    return words + _paren(target_period, lang) if target_period else words
