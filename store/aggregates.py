"""What the catalog keeps of one digest: its list row, search texts, company keys and its
share of the library-wide aggregates (risks by key, figures by company).

Computed once when a report is stored (and by ``doctor --rebuild`` from the documents of
record), so the panes never decode the library to count risks or chart a figure.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import orjson
from yanbao.store import pane_tables
from yanbao.store.compare import risk_key
from yanbao.store.index import index_row
from yanbao.store.model import Metric, Range
from yanbao.store.risk_text import bounded, plausible_risk

__all__ = ["CatalogEntry", "Extras", "bigrams", "entry_of", "figures_of", "metrics_of_rows", "stored_company_keys", "unpack_extras",
           "unpack_extras_rows", "unpack_figures", "unpack_history", "unpack_sides"]


# What a figure keeps in the aggregates: enough to chart it and pivot it by quarter (its
# sentence stays in the document of record). A company's ratings in the report go with them.
_PACKED = ("metric", "period", "value", "unit", "segment", "basis", "low", "high", "consensus", "vs_consensus",
           "fiscal_period", "previous")


def unpack_figures(packed: bytes, keep: Callable[[str, str | None], bool] | None = None
                   ) -> tuple[list[Metric], list[dict]]:
    """The metrics (without sentences) and the company ratings packed for one company of
    one report; ``keep(metric, basis)``: only the figures it passes (the others are never
    built)."""
    company, ticker, rows, ratings = orjson.loads(zlib.decompress(packed))
    return figures_of(company, ticker, rows, keep), ratings


def figures_of(company: str | None, ticker: str | None, rows: list[list],
               keep: Callable[[str, str | None], bool] | None = None) -> list[Metric]:
    """The metrics of one company's packed figure rows (``keep`` as in ``unpack_figures``)."""
    if keep is not None:
        rows = [row for row in rows if keep(row[0], row[5])]
    return metrics_of_rows([[company, ticker, *row] for row in rows])


def _pack(value: Any) -> bytes:
    return zlib.compress(orjson.dumps(value))


def metrics_of_rows(rows: list[list]) -> list[Metric]:
    """Metrics of rows packed as [company, ticker, *_PACKED] (positions fixed by _PACKED),
    built directly: the catalog packed them from stored, validated digests, and the checks
    of ``Metric.from_dict`` cost a pane reading thousands of figures most of its time."""
    out = []
    for company, ticker, metric, period, value, unit, segment, basis, low, high, consensus, vs, fiscal, prev in rows:
        out.append(Metric(company, metric, period, value, unit or "%", ticker, segment, fiscal, basis or "actual",
                          low, high, consensus, vs,
                          Range(prev.get("value"), prev.get("low"), prev.get("high")) if isinstance(prev, dict) else None))
    return out


class Extras(NamedTuple):
    """What pane 4 reads of one report besides its figures by period (``unpack_extras``)."""

    risks: list[str]  # as written
    picks: list[tuple[str, str | None]]  # recommended companies (name, ticker)
    vintage: list[Metric]  # figures about a year that are not actuals (annual guidance, consensus)
    guidance: list[Metric]  # every guidance figure (the guidance history)
    ratings: list[dict]  # company ratings and target prices (the ratings history)


def unpack_extras_rows(packed: bytes) -> list[list]:
    """One report's extras as packed: risks, picks, and the rows of its vintage figures,
    guidance figures and ratings (``metrics_of_rows`` builds figures of rows)."""
    return orjson.loads(zlib.decompress(packed))


def unpack_extras(packed: bytes) -> Extras:
    """One report's extras; figures come without sentences."""
    risks, picks, vintage, guidance, ratings = unpack_extras_rows(packed)
    return Extras(risks, [(name, ticker) for name, ticker in picks], metrics_of_rows(vintage), metrics_of_rows(guidance), ratings)


def unpack_sides(packed: bytes) -> tuple[list[str], list[tuple[str, str | None]]]:
    """One report's risks and picks from its extras (its figures are not built)."""
    risks, picks, *_figures = orjson.loads(zlib.decompress(packed))
    return risks, [(name, ticker) for name, ticker in picks]


def unpack_history(packed: bytes, guidance: bool = True, ratings: bool = True) -> tuple[list[Metric], list[dict]]:
    """One report's guidance figures and company ratings from its extras, building only
    what is asked for (``ratings=False``: no ratings, ``guidance=False``: no figures)."""
    _risks, _picks, _vintage, guidance_rows, rating_dicts = orjson.loads(zlib.decompress(packed))
    return (metrics_of_rows(guidance_rows) if guidance else []), (rating_dicts if ratings else [])


def bigrams(text: str) -> str:
    """Each distinct pair of adjacent letters or digits in ``text``, space separated: the
    words a two-character query (腾讯, AI) is looked up by."""
    seen: dict[str, None] = {}
    prev = ""
    for ch in text:
        if ch.isalnum():
            if prev:
                seen[prev + ch] = None
            prev = ch
        else:
            prev = ""
    return " ".join(seen)


@dataclass
class CatalogEntry:
    """One digest as the catalog stores it."""

    id: str
    title: str
    broker: str | None
    date: str | None
    period: str | None
    language: str
    n_metrics: int
    details: tuple[str, str, str]  # companies, recommended, company keys (joined names)
    text: str  # casefolded search text
    grams: str
    size: int = 0
    keys: list[str] = field(default_factory=list)  # one casefolded key per company (stored_company_keys)
    risks: list[tuple[str, str, str | None]] = field(default_factory=list)  # (key, wording, period)
    figures: list[tuple[str, str, bytes]] = field(default_factory=list)  # (company key, ticker key, packed)
    extras: bytes = b""  # risks, picks and non-actual year figures (unpack_extras)
    statements: list[tuple] = field(default_factory=list)  # pane 4's figure statements (store.pane_tables)
    ratings: list[tuple] = field(default_factory=list)  # pane 4's rating rows (store.pane_tables)
    guidance: list[tuple] = field(default_factory=list)  # pane 4's guidance rows (store.pane_tables)


def stored_company_keys(names: Iterable[str]) -> list[str]:
    """A report's rows of the company-key table: per name, alias or ticker it gives, the
    registry's canonical name, casefolded (a lookup expands a company to every name it
    has, the canonical one among them); a name the registry does not know, as given. One
    key per company, not one per name: each key is a page of the catalog's log an ingest
    writes (``benchmarks.scale_bench``). A name kept casefolded before that the registry
    reads only as written (BABA, not baba) is kept too: looked up as it was kept, it
    still finds the report."""
    from yanbao.store.companies import get_registry

    registry = get_registry()
    keys: set[str] = set()
    for name in (n.strip() for n in names):
        info = registry.lookup(name) if name else None
        if info is not None:
            keys.add(info.name.casefold())
        if name and (info is None or registry.lookup(name.casefold()) is not info):
            keys.add(name.casefold())
    return sorted(keys)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def entry_of(doc: Mapping[str, Any], size: int = 0) -> CatalogEntry:
    """The catalog entry of one digest dict."""
    row, text = index_row(doc)
    details = row.details()
    period = row.period if isinstance(row.period, str) else None
    risks: dict[str, tuple[str, str, str | None]] = {}
    for risk in doc.get("risks") or []:
        if isinstance(risk, str) and plausible_risk(risk):
            key = risk_key(risk)
            if key and key not in risks:
                risks[key] = (key, bounded(risk), period)
    by_company: dict[tuple[str, str], tuple[list[list], list[dict]]] = {}
    for metric in doc.get("metrics") or []:
        if isinstance(metric, dict):
            key = (_text(metric.get("company")), _text(metric.get("ticker")))
            by_company.setdefault(key, ([], []))[0].append([metric.get(f) for f in _PACKED])
    for rating in doc.get("company_ratings") or []:
        if isinstance(rating, dict):
            key = (_text(rating.get("company")), _text(rating.get("ticker")))
            by_company.setdefault(key, ([], []))[1].append(rating)
    # Pane 4 reads the risks, picks and annual guidance of the reports of either quarter a
    # comparison compares, and the library's guidance: kept apart so it reads neither the
    # library nor the sentences.
    vintage: list[list] = []
    guidance: list[list] = []
    for metric in doc.get("metrics") or []:
        if isinstance(metric, dict) and isinstance(metric.get("period"), str):
            packed_row = [metric.get("company"), metric.get("ticker"), *(metric.get(f) for f in _PACKED)]
            if len(metric["period"]) == 4 and (metric.get("basis") or "actual") != "actual":
                vintage.append(packed_row)
            if metric.get("basis") == "guidance" or str(metric.get("metric")).endswith("_guidance"):
                guidance.append(packed_row)
    picks = [[c.get("name"), c.get("ticker")] for c in doc.get("companies") or []
             if isinstance(c, dict) and c.get("role") == "recommended" and isinstance(c.get("name"), str)]
    risks_written = [r for r in doc.get("risks") or [] if isinstance(r, str)]
    figures = [(company.casefold(), ticker.casefold(),
                zlib.compress(orjson.dumps([company or None, ticker or None, rows, ratings])))
               for (company, ticker), (rows, ratings) in by_company.items()]
    return CatalogEntry(
        id=row.id, title=row.title, broker=row.broker if isinstance(row.broker, str) else None,
        date=row.date if isinstance(row.date, str) else None, period=period, language=row.language,
        n_metrics=row.n_metrics, details=(details[0], details[1], details[2]), text=text,
        grams=bigrams(text), size=size,
        keys=stored_company_keys(row.company_keys), risks=list(risks.values()), figures=figures,
        extras=_pack([risks_written, picks, vintage, guidance,
                      [r for r in doc.get("company_ratings") or [] if isinstance(r, dict)]]),
        statements=pane_tables.statement_rows_of(doc, period),
        ratings=pane_tables.rating_rows_of(doc, row.id, row.broker if isinstance(row.broker, str) else None,
                                           row.date if isinstance(row.date, str) and row.date else None, period),
        guidance=pane_tables.guidance_rows(guidance, row.id, row.broker if isinstance(row.broker, str) else None,
                                           row.date if isinstance(row.date, str) and row.date else None, period),
    )
