"""Names written beside a ticker the registry lacks are learned as companies; acronyms
being defined in brackets (quant reports, papers) are not companies."""

from __future__ import annotations

import pytest

from yanbao.store.companies_in_text import CompanyFinder


def found(text: str) -> list[tuple[str, str | None]]:
    finder = CompanyFinder()
    return [(c.name, c.ticker) for c in finder.companies([text], recommendation="", body=text)]


@pytest.mark.parametrize(
    "text",
    [
        "模型在希尔伯特变换前对信号进行经验模态分解（EMD），再做时频分析。",
        "本文构建低延迟趋势线（LLT），用于短线择时。",
        "We train a long short-term memory network (LSTM) on daily returns.",
        "The network uses Multi-Task Learning (MTL) to share features.",
        "The series adjusts the Cboe Near-Term VIX Index (VXST) for roll yield.",
        "Sharpe ratios improve with Deep Momentum Networks (DMN) across assets.",
        "第一个辅助判断指标是动量震荡指标（AO），第二个是成交量。",
        "对申万一级行业的日频价格数据（OHLC）进行回测。",
        "Let Date (T) index the sample and Sin (S) the signal.",
        "Moving Average Con-vergence Divergence (MACD) crosses are noisy.",
        "The Probability of Backtest Overfitting (PBO) is high.",
        "Entire Sim. GBM T (GBMT) rows repeat the test.",
    ],
)
def test_an_acronym_being_defined_is_not_a_company(text):
    assert found(text) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("We initiate on Zentrix Robotics (ZTRX) with a Buy rating.", ("Zentrix Robotics", "ZTRX")),
        ("重点推荐星河科技（301989.SZ），目标价 45 元。", ("星河科技", "301989.SZ")),
        ("Among peers we prefer Harbin Widget Holdings (1234 HK).", ("Harbin Widget Holdings", "1234.HK")),
        ("首推云帆智能（YFAN），海外收入占比提升。", ("云帆智能", "YFAN")),
        ("We like Quorvex Systems (QVX) for its margins.", ("Quorvex Systems", "QVX")),
    ],
)
def test_a_company_beside_its_ticker_is_learned(text, expected):
    assert expected in found(text)


def test_a_learned_name_starts_at_a_word():
    # A lower-case run before a company name never becomes part of the name.
    names = [n for n, _ in found("results of the benchmark against Zentrix Robotics (ZTRX.US) were strong")]
    assert names == ["Zentrix Robotics"]
