"""Words and numbers as a reader writes them: metric labels and value formatting.

Digests keep figures in base units (33 means 33 %, 16700000000 with unit USD); this module
turns them back into "33 %", "16.7 bn USD" or "167 亿美元", and names each metric key in
Chinese and English. Shared by the markdown export and the CLI tables.
"""

from __future__ import annotations

import math

# The tables live in store/labels.py, shared with the export.
from yanbao.store.labels import ACTION_LABELS as _ACTION_LABELS
from yanbao.store.labels import BASIS_LABELS as _BASIS_LABELS
from yanbao.store.labels import CURRENCY_ZH as _CURRENCY_ZH
from yanbao.store.labels import METRIC_LABELS
from yanbao.store.labels import VS_LABELS as _VS_LABELS

__all__ = [
    "METRIC_LABELS",
    "RATE_UNITS",
    "action_label",
    "basis_label",
    "format_change",
    "format_number",
    "format_value",
    "is_rate_unit",
    "metric_label",
    "midpoint",
    "vs_consensus_label",
]

RATE_UNITS = frozenset({"%", "pp"})
"""Units whose changes are differences in percentage points, not percent changes."""



def _pick(labels: tuple[str, str], lang: str) -> str:
    return labels[1] if lang == "en" else labels[0]


def metric_label(key: str, lang: str = "zh") -> str:
    """The metric key in words; an unknown key is shown as it is."""
    labels = METRIC_LABELS.get(key)
    return _pick(labels, lang) if labels else key


def basis_label(basis: str | None, lang: str = "zh") -> str:
    """actual / guidance / consensus in the reader's language."""
    labels = _BASIS_LABELS.get(basis or "")
    return _pick(labels, lang) if labels else (basis or "")


def vs_consensus_label(vs: str | None, lang: str = "zh") -> str:
    """above / inline / below in the reader's language; empty when unknown."""
    labels = _VS_LABELS.get(vs or "")
    return _pick(labels, lang) if labels else ""


def action_label(action: str | None, lang: str = "zh") -> str:
    """initiate / maintain / upgrade / downgrade in the reader's language."""
    labels = _ACTION_LABELS.get(action or "")
    return _pick(labels, lang) if labels else ""


def is_rate_unit(unit: str | None) -> bool:
    """True for % and pp, whose changes are told in percentage points."""
    return unit in RATE_UNITS


def midpoint(value: float | None, low: float | None, high: float | None) -> float | None:
    """A figure as one number: the value, else the middle of its range, else its one end."""
    if value is not None:
        return value
    if low is not None and high is not None:
        return (low + high) / 2
    return low if low is not None else high


def format_number(x: float, decimals: int = 2) -> str:
    """At most ``decimals`` decimals, trailing zeros dropped: 16.70 -> 16.7, 33.0 -> 33."""
    if math.isnan(x) or math.isinf(x):
        return str(x)
    text = f"{x:,.{decimals}f}" if abs(x) >= 10000 else f"{x:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _money_scale(magnitude: float, lang: str) -> tuple[float, str]:
    """The divisor and word a reader would use for an amount this size."""
    if lang == "en":
        for div, word in ((1e12, "tn"), (1e9, "bn"), (1e6, "m")):
            if magnitude >= div:
                return div, word
        return 1.0, ""
    for div, word in ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")):
        if magnitude >= div:
            return div, word
    return 1.0, ""


def _join_range(low: str, high: str) -> str:
    if low.startswith("-") or high.startswith("-"):
        return f"{low} ~ {high}"
    return f"{low}-{high}"


def format_value(
    value: float | None,
    unit: str | None,
    *,
    low: float | None = None,
    high: float | None = None,
    lang: str = "zh",
    signed: bool = False,
    metric: str | None = None,
) -> str:
    """A figure as a reader writes it: 33 % / 33%, +0.2 pp, 16.7 bn USD / 167 亿美元, 64-72 bn USD,
    252 m units / 2.52 亿.

    A range (``low``/``high`` with no ``value``) keeps both ends in one scale. ``signed`` puts
    a plus on positive numbers; figures of a change metric (``operating_margin_change_qoq``)
    are always signed, and so are pp figures when ``metric`` is not given.
    """
    if value is None and low is None and high is None:
        return ""
    unit = unit or ""
    # a change metric is signed (+0.2 pp); a level in pp (AI adds 16 pp) is not. Without the
    # metric key, pp figures are taken to be changes.
    signed = signed or ("change" in metric if metric is not None else unit == "pp")
    numbers = [value] if value is not None else [n for n in (low, high) if n is not None]
    is_money = unit.isalpha() and unit.isupper() and len(unit) == 3
    is_count = unit == "units"  # goods counted (2.52 亿部): scaled like money, no currency
    div, word = (1.0, "")
    if is_money or is_count:
        div, word = _money_scale(max(abs(n) for n in numbers), lang)

    def one(n: float) -> str:
        text = format_number(n / div)
        return f"+{text}" if signed and n > 0 else text

    if value is not None:
        number = one(value)
    elif low is not None and high is not None:
        number = _join_range(one(low), one(high))
    else:
        number = one(numbers[0])
    if unit in ("%", "pp"):
        return f"{number}{unit}" if lang != "en" else f"{number} {unit}"
    if is_money:
        if lang == "en":
            return f"{number} {word} {unit}" if word else f"{number} {unit}"
        return f"{number} {word}{_CURRENCY_ZH.get(unit, unit)}"
    if is_count:
        return f"{number} {word} units".replace("  ", " ") if lang == "en" else f"{number} {word}".strip()
    return f"{number} {unit}".strip()


def format_change(change: float | None, change_unit: str | None, lang: str = "zh") -> str:
    """A change with its sign and one decimal: +6.0 pp, -12.5 %; empty when unknown."""
    if change is None:
        return ""
    text = f"{change:+.1f}"
    if text in ("+0.0", "-0.0"):
        text = "0.0"
    unit = change_unit or ""
    return f"{text}{unit}" if lang != "en" else f"{text} {unit}".strip()
