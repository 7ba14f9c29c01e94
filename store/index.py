"""The digest index: what the report list and search need, without decoding digests.

One ``IndexRow`` per digest (the list's fields plus the company names it uses) and one
casefolded search text. ``Snapshot`` is one version of the stored digests as readers see
them; ``store.storage`` keeps rows and texts in ``<store>.index`` beside the store file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

__all__ = ["DIGESTS_TABLE", "IndexRow", "Snapshot", "index_row", "newest_first", "snapshot_of"]

DIGESTS_TABLE = "digests"


class IndexRow(NamedTuple):
    """What the report list needs of one digest, plus the names it uses for companies.

    A named tuple: 10,000 of them are built on every open, so they must be cheap.
    """

    id: str
    title: str
    broker: str | None
    date: str | None
    period: str | None
    language: str
    companies: list[str]
    recommended: list[str]
    n_metrics: int
    company_keys: Sequence[str] = ()  # names, aliases and tickers as the digest writes them


def newest_first(row: IndexRow) -> tuple[str, str, str]:
    """Sort key for newest first (use with reverse=True): date, then title, then id."""
    return (row.date or "", row.title, row.id)


def index_row(doc: Mapping[str, Any]) -> tuple[IndexRow, str]:
    """The index row and casefolded search text for one digest dict."""
    companies = [c for c in doc.get("companies") or [] if isinstance(c, dict)]
    names = [str(c.get("name") or "") for c in companies]
    keys: dict[str, None] = {}
    for c in companies:
        for value in [c.get("name"), c.get("ticker"), *(c.get("aliases_seen") or [])]:
            if isinstance(value, str) and value.strip():
                keys[value.strip()] = None
    for item in (doc.get("metrics") or []) + (doc.get("company_ratings") or []):
        if isinstance(item, dict):
            for value in (item.get("company"), item.get("ticker")):
                if isinstance(value, str) and value.strip():
                    keys[value.strip()] = None
    parts: list[str] = [str(doc.get("title") or ""), str(doc.get("broker") or "")]
    for kp in doc.get("key_points") or []:
        if isinstance(kp, dict):
            parts.append(str(kp.get("heading") or ""))
            parts.extend(str(p) for p in kp.get("points") or [])
    parts.append(str(doc.get("recommendation") or ""))
    parts.extend(str(r) for r in doc.get("risks") or [])
    parts.extend(keys)
    row = IndexRow(
        id=str(doc.get("id") or ""),
        title=str(doc.get("title") or ""),
        broker=doc.get("broker"),
        date=doc.get("date"),
        period=doc.get("period"),
        language=str(doc.get("language") or "zh"),
        companies=names,
        recommended=[n for n, c in zip(names, companies) if c.get("role") == "recommended"],
        n_metrics=len(doc.get("metrics") or []),
        company_keys=list(keys),
    )
    return row, "\n".join(parts).casefold()


class Snapshot:
    """One version of the stored digests as readers see it: rows, search texts, loader."""

    def __init__(
        self,
        rows: list[IndexRow],
        load: Callable[[str], dict | None],
        search_texts: Callable[[], list[str]],
        watchlist: dict[str, dict],
    ) -> None:
        self.rows = rows
        self.load = load
        self._search_texts = search_texts
        self._texts: list[str] | None = None
        self.watchlist = watchlist

    @property
    def search_texts(self) -> list[str]:
        """Casefolded search text per row (built or read on first use)."""
        if self._texts is None:
            self._texts = self._search_texts()
        return self._texts


def snapshot_of(data: Mapping[str, Mapping[str, Any]] | None) -> Snapshot:
    """A snapshot over fully decoded TinyDB data (memory storage, unwritable files)."""
    data = data or {}
    digests = dict(data.get(DIGESTS_TABLE, {}))
    built = [index_row(doc) for doc in digests.values()]
    return Snapshot(
        [r for r, _ in built],
        lambda digest_id: digests.get(digest_id),
        lambda: [t for _, t in built],
        dict(data.get("watchlist", {})),
    )


