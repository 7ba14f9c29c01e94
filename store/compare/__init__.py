"""What changed since last quarter: pure comparisons over stored digests (one module a product).

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

from yanbao.store.compare.common import canonical_company, period_sort_key, report_order
from yanbao.store.compare.figures import (
    FigureCell,
    FigureMatrix,
    FigureRow,
    Observation,
    figure_matrix,
    series,
)
from yanbao.store.compare.histories import (
    GuidanceHistory,
    GuidanceStep,
    RatingEntry,
    RatingHistory,
    guidance_history,
    rating_history,
)
from yanbao.store.compare.quarters import (
    FigureChange,
    PickDiff,
    PickedCompany,
    QuarterComparison,
    RiskDiff,
    compare_quarters,
    compare_reports,
    normalise_risk,
    previous_report,
    risk_key,
)

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
    "previous_report",
    "rating_history",
    "report_order",
    "risk_key",
    "series",
]

