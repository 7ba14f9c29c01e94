"""The watchlist as markdown: each watched company with the reports that name it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from yanbao.store.compare import (
    canonical_company,
    figure_matrix,
    period_sort_key,
    report_order,
)
from yanbao.store.export.markdown import (
    _cell_value,
    _colon,
    _company_label,
    _list_sep,
    _metric_words,
    _t,
    _table,
    escape_markdown,
)
from yanbao.store.model import Digest
from yanbao.store.text_safety import clean_line as clean_text
from yanbao.store.units import (
    basis_label,
)

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
