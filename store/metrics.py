"""Figures out of report sentences: what was measured, about whom, for which period, in base units.

Each sentence is read left to right. Company and business-line mentions, period words and
metric keywords set the context; each quantity (167 亿美元, US$33.0bn, 33%, +0.2pct, a range)
becomes a Metric, the consensus of the figure before it (高于 BBG 预期的 30%), the earlier value
of a guidance (上季度指引为 600-650 亿美元, from US$64-72bn), or an older figure quoted for
comparison (高于去年同期的 120 亿美元).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from yanbao.store.model import Metric, Range
from yanbao.store.periods import PeriodRef, find_periods
from yanbao.store.quantities import Quantity, find_quantities
from yanbao.store.sectors import find_sectors

__all__ = ["Entity", "read_metrics", "split_sentences", "vs_consensus"]


@dataclass(frozen=True)
class Entity:
    """A company or business-line mention: where it is and whom it names."""

    start: int
    end: int
    company: str | None  # None: a sector (named in ``segment``), not a company
    ticker: str | None
    segment: str | None
    fiscal_year_end: int = 12
    contextual: bool = False  # a segment named by a word that needs its company beside it (广告, 游戏)


EntityFinder = Callable[[str], list[Entity]]


_SENTENCE = re.compile(r"(?<=[。；;！？!?])|(?<=[.])\s+(?=[A-Z(])")


def split_sentences(text: str) -> list[str]:
    """Sentences on 。；; and English full stops; brackets never split."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


# Keywords: (regex, tag). The last tag seen before a number decides what the number measures.
_BASES = [
    (re.compile(r"资本开支|资本支出|CapEx|capex|capital expenditure|capital spending|\bspent\b", re.I), "capex"),
    (re.compile(r"广告(?:业务)?(?:收入|营收)?|\bad(?:vertising)? revenue|advertising|\bads?\b", re.I), "ad"),
    (re.compile(r"OPM|经营利润率|营业利润率|经营利润率|(?<![净毛])利润率|operating margin|(?<!gross )(?<!net )margin", re.I), "margin"),
    (re.compile(r"贡献|拉动|contribut", re.I), "contribution"),
    (re.compile(r"净利润|归母净利|净利|net income|net profit", re.I), "net_income"),
    (re.compile(r"EPS|每股收益", re.I), "eps"),
    (re.compile(r"收入|营收|营业额|revenue|sales", re.I), "revenue"),
    (re.compile(r"MAU|DAU|月活|日活|用户数|users", re.I), "users"),
    (re.compile(r"未交付订单|未履约订单|积压订单|剩余履约义务|backlog|RPO|remaining performance obligations?", re.I), "backlog"),
] + [(re.compile(words, re.I), key) for key, words in (
    # What industry reports measure. 归母净利润 (net income attributable to shareholders) is
    # ``net_income``: it is the net income a Chinese report means.
    ("gross_margin", r"毛利率|gross margin"),
    ("net_margin", r"净利率|净利润率|销售净利率|net margin"),
    ("total_profit", r"利润总额"),
    ("shipments", r"出货量|出货|shipments?"),
    ("sales_volume", r"销量|销售量"),
    ("sales", r"销售额|销售收入|销售规模|销售金额"),
    ("market_size", r"市场规模|市场空间|市场容量|行业规模|产业规模|market size|\bTAM\b"),
    ("price", r"价格|均价|单价|售价|报价|\bASP\b|\bprices?\b"),
    ("market_share", r"市占率|市场占有率|市场份额|market share"),
    ("penetration", r"渗透率|penetration"),
    ("share", r"占比|比重"),
    ("value_added", r"增加值"),
    ("output_value", r"产值"),
    ("capacity", r"产能(?!利用)"),
    ("utilisation", r"产能利用率|稼动率|utili[sz]ation"),
    ("exports", r"出口额|出口交货值|出口金额|exports"),
    ("imports", r"进口额|进口金额|imports"),
    ("roe", r"\bROE\b|净资产收益率"),
)]
# Metrics that are ratios themselves: a percent is their level, a pp figure their change.
_RATIOS = {"gross_margin", "net_margin", "market_share", "penetration", "share", "utilisation", "roe"}
# Metrics with their own key (and growth keys) in any unit.
_OWN_KEYS = {
    "total_profit", "shipments", "sales_volume", "sales", "market_size", "price",
    "value_added", "output_value", "capacity", "exports", "imports",
}
# Metrics a count of goods measures (2.52 亿部 shipped).
_COUNTED = {"shipments", "sales_volume", "capacity", "market_size", "exports", "imports"}
_CAGR = re.compile(r"复合增长率|复合增速|年均复合|年复合|CAGR", re.I)
_GROWTH = re.compile(r"同比|yoy|y/y|year[- ]on[- ]year|增速|增长|增幅|growth|grew|grow|rose|up |increase|accelerat|decelerat", re.I)
_QOQ = re.compile(r"环比|qoq|q/q|quarter[- ]on[- ]quarter|sequential", re.I)
_GUIDANCE = re.compile(r"指引|guidance|guided|guide|outlook|预计|expects?|plans? to spend|\brange\b", re.I)
_LEASES_IN = re.compile(r"(?<!不)(?:包含|含)融资租赁|including finance leases|incl\.? finance leases|with finance leases", re.I)
_LEASES_OUT = re.compile(r"不含融资租赁|excluding finance leases|ex\.? finance leases", re.I)
_CONSENSUS = re.compile(r"(?:BBG|彭博|市场|一致|Bloomberg|VA|Visible Alpha)?\s*(?:一致)?(?:预期|预测|consensus|expectations?|estimates?)\s*(?:的|为|of|at|:)?\s*[（(]?\s*$", re.I)
_STANDALONE_CONSENSUS = re.compile(r"(?:BBG|彭博|市场|一致|consensus|Bloomberg)[^，,]*?(?:预期|预测|expects?|estimates?)", re.I)
_PREVIOUS = re.compile(r"(?:上季度(?:给予的)?指引|此前指引|原指引|前次指引|上次指引|previous(?:ly)?|prior guidance|from|前值|此前为|此前|原为)\s*(?:为|是|of|:)?\s*[（(]?\s*$", re.I)
_OLDER = re.compile(r"(?:高于|低于|较|相比|对比|vs\.?|versus|compared (?:with|to)|from)\s*(?:(?:the\s+)?[^，,。]{0,12}?)的?\s*$", re.I)
_ABOVE = re.compile(r"超预期|高于|超出|好于|优于|beat|ahead of|above|exceed", re.I)
_BELOW = re.compile(r"不及预期|低于|逊于|弱于|miss|below|short of", re.I)
_INLINE = re.compile(r"符合|inline|in line|in-line|持平于预期|基本一致", re.I)


def vs_consensus(value: float | None, low: float | None, high: float | None, consensus: float | None) -> str | None:
    """above / inline / below: within ±0.5 % of the consensus value is inline."""
    if consensus is None:
        return None
    v = value if value is not None else ((low + high) / 2 if low is not None and high is not None else None)
    if v is None:
        return None
    if abs(v - consensus) <= abs(consensus) * 0.005:
        return "inline"
    return "above" if v > consensus else "below"


def _last_tag(text: str, table: list[tuple[re.Pattern, str]]) -> tuple[str | None, int]:
    best, pos = None, -1
    for pattern, tag in table:
        for m in pattern.finditer(text):
            if m.start() >= pos:
                best, pos = tag, m.start()
    return best, pos


def _metric_key(prefix: str, clause_prefix: str, q: Quantity) -> tuple[str | None, str]:
    """(metric key, basis) for a quantity, from the keywords in the text before it."""
    base, base_pos = _last_tag(prefix, _BASES)
    # Guidance words count in the figure's own clause, or between its metric word and the figure
    # when that word stands in the same clause ("2024 年全年为 392 亿美元" after a guidance is actual).
    same_clause = base_pos >= len(prefix) - len(clause_prefix)
    guidance = bool(_GUIDANCE.search(clause_prefix)) or (same_clause and bool(_GUIDANCE.search(prefix[base_pos:])))
    basis = "guidance" if guidance else "actual"
    after_base = prefix[base_pos:] if base_pos >= 0 else prefix
    if base == "revenue" and re.search(r"广告|advertising|\bads?\b", clause_prefix, re.I):
        base = "ad"
    qoq_words = bool(_QOQ.search(clause_prefix) or _QOQ.search(after_base))
    if base in _RATIOS:
        if q.kind == "pp":
            return f"{base}_change_{'qoq' if qoq_words else 'yoy'}", basis
        if q.kind == "percent":
            return base, basis
    if base in _OWN_KEYS and q.kind == "percent":
        if _CAGR.search(after_base):
            return f"{base}_cagr", basis
        if _GROWTH.search(after_base) or qoq_words or re.search(r"同比|环比|下降|下滑|减少", after_base):
            return f"{base}_growth_{'qoq' if qoq_words and not re.search(r'同比|yoy', after_base, re.I) else 'yoy'}", basis
        return (f"{base}_share" if re.search(r"占", after_base) else None), basis
    if base in _OWN_KEYS and q.kind == "money":
        return base, basis
    if q.kind == "count":  # goods counted: how many were shipped, sold or can be made
        return (base if base in _COUNTED else None), basis
    if q.kind == "pp":
        if base == "contribution" or re.search(r"贡献|contribut", clause_prefix, re.I):
            return "ai_contribution", basis
        if base == "margin":
            return ("operating_margin_change_qoq" if _QOQ.search(clause_prefix) or _QOQ.search(after_base) else "operating_margin_change_yoy"), basis
        return None, basis
    if q.kind == "percent":
        if base == "contribution":
            return "ai_contribution", basis
        if base == "margin" and not _GROWTH.search(after_base[3:]):
            return "operating_margin", basis
        qoq = bool(_QOQ.search(clause_prefix)) or (bool(_QOQ.search(after_base)) and not re.search(r"同比|yoy", after_base, re.I))
        growth = "qoq" if qoq else "yoy"
        if base == "capex":
            return ("capex_guidance" if guidance else f"capex_growth_{growth}"), basis
        if base == "ad":
            return f"ad_revenue_growth_{growth}", basis
        if base == "users":
            return f"users_growth_{growth}", basis
        if base == "net_income":
            return f"net_income_growth_{growth}", basis
        if base == "revenue" or _GROWTH.search(clause_prefix):
            if guidance:
                return "revenue_growth_guidance", basis
            return f"revenue_growth_{growth}", basis
        return None, basis
    # money
    if base == "capex":
        if guidance:
            return "capex_guidance", basis
        if _LEASES_IN.search(after_base) or _LEASES_IN.search(clause_prefix):
            return "capex_incl_leases", basis
        return "capex", basis
    if base in ("revenue", "ad"):
        return ("ad_revenue" if base == "ad" else "revenue"), basis
    if base == "net_income":
        return "net_income", basis
    if base == "eps":
        return "eps", basis
    if base == "backlog":
        return "backlog", basis
    return None, basis


_ACTUAL_OF = {"capex_guidance": "capex", "revenue_growth_guidance": "revenue_growth_yoy"}


def _fiscal_label(period: str | None, year_end: int) -> str | None:
    """FY25Q3 for Microsoft's 2025Q1: the fiscal label of a calendar quarter."""
    if not period or "Q" not in period or year_end == 12:
        return None
    year, q = int(period[:4]), int(period[5])
    end_month = q * 3
    months_after_fy_start = (end_month - year_end - 1) % 12  # 0..11, month index within fiscal year
    fiscal_q = months_after_fy_start // 3 + 1
    fiscal_year = year + (1 if end_month > year_end else 0)
    return f"FY{fiscal_year % 100:02d}Q{fiscal_q}"


@dataclass
class _Context:
    """What one sentence hands to the next within a point: whom it was about, and what."""

    entity: Entity | None = None
    topic: str = ""  # the previous sentence, read for its metric words when a sentence has none


def read_metrics(
    texts: Iterable[str],
    report_period: str | None,
    find_entities: EntityFinder,
    *,
    default_entity: Entity | None = None,
    sector: str | None = None,
) -> list[Metric]:
    """Every figure the texts state about a company, a business line or a sector;
    ``default_entity`` is whom a figure with no company named is about (a company report's
    company). Without one, a figure with no company is the sector's: the one the sentence
    names before it, else ``sector`` (the report's); with neither it is not kept."""
    metrics: list[Metric] = []
    for text in texts:
        context = _Context(default_entity)
        for sentence in split_sentences(text):
            metrics.extend(_read_sentence(sentence, report_period, find_entities, context, sector))
    return metrics


def _sector_entity(sentence: str, at: int, sector: str | None) -> Entity | None:
    """The sector a figure at ``at`` is about: the last sector named before it, else the report's."""
    named = [m for m in find_sectors(sentence[:at])]
    name = named[-1].name if named else sector
    if name is None:
        return None
    return Entity(at, at, None, None, name)


def _resolve(ref: PeriodRef | None, report_period: str | None, entity: Entity | None) -> str | None:
    if ref is None:
        return None
    return ref.resolve(report_period, entity.fiscal_year_end if entity else 12)


def _read_sentence(
    sentence: str, report_period: str | None, find_entities: EntityFinder, context: _Context, sector: str | None = None
) -> list[Metric]:
    quantities = find_quantities(sentence)
    entities = find_entities(sentence)
    if not entities and context.entity is None and sector is None and (not quantities or not find_sectors(sentence)):
        # nobody to hold the figures: neither a company nor a sector
        return []
    periods = [p for p in find_periods(sentence) if not any(p.start < q.end and q.start < p.end for q in quantities)]
    # A fiscal label follows the calendar of the company named nearest before it (FY2Q25 after
    # Azure is Microsoft's), whichever company a later figure in the sentence is about.
    calendar: dict[int, str | None] = {}
    for ref in periods:
        owner = [e for e in entities if e.end <= ref.start] or entities[:1] or ([context.entity] if context.entity else [])
        calendar[ref.start] = _resolve(ref, report_period, owner[-1] if owner else None)

    def when(ref: PeriodRef | None) -> str | None:
        return calendar.get(ref.start) if ref is not None else None

    out: list[Metric] = []
    primary: Metric | None = None
    last: Metric | None = None
    last_start = last_end = 0
    for q in quantities:
        prefix = sentence[: q.start]
        clause_start = max(prefix.rfind(c) for c in "，,：:") + 1
        clause_prefix = sentence[clause_start : q.start]
        since_last = sentence[last_end : q.start]
        before = [e for e in entities if e.end <= q.start]
        entity = before[-1] if before else context.entity
        if entity is None:
            entity = _sector_entity(sentence, q.start, sector)
        if entity is None:
            continue
        refs = [p for p in periods if p.end <= q.start]
        clause_refs = [p for p in refs if p.start >= clause_start]

        clause_end = re.search(r"[，,；;。]", sentence[q.end :])
        suffix = sentence[q.end : q.end + clause_end.start()] if clause_end else sentence[q.end :]
        guidance_after = bool(re.match(r"\s*(?:的)?\s*(?:全年|年度|full[- ]year)?\s*(?:的)?\s*(?:指引|guidance|target|outlook)", suffix, re.I))
        if last is not None and guidance_after and last.basis == "actual" and q.unit == last.unit and _metric_word(since_last) is None:
            key = {"revenue_growth_yoy": "revenue_growth_guidance", "capex": "capex_guidance"}.get(last.metric, last.metric)
            own = [p for p in periods if last_end <= p.start and p.end <= q.start and not (p.kind == "relative" and p.unit == "quarter")]
            period = when(own[-1]) if own else last.period
            out.append(_make(q, entity, key, "guidance", period, sentence, segment_of=last))
            last_end = q.end
            continue
        if last is not None and _CONSENSUS.search(since_last) and not _has_new_subject(since_last, entities, last_end, q.start):
            # The consensus belongs to the sentence's main figure, or to the latest one in its unit.
            same_unit = [m for m in out if m.unit == q.unit and m.basis != "consensus"]
            target = primary if primary is not None and primary.unit == q.unit else (same_unit[-1] if same_unit else last)
            if target.consensus is None and q.unit == target.unit:
                target.consensus = q.value if q.value is not None else _mid(q)
                target.vs_consensus = vs_consensus(target.value, target.low, target.high, target.consensus)
                last_end = q.end
                continue
        later = [p for p in periods if q.end <= p.start <= q.end + 12 and p.end <= q.end + len(suffix)]
        if last is not None and later and q.unit == last.unit and re.search(r"(?:from|against|versus|vs\.?|compared with|高于|低于|较)\s*\S{0,8}$", since_last, re.I) and when(later[0]) != last.period:
            # "up from US$52.5bn in 2024": an older figure, dated after the number.
            out.append(_make(q, entity, _ACTUAL_OF.get(last.metric, last.metric), "actual", when(later[0]), sentence, segment_of=last))
            last_end = q.end
            continue
        if last is not None and _PREVIOUS.search(since_last):
            if last.basis == "guidance" and last.previous is None and q.unit == last.unit:
                last.previous = Range(q.value, q.low, q.high)
                last_end = q.end
                continue
            if last.basis == "actual" and re.search(r"指引|guidance", since_last, re.I) and q.unit == last.unit:
                key = {"revenue_growth_yoy": "revenue_growth_guidance", "capex": "capex_guidance"}.get(last.metric, last.metric)
                m = _make(q, entity, key, "guidance", last.period, sentence)
                out.append(m)
                last_end = q.end
                continue
        if last is not None and clause_refs and _OLDER.search(since_last) and q.unit == last.unit and not _metric_word(since_last):
            period = when(clause_refs[-1])
            m = _make(q, entity, _ACTUAL_OF.get(last.metric, last.metric), "actual", period, sentence, segment_of=last)
            out.append(m)
            last_end = q.end
            continue
        if last is not None and re.search(r"(?:上季度|去年同期|去年|上年|last quarter|a year ago|last year)\s*(?:为|是|of|was)?\s*$", since_last, re.I) and q.unit == last.unit and not _metric_word(since_last):
            period = when(clause_refs[-1]) if clause_refs else None
            m = _make(q, entity, _ACTUAL_OF.get(last.metric, last.metric), "actual", period, sentence, segment_of=last)
            out.append(m)
            last_end = q.end
            continue

        if (
            last is not None
            and last.basis == "guidance"
            and q.unit == last.unit
            and re.search(r"(?:由|从|from)\s*$", sentence[max(0, last_start - 4) : last_start], re.I)
            and re.search(r"(?:上调|下调|调整|提高|提升|降低|上修|下修|raised|cut|lowered|revised)?\s*(?:至|到|为|to)\s*$", since_last, re.I)
        ):
            # "指引由 850 亿美元上调至 910-930 亿美元": the first figure was the previous guidance.
            last.previous = Range(last.value, last.low, last.high)
            last.value, last.low, last.high = q.value, q.low, q.high
            last_end = q.end
            continue
        if q.kind == "money" and q.value is not None and q.value < 10000 and not re.search(r"EPS|每股", clause_prefix, re.I):
            continue  # a share price or target price (720 港元), not a company figure
        key, basis = _metric_key(prefix if _metric_word(prefix) else context.topic + prefix, clause_prefix, q)
        if key is None and q.kind == "money" and last is not None and "growth" in last.metric and re.fullmatch(r"\s*(?:to|至|达到?)\s*", since_last, re.I):
            # "AWS grew 17.5% to US$30.9bn": the amount is the level of what grew.
            key, basis = last.metric.split("_growth")[0], last.basis
        if q.kind == "percent" and re.match(r"\s*(?:operating|EBIT|OP)\s*margin", suffix, re.I):
            key, basis = "operating_margin", "actual"
        if key == "capex" and re.match(r"\s*(?:including|incl\.?|with) finance leases", suffix, re.I):
            key = "capex_incl_leases"
        if key is None:
            continue
        if guidance_after and basis == "actual":
            basis = "guidance"
            key = {"capex": "capex_guidance", "revenue_growth_yoy": "revenue_growth_guidance"}.get(key, key)
        if _STANDALONE_CONSENSUS.search(clause_prefix) and not _CONSENSUS.search(clause_prefix):
            basis = "consensus"
        ref = clause_refs[-1] if clause_refs else None
        if ref is None:
            # English names the period after the figure: "US$30bn in FY1Q26".
            after = [p for p in periods if q.end <= p.start <= q.end + 12 and p.end <= q.end + len(suffix)]
            ref = after[0] if after else (refs[-1] if refs else None)
        period = when(ref)
        if period is None and not (ref is not None and ref.kind == "span"):
            period = _default_period(key, basis, report_period)
        if basis == "guidance" and period and "Q" in period and ref is not None and ref.unit == "year":
            period = period[:4]
        m = _make(q, entity, key, basis, period, sentence)
        if ref is not None and ref.kind == "span":
            # 前三季度 is 2020Q3 with the span beside it: 2020Q1-Q3 (1-10月 has no quarter).
            m.fiscal_period = ref.span_label(report_period)
        out.append(m)
        if primary is None or (m.basis != "consensus" and primary.basis == "consensus"):
            primary = m
        last = m
        last_start = q.start
        last_end = q.end
    _apply_consensus_words(sentence, out)
    if entities:
        carried = entities[-1]
        if carried.contextual:
            carried = Entity(carried.start, carried.end, carried.company, carried.ticker, None, carried.fiscal_year_end)
        context.entity = carried
    context.topic = sentence
    return out


def _has_new_subject(text: str, entities: list[Entity], start: int, end: int) -> bool:
    return _metric_word(text) is not None and bool(_STANDALONE_CONSENSUS.search(text)) and not _CONSENSUS.search(text[-12:])


def _metric_word(text: str) -> str | None:
    tag, _ = _last_tag(text, _BASES)
    return tag


def _mid(q: Quantity) -> float | None:
    return (q.low + q.high) / 2 if q.low is not None and q.high is not None else None


def _default_period(key: str, basis: str, report_period: str | None) -> str | None:
    if report_period is None:
        return None
    if basis == "guidance" and key in ("capex_guidance",):
        return report_period[:4]
    return report_period


_FALLING = re.compile(r"(?:下降|下滑|减少|回落|负增长|下跌|declined?|fell|down|dropped|shrank)\s*(?:了|至|by)?\s*$", re.I)
_AD_SEGMENTS = {"Advertising", "Marketing Services", "Online Marketing"}


def _make(q: Quantity, entity: Entity, key: str, basis: str, period: str | None, sentence: str, segment_of: Metric | None = None) -> Metric:
    segment = segment_of.segment if segment_of is not None else entity.segment
    if key.startswith("ad_") and segment in _AD_SEGMENTS:
        segment = None  # the metric already says it is about advertising
    if "growth" in key and q.value is not None and q.value > 0 and _FALLING.search(sentence[max(0, q.start - 8) : q.start]):
        q = Quantity(q.start, q.end, q.kind, -q.value, q.low, q.high, q.unit)
    return Metric(
        company=entity.company,
        ticker=entity.ticker,
        segment=segment,
        metric=key,
        period=period,
        fiscal_period=_fiscal_label(period, entity.fiscal_year_end),
        basis=basis,
        value=q.value,
        low=q.low,
        high=q.high,
        unit=q.unit,
        text=sentence.strip(),
    )


def _apply_consensus_words(sentence: str, metrics: list[Metric]) -> None:
    """基本符合 BBG 预期 / 超预期 with no number: flag the sentence's first figure."""
    if not metrics or any(m.consensus is not None for m in metrics):
        return
    if not re.search(r"预期|inline|in line|consensus|expectations", sentence, re.I):
        return
    first = next((m for m in metrics if m.basis == "actual" and m.vs_consensus is None), None)
    if first is None:
        return
    if _INLINE.search(sentence):
        first.vs_consensus = "inline"
    elif re.search(r"超预期|高于(?:BBG|彭博|市场)?\s*预期|beat|ahead of (?:consensus|expectations)|above (?:consensus|expectations)", sentence, re.I):
        first.vs_consensus = "above"
    elif re.search(r"不及预期|低于(?:BBG|彭博|市场)?\s*预期|miss|below (?:consensus|expectations)", sentence, re.I):
        first.vs_consensus = "below"
