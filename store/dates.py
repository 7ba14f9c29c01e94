"""A report's publication date, as a reader finds it.

A labelled date (报告日期, 发布日期, [Table_Date], Date:) wins; then the first date written in
any of the common forms (2026年7月9日, 2026-07-09, 2026/07/09, 2026.07.09, 9 July 2026,
July 9, 2026, 18 Mar 2026, 09-Jul-26), skipping data dates quoted in a source note
(资料来源：Wind，2020年11月30日) or an "as of" clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["read_date", "find_dates"]

_MONTH_NAMES = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_FORMS: list[tuple[re.Pattern[str], str]] = [
    # no digit guard before 年: a page number glued to the date (12021年3月27日) is common in flattened text
    (re.compile(r"(20\d{2}|19\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "ymd"),
    (re.compile(r"(?<![\d.])(20\d{2}|19\d{2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?![\d])"), "ysmd"),
    (re.compile(rf"(?<![\w])(\d{{1,2}})(?:st|nd|rd|th)?[ -]{_MONTH}[ -,]*((?:19|20)\d{{2}})(?!\d)", re.I), "dmy"),
    (re.compile(rf"(?<![\w]){_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\s*,?\s*((?:19|20)\d{{2}})(?!\d)", re.I), "mdy"),
    (re.compile(rf"(?<![\w])(\d{{1,2}})-{_MONTH}-(\d{{2}})(?![\w])", re.I), "dmy2"),
]
# 分析日期, 数据日期, 交易日期 are a data window's dates: only a bare 日期 or a publication label counts.
_LABEL = re.compile(
    r"(?:报告日期|发布日期|发布时间|报告时间|出版日期|(?<![\u4e00-\u9fa5])日期|\[Table_Date\]|\bDate\b|Published)\s*[:：]?\s*$",
    re.I,
)
# A date right after these is the data's date, not the report's.
_DATA_CONTEXT = re.compile(r"资料来源|数据来源|来源[:：]|截至|截止|数据日期|分析日期|统计日期|交易日期|股价为|as of|as at|Source[s]?\s*:|收盘|区间|至今|以来", re.I)


# A cited report's date: 《title》，2020.12.22
_CITED = re.compile(r"》\s*[，,：:\-–—]?\s*$")
# Either end of a range (2019-12-02～2020-11-30) is a data window, not a publication date.
_RANGE_BEFORE = re.compile(r"[～~至—–]\s*$")
_RANGE_AFTER = re.compile(r"^\s*[～~至—–]\s*(?:19|20)\d{2}")


def _ymd(y: int, mo: int, d: int) -> str | None:
    if 1 <= mo <= 12 and 1 <= d <= 31 and 1990 <= y <= 2100:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def find_dates(line: str) -> Iterator[tuple[int, int, str, bool]]:
    """(start, end, YYYY-MM-DD, written with 年月日) for every date in ``line``, in order."""
    hits: list[tuple[int, int, str, bool]] = []
    for pattern, form in _FORMS:
        for m in pattern.finditer(line):
            g = m.groups()
            if form == "ymd":
                value = _ymd(int(g[0]), int(g[1]), int(g[2]))
            elif form == "ysmd":
                value = _ymd(int(g[0]), int(g[2]), int(g[3]))
            elif form == "dmy":
                value = _ymd(int(g[2]), _MONTH_NAMES[g[1][:3].lower()], int(g[0]))
            elif form == "mdy":
                value = _ymd(int(g[2]), _MONTH_NAMES[g[0][:3].lower()], int(g[1]))
            else:
                value = _ymd(2000 + int(g[2]), _MONTH_NAMES[g[1][:3].lower()], int(g[0]))
            if value:
                hits.append((m.start(), m.end(), value, form == "ymd"))
    hits.sort()
    end = -1
    for hit in hits:
        if hit[0] >= end:  # overlapping forms: the first (leftmost) reading wins
            yield hit
            end = hit[1]


def _publication_dates(line: str) -> Iterator[tuple[bool, bool, str]]:
    """(labelled, written with 年月日, date) for the dates of a line that can be a
    publication date."""
    for start, end, value, chinese in find_dates(line):
        before = line[max(0, start - 30) : start]
        if _LABEL.search(before[-14:]):
            yield True, chinese, value
        elif not (_DATA_CONTEXT.search(before) or _CITED.search(before) or _RANGE_BEFORE.search(before)
                  or _RANGE_AFTER.match(line[end : end + 8])):
            yield False, chinese, value


def read_date(*sources: list[str]) -> str | None:
    """The report date as YYYY-MM-DD: a labelled date in any source first, else from the
    first source that has a date its first one written 年月日 (a cover's form; numeric
    dates on a cover page are as often a data series' date), else its first date."""
    for lines in sources:
        first: str | None = None
        first_chinese: str | None = None
        for line in lines:
            for labelled, chinese, value in _publication_dates(line):
                if labelled:
                    return value
                first = first or value
                if chinese:
                    first_chinese = first_chinese or value
        if first is not None:
            return first_chinese or first
    return None
