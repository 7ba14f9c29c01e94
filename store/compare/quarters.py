"""Two sides side by side: two quarters or a report and its predecessor, with figure changes,
consensus flags, and the risk and pick differences."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from yanbao.store.compare.common import (
    _change,
    canonical_company,
    period_sort_key,
    report_order,
)
from yanbao.store.compare.figures import FigureCell, FigureRow, _row_sort_key, figure_matrix
from yanbao.store.concepts import get_lexicon
from yanbao.store.model import Digest
from yanbao.store.periods import QUARTER_RE

_RISK_NUMBERING = re.compile(r"^\s*(?:[(（]?\d{1,2}[)）.、]|[①-⑳])\s*")
_RISK_SUFFIXES = ("的风险", "风险", "等", "risks", "risk")


@lru_cache(maxsize=65536)  # a library says the same few hundred risks over and over
def normalise_risk(text: str) -> str:
    """A risk's matching key: no numbering, punctuation, spaces, case or trailing 风险/等."""
    s = unicodedata.normalize("NFKC", text)
    s = _RISK_NUMBERING.sub("", s).casefold()
    s = "".join(ch for ch in s if not (ch.isspace() or unicodedata.category(ch)[0] in "PSC"))
    stripped = True
    while stripped:
        stripped = False
        for suffix in _RISK_SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix):
                s = s[: -len(suffix)]
                stripped = True
    return s


@dataclass
class RiskDiff:
    """Risks between two sides: new on the right, on both, or gone from the right."""

    new: list[str] = field(default_factory=list)
    recurring: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=65536)
def risk_key(text: str) -> str:
    """What groups risks: their concept where the bilingual lexicon has one ("concept:…"), so
    "Returns on AI capex fall short" meets "AI投入回报不及预期"; else the normalised wording.
    A risk made only of punctuation ("[/]") keeps its own text."""
    concept = get_lexicon().concept_of(text, "risk")
    if concept is not None:
        return f"concept:{concept.key}"
    return normalise_risk(text) or text.strip()


def _risks_by_key(digests: Iterable[Digest]) -> dict[str, dict[str, str]]:
    """Each risk key with its distinct wordings (by normalised text), latest statement last."""
    found: dict[str, dict[str, str]] = {}
    for digest in sorted(digests, key=report_order):
        for risk in digest.risks:
            key = risk_key(risk)
            if key:
                wordings = found.pop(key, {})
                wording = normalise_risk(risk) or risk.strip()
                wordings.pop(wording, None)
                wordings[wording] = risk.strip()
                found[key] = wordings
    return found


def _risk_diff(left: Iterable[Digest], right: Iterable[Digest]) -> RiskDiff:
    before, after = _risks_by_key(left), _risks_by_key(right)
    return RiskDiff(
        new=[text for key, texts in after.items() if key not in before for text in texts.values()],
        recurring=[text for key, texts in after.items() if key in before for text in texts.values()],
        dropped=[text for key, texts in before.items() if key not in after for text in texts.values()],
    )


@dataclass
class PickedCompany:
    """A recommended company: canonical name, ticker, and the names reports used."""

    name: str
    ticker: str | None = None
    names_seen: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class PickDiff:
    """Recommended companies: added on the right, dropped from it, or kept."""

    added: list[PickedCompany] = field(default_factory=list)
    dropped: list[PickedCompany] = field(default_factory=list)
    kept: list[PickedCompany] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: [p.to_dict() for p in getattr(self, k)] for k in ("added", "dropped", "kept")}


def _picks(digests: Iterable[Digest]) -> dict[str, PickedCompany]:
    found: dict[str, PickedCompany] = {}
    for digest in sorted(digests, key=report_order):
        for company in digest.recommended:
            name = canonical_company(company.name, company.ticker)
            pick = found.setdefault(name.casefold(), PickedCompany(name, company.ticker))
            pick.ticker = pick.ticker or company.ticker
            if company.name not in pick.names_seen:
                pick.names_seen.append(company.name)
    return found


def _pick_diff(left: Iterable[Digest], right: Iterable[Digest]) -> PickDiff:
    before, after = _picks(left), _picks(right)
    return PickDiff(
        added=[p for k, p in after.items() if k not in before],
        dropped=[p for k, p in before.items() if k not in after],
        kept=[p for k, p in after.items() if k in before],
    )


# ---------------------------------------------------------------- two sides


@dataclass
class FigureChange:
    """One figure on both sides with its change; ``target_period`` is set for annual guidance."""

    company: str | None
    segment: str | None
    metric: str
    basis: str
    left: FigureCell | None
    right: FigureCell | None
    change: float | None = None
    change_unit: str | None = None
    target_period: str | None = None

    @property
    def left_vs_consensus(self) -> str | None:
        return self.left.shown.vs_consensus if self.left else None

    @property
    def right_vs_consensus(self) -> str | None:
        return self.right.shown.vs_consensus if self.right else None

    @property
    def conflict(self) -> bool:
        """True when either side has reports that disagree."""
        return bool((self.left and self.left.conflict) or (self.right and self.right.conflict))

    @property
    def unit(self) -> str:
        return (self.right or self.left).unit  # type: ignore[union-attr]

    def to_dict(self) -> dict:
        return {
            "company": self.company,
            "segment": self.segment,
            "metric": self.metric,
            "basis": self.basis,
            "target_period": self.target_period,
            "left": self.left.to_dict() if self.left else None,
            "right": self.right.to_dict() if self.right else None,
            "change": self.change,
            "change_unit": self.change_unit,
            "left_vs_consensus": self.left_vs_consensus,
            "right_vs_consensus": self.right_vs_consensus,
            "conflict": self.conflict,
        }


@dataclass
class QuarterComparison:
    """Two sides (quarters or reports) side by side: figures, risks and picks."""

    left_label: str
    right_label: str
    left_period: str | None
    right_period: str | None
    rows: list[FigureChange] = field(default_factory=list)
    risks: RiskDiff = field(default_factory=RiskDiff)
    picks: PickDiff = field(default_factory=PickDiff)
    left_ids: list[str] = field(default_factory=list)
    right_ids: list[str] = field(default_factory=list)

    def find(
        self, company: str | None, segment: str | None, metric: str, basis: str = "actual"
    ) -> FigureChange | None:
        """The row for one figure, or None."""
        for row in self.rows:
            if (row.company, row.segment, row.metric, row.basis) == (
                company,
                segment,
                metric,
                basis,
            ):
                return row
        return None

    def to_dict(self) -> dict:
        return {
            "left": {
                "label": self.left_label,
                "period": self.left_period,
                "report_ids": self.left_ids,
            },
            "right": {
                "label": self.right_label,
                "period": self.right_period,
                "report_ids": self.right_ids,
            },
            "rows": [r.to_dict() for r in self.rows],
            "risks": self.risks.to_dict(),
            "picks": self.picks.to_dict(),
        }


def _pair(
    row_key: tuple, left: FigureCell | None, right: FigureCell | None, target: str | None
) -> FigureChange:
    change, unit = (None, None)
    if left and right and left.unit == right.unit:
        change, unit = _change(left.mid, right.mid, right.unit)
    return FigureChange(
        *row_key, left=left, right=right, change=change, change_unit=unit, target_period=target
    )


def _compare(
    figures_left: list[Digest],
    figures_right: list[Digest],
    vintage_left: list[Digest],
    vintage_right: list[Digest],
    q1: str | None,
    q2: str | None,
    labels: tuple[str, str],
    company: str | None,
    metric: str | None,
) -> QuarterComparison:
    left_m = figure_matrix(figures_left, company=company, metric=metric, periods=[q1] if q1 else [])
    right_m = figure_matrix(
        figures_right, company=company, metric=metric, periods=[q2] if q2 else []
    )
    keys = list(dict.fromkeys([r.key for r in left_m.rows] + [r.key for r in right_m.rows]))
    rows: list[FigureChange] = []
    for key in keys:
        lrow, rrow = left_m.row(*key), right_m.row(*key)
        left = lrow.cells.get(q1) if lrow and q1 else None
        right = rrow.cells.get(q2) if rrow and q2 else None
        if left or right:
            rows.append(_pair(key, left, right, None))
    # Annual guidance and consensus (Meta 2025 capex) as each side's reports stated it.
    if QUARTER_RE.fullmatch(q1 or "") and QUARTER_RE.fullmatch(q2 or ""):
        lv = figure_matrix(vintage_left, company=company, metric=metric)
        rv = figure_matrix(vintage_right, company=company, metric=metric)
        vkeys = list(dict.fromkeys([r.key for r in lv.rows] + [r.key for r in rv.rows]))
        for key in vkeys:
            if key[3] == "actual":
                continue
            lrow, rrow = lv.row(*key), rv.row(*key)
            years = {p for r in (lrow, rrow) if r for p in r.cells if p.isdigit() and len(p) == 4}
            for year in sorted(years):
                left = lrow.cells.get(year) if lrow else None
                right = rrow.cells.get(year) if rrow else None
                rows.append(_pair(key, left, right, year))
    rows.sort(
        key=lambda r: (
            _row_sort_key(FigureRow(r.company, r.segment, r.metric, r.basis)),
            r.target_period or "",
        )
    )
    return QuarterComparison(
        left_label=labels[0],
        right_label=labels[1],
        left_period=q1,
        right_period=q2,
        rows=rows,
        risks=_risk_diff(vintage_left, vintage_right),
        picks=_pick_diff(vintage_left, vintage_right),
        left_ids=[d.id for d in sorted(vintage_left, key=report_order)],
        right_ids=[d.id for d in sorted(vintage_right, key=report_order)],
    )


def compare_quarters(
    digests: Iterable[Digest],
    q1: str,
    q2: str,
    *,
    company: str | None = None,
    metric: str | None = None,
) -> QuarterComparison:
    """Quarter ``q1`` against ``q2``: every figure of those periods from any report, annual
    guidance as each quarter's reports gave it, and risks and picks of each quarter's reports."""
    digests = list(digests)
    left = [d for d in digests if d.period == q1]
    right = [d for d in digests if d.period == q2]
    return _compare(digests, digests, left, right, q1, q2, (q1, q2), company, metric)


def compare_reports(
    a: Digest, b: Digest, *, company: str | None = None, metric: str | None = None
) -> QuarterComparison:
    """Report ``a`` against report ``b`` (say, one broker's consecutive quarters)."""
    label_a, label_b = _report_label(a, a.period), _report_label(b, b.period)
    if label_a == label_b:  # same broker and quarter: tell them apart by date, else id
        label_a, label_b = _report_label(a, a.date), _report_label(b, b.date)
    if label_a == label_b:
        label_a, label_b = f"{label_a} {a.id[:8]}", f"{label_b} {b.id[:8]}"
    return _compare(
        [a], [b], [a], [b], _main_period(a), _main_period(b), (label_a, label_b), company, metric
    )


def _report_label(digest: Digest, when: str | None) -> str:
    """A report named the way an analyst says it: broker and quarter (or date)."""
    return (
        " ".join(x for x in (digest.broker, when or digest.date or digest.period) if x)
        or digest.id[:12]
    )


def previous_report(digests: Iterable[Digest], digest: Digest) -> Digest | None:
    """The same broker's latest earlier report on an earlier period (same kind of report:
    a company note follows a company note on the same company), or None.

    One pass keeping only the best so far: ``digests`` may stream a big library. The app's
    report-vs-previous and ``yanbao compare --reports`` both ask this."""
    own_company = _rated_companies(digest)
    mine, my_period = report_order(digest), period_sort_key(_main_period(digest))
    best: Digest | None = None
    best_order: tuple | None = None
    for other in digests:
        if other.id == digest.id or other.broker != digest.broker:
            continue
        order = report_order(other)
        if order >= mine or (best_order is not None and order <= best_order):
            continue
        if period_sort_key(_main_period(other)) < my_period and _rated_companies(other) == own_company:
            best, best_order = other, order
    return best


def _rated_companies(digest: Digest) -> set[str]:
    """The companies a report rates: empty for a sector report, one for a company note."""
    return {canonical_company(r.company, r.ticker) for r in digest.company_ratings}


def _main_period(digest: Digest) -> str | None:
    """The report's period, else the quarter its figures most often refer to."""
    if digest.period:
        return digest.period
    counts: dict[str, int] = {}
    for m in digest.metrics:
        if m.period and QUARTER_RE.fullmatch(m.period):
            counts[m.period] = counts.get(m.period, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda p: (counts[p], period_sort_key(p)))


# ---------------------------------------------------------------- guidance
