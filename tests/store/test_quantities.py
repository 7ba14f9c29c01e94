"""Numbers as reports write them, in base units."""

from __future__ import annotations

import pytest

from yanbao.store.metrics import vs_consensus
from yanbao.store.quantities import find_quantities


@pytest.mark.parametrize(
    "text, kind, value, low, high, unit",
    [
        ("收入达 167 亿美元", "money", 16_700_000_000, None, None, "USD"),
        ("指引为 640-720 亿美元", "money", None, 64e9, 72e9, "USD"),
        ("维持 1000 亿+美元水平", "money", 100e9, None, None, "USD"),
        ("revenue of US$33.0bn", "money", 33e9, None, None, "USD"),
        ("capex of $66-72bn", "money", None, 66e9, 72e9, "USD"),
        ("收入 1,800 亿元", "money", 180e9, None, None, "CNY"),
        ("收入 1.2 万亿元", "money", 1.2e12, None, None, "CNY"),
        ("目标 HK$720", "money", 720.0, None, None, "HKD"),
        ("（yoy+28%）", "percent", 28.0, None, None, "%"),
        ("同比+67.6%", "percent", 67.6, None, None, "%"),
        ("同比-3.5%", "percent", -3.5, None, None, "%"),
        ("指引（31%-32%）", "percent", None, 31.0, 32.0, "%"),
        ("环比+0.2pct", "pp", 0.2, None, None, "pp"),
        ("贡献 16pct", "pp", 16.0, None, None, "pp"),
        ("down 50bps", "pp", 0.5, None, None, "pp"),
        ("提升 1.5 个百分点", "pp", 1.5, None, None, "pp"),
        ("毛利率为 13.4％", "percent", 13.4, None, None, "%"),
        ("占比 10-20％", "percent", None, 10.0, 20.0, "%"),
        ("全球出货量 2.52 亿部", "count", 252_000_000, None, None, "units"),
        ("销量 1,200 万辆", "count", 12_000_000, None, None, "units"),
        ("产能 3-4 万片", "count", None, 30_000, 40_000, "units"),
        ("shipped 35mn units", "count", 35_000_000, None, None, "units"),
        ("销量 500 百万台", "count", 500_000_000, None, None, "units"),
    ],
)
def test_quantities(text, kind, value, low, high, unit):
    (q,) = find_quantities(text)
    assert (q.kind, q.value, q.low, q.high, q.unit) == (kind, value, low, high, unit)


def test_numbers_without_units_are_not_figures():
    assert find_quantities("模型总参数从 6710 亿增至 6850 亿，今年 4 月 30 日") == []
    # 个 and 人 count anything; a count needs the measure word of goods
    assert find_quantities("覆盖 3 个行业，团队 12 人") == []


@pytest.mark.parametrize(
    "value, consensus, expected",
    [(33, 30, "above"), (17.2, 17.1, "above"), (25.0, 25.1, "inline"), (14, 16, "below"), (33, None, None)],
)
def test_vs_consensus(value, consensus, expected):
    assert vs_consensus(value, None, None, consensus) == expected


def test_glued_table_digits_are_not_one_number():
    """A flattened table glues cells into digit runs; they never raise and never read as one
    30-digit amount (Decimal.quantize used to raise InvalidOperation past 28 digits)."""
    run = "市值" + "1234567890" * 4 + "亿元，" + "9" * 30 + "万亿美元"
    assert [q for q in find_quantities(run) if q.kind == "money"] == []
    found = find_quantities("市值(亿元)1,286.31000725.SZ，总计 1,286 亿元")
    assert [(q.value, q.unit) for q in found] == [(128_600_000_000, "CNY")]


def test_thousands_separators_group_by_three():
    assert [q.value for q in find_quantities("收入 12,345,678 美元")] == [12_345_678]
