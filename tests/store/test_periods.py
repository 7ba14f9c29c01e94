"""Periods: fiscal calendars, written forms and relative words."""

from __future__ import annotations

import pytest

from yanbao.store.periods import find_periods, fiscal_to_calendar, shift_quarter


@pytest.mark.parametrize(
    "year, quarter, year_end, expected",
    [
        (2025, 3, 6, "2025Q1"),  # Microsoft FY25 Q3 = Jan-Mar 2025
        (2026, 1, 6, "2025Q3"),
        (2025, 4, 6, "2025Q2"),
        (2026, 1, 3, "2025Q2"),  # Alibaba FY26 Q1 = Apr-Jun 2025
        (2025, 3, 3, "2024Q4"),
        (2025, 2, 12, "2025Q2"),
    ],
)
def test_fiscal_to_calendar(year, quarter, year_end, expected):
    assert fiscal_to_calendar(year, quarter, year_end) == expected


@pytest.mark.parametrize(
    "text, report_period, year_end, expected",
    [
        ("微软 FY3Q25 业绩", None, 6, "2025Q1"),
        ("FY25Q3 results", None, 6, "2025Q1"),
        ("CY25Q1 的 CapEx", None, 12, "2025Q1"),
        ("1Q25 revenue", None, 12, "2025Q1"),
        ("in Q3 2025 revenue", None, 12, "2025Q3"),
        ("2025年一季度收入", None, 12, "2025Q1"),
        ("2025 年第二季度", None, 12, "2025Q2"),
        ("二季度收入", "2025Q2", 12, "2025Q2"),
        ("本季度收入", "2025Q1", 12, "2025Q1"),
        ("上季度指引", "2025Q1", 12, "2024Q4"),
        ("去年同期的", "2025Q1", 12, "2024Q1"),
        ("今年 CapEx", "2025Q1", 12, "2025"),
        ("去年 CapEx", "2025Q1", 12, "2024"),
        ("last quarter", "2025Q3", 12, "2025Q2"),
    ],
)
def test_written_forms(text, report_period, year_end, expected):
    refs = find_periods(text)
    assert refs, text
    assert refs[0].resolve(report_period, year_end) == expected


def test_shift_quarter_crosses_years():
    assert shift_quarter("2025Q1", -1) == "2024Q4"
    assert shift_quarter("2025Q1", -4) == "2024Q1"
    assert shift_quarter("2024Q4", 1) == "2025Q1"


def test_dates_and_plain_numbers_are_not_periods():
    assert [r.label for r in find_periods("今年 4 月 30 日，发布 6710 亿参数")] == ["今年"]
