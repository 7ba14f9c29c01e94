"""The library's risks tallied: each distinct risk, how many reports list it, in which quarters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from yanbao.store.compare import normalise_risk
from yanbao.tui.widgets.safe_text import clean

if TYPE_CHECKING:
    from yanbao.store.model import Digest

__all__ = ["RiskTally", "risk_key", "risk_tally"]


def risk_key(risk: str) -> str:
    """The compare engine's light normal form (行业竞争加剧风险 ≈ 行业竞争加剧); a risk that
    normalises to nothing (all punctuation) keeps its own text rather than being dropped."""
    return normalise_risk(risk) or clean(risk, one_line=True)


@dataclass
class RiskTally:
    """One risk across the library: its usual wording, report count and quarters."""

    wording: str
    count: int = 0
    periods: set[str] = field(default_factory=set)


def risk_tally(digests: Iterable[Digest]) -> list[RiskTally]:
    """Each distinct risk with how many reports list it and in which quarters; commonest first.

    One pass that keeps no digest: ``digests`` may be a stream over the whole library."""
    tallies: dict[str, RiskTally] = {}
    wordings: dict[str, Counter[str]] = {}
    for digest in digests:
        seen: set[str] = set()
        for risk in digest.risks:
            key = risk_key(risk)
            if not key or key in seen:
                continue
            seen.add(key)
            tally = tallies.setdefault(key, RiskTally(risk))
            tally.count += 1
            if digest.period:
                tally.periods.add(digest.period)
            wordings.setdefault(key, Counter())[clean(risk, one_line=True)] += 1
    for key, tally in tallies.items():
        tally.wording = wordings[key].most_common(1)[0][0]
    return sorted(tallies.values(), key=lambda t: (-t.count, t.wording))
