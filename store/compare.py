"""What changed since last quarter: pure comparisons over stored digests.

Everything here takes ``list[Digest]`` and returns plain dataclasses (each with ``to_dict``
for ``--json``); nothing touches the store or the UI.

- :func:`figure_matrix` — every figure per (company, segment, metric, basis) and period,
  with the reports it came from; two reports disagreeing on one cell keep both values and
  flag the conflict.
- :func:`compare_quarters` / :func:`compare_reports` — two sides with changes (pp for rates,
  percent for money), consensus flags, and the risk and pick differences.
- :func:`guidance_history` — each guidance figure's revisions in report order.
- :func:`rating_history` — ratings and target prices per company over time.
- :func:`series` — one figure across periods, for the chart.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from yanbao.store.model import Digest, Metric
from yanbao.store.units import METRIC_LABELS, is_rate_unit, midpoint

__all__ = [
    "FigureCell",
    "FigureChange",
    "FigureMatrix",
    "FigureRow",
    "GuidanceHistory",
    "GuidanceStep",
    "Observation",
    "PickDiff",
    "PickedCompany",
    "QuarterComparison",
    "RatingEntry",
    "RatingHistory",
    "RiskDiff",
    "canonical_company",
    "compare_quarters",
    "compare_reports",
    "figure_matrix",
    "guidance_history",
    "normalise_risk",
    "period_sort_key",
    "rating_history",
    "report_order",
    "series",
]

_BASIS_ORDER = {"actual": 0, "guidance": 1, "consensus": 2}
_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR_RE = re.compile(r"^\d{4}$")


# ---------------------------------------------------------------- helpers


@lru_cache(maxsize=1)
def _registry():  # -> CompanyRegistry | None
    """The company registry when it is importable; comparisons still work without it."""
    try:
        from yanbao.store.companies import get_registry
    except ImportError:
        return None
    return get_registry()


@lru_cache(maxsize=8192)
def canonical_company(name: str | None, ticker: str | None = None) -> str:
    """The registry's canonical English name for a name, alias or ticker; else the name as given."""
    registry = _registry()
    if registry is not None:
        for probe in (name, ticker):
            if probe:
                info = registry.lookup(probe)
                if info is not None:
                    return info.name
    return (name or ticker or "").strip()


def _company_filter(query: str | None) -> Callable[[str | None], bool]:
    """A predicate telling whether a company name is the one the user asked for."""
    if not query:
        return lambda _name: True
    wanted = canonical_company(query).casefold()
    return lambda name: bool(name) and canonical_company(name).casefold() == wanted


def period_sort_key(period: str | None) -> tuple[int, int]:
    """Chronological order for YYYY and YYYYQn periods; a year sorts after its quarters."""
    if not period:
        return (0, 0)
    m = _QUARTER_RE.match(period)
    if m:
        return (int(m.group(1)), int(m.group(2)))
    if _YEAR_RE.match(period):
        return (int(period), 5)
    return (0, 0)


def _proxy_date(period: str | None) -> str:
    """A stand-in report date for an undated report: the day after its period ends."""
    year, quarter = period_sort_key(period)
    if not year:
        return ""
    if quarter in (4, 5):
        return f"{year + 1}-01-01"
    return f"{year}-{quarter * 3 + 1:02d}-01"


def report_order(digest: Digest) -> tuple[str, tuple[int, int], str]:
    """Publication order: the report date (or a stand-in), then its period, then its id."""
    return (digest.date or _proxy_date(digest.period), period_sort_key(digest.period), digest.id)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _change(
    left: float | None, right: float | None, unit: str | None
) -> tuple[float | None, str | None]:
    """Right minus left: in pp for rates, in percent of left for everything else."""
    if left is None or right is None:
        return None, None
    if is_rate_unit(unit):
        return round(right - left, 6), "pp"
    if left == 0:
        return None, "%"
    return round((right - left) / abs(left) * 100, 6), "%"


# ---------------------------------------------------------------- figure matrix


@dataclass
class Observation:
    """One report's statement of one figure."""

    digest_id: str
    date: str | None
    broker: str | None
    report_period: str | None
    value: float | None
    low: float | None
    high: float | None
    unit: str
    consensus: float | None = None
    vs_consensus: str | None = None
    text: str = ""

    @property
    def mid(self) -> float | None:
        """The figure as one number (a range's midpoint)."""
        return midpoint(self.value, self.low, self.high)

    def same_figure(self, other: Observation) -> bool:
        """True when both say the same thing (same unit, value and range)."""
        return (
            self.unit == other.unit
            and _close(self.value, other.value)
            and _close(self.low, other.low)
            and _close(self.high, other.high)
        )

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class FigureCell:
    """A figure for one period: every report's statement, the value shown, and any conflict.

    For actual figures a conflict is any two reports disagreeing. Guidance and consensus move
    over time, so there only reports about the same quarter disagreeing is a conflict, and
    the value shown is the latest one.
    """

    period: str
    observations: list[Observation]
    shown: Observation
    conflict: bool = False

    @property
    def value(self) -> float | None:
        return self.shown.value

    @property
    def low(self) -> float | None:
        return self.shown.low

    @property
    def high(self) -> float | None:
        return self.shown.high

    @property
    def unit(self) -> str:
        return self.shown.unit

    @property
    def mid(self) -> float | None:
        return self.shown.mid

    @property
    def source_ids(self) -> list[str]:
        """Ids of the reports that state this figure, in report order, without repeats."""
        return list(dict.fromkeys(o.digest_id for o in self.observations))

    @property
    def distinct(self) -> list[Observation]:
        """One observation per different value stated (more than one means a conflict)."""
        found: list[Observation] = []
        for obs in self.observations:
            if not any(obs.same_figure(f) for f in found):
                found.append(obs)
        return found

    def to_dict(self) -> dict:
        return {
            "period": self.period,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "consensus": self.shown.consensus,
            "vs_consensus": self.shown.vs_consensus,
            "conflict": self.conflict,
            "source_ids": self.source_ids,
            "observations": [o.to_dict() for o in self.observations],
        }


def _majority(observations: list[Observation]) -> Observation:
    """The value most reports give (ties: the latest report's), as its latest statement."""
    groups: list[list[Observation]] = []
    latest: list[int] = []  # position of each group's latest statement
    for position, obs in enumerate(observations):
        for g, group in enumerate(groups):
            if obs.same_figure(group[0]):
                group.append(obs)
                latest[g] = position
                break
        else:
            groups.append([obs])
            latest.append(position)
    # observations arrive in report order, so the last group member is the latest statement
    best = groups[max(range(len(groups)), key=lambda g: (len(groups[g]), latest[g]))]
    # prefer the latest statement that also says how the figure compared with consensus
    with_consensus = [o for o in best if o.vs_consensus is not None or o.consensus is not None]
    return (with_consensus or best)[-1]


def _make_cell(period: str, basis: str, observations: list[Observation]) -> FigureCell:
    if basis == "actual":
        shown = _majority(observations)
        conflict = any(not o.same_figure(observations[0]) for o in observations)
        return FigureCell(period, observations, shown, conflict)
    vintages: dict[str, list[Observation]] = {}
    for obs in observations:
        vintages.setdefault(obs.report_period or obs.date or obs.digest_id, []).append(obs)
    conflict = any(any(not o.same_figure(group[0]) for o in group) for group in vintages.values())
    latest = list(vintages.values())[-1]
    return FigureCell(period, observations, _majority(latest), conflict)


FigureKey = tuple  # (company, segment, metric, basis)


@dataclass
class FigureRow:
    """One figure — (company, segment, metric, basis) — across periods."""

    company: str | None
    segment: str | None
    metric: str
    basis: str
    cells: dict[str, FigureCell] = field(default_factory=dict)

    @property
    def key(self) -> FigureKey:
        return (self.company, self.segment, self.metric, self.basis)

    def to_dict(self) -> dict:
        return {
            "company": self.company,
            "segment": self.segment,
            "metric": self.metric,
            "basis": self.basis,
            "cells": {p: c.to_dict() for p, c in self.cells.items()},
        }


@dataclass
class FigureMatrix:
    """Every figure the digests state, one row per figure, one cell per period."""

    rows: list[FigureRow]
    periods: list[str]

    def __post_init__(self) -> None:
        self._by_key = {row.key: row for row in self.rows}

    def row(
        self, company: str | None, segment: str | None, metric: str, basis: str = "actual"
    ) -> FigureRow | None:
        """The row for one figure, or None."""
        return self._by_key.get((company, segment, metric, basis))

    def cell(
        self,
        company: str | None,
        segment: str | None,
        metric: str,
        period: str,
        basis: str = "actual",
    ) -> FigureCell | None:
        """One figure in one period, or None."""
        row = self.row(company, segment, metric, basis)
        return row.cells.get(period) if row else None

    @property
    def conflicts(self) -> list[tuple[FigureRow, FigureCell]]:
        """Every cell where reports disagree."""
        return [(r, c) for r in self.rows for c in r.cells.values() if c.conflict]

    def to_dict(self) -> dict:
        return {"periods": list(self.periods), "rows": [r.to_dict() for r in self.rows]}


def _observations(
    digests: Iterable[Digest], keep: Callable[[Metric], bool] = lambda _m: True
) -> list[tuple[Digest, Metric, Observation]]:
    found = []
    for digest in sorted(digests, key=report_order):
        for m in digest.metrics:
            if m.period is None or not keep(m):
                continue
            obs = Observation(
                digest.id,
                digest.date,
                digest.broker,
                digest.period,
                m.value,
                m.low,
                m.high,
                m.unit,
                m.consensus,
                m.vs_consensus,
                m.text,
            )
            found.append((digest, m, obs))
    return found


def _figure_metric(m: Metric) -> str:
    """The metric key a figure is filed under: guidance for capex is ``capex`` with basis
    guidance whether the report's key was ``capex`` or ``capex_guidance``."""
    return _guidance_metric(m.metric) if m.basis == "guidance" else m.metric


_METRIC_ORDER = {key: rank for rank, key in enumerate(METRIC_LABELS)}


def _row_sort_key(row: FigureRow) -> tuple:
    rank = _METRIC_ORDER.get(row.metric, len(_METRIC_ORDER))
    return (row.company or "", row.segment or "", rank, row.metric, _BASIS_ORDER.get(row.basis, 9))


def figure_matrix(
    digests: Iterable[Digest],
    *,
    company: str | None = None,
    metric: str | None = None,
    periods: Iterable[str] | None = None,
) -> FigureMatrix:
    """Every figure per (company, segment, metric, basis) and period, with its sources;
    ``company``, ``metric`` and ``periods`` keep only those."""
    wanted = _company_filter(company)
    in_periods = set(periods) if periods is not None else None

    def keep(m: Metric) -> bool:
        return (
            (in_periods is None or m.period in in_periods)
            and (metric is None or metric in (m.metric, _figure_metric(m)))
            and wanted(m.company)
        )

    found: dict[FigureKey, dict[str, list[Observation]]] = {}
    for _digest, m, obs in _observations(digests, keep):
        key = (m.company, m.segment, _figure_metric(m), m.basis)
        found.setdefault(key, {}).setdefault(m.period, []).append(obs)
    rows = []
    seen_periods: set[str] = set()
    for key, by_period in found.items():
        row = FigureRow(*key)
        for period in sorted(by_period, key=period_sort_key):
            row.cells[period] = _make_cell(period, key[3], by_period[period])
            seen_periods.add(period)
        rows.append(row)
    rows.sort(key=_row_sort_key)
    return FigureMatrix(rows, sorted(seen_periods, key=period_sort_key))


def series(
    digests: Iterable[Digest],
    company: str | None,
    segment: str | None,
    metric: str,
    *,
    basis: str = "actual",
) -> list[tuple[str, float]]:
    """One figure across periods as (period, value) pairs in order; ranges give midpoints."""
    row = figure_matrix(digests, metric=metric).row(company, segment, metric, basis)
    if row is None:
        return []
    return [(p, c.mid) for p, c in row.cells.items() if c.mid is not None]


# ---------------------------------------------------------------- risks and picks


_RISK_NUMBERING = re.compile(r"^\s*(?:[(（]?\d{1,2}[)）.、]|[①-⑳])\s*")
_RISK_SUFFIXES = ("的风险", "风险", "等", "risks", "risk")


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


def _risks_by_key(digests: Iterable[Digest]) -> dict[str, str]:
    """Each distinct risk (by matching key) with the wording of its latest statement."""
    found: dict[str, str] = {}
    for digest in sorted(digests, key=report_order):
        for risk in digest.risks:
            # A risk made only of punctuation ("[/]") still counts, keyed by its own text.
            key = normalise_risk(risk) or risk.strip()
            if key:
                found.pop(key, None)
                found[key] = risk.strip()
    return found


def _risk_diff(left: Iterable[Digest], right: Iterable[Digest]) -> RiskDiff:
    before, after = _risks_by_key(left), _risks_by_key(right)
    return RiskDiff(
        new=[text for key, text in after.items() if key not in before],
        recurring=[text for key, text in after.items() if key in before],
        dropped=[text for key, text in before.items() if key not in after],
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
    if _QUARTER_RE.match(q1 or "") and _QUARTER_RE.match(q2 or ""):
        lv = figure_matrix(vintage_left, company=company, metric=metric)
        rv = figure_matrix(vintage_right, company=company, metric=metric)
        vkeys = list(dict.fromkeys([r.key for r in lv.rows] + [r.key for r in rv.rows]))
        for key in vkeys:
            if key[3] == "actual":
                continue
            lrow, rrow = lv.row(*key), rv.row(*key)
            years = {p for r in (lrow, rrow) if r for p in r.cells if _YEAR_RE.match(p)}
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
    a company note follows a company note on the same company), or None."""
    own_company = {canonical_company(r.company, r.ticker) for r in digest.company_ratings}
    candidates = [
        d
        for d in digests
        if d.id != digest.id
        and d.broker == digest.broker
        and report_order(d) < report_order(digest)
        and period_sort_key(_main_period(d)) < period_sort_key(_main_period(digest))
        and {canonical_company(r.company, r.ticker) for r in d.company_ratings} == own_company
    ]
    return max(candidates, key=report_order, default=None)


def _main_period(digest: Digest) -> str | None:
    """The report's period, else the quarter its figures most often refer to."""
    if digest.period:
        return digest.period
    counts: dict[str, int] = {}
    for m in digest.metrics:
        if m.period and _QUARTER_RE.match(m.period):
            counts[m.period] = counts.get(m.period, 0) + 1
    if not counts:
        return None
    return max(counts, key=lambda p: (counts[p], period_sort_key(p)))


# ---------------------------------------------------------------- guidance


@dataclass
class GuidanceStep:
    """One statement of a guidance figure and how it moved from the step before.

    ``quoted`` marks a step read from a later report's ``previous`` field; its ``date`` is
    that later report's. ``confirmed_by`` lists other reports of the same quarter that gave
    the same figure.
    """

    date: str | None
    digest_id: str
    broker: str | None
    value: float | None
    low: float | None
    high: float | None
    unit: str
    move: str  # initial | raise | cut | narrow | widen | reiterate
    direction: str | None = None  # the midpoint went "up" or "down" (a narrow can be either)
    change: float | None = None
    change_unit: str | None = None
    quoted: bool = False
    report_period: str | None = None
    confirmed_by: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GuidanceHistory:
    """A guidance figure's revisions in the order the reports were published."""

    company: str | None
    segment: str | None
    metric: str
    period: str
    steps: list[GuidanceStep] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return self.steps[-1].unit if self.steps else ""

    @property
    def moves(self) -> list[str]:
        return [s.move for s in self.steps]

    def to_dict(self) -> dict:
        return {
            "company": self.company,
            "segment": self.segment,
            "metric": self.metric,
            "period": self.period,
            "unit": self.unit,
            "steps": [s.to_dict() for s in self.steps],
        }


def _bounds(
    value: float | None, low: float | None, high: float | None
) -> tuple[float, float] | None:
    if value is not None:
        return value, value
    if low is not None and high is not None:
        return low, high
    one = low if low is not None else high
    return (one, one) if one is not None else None


def guidance_move(before: GuidanceStep, after: GuidanceStep) -> str:
    """raise / cut / narrow / widen / reiterate from one guidance statement to the next."""
    b = _bounds(before.value, before.low, before.high)
    a = _bounds(after.value, after.low, after.high)
    if a is None or b is None:
        return "reiterate"
    if _close(a[0], b[0]) and _close(a[1], b[1]):
        return "reiterate"
    if a[0] >= b[0] - 1e-9 and a[1] <= b[1] + 1e-9:
        return "narrow"
    if a[0] <= b[0] + 1e-9 and a[1] >= b[1] - 1e-9:
        return "widen"
    return "raise" if (a[0] + a[1]) > (b[0] + b[1]) else "cut"


def _guidance_metric(key: str) -> str:
    return key.removesuffix("_guidance")


def guidance_history(
    digests: Iterable[Digest], *, company: str | None = None
) -> list[GuidanceHistory]:
    """Every guidance figure's history, ordered by report date, with each move.

    A metric's ``previous`` adds the earlier guidance it quotes as a step of its own, unless
    an earlier report already gave that value.
    """
    wanted = _company_filter(company)
    histories: dict[tuple, GuidanceHistory] = {}
    for digest, m, obs in _observations(
        digests,
        # a consensus of what guidance will be (BBG expects 100 bn+) is not company guidance
        lambda m: (
            wanted(m.company)
            and (
                m.basis == "guidance" or (m.metric.endswith("_guidance") and m.basis != "consensus")
            )
        ),
    ):
        key = (m.company, m.segment, _guidance_metric(m.metric), m.period)
        history = histories.setdefault(key, GuidanceHistory(*key))
        if m.previous is not None and _bounds(m.previous.value, m.previous.low, m.previous.high):
            quoted = GuidanceStep(
                digest.date,
                digest.id,
                digest.broker,
                m.previous.value,
                m.previous.low,
                m.previous.high,
                m.unit,
                "initial",
                quoted=True,
                report_period=digest.period,
            )
            if not any(_same_step(quoted, s) for s in history.steps):
                _append_step(history, quoted)
        step = GuidanceStep(
            digest.date,
            digest.id,
            digest.broker,
            obs.value,
            obs.low,
            obs.high,
            m.unit,
            "initial",
            report_period=digest.period,
        )
        if not _bounds(step.value, step.low, step.high):
            continue
        last = history.steps[-1] if history.steps else None
        if (
            last
            and not last.quoted
            and digest.period
            and last.report_period == digest.period
            and _same_step(last, step)
        ):
            last.confirmed_by.append(digest.id)  # another report of the same season saying the same
        else:
            _append_step(history, step)
    result = [h for h in histories.values() if h.steps]
    result.sort(
        key=lambda h: (h.company or "", h.segment or "", h.metric, period_sort_key(h.period))
    )
    return result


def _same_step(a: GuidanceStep, b: GuidanceStep) -> bool:
    return (
        a.unit == b.unit
        and _close(a.value, b.value)
        and _close(a.low, b.low)
        and _close(a.high, b.high)
    )


def _append_step(history: GuidanceHistory, step: GuidanceStep) -> None:
    if history.steps:
        before = history.steps[-1]
        step.move = guidance_move(before, step)
        if before.unit == step.unit:
            old_mid = midpoint(before.value, before.low, before.high)
            new_mid = midpoint(step.value, step.low, step.high)
            step.change, step.change_unit = _change(old_mid, new_mid, step.unit)
            if old_mid is not None and new_mid is not None and not _close(old_mid, new_mid):
                step.direction = "up" if new_mid > old_mid else "down"
    history.steps.append(step)


# ---------------------------------------------------------------- ratings


@dataclass
class RatingEntry:
    """One report's rating and target price for a company."""

    date: str | None
    digest_id: str
    broker: str | None
    rating: str
    action: str | None
    target_price: float | None
    currency: str | None
    previous_target_price: float | None
    target_change_pct: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class RatingHistory:
    """A company's ratings and target prices over time, oldest first."""

    company: str
    ticker: str | None
    entries: list[RatingEntry] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "company": self.company,
            "ticker": self.ticker,
            "entries": [e.to_dict() for e in self.entries],
        }


def rating_history(digests: Iterable[Digest], *, company: str | None = None) -> list[RatingHistory]:
    """Ratings and target prices per company, with the target-price change in percent.

    The change is against the previous target the report quotes, else against the same
    broker's last target in the same currency.
    """
    wanted = _company_filter(company)
    histories: dict[str, RatingHistory] = {}
    for digest in sorted(digests, key=report_order):
        for r in digest.company_ratings:
            name = canonical_company(r.company, r.ticker)
            if not wanted(name):
                continue
            history = histories.setdefault(name.casefold(), RatingHistory(name, r.ticker))
            history.ticker = history.ticker or r.ticker
            before = r.previous_target_price
            if before is None:
                earlier = [
                    e
                    for e in history.entries
                    if e.broker == digest.broker
                    and e.currency == r.currency
                    and e.target_price is not None
                ]
                before = earlier[-1].target_price if earlier else None
            change = None
            if before and r.target_price is not None:
                change = round((r.target_price - before) / before * 100, 6)
            history.entries.append(
                RatingEntry(
                    digest.date,
                    digest.id,
                    digest.broker,
                    r.rating,
                    r.action,
                    r.target_price,
                    r.currency,
                    r.previous_target_price,
                    change,
                )
            )
    return sorted(histories.values(), key=lambda h: h.company)
