"""The reports of one company, newest first, read as numbers and ids only: what pane 2 needs
to say how many there are and to show a window of them, without building a row per report.

A report is the company's when one of the companies it names is the company (any of its
names, aliases or tickers) or when it states a figure of the company. The catalog's
company keys, figures and reports tables answer that in a few set reads; the list's rows
are then read a window at a time (``DigestStore.report_views``).
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

import orjson

from yanbao.store.aggregates import unpack_figures
from yanbao.store.catalog import NEWEST_FIRST, Catalog
from yanbao.store.index import NAME_SEP

__all__ = ["CompanyReportList", "company_report_list", "figure_reports_between", "figures_step", "ids_of",
           "kept_company_report_list", "reports_mark"]


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


def _members(catalog: Catalog, keys: list[str], names: set[str], between: tuple[int, int]
             ) -> tuple[list[int], set[int], list | None]:
    """The company's reports numbered after ``between[0]`` up to ``between[1]``, newest
    first (``company_report_list``): their numbers, those recommending it, and [number,
    period] of the newest with a period (None when none has one)."""
    low, high = between
    # Numbers come in one step each, duplicates and all: a set de-duplicates them far
    # faster than SQLite would (an index insert per row).
    keyed = (_numbers(catalog, f"SELECT n FROM company_keys WHERE key IN ({','.join('?' * len(keys))}) "
                      "AND n > ? AND n <= ?", [*keys, low, high]) if keys else set())
    # A report with a figure filed under a name has that name among its company keys (both
    # are the stripped, casefolded text: ``aggregates.entry_of``), so the keys find every
    # report a figure may list without reading the figures table (each row a table lookup);
    # only the empty name, which no key holds, is looked up among the figures.
    maybe = set(keyed)
    more = sorted(n for n in names if n and n not in keys)
    if more:
        maybe |= _numbers(catalog, f"SELECT n FROM company_keys WHERE key IN ({','.join('?' * len(more))}) "
                          "AND n > ? AND n <= ?", [*more, low, high])
    if "" in names:
        maybe |= _numbers(catalog, "SELECT n FROM figures WHERE (company_key = '' OR ticker_key = '') "
                          "AND n > ? AND n <= ?", [low, high])
    if not maybe:
        return [], set(), None
    # Every candidate once, newest first, with what tells whether it names the company: one
    # flat list per column (a list per row would make 30,000 objects for the collector).
    found = catalog.query(
        "SELECT json_array(json_group_array(n), json_group_array(period), json_group_array(companies), "
        f"json_group_array(recommended)) FROM (SELECT n, period, companies, recommended FROM reports "
        f"WHERE n IN (SELECT value FROM json_each(?)) {NEWEST_FIRST})", (_json(maybe),))
    numbers, periods, companies, picks = orjson.loads(found[0][0])
    listed: set[int] = set()
    unnamed: list[int] = []
    recommended: set[int] = set()
    for n, named, picked in zip(numbers, companies, picks):
        if n in keyed and named and not names.isdisjoint(named.casefold().split(NAME_SEP)):
            listed.add(n)
            if picked and not names.isdisjoint(picked.casefold().split(NAME_SEP)):
                recommended.add(n)
        else:
            unnamed.append(n)
    if unnamed:  # those not naming it are listed for a figure, not for ratings alone
        by_name = sorted(names)
        marks = ",".join("?" * len(by_name))
        # Found by report number (``+`` keeps SQLite off the name indexes, which would read
        # every figure row of the company to find those of a few reports).
        found = catalog.query(
            f"SELECT n, packed FROM figures WHERE n IN (SELECT value FROM json_each(?)) "
            f"AND (+company_key IN ({marks}) OR +ticker_key IN ({marks}))", [_json(unnamed), *by_name, *by_name])
        listed |= {n for n, packed in found if unpack_figures(packed)[0]}
    newest = next(([n, period] for n, period in zip(numbers, periods) if period and n in listed), None)
    return ([n for n in numbers if n in listed] if len(listed) < len(numbers) else numbers), recommended, newest


def _rated(catalog: Catalog, out: CompanyReportList, no_figures: Collection[str]) -> CompanyReportList:
    """``out`` with ``rated``: which of ``no_figures`` (report ids) it lists."""
    if no_figures:
        found = catalog.query("SELECT json_group_array(json_array(n, id)) FROM reports "
                              "WHERE id IN (SELECT value FROM json_each(?))", (_json(no_figures),))
        rated = dict(orjson.loads(found[0][0])) if found[0][0] else {}
        listed = set(out.numbers)
        out.rated = {digest_id for n, digest_id in rated.items() if n in listed}
    return out


def _names(keys: Iterable[str], names: Collection[str]) -> tuple[list[str], set[str]]:
    return sorted(set(keys)), {n.casefold() for n in names}


def company_report_list(catalog: Catalog, keys: Iterable[str], names: Collection[str],
                        no_figures: Collection[str] = ()) -> CompanyReportList:
    """The reports of a company: those whose company keys hold one of ``keys`` (the
    casefolded names its name and ticker expand to) and that name one of ``names`` (its
    casefolded names, aliases and tickers), plus those with figures filed under one of
    ``names`` (ratings alone do not make a report the company's). ``rated`` tells which
    of ``no_figures`` (ids of reports with ratings of it and no figure) are listed."""
    keys, names = _names(keys, names)
    out = CompanyReportList()
    if not keys and not names:
        return out
    out.numbers, out.recommended, newest = _members(catalog, keys, names, (0, reports_mark(catalog)[0]))
    out.newest_period = newest[1] if newest else None
    return _rated(catalog, out, no_figures)


def reports_mark(catalog: Catalog) -> tuple[int, int]:
    """(the reports' last number, reports dropped so far): what a kept report list was read
    up to. Numbers only grow while nothing is dropped, so the reports after the mark are
    those stored since; a drop (a removal or a replacement) makes the list read again."""
    mark, gen = catalog.query("SELECT (SELECT coalesce(max(n), 0) FROM reports), "
                              "(SELECT value FROM info WHERE key = 'dropped')")[0]
    return mark, int(gen) if gen is not None else 0


MERGE_AT_MOST = 256
"""Reports stored since a kept list that are placed into it one by one; more read it again."""


def _placed(catalog: Catalog, kept: list[int], new: list[int]) -> list[int]:
    """``new`` (newest first) placed among ``kept`` (newest first) in the list's order, by a
    binary search that reads the sort keys of the few kept reports it probes."""
    found = catalog.query("SELECT json_group_array(json_array(n, date, title, id)) FROM reports "
                          "WHERE n IN (SELECT value FROM json_each(?))", (_json([*new, *kept[:1]]),))
    sort_keys: dict[int, tuple] = {n: tuple(rest) for n, *rest in orjson.loads(found[0][0])}

    def sort_key(n: int) -> tuple:
        if n not in sort_keys:
            sort_keys[n] = tuple(catalog.query("SELECT date, title, id FROM reports WHERE n = ?", (n,))[0])
        return sort_keys[n]

    merged: list[int] = []
    start = 0
    for n in new:
        low, high = start, len(kept)
        while low < high:  # the first kept report older than n (the order is strict: ids are unique)
            middle = (low + high) // 2
            if sort_key(kept[middle]) > sort_key(n):
                low = middle + 1
            else:
                high = middle
        merged += kept[start:low]
        merged.append(n)
        start = low
    return merged + kept[start:]


def kept_company_report_list(catalog: Catalog, keys: Iterable[str], names: Collection[str],
                             no_figures: Collection[str] = (), writable: bool = True) -> CompanyReportList:
    """``company_report_list`` from what the pane cache keeps of it plus the reports stored
    since (kept again when ``writable``): opened again, a company of 30,000 reports reads one
    blob instead of every report's row. A report dropped since reads everything again."""
    keys, names = _names(keys, names)
    if not keys and not names:
        return CompanyReportList()
    key = "company_reports\n" + orjson.dumps([keys, sorted(names)]).decode()
    mark, gen = reports_mark(catalog)
    kept = catalog.pane_cached(key)
    out, since, newest = None, 0, None
    if kept is not None and kept[1] == gen and kept[0] <= mark:
        with contextlib.suppress(Exception):  # a damaged blob: read everything again
            numbers, recommended, newest = orjson.loads(zlib.decompress(kept[2]))
            out, since = CompanyReportList(numbers, set(recommended)), kept[0]
    if out is None or since < mark:
        numbers, recommended, latest = _members(catalog, keys, names, (since, mark))
        if out is not None and len(numbers) > MERGE_AT_MOST:  # read again rather than place each
            out = None
            numbers, recommended, latest = _members(catalog, keys, names, (0, mark))
        if out is None:
            out, newest = CompanyReportList(numbers, recommended), latest
        elif numbers:
            out.numbers = _placed(catalog, out.numbers, numbers)
            out.recommended |= recommended
            # The newest with a period: the kept one or the newest added with one, whichever
            # comes first (placing keeps the order within each).
            first = {pair[0]: pair for pair in (newest, latest) if pair}
            newest = next((first[n] for n in out.numbers if n in first), None) if first else None
        if writable:
            catalog.keep_pane(key, mark, gen, zlib.compress(orjson.dumps(
                [out.numbers, sorted(out.recommended), newest]), 1))
    out.newest_period = newest[1] if newest else None
    return _rated(catalog, out, no_figures)


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
