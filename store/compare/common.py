"""What every comparison shares: canonical company names, period and report order, changes."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from functools import lru_cache

from yanbao.store.model import Digest
from yanbao.store.periods import QUARTER_RE
from yanbao.store.units import is_rate_unit

_BASIS_ORDER = {"actual": 0, "guidance": 1, "consensus": 2}


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


def keep_companies(names: Collection[str] | None) -> Callable[[str | None], bool]:
    """A filter on company names, by their canonical names: everything when ``names`` is None."""
    if names is None:
        return lambda company: True
    folded = {canonical_company(n).casefold() for n in names}
    return lambda company: company is not None and canonical_company(company).casefold() in folded


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
    m = QUARTER_RE.fullmatch(period)
    if m:
        return (int(m.group(1)), int(m.group(2)))
    if period.isdigit() and len(period) == 4:
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

def _guidance_metric(key: str) -> str:
    return key.removesuffix("_guidance")
