"""The seed report (../shared/seed/) parses to the digest the product was designed from.

The project never contains the seed's text: the test reads it from beside the checkout and
skips when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from yanbao.store.parser import parse_file

SEED_DIR = Path(__file__).resolve().parents[3] / "shared" / "seed"
SEEDS = sorted(SEED_DIR.glob("*.txt")) if SEED_DIR.is_dir() else []

pytestmark = pytest.mark.skipif(not SEEDS, reason="../shared/seed is not present")

HK_PICKS = {
    "0700.HK", "9988.HK", "1810.HK", "1024.HK", "3690.HK", "9961.HK", "0780.HK", "9999.HK",
    "1698.HK", "0772.HK", "9899.HK", "0241.HK", "0268.HK", "2556.HK", "0992.HK",
}


@pytest.fixture(scope="module")
def seed():
    return parse_file(SEEDS[0])


def find(digest, company, metric, period=None, segment=None):
    hits = [
        m for m in digest.metrics
        if m.company == company and m.metric == metric
        and (period is None or m.period == period) and (segment is None or m.segment == segment)
    ]
    assert hits, f"no {company}/{segment}/{metric}/{period} in {[(m.company, m.segment, m.metric, m.period) for m in digest.metrics]}"
    return hits[0]


def test_metadata(seed):
    assert seed.title == "海内外 AI 发展势头强劲，关注港股互联网反弹机会"
    assert seed.broker == "华安证券"
    assert seed.period == "2025Q1"
    assert seed.date is None
    assert seed.language == "zh"
    assert [(a.name, a.license) for a in seed.analysts] == [("金荣", "S0010521080002")]
    assert seed.rating.scale == ["买入", "增持", "中性", "减持", "卖出"]
    assert seed.source.kind == "text"


def test_key_points(seed):
    assert [len(k.points) for k in seed.key_points] == [2, 4, 2]
    assert seed.key_points[0].heading.endswith("CapEx 持续投入")
    assert seed.key_points[0].points[0].startswith("1）")
    assert seed.key_points[1].points[3].startswith("4）")
    everything = " ".join(k.heading + " ".join(k.points) for k in seed.key_points) + seed.recommendation
    for boilerplate in ("[Table_", "免责声明", "执业证书", "投资评级说明", "分析师声明"):
        assert boilerplate not in everything


def test_rejoined_lines(seed):
    text = " ".join(" ".join(k.points) for k in seed.key_points)
    assert "DeepSeek-R1 的三分之一" in text  # "DeepSeek-\n\nR1" joined back
    assert "\n" not in text


def test_recommendation_and_picks(seed):
    assert seed.recommendation.startswith("港股互联网平台")
    assert seed.recommendation.endswith("等。")
    picks = {c.ticker for c in seed.companies if c.role == "recommended"}
    assert picks == HK_PICKS
    tencent = next(c for c in seed.companies if c.ticker == "0700.HK")
    assert tencent.name == "Tencent"
    assert "腾讯控股" in tencent.aliases_seen


def test_risks(seed):
    assert seed.risks == ["行业竞争加剧", "全球宏观经济扰动风险", "全球云计算开支缩减", "AI进展不及预期"]


def test_azure(seed):
    azure = find(seed, "Microsoft", "revenue_growth_yoy", "2025Q1", "Azure")
    assert (azure.value, azure.unit, azure.consensus, azure.vs_consensus) == (33.0, "%", 30.0, "above")
    assert azure.fiscal_period == "FY25Q3"
    assert "33%" in azure.text
    contribution = find(seed, "Microsoft", "ai_contribution", "2025Q1")
    assert (contribution.value, contribution.unit) == (16.0, "pp")


def test_microsoft_capex(seed):
    capex = find(seed, "Microsoft", "capex", "2025Q1")
    assert (capex.value, capex.unit, capex.consensus, capex.vs_consensus) == (16_700_000_000, "USD", 16_300_000_000, "above")
    leases = find(seed, "Microsoft", "capex_incl_leases", "2025Q1")
    assert leases.value == 21_400_000_000


def test_meta_guidance(seed):
    guidance = find(seed, "Meta", "capex_guidance", "2025")
    assert (guidance.value, guidance.low, guidance.high, guidance.basis) == (None, 64e9, 72e9, "guidance")
    assert guidance.previous is not None
    assert (guidance.previous.low, guidance.previous.high) == (60e9, 65e9)
    assert find(seed, "Meta", "capex", "2024").value == 39.2e9
    ads = find(seed, "Meta", "ad_revenue_growth_yoy", "2025Q1")
    assert (ads.value, ads.consensus, ads.vs_consensus) == (16.0, 14.0, "above")


def test_amazon(seed):
    capex = find(seed, "Amazon", "capex", "2025Q1")
    assert capex.value == 25e9
    assert find(seed, "Amazon", "capex_growth_yoy", "2025Q1").value == 67.6
    aws = find(seed, "Amazon", "revenue_growth_yoy", "2025Q1", "AWS")
    assert (aws.value, aws.vs_consensus) == (17.0, "inline")
    street = [m for m in seed.metrics if m.company == "Amazon" and m.basis == "consensus"]
    assert street and street[0].value == 100e9 and street[0].period == "2025"


def test_alphabet(seed):
    cloud = find(seed, "Alphabet", "revenue", "2025Q1", "Google Cloud")
    assert (cloud.value, cloud.unit) == (12.3e9, "USD")
    assert find(seed, "Alphabet", "revenue_growth_yoy", "2025Q1", "Google Cloud").value == 28.0
    assert find(seed, "Alphabet", "operating_margin", "2025Q1", "Google Cloud").value == 17.8
    change = find(seed, "Alphabet", "operating_margin_change_qoq", "2025Q1", "Google Cloud")
    assert (change.value, change.unit) == (0.2, "pp")
    capex = find(seed, "Alphabet", "capex", "2025Q1")
    assert (capex.value, capex.consensus, capex.vs_consensus) == (17.2e9, 17.1e9, "above")
    assert find(seed, "Alphabet", "capex", "2024Q1").value == 12e9
    assert find(seed, "Alphabet", "capex_guidance", "2025").value == 75e9
    assert find(seed, "Alphabet", "capex", "2024").value == 53e9


def test_every_metric_is_traceable(seed):
    for m in seed.metrics:
        assert m.text and m.company and m.period, m


def test_lost_bullet_glyphs_are_restored():
    """The same report with its ⚫ glyphs lost by the font (a leading blank remains)."""
    text = SEEDS[0].read_text(encoding="utf-8").replace("⚫", " ")
    from yanbao.store.model import Source
    from yanbao.store.parser import parse_text

    digest = parse_text(text, Source(path="lost.txt", kind="text", pages=1, sha256="0" * 64))
    assert [len(k.points) for k in digest.key_points] == [2, 4, 2]
    assert digest.risks[0] == "行业竞争加剧"
    assert digest.recommendation.startswith("港股互联网平台")
