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


def test_a_catalog_with_the_narrow_indexes_gains_the_wide_ones_on_open(tmp_path: Path, make_digest) -> None:
    path = _library(tmp_path, make_digest, 5)
    file = library_dir(path) / "catalog.sqlite"
    conn = sqlite3.connect(file)
    conn.execute("DROP INDEX reports_newest")
    conn.execute("CREATE INDEX reports_newest ON reports(date, title, id)")  # as catalogs were made before
    conn.execute("DROP INDEX company_keys_key")
    conn.execute("CREATE INDEX company_keys_key ON company_keys(key)")
    conn.commit()
    conn.close()
    with DigestStore(path) as store:
        assert len(store.summaries()) == 5
        columns = store._catalog.query("PRAGMA index_info(reports_newest)")
        assert [c[2] for c in columns] == ["date", "title", "id", "broker", "period", "language", "n_metrics"]
        assert len(store.search("资本开支")) == 5
        assert [c[2] for c in store._catalog.query("PRAGMA index_info(company_keys_key)")] == ["key", "n"]
        assert len(store.search("腾讯")) == 5 and store.search_first("tencent", 2)[0] == 5


def _texts_in_index(store: DigestStore) -> int:
    return store._catalog.query("SELECT count(*) FROM texts WHERE texts MATCH '\"资本开\"'")[0][0]


def test_texts_wait_outside_the_index_until_a_fold_and_search_finds_them_all_along(
        tmp_path: Path, make_digest, monkeypatch) -> None:
    from yanbao.store import catalog

    monkeypatch.setattr(catalog, "FOLD_AT", 5)
    path = tmp_path / "store.json"
    with DigestStore(path) as store:
        for n in range(4):
            store.add(make_digest(n, title=f"独家题目{n}号 zq{n}"))
        assert store._catalog.waiting() == 4 and _texts_in_index(store) == 0
        # Three characters and more, two characters, one character, and a company name.
        for query, hits in {"资本开支": 4, "资本": 4, "云": 4, "腾讯": 4, "独家题目2号": 1, "zq3": 1}.items():
            assert len(store.search(query)) == hits, query
        store.add(make_digest(4))  # the fifth: every waiting text goes in
        assert store._catalog.waiting() == 0 and _texts_in_index(store) == 5
        assert len(store.search("资本开支")) == len(store.search("资本")) == 5
        assert store.search("独家题目2号") == [make_digest(2).id]


def test_a_waiting_or_indexed_text_is_forgotten_on_remove_and_replaced_on_add(
        tmp_path: Path, make_digest, monkeypatch) -> None:
    from yanbao.store import catalog

    monkeypatch.setattr(catalog, "FOLD_AT", 3)
    path = tmp_path / "store.json"
    with DigestStore(path) as store:
        store.add_many([make_digest(n) for n in range(3)])  # one write of three: indexed at once
        store.add(make_digest(3, title="等待中的题目"))
        assert store._catalog.waiting() == 1
        store.remove(make_digest(3).id)
        store.remove(make_digest(0).id)
        assert store._catalog.waiting() == 0
        assert sorted(store.search("资本开支")) == sorted(make_digest(n).id for n in (1, 2))
        assert store.search("等待中的题目") == []
        store.add(make_digest(1, title="换了题目的报告"))  # an indexed text replaced: waits, old words gone
        store.add(make_digest(2, title="又换了题目"))
        assert store.search("换了题目的报告") == [make_digest(1).id]
        assert store.search("云业务增长提速") == []
        store.add(make_digest(5))  # the third waiting: folded, the index agrees
        assert store._catalog.waiting() == 0
        assert store.search("换了题目的报告") == [make_digest(1).id]
        assert store.search("云业务增长提速") == [make_digest(5).id]
        # The index forgot what it was told to: an integrity check of the contentless index
        # with the texts it was given passes.
        store._catalog.query("INSERT INTO texts(texts, rank) VALUES ('integrity-check', 0)")


def test_a_rebuilt_catalog_has_every_text_in_the_index(tmp_path: Path, make_digest, monkeypatch) -> None:
    from yanbao.store import catalog

    monkeypatch.setattr(catalog, "FOLD_AT", 100)
    path = _library(tmp_path, make_digest, 7)
    with DigestStore(path) as store:
        store.rebuild_catalog()
        assert store._catalog.waiting() == 0 and _texts_in_index(store) == 7


def test_kill_9_around_folds_leaves_every_acknowledged_report_searchable(tmp_path: Path) -> None:
    """Writers killed at moments around folds (every fifth add here): each acknowledged
    report is found by its own title, and the full-text index passes its integrity check."""
    import signal
    import subprocess
    import sys
    import time

    from tests.store.test_storage import REPO, WRITER

    path = tmp_path / "store.json"
    acknowledged: list[str] = []
    script = "import yanbao.store.catalog as c\nc.FOLD_AT = 5\n" + WRITER
    for round_no in range(6):
        proc = subprocess.Popen([sys.executable, "-c", script, str(path), f"k{round_no}", "200"],
                                cwd=REPO, stdout=subprocess.PIPE, text=True)
        first = proc.stdout.readline()
        time.sleep(0.03 * round_no)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        acknowledged += (first + out).split()
    assert len(acknowledged) > 6
    with DigestStore(path) as store:
        by_tag: dict[str, set[str]] = {}
        for digest_id in acknowledged:
            tag, n = digest_id[:2], int(digest_id[3:8])
            by_tag.setdefault(tag, set()).add(digest_id)
            assert digest_id in store.search(f"{tag} 报告 {n}"), digest_id
        for tag, ids in by_tag.items():
            assert ids <= set(store.search(tag)), tag
        store._catalog.query("INSERT INTO texts(texts, rank) VALUES ('integrity-check', 0)")
        # At most four waited after the last fold; this open's redo of a killed write (the
        # test's own FOLD_AT is the default) may have added the one it redid.
        assert store._catalog.waiting() <= 5


def test_search_first_counts_every_match_and_gives_the_newest_first(tmp_path: Path, make_digest, monkeypatch) -> None:
    from yanbao.store import catalog

    monkeypatch.setattr(catalog, "FOLD_AT", 30)  # some texts indexed, some waiting
    path = _library(tmp_path, make_digest, 40)
    with DigestStore(path) as store:
        for n in range(40, 50):
            store.add(make_digest(n, title=f"报告 {n % 5}", key_points=[]))
        assert 0 < store._catalog.waiting() < 30
        for query in ("资本开支", "腾讯", "报告 3", "腾讯 资本开支", "capex guidance", "云", "无此词", ""):
            every = store.search(query)
            for limit in (1, 3, 100):
                assert store.search_first(query, limit) == (len(every), every[:limit]), (query, limit)
        assert store.search_first("资本开支", 5)[0] == 40  # the last ten have no key points
