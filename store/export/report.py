"""One report digest as markdown."""

from __future__ import annotations

import re

from yanbao.store.export.markdown import (
    _bullets,
    _colon,
    _company_label,
    _list_sep,
    _metric_value,
    _metric_words,
    _paren,
    _t,
    _table,
    escape_markdown,
)
from yanbao.store.model import Digest
from yanbao.store.text_safety import clean_line as clean_text
from yanbao.store.units import (
    action_label,
    basis_label,
    format_change,
    format_value,
    vs_consensus_label,
)
from yanbao.store.user_state import ReportMarks

# ---------------------------------------------------------------- one report


def report_markdown(digest: Digest, *, lang: str | None = None, marks: ReportMarks | None = None) -> str:
    """A report's digest as markdown: header facts, key points, picks, figures, risks, the
    reader's own star, tags and note (``marks``, when there are any), source."""
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
    if marks is not None and not marks.empty:
        out += ["", f"## {_t('my_notes', lang)}", ""] + _marks_lines(marks, lang)
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


def _marks_lines(marks: ReportMarks, lang: str) -> list[str]:
    """Star and tags as facts, the note as paragraphs (its lines kept by hard breaks)."""
    c = _colon(lang)
    out = []
    if marks.star:
        out.append(f"- {_t('starred', lang)}{c}★")
    if marks.tags:
        out.append(f"- {_t('tags', lang)}{c}" + _list_sep(lang).join(escape_markdown(t) for t in marks.tags))
    if marks.note:
        out += ["", f"{_t('note', lang)}{c}".rstrip()]
        for paragraph in re.split(r"\n\s*\n", marks.note):
            lines = [escape_markdown(line) for line in paragraph.split("\n") if clean_text(line)]
            if lines:
                out += ["", "\\\n".join(lines)]
    return out


def _code(text: str) -> str:
    """Hex digests go in a code span; anything else is escaped text."""
    return f"`{text}`" if re.fullmatch(r"[0-9a-fA-F]+", text or "") else escape_markdown(text)
