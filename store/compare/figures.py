"""The figure matrix: every figure per (company, segment, metric, basis) and period, with
the reports it came from; two reports disagreeing on one cell keep both values (a conflict)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from yanbao.store.compare.common import (
    _BASIS_ORDER,
    _company_filter,
    _guidance_metric,
    period_sort_key,
    report_order,
)
from yanbao.store.model import Digest, Metric
from yanbao.store.units import METRIC_LABELS, midpoint


def _to_key(number: float | None) -> float | None:
    """``number`` to 6 significant digits (figures read from text carry fewer, so only float
    noise is lost), with anything below 1e-9 as 0."""
    if number is None:
        return None
    if abs(number) < 1e-9:
        return 0.0
    return float(f"{number:.6g}")


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

    @property
    def figure_key(self) -> tuple[str, float | None, float | None, float | None]:
        """What the statement says — unit, value and range, each to 6 significant digits —
        as a key: statements are grouped by it in one pass, never compared pairwise.
        (Kept in the instance on first use, without ``cached_property``'s lock: a comparison
        asks it of every statement.)"""
        key = self.__dict__.get("_figure_key")
        if key is None:
            key = self.__dict__["_figure_key"] = (self.unit, _to_key(self.value), _to_key(self.low), _to_key(self.high))
        return key

    def same_figure(self, other: Observation) -> bool:
        """True when both say the same thing (same unit, value and range)."""
        return self.figure_key == other.figure_key

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
        found: dict[tuple, Observation] = {}
        for obs in self.observations:
            found.setdefault(obs.figure_key, obs)
        return list(found.values())

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


def _reduce(observations: list[Observation]) -> tuple[Observation, bool]:
    """The value most reports give (ties: the latest report's), as its latest statement —
    preferring the latest one that also says how the figure compared with consensus — and
    whether the statements disagree. One pass over the keys: a cell of one statement (the
    usual one) costs one look-up."""
    if len(observations) == 1:
        return observations[0], False
    counts: dict[tuple, int] = {}
    latest: dict[tuple, int] = {}  # position of each group's latest statement
    for position, obs in enumerate(observations):
        key = obs.figure_key
        counts[key] = counts.get(key, 0) + 1
        latest[key] = position
    # observations arrive in report order, so a group's last member is its latest statement
    best = max(counts, key=lambda k: (counts[k], latest[k])) if len(counts) > 1 else next(iter(counts))
    for obs in reversed(observations[: latest[best] + 1]):
        if obs.figure_key == best and (obs.vs_consensus is not None or obs.consensus is not None):
            return obs, len(counts) > 1
    return observations[latest[best]], len(counts) > 1


def _majority(observations: list[Observation]) -> Observation:
    """The value most reports give (ties: the latest report's), as its latest statement."""
    return _reduce(observations)[0]


def _disagree(observations: list[Observation]) -> bool:
    return len({o.figure_key for o in observations}) > 1


def _make_cell(period: str, basis: str, observations: list[Observation]) -> FigureCell:
    if basis == "actual":
        shown, conflict = _reduce(observations)
        return FigureCell(period, observations, shown, conflict)
    vintages: dict[str, list[Observation]] = {}
    for obs in observations:
        vintages.setdefault(obs.report_period or obs.date or obs.digest_id, []).append(obs)
    conflict = any(_disagree(group) for group in vintages.values())
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
    """One figure across periods as (period, value) pairs in order; ranges give midpoints.

    The row ``figure_matrix(digests, metric=metric).row(company, segment, metric, basis)``
    gives, built from that row's statements alone (a matrix builds every row of the metric)."""

    def mine(m: Metric) -> bool:
        return m.company == company and m.segment == segment and m.basis == basis and _figure_metric(m) == metric

    by_period: dict[str, list[Observation]] = {}
    for _digest, m, obs in _observations(digests, mine):
        by_period.setdefault(m.period, []).append(obs)
    cells = (_make_cell(period, basis, by_period[period]) for period in sorted(by_period, key=period_sort_key))
    return [(cell.period, cell.mid) for cell in cells if cell.mid is not None]


# ---------------------------------------------------------------- risks and picks
