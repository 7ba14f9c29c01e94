"""What the command palette can jump to: every report and every company the list names.

Built once from the summaries the app already holds (title, broker, company names and
keys from the catalog), never from digests, so a 10,000-report library answers a query in
milliseconds: each entry keeps one casefolded text and a query is a few substring tests.
No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from yanbao.tui.data.company_names import company_keys

__all__ = ["JumpTarget", "JumpIndex"]


@dataclass(frozen=True)
class JumpTarget:
    """One place to jump to: a report (``key`` its id) or a company (``key`` its name)."""

    kind: str  # "report" | "company"
    key: str
    label: str
    help: str
    haystack: str  # casefolded words a query is matched against


def _report_target(summary: Any) -> JumpTarget:
    companies = list(summary.companies or ())
    words = [summary.title, summary.broker or "", summary.period or "", *companies, *summary.company_keys]
    meta = " · ".join(p for p in (summary.broker, summary.date, summary.period, ", ".join(companies[:4])) if p)
    return JumpTarget("report", summary.id, summary.title, meta, " ".join(words).casefold())


class JumpIndex:
    """Reports and companies of a library, searched by words (all must occur)."""

    def __init__(self, summaries: Iterable[Any]) -> None:
        self.reports: list[JumpTarget] = []
        counts: dict[str, int] = {}
        for summary in summaries:
            self.reports.append(_report_target(summary))
            for name in summary.companies or ():
                counts[name] = counts.get(name, 0) + 1
        self.companies = [
            JumpTarget("company", name, name, f"named in {count} report{'s' if count != 1 else ''}",
                       " ".join(sorted(company_keys(name))))
            for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]

    def search(self, query: str, limit: int = 40) -> list[JumpTarget]:
        """Companies, then reports, whose text holds every word of ``query`` (at most
        ``limit``); a company or title starting with the query comes first in its kind."""
        words = query.casefold().split()
        if not words:
            return []
        first = words[0]
        found: list[JumpTarget] = []
        for targets in (self.companies, self.reports):
            hits = [t for t in targets if all(w in t.haystack for w in words)]
            hits.sort(key=lambda t: not t.label.casefold().startswith(first))  # stable: keeps order
            found.extend(hits[: limit - len(found)])
            if len(found) >= limit:
                break
        return found
