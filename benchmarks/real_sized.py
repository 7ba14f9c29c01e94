"""Digests of real size and variety for big-library benchmarks, generated as dicts.

Real broker digests average about 47.7 KB (median 36.5 KB) across 54 parsed broker PDFs:
long key points, 100+ figures each with its sentence, several companies, a dozen risks.
``real_sized_docs(n)`` yields digest dicts whose sizes follow a log-normal fit of that
(median 36.5 KB, mean about 47 KB), with companies drawn from the registry with a few
very common ones (as in a real library), 40 brokers and five years of dates and periods.
Deterministic for a seed; fast enough to stream 100,000 (no parsing, no dataclasses).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterator
from functools import cache

from yanbao.store.companies import get_registry

__all__ = ["BROKERS", "REAL_MEAN_KB", "REAL_MEDIAN_KB", "real_sized_docs"]

REAL_MEDIAN_KB = 36.5
REAL_MEAN_KB = 47.7
METRIC_BYTES = 310  # one figure with its sentence, as JSON
_SIGMA = math.sqrt(2 * math.log(REAL_MEAN_KB / REAL_MEDIAN_KB))

BROKERS = (
    "中金公司", "华泰证券", "中信证券", "国泰君安", "海通证券", "招商证券", "广发证券", "申万宏源", "兴业证券",
    "东方证券", "光大证券", "天风证券", "长江证券", "国信证券", "安信证券", "民生证券", "浙商证券", "华安证券",
    "开源证券", "国海证券", "东吴证券", "西部证券", "中泰证券", "方正证券", "德邦证券", "Morgan Stanley",
    "Goldman Sachs", "J.P. Morgan", "UBS", "Citi", "HSBC", "Jefferies", "BofA Securities", "CLSA", "Macquarie",
    "Nomura", "Daiwa", "Bernstein", "Barclays", "Deutsche Bank",
)
_METRICS = (
    ("revenue", "亿元", "收入"), ("revenue_growth_yoy", "%", "收入同比增长"), ("revenue_growth_qoq", "%", "收入环比增长"),
    ("operating_margin", "%", "经营利润率"), ("net_income", "亿元", "净利润"), ("net_income_growth_yoy", "%", "净利润同比增长"),
    ("eps", "元", "每股收益"), ("capex", "亿元", "资本开支"), ("capex_growth_yoy", "%", "资本开支同比增长"),
    ("ad_revenue", "亿元", "广告收入"), ("ad_revenue_growth_yoy", "%", "广告收入同比增长"), ("users", "亿", "月活用户"),
    ("users_growth_yoy", "%", "用户同比增长"), ("backlog", "亿元", "在手订单"),
)
_SEGMENTS = (None, None, None, "云业务", "广告", "游戏", "金融科技", "国际业务", "电商", "本地生活")
_RISKS = (
    "行业竞争加剧", "宏观经济波动", "政策监管趋严", "AI进展不及预期", "海外需求下滑", "汇率波动", "原材料价格上涨",
    "下游需求不及预期", "技术迭代风险", "地缘政治风险", "客户集中度较高", "产能释放不及预期", "价格战加剧",
    "应收账款回收风险", "商誉减值风险", "核心人才流失", "数据安全与隐私合规", "芯片供应受限", "消费复苏不及预期",
    "广告主预算收缩", "游戏版号发放放缓", "云计算价格下行", "资本开支回报不及预期", "估值回调风险",
)
_RISK_FORMS = ("{r}", "{r}风险", "{r}的风险", "{r}。", "1）{r}", "{r}等")
_CLAUSES = (
    "公司{seg}业务收入同比增长{v}%，增速较上季度{dir}{d}个百分点，主要受益于{drv}",
    "我们预计{y}年{name}{m}将达到{v}亿元，对应同比增长{g}%，高于市场一致预期",
    "管理层在业绩会上表示，{y}年资本开支将维持在{v}亿元左右，重点投向算力与数据中心建设",
    "{name}本季度毛利率为{v}%，同比提升{d}个百分点，经营杠杆持续释放，费用率稳中有降",
    "考虑到{drv}，我们上调{name}{y}年盈利预测至{v}亿元，维持“买入”评级，目标价{t}元",
    "行业层面，{drv}带动需求回暖，头部厂商份额进一步集中，中小厂商出清加速",
    "海外市场方面，{name}在东南亚与中东地区的收入占比提升至{g}%，成为新的增长引擎",
)
_DRIVERS = ("AI应用加速落地", "广告需求回暖", "云业务提价", "降本增效持续推进", "新品周期拉动", "海外扩张顺利",
            "用户时长增长", "算力需求旺盛", "政策环境改善", "供应链成本下降")


@cache
def _companies() -> tuple[tuple[str, str, str | None], ...]:
    """(name, chinese name, ticker) of every registry company, most prominent first."""
    return tuple((info.name, info.name_zh or info.name, info.ticker) for info in get_registry())


def _pick_companies(rng: random.Random, count: int) -> list[tuple[str, str, str | None]]:
    pool = _companies()
    # Zipf-like: a few companies appear in a large share of reports, as in a real library.
    return [pool[min(int((rng.paretovariate(1.0) - 1) * 6), len(pool) - 1)] if rng.random() < 0.7
            else rng.choice(pool) for _ in range(count)]


@cache
def _sentences() -> tuple[str, ...]:
    """A pool of analyst sentences (generated once) that key points draw from."""
    rng = random.Random(17)
    names = [c[1] for c in _companies()]
    return tuple(_sentence(rng, rng.choice(names), 2021 + rng.randrange(5)) for _ in range(20_000))


def _sentence(rng: random.Random, name: str, year: int) -> str:
    return rng.choice(_CLAUSES).format(
        seg=rng.choice(_SEGMENTS) or "核心", v=round(rng.uniform(1, 900), 1), dir=rng.choice(("提升", "回落")),
        d=round(rng.uniform(0.1, 8), 1), drv=rng.choice(_DRIVERS), y=year, name=name, m=rng.choice(("收入", "净利润")),
        g=round(rng.uniform(1, 60), 1), t=round(rng.uniform(10, 800), 1)) + "。"


def _doc(rng: random.Random, serial: int, seed: int) -> dict:
    target = int(0.87 * 1024 * REAL_MEDIAN_KB * math.exp(rng.gauss(0, _SIGMA)))  # 0.87: JSON overhead
    r = rng.random
    year = 2021 + rng.randrange(5)
    quarter = 1 + rng.randrange(4)
    month = 3 * quarter + 1 if quarter < 4 else 1
    date_year = year if quarter < 4 else year + 1
    date = f"{date_year:04d}-{month:02d}-{1 + rng.randrange(28):02d}"
    period = f"{year}Q{quarter}"
    picked = list(dict.fromkeys(_pick_companies(rng, 1 + rng.randrange(6))))
    main = picked[0]
    broker = rng.choice(BROKERS)
    english = broker.isascii() and rng.random() < 0.5
    companies = [{"name": n, "ticker": t, "role": "recommended" if i == 0 or rng.random() < 0.3 else "mentioned",
                  "aliases_seen": [zh], "mentions": 1 + rng.randrange(9)} for i, (n, zh, t) in enumerate(picked)]
    metrics = []
    pool = _sentences()
    n_metrics = max(100, int(0.5 * target / METRIC_BYTES))
    n_pool, n_kinds, n_segments = len(pool), len(_METRICS), len(_SEGMENTS)
    for k in range(n_metrics):
        name, zh, ticker = picked[k % len(picked)]
        key, unit, label = _METRICS[int(r() * n_kinds)]
        value = round(r() * 100 - 20 if unit == "%" else r() * 5000, 2)
        q = 1 + int(r() * 4)
        metrics.append({
            "company": name, "metric": key, "period": f"{year - int(r() * 2)}Q{q}", "value": value, "unit": unit,
            "ticker": ticker, "segment": _SEGMENTS[int(r() * n_segments)], "fiscal_period": None,
            "basis": "actual" if r() < 0.8 else "guidance", "low": None, "high": None,
            "consensus": None, "vs_consensus": None, "previous": None,
            "text": f"{zh}{year}年第{q}季度{label}为{value}{unit}。",
        })
    points_budget = max(4000, target - METRIC_BYTES * n_metrics - 2000)
    key_points = []
    while points_budget > 0:
        points = []
        for _ in range(2 + int(r() * 5)):
            text = "".join([pool[int(r() * n_pool)] for _ in range(1 + int(r() * 3))])
            points.append(text)
            points_budget -= 3 * len(text)
        key_points.append({"heading": _sentence(rng, main[1], year)[:30], "points": points})
    risks = [rng.choice(_RISK_FORMS).format(r=r) for r in rng.sample(_RISKS, 4 + rng.randrange(8))]
    digest_id = hashlib.sha256(f"yanbao-real-sized-{seed}-{serial}".encode()).hexdigest()
    title = f"{main[1]}（{main[2] or '未上市'}）{year}年{quarter}季度点评：{rng.choice(_DRIVERS)} 第{serial}篇"
    return {
        "schema": 1, "id": digest_id,
        "source": {"path": f"library/{broker}/{serial:06d}.pdf", "kind": "pdf", "pages": 8 + rng.randrange(30),
                   "sha256": digest_id},
        "title": title, "broker": broker, "date": date, "period": period, "language": "en" if english else "zh",
        "rating": {"sector": "增持", "scale": ["买入", "增持", "中性", "减持"]},
        "analysts": [{"name": f"分析师{rng.randrange(500)}", "license": f"S0{rng.randrange(10**9):09d}"}],
        "key_points": key_points, "recommendation": f"建议关注{'、'.join(c[1] for c in picked[:3])}",
        "companies": companies, "metrics": metrics, "risks": risks,
        "company_ratings": [{"company": main[0], "ticker": main[2], "rating": "买入", "action": "maintain",
                             "target_price": round(rng.uniform(10, 800), 1), "currency": "HKD"}],
    }


def real_sized_docs(n: int, seed: int = 0, start: int = 0) -> Iterator[dict]:
    """Digest dicts ``start`` .. ``start + n - 1`` of the real-sized library of ``seed``."""
    for serial in range(start, start + n):
        yield _doc(random.Random(seed * 1_000_003 + serial), serial, seed)
