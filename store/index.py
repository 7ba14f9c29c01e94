"""The digest index row: what the report list and search need, without decoding digests.

One ``IndexRow`` per digest (the list's columns; the company names it uses load on first
use) and one casefolded search text, computed by ``index_row`` when a digest is stored.
``store.catalog`` keeps them in SQLite; ``store.db`` keeps the rows of record in TinyDB.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

__all__ = ["IndexRow", "RowDetails", "index_row", "newest_first", "search_parts"]

NAME_SEP = "\x1f"  # joins a row's names into one string: 10,000 strings decode 60x faster than lists

RowDetails = tuple[str, str, str]
"""(companies, recommended, company_keys) of one row, each joined by ``NAME_SEP``."""


class DetailsSource(Protocol):
    """Where lazy rows find their details: the index file's details line, read once."""

    def column(self, k: int) -> Sequence[str]:
        """Detail ``k`` (0 companies, 1 recommended, 2 company_keys): one joined string per row."""
        ...


def join_names(names: Sequence[str]) -> str:
    """Names as one string (``NAME_SEP`` inside a name becomes a space)."""
    return NAME_SEP.join(str(n).replace(NAME_SEP, " ") for n in names)


def _split(joined: str) -> list[str]:
    return joined.split(NAME_SEP) if joined else []


class IndexRow:
    """What the report list needs of one digest, plus the names it uses for companies.

    ``companies``, ``recommended`` and ``company_keys`` of rows read from the index load
    on first use (one decode for all rows), so opening a 10,000-digest store only builds
    the list's columns. Each access returns a new list.
    """

    __slots__ = ("_details", "_number", "broker", "date", "id", "language", "n_metrics", "period", "title")

    def __init__(
        self, id: str, title: str, broker: str | None, date: str | None, period: str | None,  # noqa: A002
        language: str = "zh", companies: Sequence[str] = (), recommended: Sequence[str] = (),
        n_metrics: int = 0, company_keys: Sequence[str] = (),
    ) -> None:
        self.id, self.title, self.broker, self.date, self.period = id, title, broker, date, period
        self.language, self.n_metrics = language, n_metrics
        self._details: RowDetails | DetailsSource = (
            join_names(companies), join_names(recommended), join_names(company_keys))
        self._number = -1

    @classmethod
    def lazy(cls, columns: Sequence[Any], source: DetailsSource | RowDetails, number: int) -> IndexRow:
        """A row from the index's list columns whose details come from ``source`` (row
        ``number`` of its lists), or are given as joined names."""
        row = cls.__new__(cls)
        row.id, row.title, row.broker, row.date, row.period, row.language, row.n_metrics = columns[:7]
        row._details, row._number = source, number
        return row

    def _detail(self, k: int) -> str:
        details = self._details
        if type(details) is tuple:
            return details[k]
        return details.column(k)[self._number]  # type: ignore[union-attr]

    @property
    def companies(self) -> list[str]:
        """Company names as the digest gives them."""
        return _split(self._detail(0))

    @property
    def recommended(self) -> list[str]:
        """Names of the companies the report recommends."""
        return _split(self._detail(1))

    @property
    def company_keys(self) -> list[str]:
        """Names, aliases and tickers as the digest writes them (for company lookups)."""
        return _split(self._detail(2))

    def columns(self) -> list[Any]:
        """The list columns as stored in the index."""
        return [self.id, self.title, self.broker, self.date, self.period, self.language, self.n_metrics]

    def details(self) -> list[str]:
        """The details as stored in the index and the journal (joined names)."""
        return [self._detail(0), self._detail(1), self._detail(2)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IndexRow):
            return NotImplemented
        return self.columns() == other.columns() and self.details() == other.details()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"IndexRow(id={self.id[:12]!r}, title={self.title!r}, date={self.date!r}, period={self.period!r})"


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
    return row, "\n".join([*search_parts(doc), *keys]).casefold()


def search_parts(doc: Mapping[str, Any]) -> list[str]:
    """The texts of one digest dict that search reads (title, broker, key points,
    recommendation, risks), as written; the company keys are added beside them."""
    parts: list[str] = [str(doc.get("title") or ""), str(doc.get("broker") or "")]
    for kp in doc.get("key_points") or []:
        if isinstance(kp, dict):
            parts.append(str(kp.get("heading") or ""))
            parts.extend(str(p) for p in kp.get("points") or [])
    parts.append(str(doc.get("recommendation") or ""))
    parts.extend(str(r) for r in doc.get("risks") or [])
    return parts
