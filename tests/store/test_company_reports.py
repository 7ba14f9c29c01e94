"""Pane 2's report list of a company (``store.company_reports``) on random catalogs:

- read afresh, it equals the list the code of before read (reports found among the figures
  table, not by their company keys; the reference below is that code);
- kept between openings in the pane cache, it equals a fresh read through adds (older and
  newer reports, same dates and titles), removals and replacements;
- the store keeps it: opened again with nothing stored since, it reads no report's row.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yanbao.store import company_reports
from yanbao.store.aggregates import unpack_figures
from yanbao.store.catalog import NEWEST_FIRST, Catalog
from yanbao.store.company_reports import CompanyReportList, company_report_list, kept_company_report_list
from yanbao.store.db import DigestStore, WatchItem
from yanbao.store.index import NAME_SEP
from yanbao.store.model import Digest
from yanbao.tui.data.company_detail import company_names


def _json(values: Iterable[int | str]) -> str:
    return orjson.dumps(sorted(values)).decode()


def _numbers(catalog: Catalog, sql: str, params: list[str]) -> set[int]:
    found = catalog.query(f"SELECT json_group_array(n) FROM ({sql})", params)
    return set(orjson.loads(found[0][0])) if found and found[0][0] else set()


def _before(catalog: Catalog, keys: Iterable[str], names: Collection[str],
            no_figures: Collection[str] = ()) -> CompanyReportList:
    """``company_report_list`` as it was before the report list was kept."""
    keys, names = sorted(set(keys)), {n.casefold() for n in names}
    out = CompanyReportList()
    if not keys and not names:
        return out
    keyed = (_numbers(catalog, f"SELECT n FROM company_keys WHERE key IN ({','.join('?' * len(keys))})", keys)
             if keys else set())
    figured: set[int] = set()
    marks, by_name = ",".join("?" * len(names)), sorted(names)
    if names:
        figured = (_numbers(catalog, f"SELECT n FROM figures WHERE company_key IN ({marks})", by_name)
                   | _numbers(catalog, f"SELECT n FROM figures WHERE ticker_key IN ({marks})", by_name))
    if not keyed and not figured:
        return out
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
    if unnamed:
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


# Names a report may use for a company: the watched one in several spellings, one that only
# contains its name, others, and blanks (a figure with no company is filed under "").
_NAMES = st.sampled_from(["Tencent", "TENCENT", " tencent ", "腾讯控股", "0700.HK", "Tencent Music", "Alibaba",
                          "", None])
_TICKERS = st.sampled_from(["0700.HK", " 0700.hk", "9988.HK", "", None])


def _doc(serial: int, draw) -> dict:
    companies = [{"name": name, "ticker": draw(st.sampled_from([None, "0700.HK", "9988.HK"])),
                  "role": draw(st.sampled_from(["recommended", "mentioned"])),
                  "aliases_seen": draw(st.lists(_NAMES.filter(bool), max_size=1))}
                 for name in draw(st.lists(_NAMES.filter(bool), max_size=3))]
    metrics = [{"company": company, "ticker": ticker, "metric": "revenue", "period": "2025Q1", "value": 1.0}
               for company, ticker in draw(st.lists(st.tuples(_NAMES, _TICKERS), max_size=2))]
    ratings = [{"company": company, "ticker": None, "rating": "买入"}
               for company in draw(st.lists(_NAMES, max_size=1))]
    return {"id": f"{serial:064x}", "title": draw(st.sampled_from(["周报", "点评", "深度"])),
            "date": draw(st.sampled_from([None, "2024-01-02", "2025-03-04", "2025-03-05"])),
            "period": draw(st.sampled_from([None, "2024Q4", "2025Q1"])), "broker": "华安证券",
            "companies": companies, "metrics": metrics, "company_ratings": ratings}


@st.composite
def _steps(draw) -> list[tuple[str, list]]:
    """Adds of new reports, removals and replacements of reports added before."""
    steps, serial, ids = [], 0, []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["add", "add", "remove", "replace"])) if ids else "add"
        if kind == "add":
            docs = [_doc(serial + k, draw) for k in range(draw(st.integers(0, 6)))]
            serial += len(docs)
            ids += [d["id"] for d in docs]
            steps.append(("add", docs))
        elif kind == "remove":
            gone = draw(st.sampled_from(ids))
            ids.remove(gone)
            steps.append(("remove", [gone]))
        else:
            doc = _doc(int(draw(st.sampled_from(ids)), 16), draw)
            steps.append(("add", [doc]))
    return steps


_KEYS = {"tencent", "腾讯控股", "0700.hk"}


@settings(max_examples=80, deadline=None)
@given(_steps(), st.sampled_from([_KEYS, _KEYS | {"tencent holdings"}, _KEYS | {""}]),
       st.sampled_from([_KEYS, _KEYS - {"0700.hk"}]), st.sampled_from([0, 1, 256]))
def test_kept_list_equals_a_fresh_one_through_adds_and_removals(steps, names, keys, merge_at_most) -> None:
    catalog = Catalog(None)
    catalog.create()
    every: list[str] = []
    before = company_reports.MERGE_AT_MOST
    company_reports.MERGE_AT_MOST = merge_at_most  # 0 reads everything again at each add
    try:
        for kind, what in steps:
            if kind == "add":
                catalog.put({d["id"]: d for d in what})
                every += [d["id"] for d in what]
            else:
                catalog.remove(what)
            no_figures = every[::2]
            expected = _before(catalog, keys, names, no_figures)
            fresh = company_report_list(catalog, keys, names, no_figures)
            kept = kept_company_report_list(catalog, keys, names, no_figures)
            for got in (fresh, kept):
                assert got.numbers == expected.numbers
                assert got.recommended == expected.recommended and got.rated == expected.rated
                assert got.newest_period == expected.newest_period
    finally:
        company_reports.MERGE_AT_MOST = before
        catalog.close()


@pytest.mark.parametrize("writable", [True, False])
def test_the_store_reads_a_kept_list_without_reading_report_rows(tmp_path, make_digest, writable) -> None:
    with DigestStore(tmp_path / "store.json") as store:
        store.add_many([make_digest(n, date=f"2025-0{1 + n % 3}-01") for n in range(12)])
        item = WatchItem("腾讯控股")
        keys, names = store.company_keys(item.name), company_names(item)
        catalog = store._catalog
        first = (kept_company_report_list(catalog, keys, names, writable=writable) if not writable
                 else store.company_report_list(keys, names))
        assert len(first.numbers) == 12  # every test digest names 腾讯控股
        read: list[str] = []
        query = catalog.query
        catalog.query = lambda sql, params=(): read.append(sql) or query(sql, params)  # type: ignore[method-assign]
        try:
            again = store.company_report_list(keys, names)
        finally:
            del catalog.query
        assert again == first
        assert any("FROM reports WHERE n IN" in sql for sql in read) is not writable
