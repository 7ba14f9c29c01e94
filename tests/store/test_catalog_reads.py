"""The catalog's list and search reads: newest first, from the wide newest-first index,
and a catalog made with the narrower index gains the wide one on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from yanbao.store.catalog import NEWEST_FIRST, Catalog
from yanbao.store.db import DigestStore
from yanbao.store.storage import library_dir


def _library(tmp_path: Path, make_digest, count: int = 40) -> Path:
    path = tmp_path / "store.json"
    with DigestStore(path) as store:
        # Same dates and titles for some, None and odd values for others: every tie-break is used.
        store.add_many([make_digest(n, date=None if n % 13 == 0 else f"2025-0{1 + n % 3}-01",
                                    title=f"报告 {n % 5}", broker=None if n % 7 == 0 else "华安证券")
                        for n in range(count)])
    return path


def test_rows_newest_first_match_a_plain_ordered_query(tmp_path: Path, make_digest) -> None:
    path = _library(tmp_path, make_digest)
    catalog = Catalog(library_dir(path) / "catalog.sqlite")
    plain = catalog.query(f"SELECT id, title, broker, nullif(date, ''), period, language, n_metrics "
                          f"FROM reports {NEWEST_FIRST}")
    rows = catalog.rows()
    assert [r.columns() for r in rows] == [list(r) for r in plain]
    assert len(rows) == 40 and any(r.date is None for r in rows) and any(r.broker is None for r in rows)
    assert rows[0].companies == ["腾讯控股", "Microsoft"]  # details still load on first use
    catalog.close()


def test_the_list_reads_the_index_alone(tmp_path: Path, make_digest) -> None:
    path = _library(tmp_path, make_digest, 3)
    catalog = Catalog(library_dir(path) / "catalog.sqlite")
    plan = catalog.query(f"EXPLAIN QUERY PLAN SELECT id, title, broker, date, period, language, n_metrics "
                         f"FROM reports {NEWEST_FIRST}")
    assert "COVERING INDEX reports_newest" in str(plan)
    catalog.close()


def test_a_catalog_with_the_narrow_newest_index_gains_the_wide_one_on_open(tmp_path: Path, make_digest) -> None:
    path = _library(tmp_path, make_digest, 5)
    file = library_dir(path) / "catalog.sqlite"
    conn = sqlite3.connect(file)
    conn.execute("DROP INDEX reports_newest")
    conn.execute("CREATE INDEX reports_newest ON reports(date, title, id)")  # as catalogs were made before
    conn.commit()
    conn.close()
    with DigestStore(path) as store:
        assert len(store.summaries()) == 5
        columns = store._catalog.query("PRAGMA index_info(reports_newest)")
        assert [c[2] for c in columns] == ["date", "title", "id", "broker", "period", "language", "n_metrics"]
        assert len(store.search("资本开支")) == 5
