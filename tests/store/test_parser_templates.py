"""Template features the parser must read, each on a short report written for the test."""

from __future__ import annotations

import pytest

from yanbao.store.model import Source
from yanbao.store.parser import parse_bytes, parse_text


def parse(text: str):
    return parse_text(text, Source(path="t.txt", kind="text", pages=1, sha256="0" * 64))


TEMPLATE_B = """东岳证券 | 行业点评
报告日期：2025年8月20日
二季度云厂商业绩回顾：AI 收入加速兑现
行业评级：推荐（维持）
分析师：林秋白 执业证书编号：S1230520110002

核心观点
■ 海外云：增速全面回升
（1）微软 FY25Q4 Azure 收入同比增长 39%，好于市场一致预期的 35%；
（2）亚马逊 AWS 二季度收入 309 亿美元，同比+17.5%。
■ 国内互联网：腾讯广告收入同比+20%
（1）腾讯控股二季度收入 1845 亿元，同比增长 15%；
■ 重点推荐：腾讯控股（0700.HK）、阿里巴巴-W（9988.HK）、哔哩哔哩-
W（9626.HK）、新秀科技（1234.HK）。

风险因素
1. 宏观经济复苏不及预期；
2. 行业监管趋严；
3. 行业竞争加剧风险。

免责声明
本报告由东岳证券股份有限公司研究所编写。
"""


def test_template_b_sections_subpoints_and_risk_heading():
    d = parse(TEMPLATE_B)
    assert d.title == "二季度云厂商业绩回顾：AI 收入加速兑现"
    assert d.broker == "东岳证券"
    assert d.date == "2025-08-20"
    assert d.rating.sector == "推荐"
    assert [(a.name, a.license) for a in d.analysts] == [("林秋白", "S1230520110002")]
    assert [k.heading for k in d.key_points][:2] == ["海外云：增速全面回升", "国内互联网：腾讯广告收入同比+20%"]
    assert d.key_points[0].points[0].startswith("（1）微软")
    assert d.risks == ["宏观经济复苏不及预期", "行业监管趋严", "行业竞争加剧风险"]
    assert d.period == "2025Q2"


def test_template_b_picks_with_tickers_even_outside_the_registry():
    d = parse(TEMPLATE_B)
    picks = {c.ticker: c for c in d.companies if c.role == "recommended"}
    assert {"0700.HK", "9988.HK", "9626.HK", "1234.HK"} <= set(picks)
    assert picks["1234.HK"].name == "新秀科技"
    azure = next(m for m in d.metrics if m.segment == "Azure")
    assert (azure.period, azure.fiscal_period, azure.value, azure.consensus, azure.vs_consensus) == (
        "2025Q2", "FY25Q4", 39.0, 35.0, "above")


ENGLISH = """Northbridge Securities | Sector Note | 5 November 2025
US Hyperscalers: Capex up again, cloud growth accelerates
Sector view: Overweight
Analyst: Jane Doe, SFC CE No. ABC123

Key takeaways
• Azure beat again. Azure grew 40% yoy in FY1Q26, ahead of consensus of 38%.
• Meta raised its 2025 capex guidance to US$70-72bn from US$66-72bn.
• Google Cloud revenue rose 34% to US$15.2bn.

Investment view
We stay positive on the group. Top picks: Microsoft (MSFT), Alphabet (GOOGL). We also like Tencent (0700 HK).
Amazon is not among our picks.

Key risks
Slower AI monetisation; capex overbuild; regulation.

Disclaimer
This report was prepared by Northbridge Securities Limited.
"""


def test_english_note():
    d = parse(ENGLISH)
    assert d.language == "en"
    assert d.title == "US Hyperscalers: Capex up again, cloud growth accelerates"
    assert d.date == "2025-11-05"
    assert d.broker == "Northbridge Securities"
    assert d.rating.sector == "Overweight"
    assert [(a.name, a.license) for a in d.analysts] == [("Jane Doe", "ABC123")]
    assert len(d.key_points) == 3
    assert d.recommendation.startswith("We stay positive")
    assert d.risks == ["Slower AI monetisation", "capex overbuild", "regulation"]
    roles = {c.name: c.role for c in d.companies}
    assert roles["Microsoft"] == roles["Alphabet"] == roles["Tencent"] == "recommended"
    assert roles.get("Amazon") == "mentioned"
    assert d.period == "2025Q3"
    meta = next(m for m in d.metrics if m.company == "Meta")
    assert (meta.metric, meta.period, meta.low, meta.high) == ("capex_guidance", "2025", 70e9, 72e9)
    assert (meta.previous.low, meta.previous.high) == (66e9, 72e9)
    azure = next(m for m in d.metrics if m.segment == "Azure")
    assert (azure.value, azure.period, azure.vs_consensus) == (40.0, "2025Q3", "above")
    cloud = [m for m in d.metrics if m.segment == "Google Cloud"]
    assert {(m.metric, m.value) for m in cloud} == {("revenue_growth_yoy", 34.0), ("revenue", 15.2e9)}


COMPANY_REPORT = """证券研究报告 | 公司点评
腾讯控股（0700.HK）：广告与游戏双轮驱动
投资评级：买入（维持）
目标价：720 港元（前值 650 港元）
报告日期：2025-08-15

投资要点
⚫ 二季度收入 1845 亿元，同比增长 15%，高于彭博一致预期的 1790 亿元。
⚫ 风险提示：游戏版号发放放缓；广告需求疲弱。
"""


def test_company_report_rating_and_target():
    d = parse(COMPANY_REPORT)
    assert d.title == "腾讯控股（0700.HK）：广告与游戏双轮驱动"
    (rating,) = d.company_ratings
    assert (rating.company, rating.ticker, rating.rating, rating.action) == ("Tencent", "0700.HK", "买入", "maintain")
    assert (rating.target_price, rating.currency, rating.previous_target_price) == (720.0, "HKD", 650.0)
    assert d.risks == ["游戏版号发放放缓", "广告需求疲弱"]
    revenue = next(m for m in d.metrics if m.metric == "revenue")
    assert (revenue.value, revenue.consensus, revenue.vs_consensus, revenue.period) == (184.5e9, 179e9, "above", "2025Q2")


def test_unknown_layout_degrades_gracefully():
    d = parse("一份没有任何章节标题的短文。\n腾讯控股本季度收入同比增长 15%。\n")
    assert d.title
    assert d.key_points and d.key_points[0].points
    assert any(c.name == "Tencent" for c in d.companies)


def test_markup_and_escape_codes_are_kept_as_text():
    d = parse("标题 [bold red]红色[/]\n主要观点：\n⚫ 要点 [@click=app.quit]退出[/] \x1b[31m红\x1b]8;;http://x\x07链接\n")
    assert d.title == "标题 [bold red]红色[/]"
    assert d.key_points[0].heading == "要点 [@click=app.quit]退出[/] 红链接"


def test_gb18030_and_big5_text_files():
    text = "主要观点：\n⚫ 腾讯控股本季度收入同比增长 15%，高于预期。\n"
    for encoding in ("gb18030", "utf-8-sig"):
        d = parse_bytes(text.encode(encoding), f"r.{encoding}.txt")
        assert d.key_points[0].heading.startswith("腾讯控股本季度收入")
    big5 = "主要觀點：\n● 騰訊控股本季度收入同比增長 15%，高於預期。這是繁體中文的報告內容。\n".encode("big5")
    assert "騰訊控股" in parse_bytes(big5, "r.big5.txt").key_points[0].heading


@pytest.mark.parametrize("data, reason", [(b"", "empty"), (b"\xfe\xfe" * 80, "encoding")])
def test_unreadable_text(data, reason):
    from yanbao.store.errors import ReportError

    with pytest.raises(ReportError, match=reason):
        parse_bytes(data, "bad.txt")


def test_share_class_suffix_split_across_lines_is_joined():
    from yanbao.store.sections import rejoin

    assert rejoin(["相关公司：腾讯控股、百度集团-S", "W、快手-", "W、美团- W 等。"]) == ["相关公司：腾讯控股、百度集团-SW、快手-W、美团- W 等。"]
    assert rejoin(["Alibaba and Baidu are", "our picks"]) == ["Alibaba and Baidu are our picks"]
