"""Markdown export: a report digest, the watchlist, a comparison — pure functions to ``str``.

The output is CommonMark plus GFM tables. Report text is untrusted and is escaped so that
it shows exactly what the report said: markdown punctuation gets a backslash, control
characters and terminal escape sequences are dropped, and lines never start a heading,
quote or list by accident. Labels follow the report's language unless ``lang`` says
otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from yanbao.store.compare import (
    FigureCell,
    FigureChange,
    GuidanceHistory,
    PickedCompany,
    QuarterComparison,
    RatingHistory,
    canonical_company,
    figure_matrix,
    period_sort_key,
    report_order,
)
from yanbao.store.model import Digest, Metric
from yanbao.store.text_safety import clean_line as clean_text
from yanbao.store.units import (
    action_label,
    basis_label,
    format_change,
    format_value,
    metric_label,
    vs_consensus_label,
)

__all__ = [
    "clean_text",
    "comparison_markdown",
    "guidance_markdown",
    "ratings_markdown",
    "escape_markdown",
    "report_markdown",
    "watchlist_markdown",
]

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


# ---------------------------------------------------------------- one report


def report_markdown(digest: Digest, *, lang: str | None = None) -> str:
    """A report's digest as markdown: header facts, key points, picks, figures, risks, source."""
    lang = lang or digest.language or "zh"
    c = _colon(lang)
    out = [f"# {escape_markdown(digest.title) or '—'}", ""]
    facts = [
        (_t("broker", lang), digest.broker),
        (_t("date", lang), digest.date),
        (_t("period", lang), digest.period),
        (
            _t("analysts", lang),
            _list_sep(lang).join(
                a.name + (_paren(a.license, lang) if a.license else "") for a in digest.analysts
            ),
        ),
        (_t("sector_rating", lang), digest.rating.sector),
    ]
    out += [f"- {label}{c}{escape_markdown(value)}" for label, value in facts if clean_text(value)]
    if digest.key_points:
        out += ["", f"## {_t('key_points', lang)}"]
        for point in digest.key_points:
            if clean_text(point.heading):
                out += ["", f"### {escape_markdown(point.heading)}"]
            if any(clean_text(p) for p in point.points):
                out += ["", _bullets(point.points)]
    if clean_text(digest.recommendation):
        out += ["", f"## {_t('recommendation', lang)}", "", escape_markdown(digest.recommendation)]
    if digest.recommended:
        out += ["", f"## {_t('picks', lang)}", ""]
        out.append(
            _table(
                [_t("company", lang), _t("ticker", lang)],
                [
                    [escape_markdown(co.name), escape_markdown(co.ticker) or "—"]
                    for co in digest.recommended
                ],
            )
        )
    if digest.metrics:
        out += ["", f"## {_t('figures', lang)}", ""]
        header = ["company", "segment", "metric", "fig_period", "basis", "value", "consensus", "vs"]
        rows = []
        for m in digest.metrics:
            period = m.period or "—"
            if m.fiscal_period and m.fiscal_period != m.period:
                period += _paren(m.fiscal_period, lang)
            consensus = (
                format_value(m.consensus, m.unit, lang=lang) if m.consensus is not None else ""
            )
            rows.append(
                [
                    escape_markdown(m.company) or "—",
                    escape_markdown(m.segment),
                    _metric_words(m.metric, lang),
                    escape_markdown(period),
                    escape_markdown(basis_label(m.basis, lang)),
                    escape_markdown(_metric_value(m, lang)) or "—",
                    escape_markdown(consensus),
                    escape_markdown(vs_consensus_label(m.vs_consensus, lang)),
                ]
            )
        out.append(_table([_t(h, lang) for h in header], rows))
    if digest.company_ratings:
        out += ["", f"## {_t('ratings', lang)}", ""]
        rows = []
        for r in digest.company_ratings:
            target = (
                format_value(r.target_price, r.currency or "", lang=lang)
                if r.target_price is not None
                else ""
            )
            change = ""
            if r.target_price is not None and r.previous_target_price:
                pct = (r.target_price - r.previous_target_price) / r.previous_target_price * 100
                prev = format_value(r.previous_target_price, r.currency or "", lang=lang)
                change = format_change(pct, "%", lang) + _paren(
                    _t("previous", lang) + " " + prev, lang
                )
            rows.append(
                [
                    _company_label(r.company, r.ticker, lang),
                    escape_markdown(r.rating),
                    escape_markdown(action_label(r.action, lang)),
                    escape_markdown(target),
                    escape_markdown(change),
                ]
            )
        header = ["company", "rating", "action", "target", "target_change"]
        out.append(_table([_t(h, lang) for h in header], rows))
    if any(clean_text(r) for r in digest.risks):
        out += ["", f"## {_t('risks', lang)}", "", _bullets(digest.risks)]
    src = digest.source
    kind = "PDF" if src.kind == "pdf" else ("text" if lang == "en" else "文本")
    out += ["", "---", ""]
    out.append(
        f"{_t('source', lang)}{c}{escape_markdown(src.path)}"
        + _paren(
            f"{kind}, {src.pages} {_t('pages', lang)}"
            if lang == "en"
            else f"{kind}，{src.pages} 页",
            lang,
        )
    )
    out += ["", f"SHA-256{c}{_code(src.sha256)}"]
    return "\n".join(out) + "\n"


def _code(text: str) -> str:
    """Hex digests go in a code span; anything else is escaped text."""
    return f"`{text}`" if re.fullmatch(r"[0-9a-fA-F]+", text or "") else escape_markdown(text)


# ---------------------------------------------------------------- watchlist


def _names_for(name: str, ticker: str | None) -> set[str]:
    """Every way a report may write a watched company (registry aliases when available)."""
    names = {name, *(t for t in [ticker] if t)}
    try:
        from yanbao.store.companies import get_registry
    except ImportError:
        return {n for n in names if n}
    info = get_registry().lookup(name) or (get_registry().lookup(ticker) if ticker else None)
    if info is not None:
        names |= {info.name, info.name_zh, *info.aliases, *info.tickers}
    return {n for n in names if n}


def _names_company(digest: Digest, canonical: str) -> tuple[bool, bool, set[str]]:
    """Whether the digest names the company, recommends it, and the names it used."""
    key = canonical.casefold()
    named = recommended = False
    seen: set[str] = set()
    for co in digest.companies:
        if canonical_company(co.name, co.ticker).casefold() == key:
            named = True
            recommended = recommended or co.role == "recommended"
            seen |= {co.name, *co.aliases_seen}
    for m in digest.metrics:
        if m.company and canonical_company(m.company, m.ticker).casefold() == key:
            named = True
    for r in digest.company_ratings:
        if canonical_company(r.company, r.ticker).casefold() == key:
            named = True
    return named, recommended, seen


_SENTENCE_END = re.compile(r"(?<=[。；;！？!?])|(?<=[a-z0-9%)][.])\s+(?=[A-Z])")


def _point_about(digest: Digest, names: set[str]) -> str:
    """The first sentence of the key points (or recommendation) that names the company."""
    texts = [t for kp in digest.key_points for t in (kp.heading, *kp.points)] + [
        digest.recommendation
    ]
    folded = [n.casefold() for n in names if len(n) >= 2]
    for text in texts:
        for sentence in _SENTENCE_END.split(clean_text(text)):
            if any(n in sentence.casefold() for n in folded):
                return sentence.strip()
    return ""


def _item_name(item: Any) -> tuple[str, str | None]:
    if isinstance(item, str):
        return item, None
    return item.name, getattr(item, "ticker", None)


def watchlist_markdown(
    digests: Iterable[Digest], watchlist: Iterable[Any], *, lang: str = "zh", latest: int = 5
) -> str:
    """Per watched company: the latest reports naming it with their point about it, whether
    it was recommended, and its figures across periods. ``watchlist`` items have ``name``
    and ``ticker`` (WatchItem) or are plain names."""
    digests = sorted(digests, key=report_order, reverse=True)
    c = _colon(lang)
    out = [f"# {_t('watchlist', lang)}"]
    items = list(watchlist)
    if not items:
        return "\n".join(out + ["", _t("empty_watchlist", lang)]) + "\n"
    for item in items:
        name, ticker = _item_name(item)
        canonical = canonical_company(name, ticker)
        out += ["", f"## {_company_label(canonical, ticker, lang)}"]
        naming = []
        for d in digests:
            named, recommended, seen = _names_company(d, canonical)
            if named:
                naming.append((d, recommended, seen))
        if not naming:
            out += ["", _t("no_reports", lang)]
            continue
        recommending = [d for d, rec, _ in naming if rec]
        if recommending:
            where = _list_sep(lang).join(_report_ref(d) for d in recommending[:3])
            if lang == "en":
                count = f"yes, in {len(recommending)} of {len(naming)} reports naming it; latest: "
            else:
                count = f"是，{len(naming)} 份提及的报告中 {len(recommending)} 份推荐；最近："
            out += ["", f"- {_t('recommended', lang)}{c}{count}{where}"]
        else:
            out += ["", f"- {_t('recommended', lang)}{c}{_t('no', lang)}"]
        out += ["", f"### {_t('latest', lang)}", ""]
        names = _names_for(canonical, ticker)
        for d, _rec, seen in naming[:latest]:
            point = _point_about(d, names | seen)
            line = f"- {_report_ref(d)}{c}{escape_markdown(d.title)}"
            out.append(line + (f" — {escape_markdown(point)}" if point else ""))
        matrix = figure_matrix([d for d, _r, _s in naming], company=canonical)
        rows = [
            r
            for r in matrix.rows
            if r.company and canonical_company(r.company).casefold() == canonical.casefold()
        ]
        if rows:
            periods = sorted({p for r in rows for p in r.cells}, key=period_sort_key)[-8:]
            out += ["", f"### {_t('figures', lang)}", ""]
            header = [_t("segment", lang), _t("metric", lang), _t("basis", lang), *periods]
            body = [
                [
                    escape_markdown(r.segment),
                    _metric_words(r.metric, lang),
                    escape_markdown(basis_label(r.basis, lang)),
                    *(
                        escape_markdown(_cell_value(r.cells.get(p), r.metric, lang))
                        for p in periods
                    ),
                ]
                for r in rows
            ]
            out.append(_table(header, body))
    return "\n".join(out) + "\n"


def _report_ref(d: Digest) -> str:
    """A short, escaped reference to a report: its date (or period) and broker."""
    parts = [x for x in (d.date or d.period, d.broker) if x]
    return escape_markdown(" ".join(parts) or d.id[:12])


# ---------------------------------------------------------------- comparison


def _change_row(row: FigureChange, lang: str) -> list[str]:
    vs = [
        vs_consensus_label(row.left_vs_consensus, lang),
        vs_consensus_label(row.right_vs_consensus, lang),
    ]
    vs_text = " → ".join(v or "—" for v in vs) if any(vs) else ""
    note = _t("conflict", lang) if row.conflict else ""
    return [
        escape_markdown(row.company) or "—",
        escape_markdown(row.segment),
        _metric_words(row.metric, lang, row.target_period),
        escape_markdown(basis_label(row.basis, lang)),
        escape_markdown(_cell_value(row.left, row.metric, lang)),
        escape_markdown(_cell_value(row.right, row.metric, lang)),
        escape_markdown(format_change(row.change, row.change_unit, lang)),
        escape_markdown(vs_text),
        escape_markdown(note),
    ]


def _pick_text(p: PickedCompany, lang: str) -> str:
    return _company_label(p.name, p.ticker, lang)


def _guidance_section(histories: Sequence[GuidanceHistory], lang: str) -> list[str]:
    out = ["", f"## {_t('guidance', lang)}"]
    for h in histories:
        title = " · ".join(
            x
            for x in (
                escape_markdown(h.company),
                escape_markdown(h.segment),
                _metric_words(h.metric, lang),
                h.period,
            )
            if x
        )
        out += ["", f"### {title}", ""]
        rows = []
        for s in h.steps:
            date = escape_markdown(s.date or "—")
            if s.quoted:
                date += _paren(_t("quoted", lang), lang)
            zh, en = _MOVES.get(s.move, (s.move, s.move))
            arrow = (
                {"up": " ↑", "down": " ↓"}.get(s.direction or "", "")
                if s.move in ("narrow", "widen")
                else ""
            )
            rows.append(
                [
                    date,
                    escape_markdown(s.broker),
                    escape_markdown(
                        format_value(
                            s.value, s.unit, low=s.low, high=s.high, lang=lang, metric=h.metric
                        )
                    ),
                    (en if lang == "en" else zh) + arrow,
                    escape_markdown(format_change(s.change, s.change_unit, lang)),
                ]
            )
        header = ["date", "broker", "guidance_col", "move", "change"]
        out.append(_table([_t(k, lang) for k in header], rows))
    return out


def _ratings_section(histories: Sequence[RatingHistory], lang: str) -> list[str]:
    out = ["", f"## {_t('ratings', lang)}"]
    for h in histories:
        out += ["", f"### {_company_label(h.company, h.ticker, lang)}", ""]
        rows = [
            [
                escape_markdown(e.date or "—"),
                escape_markdown(e.broker),
                escape_markdown(e.rating),
                escape_markdown(action_label(e.action, lang)),
                escape_markdown(format_value(e.target_price, e.currency or "", lang=lang)),
                escape_markdown(format_change(e.target_change_pct, "%", lang)),
            ]
            for e in h.entries
        ]
        header = ["date", "broker", "rating", "action", "target", "target_change"]
        out.append(_table([_t(k, lang) for k in header], rows))
    return out


def comparison_markdown(
    comparison: QuarterComparison,
    guidance: Sequence[GuidanceHistory] | None = None,
    *,
    ratings: Sequence[RatingHistory] | None = None,
    lang: str = "zh",
) -> str:
    """Two sides as markdown: the figures table, guidance revisions, risk and pick changes."""
    left, right = escape_markdown(comparison.left_label), escape_markdown(comparison.right_label)
    out = [
        f"# {_t('comparison', lang)}{_colon(lang)}{left} → {right}",
        "",
        f"## {_t('figures', lang)}",
        "",
    ]
    if comparison.rows:
        header = ["company", "segment", "metric", "basis"]
        out.append(
            _table(
                [
                    *(_t(h, lang) for h in header),
                    left,
                    right,
                    _t("change", lang),
                    _t("vs", lang),
                    _t("notes", lang),
                ],
                [_change_row(r, lang) for r in comparison.rows],
            )
        )
    else:
        out.append(_t("no_figures", lang))
    if guidance:
        out += _guidance_section(guidance, lang)
    if ratings:
        out += _ratings_section(ratings, lang)
    for section, diff, kinds in (
        ("risk_changes", comparison.risks, ("new", "recurring", "dropped")),
        ("pick_changes", comparison.picks, ("added", "kept", "dropped")),
    ):
        out += ["", f"## {_t(section, lang)}"]
        for kind in kinds:
            items = getattr(diff, kind)
            out += ["", f"### {_t(kind, lang)}", ""]
            if not items:
                out.append(_t("none", lang))
            elif section == "risk_changes":
                out.append(_bullets(items))
            else:
                out.append("\n".join(f"- {_pick_text(p, lang)}" for p in items))
    return "\n".join(out) + "\n"


def guidance_markdown(histories: Sequence[GuidanceHistory], *, lang: str = "zh") -> str:
    """Guidance revisions as markdown: one table per company, figure and year."""
    out = [line.replace("### ", "## ", 1) if line.startswith("### ") else line
           for line in _guidance_section(histories, lang)]
    out[1] = f"# {_t('guidance', lang)}"
    return "\n".join(out[1:] if histories else [out[1], "", _t("none", lang)]) + "\n"


def ratings_markdown(histories: Sequence[RatingHistory], *, lang: str = "zh") -> str:
    """Ratings and target prices as markdown: one table per company, every broker's steps."""
    out = [line.replace("### ", "## ", 1) if line.startswith("### ") else line
           for line in _ratings_section(histories, lang)]
    out[1] = f"# {_t('ratings', lang)}"
    return "\n".join(out[1:] if histories else [out[1], "", _t("none", lang)]) + "\n"

