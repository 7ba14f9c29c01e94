"""What every export shares: bilingual labels, escaping report text so markdown shows it
literally, tables, and figures written as a reader writes them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from yanbao.store.compare import (
    FigureCell,
)
from yanbao.store.model import Metric
from yanbao.store.text_safety import clean_line as clean_text
from yanbao.store.units import (
    format_value,
    metric_label,
)

_LABELS: dict[str, tuple[str, str]] = {
    "broker": ("券商", "Broker"),
    "date": ("日期", "Date"),
    "period": ("报告期", "Period"),
    "analysts": ("分析师", "Analysts"),
    "fig_period": ("期间", "Period"),
    "sector_rating": ("行业评级", "Sector rating"),
    "key_points": ("核心观点", "Key points"),
    "recommendation": ("投资建议", "Recommendation"),
    "picks": ("推荐公司", "Recommended companies"),
    "company": ("公司", "Company"),
    "ticker": ("代码", "Ticker"),
    "figures": ("关键数据", "Figures"),
    "segment": ("业务", "Segment"),
    "metric": ("指标", "Metric"),
    "basis": ("口径", "Basis"),
    "value": ("数值", "Value"),
    "consensus": ("一致预期", "Consensus"),
    "vs": ("对比预期", "vs consensus"),
    "previous": ("前值", "previously"),
    "ratings": ("公司评级", "Company ratings"),
    "rating": ("评级", "Rating"),
    "action": ("动作", "Action"),
    "target": ("目标价", "Target price"),
    "target_change": ("目标价变化", "Target change"),
    "change": ("变化", "Change"),
    "risks": ("风险提示", "Risks"),
    "source": ("来源文件", "Source file"),
    "pages": ("页", "pages"),
    "watchlist": ("自选股摘要", "Watchlist digest"),
    "recommended": ("推荐", "Recommended"),
    "no": ("否", "no"),
    "latest": ("最新报告", "Latest reports"),
    "no_reports": ("暂无提及该公司的报告。", "No stored report names this company."),
    "empty_watchlist": ("自选股为空。", "The watchlist is empty."),
    "comparison": ("对比", "Comparison"),
    "notes": ("备注", "Notes"),
    "conflict": ("数据冲突", "conflict"),
    "guidance": ("指引修订", "Guidance revisions"),
    "guidance_col": ("指引", "Guidance"),
    "move": ("动作", "Move"),
    "quoted": ("前次指引，引自该报告", "earlier guidance quoted by this report"),
    "risk_changes": ("风险变化", "Risk changes"),
    "new": ("新增", "New"),
    "recurring": ("持续", "Recurring"),
    "dropped": ("移除", "Dropped"),
    "pick_changes": ("推荐变化", "Pick changes"),
    "added": ("新增", "Added"),
    "kept": ("保留", "Kept"),
    "none": ("无", "none"),
    "no_figures": ("两侧均无数据。", "No figures on either side."),
}
_MOVES = {
    "initial": ("首次", "initial"),
    "raise": ("上调", "raise"),
    "cut": ("下调", "cut"),
    "narrow": ("收窄", "narrow"),
    "widen": ("放宽", "widen"),
    "reiterate": ("重申", "reiterate"),
}


def _t(key: str, lang: str) -> str:
    zh, en = _LABELS[key]
    return en if lang == "en" else zh


def _colon(lang: str) -> str:
    return ": " if lang == "en" else "："


def _paren(text: str, lang: str) -> str:
    return f" ({text})" if lang == "en" else f"（{text}）"


def _list_sep(lang: str) -> str:
    return ", " if lang == "en" else "、"


# ---------------------------------------------------------------- escaping

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# Only what would open a block: "1. " / "2) " lists, "- " / "+ " bullets, "---" / "===" rules.
_LEADING = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([-+=])(?=\s|$|[-+=])")


def escape_markdown(text: str | None) -> str:
    """Report text that markdown shows literally, safe inside a table cell or at a line start."""
    text = _ENTITY.sub("\\&", _MD_SPECIAL.sub(r"\\\1", clean_text(text)))
    return _LEADING.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", text
    )


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GFM table; cells are already escaped markdown."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell or " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {escape_markdown(item)}" for item in items if clean_text(item))


def _company_label(name: str | None, ticker: str | None, lang: str) -> str:
    text = escape_markdown(name or "—")
    return text + _paren(escape_markdown(ticker), lang) if ticker else text


# ---------------------------------------------------------------- values


def _metric_value(m: Metric, lang: str) -> str:
    text = format_value(m.value, m.unit, low=m.low, high=m.high, lang=lang, metric=m.metric)
    if m.previous is not None:
        prev = format_value(
            m.previous.value,
            m.unit,
            low=m.previous.low,
            high=m.previous.high,
            lang=lang,
            metric=m.metric,
        )
        if prev:
            text += _paren(f"{_t('previous', lang)} {prev}", lang)
    return text


def _cell_value(cell: FigureCell | None, metric: str, lang: str) -> str:
    """A figure cell; a conflict shows every value stated."""
    if cell is None:
        return "—"
    values = [
        format_value(o.value, o.unit, low=o.low, high=o.high, lang=lang, metric=metric)
        for o in cell.distinct
    ]
    if cell.conflict and len(values) > 1:
        return " / ".join(values) + " ⚠"
    return format_value(
        cell.value, cell.unit, low=cell.low, high=cell.high, lang=lang, metric=metric
    )


def _metric_words(metric: str, lang: str, target_period: str | None = None) -> str:
    words = escape_markdown(metric_label(metric, lang))
    return words + _paren(target_period, lang) if target_period else words
