"""A figure series as a fold: what ``series`` needs of each period's statements — per value
said, how many reports say it and its latest statement (and latest with a consensus) — kept
so that reports stored later are added without reading the earlier ones again.

Statements are placed by their report's ``report_order`` and then by the order they were
folded, so a report added later lands where ``series`` would sort it, whatever its date.
Nothing can be taken out: a removal starts a new fold.
"""

from __future__ import annotations

from yanbao.store.compare.common import _guidance_metric, _proxy_date, period_sort_key
from yanbao.store.compare.figures import _to_key
from yanbao.store.units import midpoint

__all__ = ["SeriesFold"]

# The state is JSON as it stands (kept and read back without conversion): an order is a list
# [report date or stand-in, [year, quarter], report id, statement number], compared as
# ``report_order`` then folding order; a value said is keyed by the repr of its figure key;
# its stats are [count, latest order, its mid, latest order with a consensus or None, its mid].


class SeriesFold:
    """The reduction state of one figure — (company, segment, metric, basis) — across
    periods, built from the catalog's packed figure rows without making a Metric of each."""

    def __init__(self, company: str | None, segment: str | None, metric: str, basis: str = "actual") -> None:
        self.company, self.segment, self.metric, self.basis = company, segment, metric, basis
        self.folded = 0  # statements folded so far: the next one's number
        # period -> vintage -> [first order, {figure key: stats}]; actuals have one vintage
        self.periods: dict[str, dict[str, list]] = {}

    def add_entry(self, digest_id: str, date: str | None, period: str | None, company: str | None,
                  rows: list[list]) -> None:
        """One report's packed figure rows filed under one company (positions as
        ``aggregates._PACKED``), in the order ``kept_views`` reads them."""
        if company != self.company:
            return
        start, metric = self.folded, self.metric
        try:  # a damaged statement of this metric: the entry adds nothing (others are not read)
            found = [(start + i, row) for i, row in enumerate(rows) if row[0].startswith(metric)]
            statements = [(number, m, p, value, unit or "%", segment, basis or "actual", low, high, consensus, vs)
                          for number, (m, p, value, unit, segment, basis, low, high, consensus, vs, _fiscal, _prev)
                          in found if p is not None]
        except (TypeError, ValueError, AttributeError, LookupError):
            return
        self.folded += len(rows)
        report = [date or _proxy_date(period), list(period_sort_key(period)), digest_id]
        vintage = "" if self.basis == "actual" else (period or date or digest_id)
        for number, m, p, value, unit, segment, basis, low, high, consensus, vs in statements:
            if (segment != self.segment or basis != self.basis
                    or (_guidance_metric(m) if basis == "guidance" else m) != metric):
                continue
            self._add(p, vintage, [*report, number], repr((unit, _to_key(value), _to_key(low), _to_key(high))),
                      midpoint(value, low, high), vs is not None or consensus is not None)

    def _add(self, period: str, vintage: str, order: list, key: str, mid: float | None, consensus: bool) -> None:
        group = self.periods.setdefault(period, {}).get(vintage)
        if group is None:
            group = self.periods[period][vintage] = [order, {}]
        elif order < group[0]:
            group[0] = order
        stats = group[1].get(key)
        if stats is None:
            group[1][key] = [1, order, mid, order if consensus else None, mid if consensus else None]
            return
        stats[0] += 1
        if order > stats[1]:
            stats[1], stats[2] = order, mid
        if consensus and (stats[3] is None or order > stats[3]):
            stats[3], stats[4] = order, mid

    def series(self) -> list[tuple[str, float]]:
        """(period, value) pairs in order, as ``series`` gives them."""
        first = {p: min(group[0] for group in vintages.values()) for p, vintages in self.periods.items()}
        out = []
        for period in sorted(self.periods, key=lambda p: (period_sort_key(p), first[p])):
            # the vintage first stated last (``_make_cell``): its majority value is shown
            stated = max(self.periods[period].values(), key=lambda group: group[0])[1]
            best = max(stated.values(), key=lambda stats: (stats[0], stats[1]))
            mid = best[4] if best[3] is not None else best[2]
            if mid is not None:
                out.append((period, mid))
        return out

    def to_json(self) -> list:
        """The fold as JSON values (``from_json`` reads it back)."""
        return [self.company, self.segment, self.metric, self.basis, self.folded, self.periods]

    @classmethod
    def from_json(cls, value: list) -> SeriesFold:
        company, segment, metric, basis, folded, periods = value
        if not isinstance(periods, dict) or not isinstance(folded, int):
            raise ValueError("not a series fold")
        fold = cls(company, segment, metric, basis)
        fold.folded, fold.periods = folded, periods
        return fold
