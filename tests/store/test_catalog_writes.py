"""What an ingest writes into the catalog: one company key per company, no table read by
no one, and few pages of the catalog's log per report (bytes written per ingest,
``benchmarks.scale_bench``, are measured there; this guards the page count)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from benchmarks.real_sized import real_sized_docs
from benchmarks.scale_bench import build_library
from yanbao.store.db import DigestStore
from yanbao.store.model import Company, Digest, Metric
from tests.conftest import build_digest


def _keys(store: DigestStore, digest_id: str) -> set[str]:
    return {k for (k,) in store._catalog.query(
        "SELECT key FROM company_keys WHERE n = (SELECT n FROM reports WHERE id = ?)", (digest_id,))}


def test_a_company_is_one_key_however_the_report_names_it(tmp_path: Path) -> None:
    tencent = build_digest(1, companies=[Company("Tencent", "0700.HK", "recommended", ["腾讯", "腾讯控股有限公司"], 3),
                                         Company("Alibaba", "BABA", "mentioned", [], 1),
                                         Company("Foo Robotics", None, "mentioned", [], 1)],
                           metrics=[Metric("腾讯", "revenue", "2025Q1", 180.0, "CNY")])
    with DigestStore(tmp_path / "store.json") as store:
        store.add(tencent)
        # BABA is kept as well: the registry reads the ticker only as written, so a
        # lookup of "baba" would not reach the canonical name.
        assert _keys(store, tencent.id) == {"tencent", "alibaba", "baba", "foo robotics"}
        for name in ("Tencent", "0700.HK", "0700.hk", "腾讯", "腾讯控股有限公司", "TCEHY", "Alibaba", "9988.HK",
                     "BABA", "baba", "阿里巴巴", "Foo Robotics", "foo robotics"):
            assert [d.id for d in store.by_company(name)] == [tencent.id], name
        # names the report's text never gives find it by its one key
        assert store.search("阿里巴巴集团") == [tencent.id]


def test_a_new_catalog_keeps_no_figures_by_period(tmp_path: Path) -> None:
    """Pane 4 reads figures by period from its own table (``company_statements``); the old
    copy of them, written at every ingest, is gone."""
    with DigestStore(tmp_path / "store.json") as store:
        store.add(build_digest(1))
        tables = {name for (name,) in store._catalog.query("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    assert "company_statements" in tables and "period_figures" not in tables


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("writes") / "lib.json"
    build_library(path, 300, say=lambda _line: None)
    return path


def test_an_ingest_writes_fewer_log_bytes_than_twice_the_digest(library: Path) -> None:
    """Real-sized digests stored one at a time into a library of 300: the catalog's log
    grows by less than 2.5x their own size (3.0x before pane 4's tables were ordered by an
    index, figures by period dropped and companies kept as one key each)."""
    wal = library.with_name(library.name + ".d") / "catalog.sqlite-wal"
    docs = list(real_sized_docs(10, seed=99, start=7_000_000))
    with DigestStore(library) as store:
        len(store)
        store._catalog.query("PRAGMA wal_checkpoint(TRUNCATE)")
        before = wal.stat().st_size
        for doc in docs:
            store.add(Digest.from_dict(doc))
        grew = wal.stat().st_size - before
    assert grew / sum(len(orjson.dumps(d)) for d in docs) < 2.5


@pytest.mark.parametrize("made", ["now", "before"])
def test_a_removed_report_leaves_none_of_its_rows(tmp_path: Path, made: str) -> None:
    """A catalog made now finds a report's rows by their numbers (no index of the report);
    one made before (an index of it) by that index: either way a removal takes them all."""
    tables = ("company_keys", "risk_rows", "company_statements")
    digests = [build_digest(n) for n in range(3)]
    with DigestStore(tmp_path / "store.json") as store:
        store.add(digests[0])
        if made == "before":
            for table in tables:
                store._catalog.query(f"CREATE INDEX {table}_n ON {table}(n)")
        store.add_many(digests[1:])
        numbers = [store._catalog.query("SELECT n FROM reports WHERE id = ?", (d.id,))[0][0] for d in digests]
        if made == "now":
            for table in tables:
                assert all(rowid >> 20 == n for rowid, n in store._catalog.query(f"SELECT rowid, n FROM {table}")), table
        store.remove(digests[1].id)
        for table in tables:
            left = dict(store._catalog.query(f"SELECT n, count(*) FROM {table} GROUP BY n"))
            assert numbers[1] not in left and left.get(numbers[0]) and left.get(numbers[2]), table
        assert {d.id for d in store.by_company("Microsoft")} == {digests[0].id, digests[2].id}
