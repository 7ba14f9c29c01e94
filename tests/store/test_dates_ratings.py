"""Publication dates and company ratings as real reports write them (our own sentences)."""

from __future__ import annotations

import pytest

from yanbao.store.dates import read_date
from yanbao.store.ratings import read_company_ratings


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["9 July 2026"], "2026-07-09"),
        (["July 9, 2026"], "2026-07-09"),
        (["Thursday , March 19 , 2026"], "2026-03-19"),
        (["09-Jul-26"], "2026-07-09"),
        (["2026/07/09"], "2026-07-09"),
        (["证券研究报告    2026.03.19"], "2026-03-19"),
        (["[Table_Date] 2020年3月7日"], "2020-03-07"),
        (["12021年3月27日股市有风险"], "2021-03-27"),  # a page number glued to the date
        (["资料来源：Wind，2020年11月30日"], None),
        (["相关报告：《行业景气向上》，2020.12.22"], None),
        (["回测区间 2019-12-02～2020-11-30"], None),
        (["分析日期 2019年12月06日", "2019年12月10日"], "2019-12-10"),
        (["行业数据2020-12-21 行业深度报告●电子2020年12月22日"], "2020-12-22"),
    ],
)
def test_publication_date(lines: list[str], expected: str | None) -> None:
    assert read_date(lines) == expected


def rating_of(lines: list[str], **kw):
    (rating,) = read_company_ratings([], None, None, first_page=lines, **kw)
    return rating.company, rating.ticker, rating.rating, rating.action, rating.target_price, rating.currency


def test_english_sentence_rating_with_tp_after_the_price() -> None:
    lines = ["Tencent Holdings (0700.HK)", "We reiterate our Buy rating on Tencent with HK$787 TP and top-pick status."]
    assert rating_of(lines) == ("Tencent", "0700.HK", "Buy", "maintain", 787.0, "HKD")


def test_box_rating_and_target_moved_by_the_note() -> None:
    lines = ["700 HK", "Neutral", "We cut our SoTP-based TP by 2% to HK$559, from HK$569, on lower margins."]
    company, ticker, rating, _, target, currency = rating_of(lines)
    assert (ticker, rating, target, currency) == ("0700.HK", "Neutral", 559.0, "HKD")


def test_price_objective_and_high_conviction_box() -> None:
    lines = ["TCEHY.US", "HK$550.50 - HIGH CONVICTION OUTPERFORM", "PO: HK$780"]
    assert rating_of(lines)[2:] == ("High Conviction Outperform", None, 780.0, "HKD")


def test_chinese_rating_and_target_with_previous() -> None:
    lines = ["腾讯控股（0700.HK）", "我们将目标价上调至 720 港元（前值 650 港元），维持“买入”评级"]
    (rating,) = read_company_ratings([], None, None, first_page=lines)
    assert (rating.rating, rating.action, rating.target_price, rating.previous_target_price, rating.currency) == (
        "买入", "maintain", 720.0, 650.0, "HKD")


def test_industry_report_listing_many_tickers_rates_no_company() -> None:
    lines = ["维持行业“推荐”评级", "重点推荐鹏鼎控股（002938.SZ）、京东方A（000725.SZ）、立讯精密（002475.SZ）"]
    assert read_company_ratings([], None, None, first_page=lines) == []
