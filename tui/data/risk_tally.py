"""The library's risks tallied: each distinct risk, how many reports list it, in which quarters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from yanbao.store.compare import risk_key
from yanbao.store.concepts import get_lexicon
from yanbao.tui.data.figure_text import FIGURE_LANG
from yanbao.tui.widgets.safe_text import clean

if TYPE_CHECKING:
    from yanbao.store.model import Digest

__all__ = ["RiskTally", "risk_key", "risk_tally", "tally_name"]  # risk_key: the compare engine's, one meaning


@dataclass
class RiskTally:
    """One risk across the library: its name (the concept's, where the bilingual lexicon has
    one, else the usual wording), grouping key, report count and quarters."""

    wording: str
    key: str = ""
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
            tally = tallies.setdefault(key, RiskTally(risk, key))
            tally.count += 1
            if digest.period:
                tally.periods.add(digest.period)
            wordings.setdefault(key, Counter())[clean(risk, one_line=True)] += 1
    for key, tally in tallies.items():
        # The commonest wording; ties go to the first in text order (the store's aggregates agree).
        tally.wording = tally_name(key, min(wordings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0])
    return sorted(tallies.values(), key=lambda t: (-t.count, t.wording))


def tally_name(key: str, commonest: str) -> str:
    """What the tally calls a risk: its concept's name where the lexicon has one, else the
    commonest wording."""
    if key.startswith("concept:"):
        concept = get_lexicon().get(key.removeprefix("concept:"))
        if concept is not None:
            return concept.label(FIGURE_LANG)
    return commonest
