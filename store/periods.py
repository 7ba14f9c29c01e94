"""Calendar periods out of the ways reports write them.

A period is a calendar quarter ``YYYYQn`` or a year ``YYYY``. Fiscal quarters go through the
company's fiscal calendar (Microsoft's year ends in June, so FY3Q25 is 2025Q1); relative
words (本季度, 上季度, 去年同期, 今年, last year) resolve against the report's own period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["QUARTER_RE", "PeriodRef", "find_periods", "fiscal_to_calendar", "shift_quarter", "quarter_of_date", "year_of"]

_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _year(text: str) -> int:
    value = int(text)
    return value + 2000 if value < 100 else value


QUARTER_RE = re.compile(r"(\d{4})Q([1-4])")
"""A calendar quarter as the digest writes it (``2025Q1``); match it whole (``fullmatch``)."""


def shift_quarter(period: str | None, quarters: int) -> str | None:
    """``2025Q1`` moved by ``quarters`` (-1 gives 2024Q4); None when not a quarter."""
    found = QUARTER_RE.fullmatch(period or "")
    if found is None:
        return None
    index = int(found[1]) * 4 + int(found[2]) - 1 + quarters
    return f"{index // 4}Q{index % 4 + 1}"


def year_of(period: str | None) -> int | None:
    return int(period[:4]) if period else None


def quarter_of_date(date: str) -> str:
    """The calendar quarter a YYYY-MM-DD date falls in."""
    return f"{date[:4]}Q{(int(date[5:7]) - 1) // 3 + 1}"


def fiscal_to_calendar(fiscal_year: int, fiscal_quarter: int, year_end_month: int) -> str:
    """Calendar quarter of a fiscal quarter, for a fiscal year ending in ``year_end_month``.

    The fiscal quarter is placed by the calendar quarter its last month falls in.
    """
    if year_end_month == 12:
        return f"{fiscal_year}Q{fiscal_quarter}"
    end_month = year_end_month - 3 * (4 - fiscal_quarter)
    year = fiscal_year
    while end_month <= 0:
        end_month += 12
        year -= 1
    return f"{year}Q{(end_month - 1) // 3 + 1}"


@dataclass
class PeriodRef:
    """A period expression found in text: where it is, what it says, how it resolves."""

    start: int
    end: int
    label: str
    kind: str  # "calendar" | "fiscal" | "year" | "relative" | "quarter_only" | "span"
    year: int | None = None
    quarter: int | None = None
    shift: int = 0  # relative: quarters (kind quarter) or years (kind year) from the report period
    unit: str = "quarter"  # for relative: "quarter" | "year"
    months: tuple[int, int] | None = None  # span: first and last month (前三季度 is 1-9)

    def resolve(self, report_period: str | None, year_end_month: int = 12) -> str | None:
        """The calendar period this reference names, given the report's period."""
        if self.kind == "calendar":
            return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)
        if self.kind == "fiscal":
            if self.quarter is None:
                return str(self.year)
            return fiscal_to_calendar(self.year, self.quarter, year_end_month)
        if self.kind == "year":
            return str(self.year)
        if self.kind == "span":
            year = self.year or year_of(report_period)
            # A span ending on a quarter's last month is told by that quarter; 1-10月 by none.
            return f"{year}Q{self.months[1] // 3}" if year and self.months[1] % 3 == 0 else None
        if self.kind == "quarter_only":
            year = year_of(report_period)
            return f"{year}Q{self.quarter}" if year else None
        if report_period is None:
            return None
        if self.unit == "year":
            return str(int(report_period[:4]) + self.shift)
        if "Q" not in report_period:
            return None
        return shift_quarter(report_period, self.shift)

    def span_label(self, report_period: str | None) -> str | None:
        """A span as a label beside its period: 2020Q1-Q3, 2020H1, 2020M1-M10."""
        if self.kind != "span":
            return None
        year = self.year or year_of(report_period)
        if not year:
            return None
        first, last = self.months
        if first % 3 == 1 and last % 3 == 0:
            if (first, last) in ((1, 6), (7, 12)):
                return f"{year}H{1 if first == 1 else 2}"
            return f"{year}Q{first // 3 + 1}-Q{last // 3}"
        return f"{year}M{first}-M{last}"

    @property
    def fiscal_label(self) -> str | None:
        if self.kind != "fiscal" or self.quarter is None:
            return None
        return f"FY{self.year % 100:02d}Q{self.quarter}"


_PATTERNS: list[tuple[re.Pattern, str]] = [
    # FY3Q25, FY25Q3, FY2025Q3, 3QFY25, Q3 FY25, FY25 Q3, fiscal Q3 2025
    (re.compile(r"FY\s?([1-4])\s?Q\s?(\d{4}|\d{2})(?![\d])", re.I), "fiscal_qy"),
    (re.compile(r"FY\s?(\d{4}|\d{2})\s?Q\s?([1-4])(?![\d])", re.I), "fiscal_yq"),
    (re.compile(r"([1-4])\s?Q\s?FY\s?(\d{4}|\d{2})(?![\d])", re.I), "fiscal_qy"),
    (re.compile(r"Q([1-4])\s?FY\s?(\d{4}|\d{2})(?![\d])", re.I), "fiscal_qy"),
    (re.compile(r"fiscal\s+(?:year\s+)?(\d{4})\s+(?:Q|quarter\s*)([1-4])", re.I), "fiscal_yq"),
    (re.compile(r"FY\s?(\d{4}|\d{2})(?![\dQq])(?:年|财年)?", re.I), "fiscal_year"),
    # CY25Q1, 2025Q1, 25Q1, 1Q25, 1Q2025, Q1 2025, 2025 Q1
    (re.compile(r"CY\s?(\d{4}|\d{2})\s?Q([1-4])", re.I), "cal_yq"),
    (re.compile(r"(?<![\dA-Za-z])(20\d{2}|\d{2})\s?Q([1-4])(?![\d])"), "cal_yq"),
    (re.compile(r"(?<![\dA-Za-z])([1-4])Q\s?(20\d{2}|\d{2})(?![\d])"), "cal_qy"),
    (re.compile(r"(?<![\dA-Za-z])Q([1-4])\s?(20\d{2}|'\d{2}|\d{2})(?![\d])"), "cal_qy"),
    # 2025年一季度, 2025 年第一季度, 2025年Q1
    (re.compile(r"(20\d{2})\s*年\s*(?:第\s*)?([一二三四1-4])\s*季度"), "cal_yq_cn"),
    (re.compile(r"(20\d{2})\s*年\s*Q([1-4])"), "cal_yq"),
    # spans: 2020年前三季度, 前三季度, 2020年1-9月, 1-10月, 2020H1, 1H20, H1 2020, 上半年
    (re.compile(r"(?:(20\d{2})\s*年\s*)?前\s*([二两三])\s*(?:个)?季度?"), "span_quarters"),
    (re.compile(r"(?:(20\d{2})\s*年\s*)?(?<!\d)(1)\s*[-–~～至]\s*(1[0-2]|[2-9])\s*月"), "span_months"),
    (re.compile(r"(?:(20\d{2})\s*年\s*)?([上下])半年"), "span_half_cn"),
    (re.compile(r"(?<![\dA-Za-z])(?:(20\d{2}|\d{2})\s?H([12])|([12])H\s?(20\d{2}|\d{2})|H([12])\s?(20\d{2}))(?![\dA-Za-z])"), "span_half"),
    (re.compile(r"(?<![\d年])(?:第\s*)?([一二三四])\s*季度"), "quarter_only"),
    (re.compile(r"(20\d{2})\s*(?:年|财年)(?!\s*\d{1,2}\s*月)(?!\s*(?:第\s*)?[一二三四1-4]\s*季)"), "year"),
    (re.compile(r"(?:in|for|of|year)\s+(20\d{2})(?![\d/-])", re.I), "year"),
    (re.compile(r"(?<![\w.$/-])(20\d{2})(?:E\b|(?=\s+(?:capex|capital|revenue|guidance|sales|full[- ]year|outlook|spending|spend|range)\b))", re.I), "year"),
    # relative words
    (re.compile(r"本季度|本季|当季|this quarter|the quarter", re.I), "rel_q0"),
    (re.compile(r"上季度|上一季度|上个季度|上季|前一季度|last quarter|previous quarter|prior quarter", re.I), "rel_q-1"),
    (re.compile(r"下季度|下一季度|下个季度|next quarter", re.I), "rel_q1"),
    (re.compile(r"去年同期|上年同期|a year ago|year-ago quarter|same quarter last year", re.I), "rel_q-4"),
    (re.compile(r"今年|本年|全年|本财年|this year|full[- ]year|FY guidance", re.I), "rel_y0"),
    (re.compile(r"去年|上年|last year|prior year", re.I), "rel_y-1"),
    (re.compile(r"明年|next year", re.I), "rel_y1"),
]


def find_periods(text: str) -> list[PeriodRef]:
    """Every period expression in the text, left to right, non-overlapping."""
    found: list[PeriodRef] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            ref = _make(m, kind)
            if ref is None:
                continue
            found.append(ref)
            taken.append((m.start(), m.end()))
    found.sort(key=lambda r: r.start)
    return found


def _make(m: re.Match, kind: str) -> PeriodRef | None:
    s, e, label = m.start(), m.end(), m.group(0)
    if kind == "fiscal_qy":
        return PeriodRef(s, e, label, "fiscal", _year(m.group(2).lstrip("'")), int(m.group(1)))
    if kind == "fiscal_yq":
        return PeriodRef(s, e, label, "fiscal", _year(m.group(1)), int(m.group(2)))
    if kind == "fiscal_year":
        return PeriodRef(s, e, label, "fiscal", _year(m.group(1)), None)
    if kind == "cal_yq":
        return PeriodRef(s, e, label, "calendar", _year(m.group(1)), int(m.group(2)))
    if kind == "cal_qy":
        return PeriodRef(s, e, label, "calendar", _year(m.group(2).lstrip("'")), int(m.group(1)))
    if kind == "cal_yq_cn":
        return PeriodRef(s, e, label, "calendar", _year(m.group(1)), _CN_NUM[m.group(2)])
    if kind == "quarter_only":
        return PeriodRef(s, e, label, "quarter_only", None, _CN_NUM[m.group(1)])
    if kind == "span_quarters":
        year = _year(m.group(1)) if m.group(1) else None
        return PeriodRef(s, e, label, "span", year, months=(1, 3 * _CN_NUM[m.group(2)]))
    if kind == "span_months":
        year = _year(m.group(1)) if m.group(1) else None
        return PeriodRef(s, e, label, "span", year, months=(1, int(m.group(3))))
    if kind == "span_half_cn":
        year = _year(m.group(1)) if m.group(1) else None
        return PeriodRef(s, e, label, "span", year, months=(1, 6) if m.group(2) == "上" else (7, 12))
    if kind == "span_half":
        year_text = m.group(1) or m.group(4) or m.group(6)
        half = int(m.group(2) or m.group(3) or m.group(5))
        return PeriodRef(s, e, label, "span", _year(year_text), months=(1, 6) if half == 1 else (7, 12))
    if kind == "year":
        return PeriodRef(s, e, label, "year", _year(m.group(1)))
    unit = "quarter" if kind.startswith("rel_q") else "year"
    return PeriodRef(s, e, label, "relative", shift=int(kind[5:]), unit=unit)
