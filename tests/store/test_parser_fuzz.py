"""Random and mutated report text never makes the text parser raise."""

from __future__ import annotations

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yanbao.store.model import Digest, Source
from yanbao.store.parser import parse_text

SOURCE = Source(path="fuzz.txt", kind="text", pages=1, sha256="f" * 64)

REPORT_LINES = [
    "证券研究报告", "行业周报", "云厂商资本开支继续上修", "——2025 年二季度综述", "报告日期：2025-08-18",
    "行业评级：增持（维持）", "分析师：周以宁 执业证书编号：S0870523040001", "主要观点：", "[Table_Summary]",
    "⚫ 海外云业务加速", "1）微软 FY25Q4 Azure 收入同比增长 39%，高于 BBG 预期的 35%；",
    "2）Meta 将 2025 年资本开支指引上调至 660-720 亿美元，上季度指引为 640-720 亿美元；",
    "（1）腾讯控股（0700.HK）本季度收入 1845 亿元，yoy+15%，环比+0.2pct；", "■ 重点推荐：腾讯控股、阿里巴巴-",
    "W、快手-W", "⚫ 投资建议", "相关公司：腾讯控股；阿里巴巴等。", "⚫ 风险提示", "行业竞争加剧；AI 进展不及预期等。",
    "Key takeaways", "• Azure grew 40% yoy in FY1Q26, ahead of consensus of 38%.", "Top picks: Tencent (0700 HK).",
    "Key risks", "免责声明", "买入—未来 6-12 个月的投资收益率领先市场基准指数 15%以上；",
    "[bold red]红[/]", "[@click=app.quit]x[/]", "\x1b[31m", "1000 亿+美元", "US$33.0bn", "", "",
]


@st.composite
def mutated_report(draw) -> str:
    lines = draw(st.lists(st.sampled_from(REPORT_LINES), min_size=0, max_size=40))
    noise = draw(st.lists(st.text(max_size=30), max_size=5))
    for item in noise:
        lines.insert(draw(st.integers(0, len(lines))), item)
    text = "\n".join(lines)
    if text and draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.text(max_size=10)) + text[cut:]
    return text


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_report())
def test_mutated_reports_parse(text: str) -> None:
    digest = parse_text(text, SOURCE)
    # Whatever came in, what comes out is a valid schema-1 digest.
    assert Digest.from_dict(digest.to_dict()) == digest


@settings(max_examples=800, deadline=None)
@given(st.text(max_size=400))
def test_random_text_parses(text: str) -> None:
    digest = parse_text(text, SOURCE)
    assert Digest.from_dict(digest.to_dict()) == digest


# Pieces of number-heavy text as real reports hold them: table cells glued together when a
# report is flattened to one line, magnitudes, full-width signs, tickers, ranges, dates.
NUMBER_PIECES = [
    "1,286.31", "000725.SZ", "13.69", "49.45", "-5.78", "亿元", "万亿", "美元", "％", "%", "pct", "bps",
    "（", "）", "，", "。", "：", "-", "~", "至", "2020年1-9月", "前三季度", "H1", "2Q21", "FY3Q25",
    "同比增长", "下降", "毛利率", "归母净利润", "出货量", "万部", "亿台", "市场规模", "电子行业整体",
    "风险提示：", "投资建议：", "核心观点", "●", "资料来源：Wind", "1234567890" * 3, "9" * 40, ".", ",",
    "e", "E", "+", "－", "∞", "NaN", "1e309",
]


@st.composite
def number_heavy_text(draw) -> str:
    pieces = draw(st.lists(st.sampled_from(NUMBER_PIECES) | st.from_regex(r"[\d,.]{1,40}", fullmatch=True), max_size=120))
    return "".join(pieces)


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number_heavy_text())
def test_number_heavy_flattened_text_parses(text: str) -> None:
    digest = parse_text(text, SOURCE)
    assert Digest.from_dict(digest.to_dict()) == digest
