"""Quantities as written in a sentence: money (167 亿美元, US$33.0bn, 640-720 亿美元), percentages
and percentage points (+0.2pct, 30bps), and counts of goods (2.52 亿部, 35mn units), each read
into base units (亿 = 1e8, bn = 1e9).
What a quantity measures is decided by ``metrics``; this module only reads the numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Quantity", "find_quantities"]


@dataclass
class Quantity:
    """A number with its unit as written: money, percent, percentage points or a count."""

    start: int
    end: int
    kind: str  # "money" | "percent" | "pp" | "count"
    value: float | None
    low: float | None
    high: float | None
    unit: str  # "USD" | "CNY" | "HKD" | "%" | "pp" | "units"


_MAGNITUDE = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7,
              "百万": Decimal(10) ** 6, "万": Decimal(10) ** 4,
              "tn": Decimal(10) ** 12, "trillion": Decimal(10) ** 12, "bn": Decimal(10) ** 9,
              "billion": Decimal(10) ** 9, "b": Decimal(10) ** 9, "mn": Decimal(10) ** 6,
              "million": Decimal(10) ** 6, "m": Decimal(10) ** 6}
_CURRENCY = {"美元": "USD", "us$": "USD", "$": "USD", "usd": "USD", "元": "CNY", "人民币": "CNY",
             "rmb": "CNY", "cny": "CNY", "¥": "CNY", "￥": "CNY", "港元": "HKD", "港币": "HKD",
             "hk$": "HKD", "hkd": "HKD"}
# Thousands separators only in groups of three: flattened tables glue cells into digit runs
# (1,286.31000725) that must not read as one 30-digit number.
_NUM = r"(?<!\d)(?:\d{1,3}(?:,\d{3})+|\d{1,15})(?:\.\d+)?(?!\d)"
_MONEY = re.compile(
    rf"(?P<pre>US\$|HK\$|\$|RMB|CNY|USD|HKD|¥|￥)?\s*(?P<a>{_NUM})(?:\s*(?:[-–~～至到]|to)\s*(?P<b>{_NUM}))?"
    r"\s*(?P<mag>万亿|亿|万|tn|trillion|bn|billion|mn|million|[bBmM](?![A-Za-z]))?\s*(?P<plus>\+)?\s*"
    r"(?P<post>美元|元|港元|港币|人民币|USD|HKD|CNY|RMB)?",
    re.IGNORECASE,
)
_PERCENT = re.compile(
    rf"(?P<sign>[+\-－])?\s*(?P<a>{_NUM})\s*[%％]?\s*(?:[-–~～至到]|to)\s*(?P<sign2>[+\-])?(?P<b>{_NUM})\s*[%％]"
    rf"|(?P<sign3>[+\-－])?\s*(?P<c>{_NUM})\s*[%％]"
)
# Goods counted with their measure word (部 phones, 台 machines, 辆 cars, 片 wafers, 颗 chips):
# only with one is a bare number a count; 个 and 人 are left out, they count anything.
_COUNT = re.compile(
    rf"(?P<a>{_NUM})(?:\s*(?:[-–~～至到]|to)\s*(?P<b>{_NUM}))?\s*"
    r"(?:(?P<mag>万亿|亿|万|百万|千万)\s*(?:部|台|辆|片|颗|块|套|只|件)|(?P<mag2>bn|billion|mn|million|m)?\s*units?\b)",
    re.IGNORECASE,
)
_PP = re.compile(rf"(?P<sign>[+\-－])?\s*(?P<a>{_NUM})\s*(?P<u>pct|pcts|ppts?|pp|个百分点|bps?|个基点)(?![A-Za-z])", re.I)


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _base(amount: Decimal, mag: str | None) -> float:
    # Rounded as a float: Decimal.quantize raises past 28 digits, and a digit run from a
    # flattened table can be that long.
    scaled = float(amount * _MAGNITUDE.get((mag or "").lower(), Decimal(1)))
    return float(round(scaled)) if scaled >= 10000 else scaled


def find_quantities(text: str) -> list[Quantity]:
    """Money, percentages and percentage points in a sentence, left to right."""
    found: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    for m in _PP.finditer(text):
        a = float(_dec(m.group("a")))
        if m.group("sign") in ("-", "－"):
            a = -a
        if m.group("u").lower().startswith("bp") or m.group("u") == "个基点":
            a = a / 100
        found.append(Quantity(m.start(), m.end(), "pp", a, None, None, "pp"))
        taken.append((m.start(), m.end()))
    for m in _PERCENT.finditer(text):
        if not free(m.start(), m.end()):
            continue
        if m.group("c") is not None:
            v = float(_dec(m.group("c")))
            if m.group("sign3") in ("-", "－"):
                v = -v
            found.append(Quantity(m.start(), m.end(), "percent", v, None, None, "%"))
        else:
            lo, hi = float(_dec(m.group("a"))), float(_dec(m.group("b")))
            if m.group("sign") in ("-", "－"):
                lo = -lo
            if m.group("sign2") == "-":
                hi = -hi
            found.append(Quantity(m.start(), m.end(), "percent", None, lo, hi, "%"))
        taken.append((m.start(), m.end()))
    for m in _MONEY.finditer(text):
        pre, post, mag = m.group("pre"), m.group("post"), m.group("mag")
        if not (pre or post) or not free(m.start("a"), m.end()):
            continue
        if not pre and not mag and post in ("元",):
            # a bare "5 元" is a price per share, not a company figure
            continue
        currency = _CURRENCY[(pre or post).lower()]
        a = _base(_dec(m.group("a")), mag)
        start = m.start("pre") if pre else m.start("a")
        if m.group("b"):
            b = _base(_dec(m.group("b")), mag)
            found.append(Quantity(start, m.end(), "money", None, a, b, currency))
        else:
            found.append(Quantity(start, m.end(), "money", a, None, None, currency))
        taken.append((start, m.end()))
    for m in _COUNT.finditer(text):
        if not free(m.start(), m.end()):
            continue
        mag = m.group("mag") or m.group("mag2")
        a = _base(_dec(m.group("a")), mag)
        if m.group("b"):
            found.append(Quantity(m.start(), m.end(), "count", None, a, _base(_dec(m.group("b")), mag), "units"))
        else:
            found.append(Quantity(m.start(), m.end(), "count", a, None, None, "units"))
        taken.append((m.start(), m.end()))
    found.sort(key=lambda q: q.start)
    return found
