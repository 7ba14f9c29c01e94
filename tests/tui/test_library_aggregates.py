"""The panes' library-wide data read from the store's aggregates equals what decoding
every digest gives (risk tally, a watched company's detail, a figure series)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from benchmarks.real_sized import real_sized_docs
from yanbao.store.compare import series
from yanbao.store.db import DigestStore, WatchItem
from yanbao.store.model import Digest
from yanbao.tui.data.company_detail import company_detail
from yanbao.tui.data.library import Library
from yanbao.tui.data.risk_tally import risk_tally


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    path = tmp_path_factory.mktemp("agg") / "store.json"
    store = DigestStore(path)
    docs = list(real_sized_docs(60, seed=4))
    store.add_many([Digest.from_dict(d) for d in docs[:50]])
    store.add_many([Digest.from_dict(d) for d in docs[50:]])
    replaced = dict(docs[3], risks=["全新的风险"], title="replaced")
    store.add(Digest.from_dict(replaced))  # a replacement takes its old share out of the tallies
    store.remove(docs[4]["id"])
    lib = Library(path)
    lib.open(seed=False)
    return lib


def test_risk_tally_from_aggregates_matches_a_full_pass(library: Library) -> None:
    full = {(t.wording, t.count, frozenset(t.periods)) for t in risk_tally(library.stream_digests())}
    kept = {(t.wording, t.count, frozenset(t.periods)) for t in library.risk_tally()}
    assert kept == full and any(t.wording == "全新的风险" for t in library.risk_tally())


def test_company_detail_from_aggregates_matches_a_full_pass(library: Library) -> None:
    item = WatchItem("Tencent", "0700.HK")
    full = company_detail(library.digests_naming(item), item)
    kept = library.company_detail(item)
    assert {d.id for d, _ in kept.reports} == {d.id for d, _ in full.reports}
    assert kept.periods == full.periods and kept.figures == full.figures and kept.figures
    assert kept.sources == full.sources  # the report `o` opens for each figure
    assert kept.views == full.views and kept.views and kept.guidance == full.guidance


def test_series_from_aggregates_matches_a_full_pass(library: Library) -> None:
    digests = library.by_company("Tencent")
    expected = series(digests, "Tencent", None, "revenue")
    assert expected and series(library.figure_digests("Tencent"), "Tencent", None, "revenue") == expected
    assert series(library.figure_digests("Tencent", "revenue"), "Tencent", None, "revenue") == expected


def test_single_and_two_character_queries(library: Library, tmp_path: Path) -> None:
    store = library.store
    hits = store.search("腾讯")
    assert hits and all("腾讯" in orjson.dumps(store.get(i).to_dict()).decode() for i in hits[:5])
    assert set(store.search("讯")) >= set(hits)


def test_a_read_only_library_opens_read_only(tmp_path: Path) -> None:
    from yanbao.store.errors import StoreError

    path = tmp_path / "store.json"
    DigestStore(path).add(Digest.from_dict(next(real_sized_docs(1))))
    path.chmod(0o444)
    try:
        lib = Library(path)
        assert lib.open() == (0, [])  # never seeds a library it may not write
        assert lib.read_only and len(lib.summaries()) == 1
        with pytest.raises(StoreError, match="read-only"):
            lib.watch("Foo")
    finally:
        path.chmod(0o644)
