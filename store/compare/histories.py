"""Histories over time: each guidance figure's revisions and each company's ratings and target prices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from yanbao.store.compare.common import (
    _change,
    _close,
    _company_filter,
    _guidance_metric,
    canonical_company,
    period_sort_key,
    report_order,
)
from yanbao.store.compare.figures import _observations
from yanbao.store.model import Digest, Range
from yanbao.store.units import midpoint


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



def is_company_guidance(metric: str, basis: str) -> bool:
    """A figure the guidance history reads: guidance, or a ``*_guidance`` figure that is not
    a consensus (BBG expects 100 bn+ is not company guidance)."""
    return basis == "guidance" or (metric.endswith("_guidance") and basis != "consensus")


def add_guidance_step(history: GuidanceHistory, date: str | None, digest_id: str, broker: str | None,
                      report_period: str | None, value: float | None, low: float | None, high: float | None,
                      unit: str, previous: Range | None) -> None:
    """One report's statement of ``history``'s figure (statements come in publication
    order): the earlier guidance it quotes (``previous``) as a step of its own unless a step
    already gave that value, then the statement itself, which confirms the last step when
    a report of the same season said the same."""
    if previous is not None and _bounds(previous.value, previous.low, previous.high):
        quoted = GuidanceStep(date, digest_id, broker, previous.value, previous.low, previous.high, unit, "initial",
                              quoted=True, report_period=report_period)
        if not any(_same_step(quoted, s) for s in history.steps):
            _append_step(history, quoted)
    step = GuidanceStep(date, digest_id, broker, value, low, high, unit, "initial", report_period=report_period)
    if not _bounds(step.value, step.low, step.high):
        return
    last = history.steps[-1] if history.steps else None
    if last and not last.quoted and report_period and last.report_period == report_period and _same_step(last, step):
        last.confirmed_by.append(digest_id)  # another report of the same season saying the same
    else:
        _append_step(history, step)


def guidance_history(
    digests: Iterable[Digest], *, company: str | None = None
) -> list[GuidanceHistory]:
    """Every guidance figure's history, ordered by report date, with each move.

    A metric's ``previous`` adds the earlier guidance it quotes as a step of its own, unless
    an earlier report already gave that value.
    """
    wanted = _company_filter(company)
    histories: dict[tuple, GuidanceHistory] = {}
    for digest, m, obs in _observations(digests, lambda m: wanted(m.company) and is_company_guidance(m.metric, m.basis)):
        key = (m.company, m.segment, _guidance_metric(m.metric), m.period)
        history = histories.setdefault(key, GuidanceHistory(*key))
        add_guidance_step(history, digest.date, digest.id, digest.broker, digest.period, obs.value, obs.low, obs.high,
                          m.unit, m.previous)
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
    # (company, broker, currency) -> that broker's latest target: one look-up per rating,
    # not a scan of the company's history (which made long histories quadratic)
    last_target: dict[tuple[str, str | None, str | None], float] = {}
    for digest in sorted(digests, key=report_order):
        for r in digest.company_ratings:
            name = canonical_company(r.company, r.ticker)
            if not wanted(name):
                continue
            history = histories.setdefault(name.casefold(), RatingHistory(name, r.ticker))
            history.ticker = history.ticker or r.ticker
            mark = (name.casefold(), digest.broker, r.currency)
            before = r.previous_target_price
            if before is None:
                before = last_target.get(mark)
            if r.target_price is not None:
                last_target[mark] = r.target_price
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
