"""Every bilingual label in one place: metric keys, bases, consensus, rating actions, currencies,
guidance moves and the words of exported documents, each as (Chinese, English)."""

from __future__ import annotations

__all__ = ["ACTION_LABELS", "BASIS_LABELS", "CURRENCY_ZH", "DOCUMENT_LABELS", "METRIC_LABELS", "MOVE_LABELS",
           "VS_LABELS"]

METRIC_LABELS: dict[str, tuple[str, str]] = {
    "revenue": ("收入", "Revenue"),
    "revenue_growth": ("收入增速", "Revenue growth"),
    "revenue_growth_yoy": ("收入同比增速", "Revenue growth YoY"),
    "revenue_growth_qoq": ("收入环比增速", "Revenue growth QoQ"),
    "revenue_growth_guidance": ("收入增速指引", "Revenue growth guidance"),
    "operating_margin": ("营业利润率", "Operating margin"),
    "operating_margin_change_qoq": ("营业利润率环比变化", "Operating margin change QoQ"),
    "net_income": ("净利润", "Net income"),
    "eps": ("每股收益", "EPS"),
    "capex": ("资本开支", "Capex"),
    "capex_incl_leases": ("资本开支（含融资租赁）", "Capex incl. finance leases"),
    "capex_growth_yoy": ("资本开支同比增速", "Capex growth YoY"),
    "capex_guidance": ("资本开支指引", "Capex guidance"),
    "ad_revenue_growth_yoy": ("广告收入同比增速", "Ad revenue growth YoY"),
    "ai_contribution": ("AI 贡献", "AI contribution"),
    "users": ("用户数", "Users"),
    # Keys the parser adds where the vocabulary has none.
    "operating_margin_change_yoy": ("营业利润率同比变化", "Operating margin change YoY"),
    "capex_growth_qoq": ("资本开支环比增速", "Capex growth QoQ"),
    "ad_revenue": ("广告收入", "Ad revenue"),
    "ad_revenue_growth_qoq": ("广告收入环比增速", "Ad revenue growth QoQ"),
    "net_income_growth_yoy": ("净利润同比增速", "Net income growth YoY"),
    "net_income_growth_qoq": ("净利润环比增速", "Net income growth QoQ"),
    "users_growth_yoy": ("用户数同比增速", "User growth YoY"),
    "users_growth_qoq": ("用户数环比增速", "User growth QoQ"),
    "backlog": ("未交付订单", "Backlog"),
}

# What industry reports measure (sector-level figures as well as company ones): each base
# with the keys the parser derives from it.
_RATIO_LABELS = {
    "gross_margin": ("毛利率", "Gross margin"),
    "net_margin": ("净利率", "Net margin"),
    "market_share": ("市占率", "Market share"),
    "penetration": ("渗透率", "Penetration"),
    "share": ("占比", "Share"),
    "utilisation": ("产能利用率", "Utilisation"),
    "roe": ("ROE", "ROE"),
}
_AMOUNT_LABELS = {
    "total_profit": ("利润总额", "Total profit"),
    "shipments": ("出货量", "Shipments"),
    "sales_volume": ("销量", "Sales volume"),
    "sales": ("销售额", "Sales"),
    "market_size": ("市场规模", "Market size"),
    "price": ("价格", "Price"),
    "value_added": ("增加值", "Value added"),
    "output_value": ("产值", "Output value"),
    "capacity": ("产能", "Capacity"),
    "exports": ("出口额", "Exports"),
    "imports": ("进口额", "Imports"),
}
for _key, (_zh, _en) in _RATIO_LABELS.items():
    METRIC_LABELS[_key] = (_zh, _en)
    METRIC_LABELS[f"{_key}_change_yoy"] = (f"{_zh}同比变化", f"{_en} change YoY")
    METRIC_LABELS[f"{_key}_change_qoq"] = (f"{_zh}环比变化", f"{_en} change QoQ")
for _key, (_zh, _en) in _AMOUNT_LABELS.items():
    METRIC_LABELS[_key] = (_zh, _en)
    METRIC_LABELS[f"{_key}_growth_yoy"] = (f"{_zh}同比增速", f"{_en} growth YoY")
    METRIC_LABELS[f"{_key}_growth_qoq"] = (f"{_zh}环比增速", f"{_en} growth QoQ")
    METRIC_LABELS[f"{_key}_cagr"] = (f"{_zh}年复合增速", f"{_en} CAGR")
    METRIC_LABELS[f"{_key}_share"] = (f"{_zh}占比", f"{_en} share")
"""Chinese and English names for every metric key of the schema vocabulary."""

BASIS_LABELS = {
    "actual": ("实际", "actual"),
    "guidance": ("指引", "guidance"),
    "consensus": ("一致预期", "consensus"),
}
VS_LABELS = {
    "above": ("高于预期", "above"),
    "inline": ("符合预期", "inline"),
    "below": ("低于预期", "below"),
}
ACTION_LABELS = {
    "initiate": ("首次", "initiate"),
    "maintain": ("维持", "maintain"),
    "upgrade": ("上调", "upgrade"),
    "downgrade": ("下调", "downgrade"),
}
CURRENCY_ZH = {
    "USD": "美元",
    "CNY": "元",
    "RMB": "元",
    "HKD": "港元",
    "EUR": "欧元",
    "JPY": "日元",
}


DOCUMENT_LABELS: dict[str, tuple[str, str]] = {
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
    "my_notes": ("我的笔记", "My notes"),
    "starred": ("星标", "Starred"),
    "tags": ("标签", "Tags"),
    "note": ("笔记", "Note"),
}
MOVE_LABELS = {
    "initial": ("首次", "initial"),
    "raise": ("上调", "raise"),
    "cut": ("下调", "cut"),
    "narrow": ("收窄", "narrow"),
    "widen": ("放宽", "widen"),
    "reiterate": ("重申", "reiterate"),
}
