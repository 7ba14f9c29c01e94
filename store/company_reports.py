"""The reports of one company, newest first, read as numbers and ids only: what pane 2 needs
to say how many there are and to show a window of them, without building a row per report.

A report is the company's when one of the companies it names is the company (any of its
names, aliases or tickers) or when it states a figure of the company. The catalog's
company keys, figures and reports tables answer that in a few set reads; the list's rows
are then read a window at a time (``DigestStore.report_views``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import orjson

from yanbao.store.aggregates import unpack_figures
from yanbao.store.catalog import NEWEST_FIRST, Catalog
from yanbao.store.index import NAME_SEP

__all__ = ["CompanyReportList", "company_report_list", "figure_reports_between", "figures_step", "ids_of"]


@dataclass
class CompanyReportList:
    """Every report of one company, newest first, as the catalog's report numbers."""

    numbers: list[int] = field(default_factory=list)
    recommended: set[int] = field(default_factory=set)  # the reports recommending it
    newest_period: str | None = None  # the period of the newest report that has one
    rated: set[str] = field(default_factory=set)  # ids of the listed reports among ``no_figures``


def _numbers(catalog: Catalog, sql: str, params: list[str]) -> set[int]:
    found = catalog.query(f"SELECT json_group_array(n) FROM ({sql})", params)
    return set(orjson.loads(found[0][0])) if found and found[0][0] else set()


def _json(values: Iterable[int | str]) -> str:
    return orjson.dumps(sorted(values)).decode()


def company_report_list(catalog: Catalog, keys: Iterable[str], names: Collection[str],
                        no_figures: Collection[str] = ()) -> CompanyReportList:
    """The reports of a company: those whose company keys hold one of ``keys`` (the
    casefolded names its name and ticker expand to) and that name one of ``names`` (its
    casefolded names, aliases and tickers), plus those with figures filed under one of
    ``names`` (ratings alone do not make a report the company's). ``rated`` tells which
    of ``no_figures`` (ids of reports with ratings of it and no figure) are listed."""
    keys, names = sorted(set(keys)), {n.casefold() for n in names}
    out = CompanyReportList()
    if not keys and not names:
        return out
    # Numbers come in one step each, duplicates and all: a set de-duplicates them far
    # faster than SQLite would (an index insert per row).
    keyed = (_numbers(catalog, f"SELECT n FROM company_keys WHERE key IN ({','.join('?' * len(keys))})", keys)
             if keys else set())
    figured: set[int] = set()
    marks, by_name = ",".join("?" * len(names)), sorted(names)
    if names:
        figured = (_numbers(catalog, f"SELECT n FROM figures WHERE company_key IN ({marks})", by_name)
                   | _numbers(catalog, f"SELECT n FROM figures WHERE ticker_key IN ({marks})", by_name))
    if not keyed and not figured:
        return out
    # Every candidate once, newest first, with what tells whether it names the company.
    found = catalog.query(
        f"SELECT json_group_array(json_array(n, period, companies, recommended)) FROM (SELECT n, period, "
        f"companies, recommended FROM reports WHERE n IN (SELECT value FROM json_each(?)) {NEWEST_FIRST})",
        (_json(keyed | figured),))
    rows = orjson.loads(found[0][0]) if found[0][0] else []
    listed: set[int] = set()
    unnamed: set[int] = set()
    for n, _period, companies, recommended in rows:
        if n in keyed and companies and not names.isdisjoint(companies.casefold().split(NAME_SEP)):
            listed.add(n)
            if recommended and not names.isdisjoint(recommended.casefold().split(NAME_SEP)):
                out.recommended.add(n)
        elif n in figured:
            unnamed.add(n)
    if unnamed:  # those not naming it are listed for a figure, not for ratings alone
        found = catalog.query(
            f"SELECT n, packed FROM figures WHERE n IN (SELECT value FROM json_each(?)) "
            f"AND (company_key IN ({marks}) OR ticker_key IN ({marks}))", [_json(unnamed), *by_name, *by_name])
        listed |= {n for n, packed in found if unpack_figures(packed)[0]}
    if no_figures:
        found = catalog.query("SELECT json_group_array(json_array(n, id)) FROM reports "
                              "WHERE id IN (SELECT value FROM json_each(?))", (_json(no_figures),))
        rated = dict(orjson.loads(found[0][0])) if found[0][0] else {}
        out.rated = {digest_id for n, digest_id in rated.items() if n in listed}
    out.numbers = [n for n, *_rest in rows if n in listed]
    out.newest_period = next((period for n, period, *_rest in rows if period and n in listed), None)
    return out


def ids_of(catalog: Catalog, numbers: Iterable[int]) -> dict[int, str]:
    """The id of each report of ``numbers`` (those still in the catalog)."""
    found = catalog.query("SELECT json_group_array(json_array(n, id)) FROM reports "
                          "WHERE n IN (SELECT value FROM json_each(?))", (_json(numbers),))
    return dict(orjson.loads(found[0][0])) if found and found[0][0] else {}


def figure_reports_between(catalog: Catalog, names: Collection[str], between: tuple[int, int]) -> int:
    """How many reports have figures or ratings filed under one of ``names`` stored between
    two figures marks (``Catalog.figures_mark``): what a kept fold has still to read."""
    names = sorted({n.casefold() for n in names})
    if not names:
        return 0
    marks = ",".join("?" * len(names))
    return catalog.query(
        f"SELECT count(DISTINCT n) FROM figures WHERE (company_key IN ({marks}) OR ticker_key IN ({marks})) "
        f"AND rowid > ? AND rowid <= ?", [*names, *names, *between])[0][0]


def figures_step(catalog: Catalog, after: int, rows: int, mark: int) -> int:
    """The figures mark about ``rows`` figure rows after ``after`` (never past ``mark``),
    moved on to the last row of its report: a fold read in steps between such marks reads
    each report whole, as it does between the marks of two writes."""
    if after + rows >= mark:
        return mark
    found = catalog.query("SELECT max(rowid) FROM figures WHERE n = (SELECT n FROM figures WHERE rowid <= ? "
                          "ORDER BY rowid DESC LIMIT 1)", (after + rows,))
    return min(mark, max(after + rows, found[0][0] or 0))
