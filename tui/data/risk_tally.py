"""The library's risks tallied: each distinct risk, how many reports list it, in which quarters."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from yanbao.store.compare import risk_key
from yanbao.store.concepts import get_lexicon
from yanbao.store.risk_text import MAX_RISK_CHARS, bounded, plausible_risk
from yanbao.tui.data.figure_text import FIGURE_LANG

if TYPE_CHECKING:
    from yanbao.store.model import Digest

__all__ = ["RiskTally", "risk_key", "risk_tally", "plausible_risk", "bounded", "risks_markdown", "RisksView", "MAX_RISK_CHARS", "tally_name"]

@dataclass
class RiskTally:
    """One risk across the library: its name (the concept's, where the bilingual lexicon has
    one, else the usual wording), grouping key, report count and quarters."""

    wording: str
    key: str = ""
    count: int = 0
    periods: set[str] = field(default_factory=set)


@dataclass
class RisksView:
    """What the Risks pane shows, for its export: the report (if any) and the library tally."""

    digest: Digest | None
    tally: list[RiskTally]


def risk_tally(digests: Iterable[Digest]) -> list[RiskTally]:
    """Each distinct risk with how many reports list it and in which quarters; commonest first.

    One pass that keeps no digest: ``digests`` may be a stream over the whole library."""
    tallies: dict[str, RiskTally] = {}
    wordings: dict[str, Counter[str]] = {}
    for digest in digests:
        seen: set[str] = set()
        for risk in digest.risks:
            if not plausible_risk(risk):
                continue
            key = risk_key(risk)
            if not key or key in seen:
                continue
            seen.add(key)
            tally = tallies.setdefault(key, RiskTally(risk, key))
            tally.count += 1
            if digest.period:
                tally.periods.add(digest.period)
            wordings.setdefault(key, Counter())[bounded(risk)] += 1
    for key, tally in tallies.items():
        # The commonest wording; ties go to the first in text order (the store's aggregates agree).
        tally.wording = tally_name(key, min(wordings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0])
    return sorted(tallies.values(), key=lambda t: (-t.count, t.wording))


def risks_markdown(digest: Digest | None, tally: list[RiskTally]) -> str:
    """The Risks pane as markdown: the report's risks, then the library table."""
    from yanbao.store.export import escape_markdown

    lines = ["# Risks"]
    if digest is not None:
        counts = {t.key: t.count for t in tally}
        lines += ["", f"## In this report: {escape_markdown(digest.title)}", ""]
        shown = [r for r in digest.risks if plausible_risk(r)]
        for number, risk in enumerate(shown, 1):
            others = counts.get(risk_key(risk), 1) - 1
            also = f" (in {others} other report{'s' if others > 1 else ''})" if others > 0 else ""
            lines.append(f"{number}. {escape_markdown(bounded(risk))}{also}")
        if not shown:
            lines.append("This report lists no risks.")
    lines += ["", "## Across the library", "", "| Risk | Reports | Quarters |", "| --- | ---: | --- |"]
    for item in tally:
        quarters = ", ".join(sorted(item.periods)) or "—"
        lines.append(f"| {escape_markdown(item.wording)} | {item.count} | {escape_markdown(quarters)} |")
    return "\n".join(lines) + "\n"


def tally_name(key: str, commonest: str) -> str:
    """What the tally calls a risk: its concept's name where the lexicon has one, else the
    commonest wording."""
    if key.startswith("concept:"):
        concept = get_lexicon().get(key.removeprefix("concept:"))
        if concept is not None:
            return concept.label(FIGURE_LANG)
    return commonest
