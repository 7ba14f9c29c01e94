"""DigestStore behaviour, run against TinyDB's memory storage and a real store file."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from tinydb.storages import MemoryStorage

from yanbao.store.db import DigestStore, WatchItem, default_store_path
from yanbao.store.model import Company, KeyPoint

HAS_REGISTRY = importlib.util.find_spec("yanbao.store.companies") is not None


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path: Path):
    s = DigestStore(storage=MemoryStorage()) if request.param == "memory" else DigestStore(tmp_path / "store.json")
    yield s
    s.close()


def test_add_is_idempotent_by_id_and_readd_replaces(store: DigestStore, make_digest) -> None:
    first = make_digest(1)
    assert store.add(first) is True
    assert store.add(make_digest(1)) is False
    assert len(store) == 1
    store.add(make_digest(1, title="新标题 after a parser upgrade"))
    assert store.get(first.id).title == "新标题 after a parser upgrade"
    assert len(store.all()) == 1


def test_round_trip_is_lossless(store: DigestStore, make_digest) -> None:
    digest = make_digest(7)
    store.add(digest)
    assert store.get(digest.id).to_dict() == digest.to_dict()
    assert store.get("0" * 64) is None
    assert store.has(digest.id) and not store.has("0" * 64)


def test_add_many_counts_new_and_orders_newest_first(store: DigestStore, make_digest) -> None:
    digests = [make_digest(n) for n in range(12)] + [make_digest(99, date=None)]
    assert store.add_many(digests) == 13
    assert store.add_many(digests[:3]) == 0
    dates = [d.date for d in store.all()]
    assert dates[-1] is None
    assert dates[:-1] == sorted(dates[:-1], reverse=True)
    assert [s.id for s in store.summaries()] == [d.id for d in store.all()]


def test_summaries_carry_the_list_fields(store: DigestStore, make_digest) -> None:
    store.add(make_digest(3))
    (summary,) = store.summaries()
    d = make_digest(3)
    assert (summary.id, summary.title, summary.broker, summary.date, summary.period, summary.language) == (
        d.id, d.title, d.broker, d.date, d.period, d.language)
    assert summary.companies == ["腾讯控股", "Microsoft"]
    assert summary.recommended == ["腾讯控股"]
    assert summary.n_metrics == 1


def test_search_chinese_and_case_insensitive(store: DigestStore, make_digest) -> None:
    a = make_digest(1, title="港股互联网反弹", risks=["全球宏观经济扰动"])
    b = make_digest(2, title="Cloud capex keeps rising", key_points=[KeyPoint("资本开支", ["Meta 上调全年指引"])],
                     companies=[Company("Meta", "META", "recommended", ["Meta"], 1)], metrics=[])
    store.add_many([a, b])
    assert store.search("互联网") == [a.id]
    assert store.search("宏观") == [a.id]
    assert store.search("CLOUD capex") == [b.id]
    assert store.search("上调全年") == [b.id]
    assert store.search("meta") == [b.id]
    assert store.search("0700.hk") == [a.id]
    assert store.search("互联网 上调全年") == []
    # "capex" names a concept: it also finds a's 资本开支 (from the default key points).
    assert store.search("互联网 capex") == [a.id]
    assert set(store.search("")) == {a.id, b.id}


def test_queries_by_company_period_broker(store: DigestStore, make_digest) -> None:
    a = make_digest(1, period="2025Q1", broker="华安证券")
    b = make_digest(2, period="2024Q4", broker="Morgan Stanley",
                     companies=[Company("Alibaba", "BABA", "mentioned", ["阿里巴巴"], 1)], metrics=[])
    store.add_many([a, b])
    assert [d.id for d in store.by_company("腾讯")] == [a.id]
    assert [d.id for d in store.by_company("0700.HK")] == [a.id]
    assert [d.id for d in store.by_company("baba")] == [b.id]
    assert store.by_company("Nobody Inc") == []
    assert [d.id for d in store.by_period("2024Q4")] == [b.id]
    assert {d.id for d in store.by_period("2025")} == {a.id}
    assert [d.id for d in store.by_broker("morgan stanley")] == [b.id]


@pytest.mark.skipif(not HAS_REGISTRY, reason="store.companies not written yet")
def test_registry_names_match_every_alias(store: DigestStore, make_digest) -> None:
    a = make_digest(1)  # names 腾讯控股 / 0700.HK only
    store.add(a)
    assert [d.id for d in store.by_company("Tencent")] == [a.id]
    assert store.search("tencent") == [a.id]


def test_find_ids_by_prefix(store: DigestStore, make_digest) -> None:
    digests = [make_digest(n) for n in range(30)]
    store.add_many(digests)
    target = digests[5].id
    assert store.find_ids(target[:10]) == [target]
    assert store.find_ids(target) == [target]
    assert len(store.find_ids("")) == 30


def test_watchlist_add_remove_list(store: DigestStore) -> None:
    assert store.watchlist() == []
    item = store.watchlist_add("Foo Robotics Ltd")
    assert item == WatchItem("Foo Robotics Ltd", None)
    assert store.watchlist_add("  foo robotics ltd ") == item  # idempotent, case-insensitive
    store.watchlist_add("Some Private Lab")
    assert [i.name for i in store.watchlist()] == ["Foo Robotics Ltd", "Some Private Lab"]
    assert store.watchlist_remove("FOO ROBOTICS LTD") is True
    assert store.watchlist_remove("Foo Robotics Ltd") is False
    assert store.watchlist() == [WatchItem("Some Private Lab", None)]
    with pytest.raises(ValueError):
        store.watchlist_add("   ")


@pytest.mark.skipif(not HAS_REGISTRY, reason="store.companies not written yet")
def test_watchlist_resolves_through_the_registry(store: DigestStore) -> None:
    item = store.watchlist_add("腾讯")
    assert (item.name, item.ticker) == ("Tencent", "0700.HK")
    assert store.watchlist_add("0700.HK") == item
    assert len(store.watchlist()) == 1
    assert store.watchlist_remove("Tencent") is True


def test_remove_digest(store: DigestStore, make_digest) -> None:
    store.add_many([make_digest(1), make_digest(2)])
    assert store.remove(make_digest(1).id) is True
    assert store.remove(make_digest(1).id) is False
    assert [d.id for d in store.all()] == [make_digest(2).id]


# -- file-only behaviour ----------------------------------------------------------------------


def test_reopen_sees_everything(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    with DigestStore(path) as s:
        s.add_many([make_digest(n) for n in range(5)])
        s.watchlist_add("Foo")
    with DigestStore(path) as s:
        assert len(s) == 5 and s.watchlist() == [WatchItem("Foo", None)]
        assert s.get(make_digest(3).id).to_dict() == make_digest(3).to_dict()


def test_two_stores_on_one_file_see_each_others_writes(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    a, b = DigestStore(path), DigestStore(path)
    a.add(make_digest(1))
    assert b.has(make_digest(1).id)
    b.add(make_digest(2))
    b.watchlist_add("Bar")
    a.add(make_digest(3))
    assert {d.id for d in a.all()} == {make_digest(n).id for n in (1, 2, 3)}
    assert a.watchlist() == [WatchItem("Bar", None)]


def test_reads_do_not_create_a_store(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "store.json"
    s = DigestStore(path)
    assert s.summaries() == [] and s.search("x") == [] and s.watchlist() == []
    assert not path.exists()


def test_default_path_honours_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YANBAO_STORE", str(tmp_path / "elsewhere.json"))
    assert default_store_path() == tmp_path / "elsewhere.json"
    monkeypatch.delenv("YANBAO_STORE")
    assert default_store_path().name == "store.json"
    assert "yanbao" in str(default_store_path())


def test_summaries_and_search_at_ten_thousand(tmp_path: Path, make_digest) -> None:
    """Issue 8 sizes: a fresh open lists and searches 10,000 digests."""

    path = tmp_path / "store.json"
    base = make_digest(0)
    digests = []
    for n in range(10_000):
        d = make_digest(n, key_points=base.key_points, companies=base.companies, metrics=base.metrics)
        digests.append(d)
    DigestStore(path).add_many(digests)
    fresh = DigestStore(path)
    assert len(fresh.summaries()) == 10_000
    # Chinese substrings match at this size; how fast is measured in benchmarks/.
    assert fresh.search("第4321号") == [make_digest(4321).id]


def test_decoded_digests_kept_are_bounded(store: DigestStore, make_digest) -> None:
    """all() and get() stay correct but only a few decoded digests are kept alive."""
    from yanbao.store.db import DIGEST_CACHE_SIZE

    digests = [make_digest(n) for n in range(DIGEST_CACHE_SIZE * 2)]
    store.add_many(digests)
    everything = store.all()
    assert {d.id for d in everything} == {d.id for d in digests}
    assert len(store._digests) == DIGEST_CACHE_SIZE
    again = store.get(digests[0].id)
    assert again is not None and again.to_dict() == digests[0].to_dict()
    assert len(store._digests) == DIGEST_CACHE_SIZE


def test_rows_load_company_details_on_first_use(tmp_path: Path, make_digest) -> None:
    """A fresh open decodes only the list columns; companies come from the index when asked."""
    path = tmp_path / "store.json"
    DigestStore(path).add_many([make_digest(n) for n in range(3)])
    fresh = DigestStore(path)
    rows = fresh.summaries()
    assert all(type(row._details) is not tuple for row in rows)  # not decoded yet
    assert rows[0].companies == ["腾讯控股", "Microsoft"] and rows[0].recommended == ["腾讯控股"]
    assert "0700.HK" in rows[0].company_keys
    assert [d.id for d in fresh.by_company("0700.HK")] == [r.id for r in rows]
