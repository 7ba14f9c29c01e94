"""Comparisons as markdown: two sides, guidance revisions, ratings and target prices."""

from __future__ import annotations

from collections.abc import Sequence

from yanbao.store.compare import (
    FigureChange,
    GuidanceHistory,
    PickedCompany,
    QuarterComparison,
    RatingHistory,
)
from yanbao.store.export.markdown import (
    _MOVES,
    _bullets,
    _cell_value,
    _colon,
    _company_label,
    _metric_words,
    _paren,
    _t,
    _table,
    escape_markdown,
)
from yanbao.store.units import (
    action_label,
    basis_label,
    format_change,
    format_value,
    vs_consensus_label,
)

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
