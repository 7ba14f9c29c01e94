"""Pane 4 a screen at a time (store.compare_window over store.pane_tables): the comparison and
the ratings history of every company read in pages equal the whole ones built from the
aggregates, and the first screen reads a screen's statements, not the quarters'."""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from benchmarks.real_sized import real_sized_docs
from yanbao.store import pane_tables
from yanbao.store.catalog import Catalog
from yanbao.store.compare import compare_quarters, guidance_history, rating_history
from yanbao.store.compare.common import canonical_company, keep_companies
from yanbao.store.compare_views import quarter_periods
from yanbao.store.db import DigestStore
from yanbao.store.model import Digest
from yanbao.tui.data.histories import joined_histories

EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "expected"
PAIRS = [("2025Q1", "2025Q2"), ("2024Q4", "2025Q1"), ("2024Q2", "2025Q3"), ("2023Q1", "2023Q2"), ("2025", "2025Q2"),
         ("2025Q2", "2025Q2")]


def fill_mixed_library(path: Path) -> None:
    """The sample digests and 90 real-sized ones, one moved to another quarter, one removed
    (pane 4's tables and the quarter aggregates must follow both)."""
    store = DigestStore(path)
    samples = [Digest.from_dict(json.loads(f.read_text(encoding="utf-8"))) for f in sorted(EXPECTED.glob("*.json"))]
    assert samples, "the sample digests are missing"
    store.add_many(samples)
    docs = list(real_sized_docs(90, seed=7))
    store.add_many([Digest.from_dict(d) for d in docs[:80]])
    store.add(Digest.from_dict(dict(docs[5], period="2025Q2", title="moved to another quarter")))
    store.remove(docs[6]["id"])  # a removed report leaves the tables and aggregates too
    store.add_many([Digest.from_dict(d) for d in docs[80:]])
    # guidance quoting the figure it replaces (a step of its own in the guidance history)
    quoting = next(m for m in docs[11]["metrics"] if m["basis"] == "guidance")
    raised = dict(quoting, value=quoting["value"] * 1.1, previous={"value": quoting["value"] * 0.9})
    store.add(Digest.from_dict(dict(docs[11], metrics=[*docs[11]["metrics"], raised])))
    store.close()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("window") / "store.json"
    fill_mixed_library(path)
    return path


def _same_comparisons(store: DigestStore) -> int:
    """Asserts every pair's paged comparison equals the whole one; the rows compared."""
    compared = 0
    for left, right in PAIRS:
        whole = compare_quarters(store.quarter_views(left, right), left, right)
        window = store.quarter_rows(left, right)
        assert window is not None
        paged = window.comparison(list(window.rows()))
        assert paged.to_dict() == whole.to_dict(), (left, right)
        compared += len(whole.rows)
    return compared


def test_paged_comparison_equals_the_whole_one(library: Path) -> None:
    with DigestStore(library) as store:
        assert _same_comparisons(store) > 1000
        # annual guidance as each quarter's reports gave it is among what was compared
        vintage = [r for left, right in PAIRS for r in store.quarter_rows(left, right).rows() if r.target_period]
        assert vintage, "no annual guidance compared: the test would prove less than it says"


def test_the_first_rows_are_the_whole_ones_first(library: Path) -> None:
    with DigestStore(library) as store:
        whole = compare_quarters(store.quarter_views("2024Q4", "2025Q1"), "2024Q4", "2025Q1")
        first = list(itertools.islice(store.quarter_rows("2024Q4", "2025Q1").rows(), 25))
        assert [r.to_dict() for r in first] == [r.to_dict() for r in whole.rows[:25]]


def test_pages_joined_are_the_whole_comparison_and_count_it(library: Path) -> None:
    """Read a page at a time (each page read afresh from where the one before stopped, in
    the middle of a company or not), the rows are the whole comparison's, and ``count``
    counts them."""
    cut_a_company = False
    with DigestStore(library) as store:
        for left, right in PAIRS:
            window = store.quarter_rows(left, right)
            whole = [r.to_dict() for r in window.rows()]
            joined, after, pages = [], None, 0
            while True:
                cut_a_company = cut_a_company or (after is not None and after[2] > 0)
                rows, after = window.page(after, size=40)
                joined += [r.to_dict() for r in rows]
                pages += 1
                if after is None:
                    break
                assert len(rows) == 40
            assert joined == whole, (left, right)
            assert window.count() == len(whole), (left, right)
            if len(whole) > 200:
                assert pages > 3, (left, right, pages)
    assert cut_a_company, "no page ended inside a company: the test would prove less than it says"


def test_the_first_screen_reads_a_screen_of_statements(library: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first rows read the first companies' statements, not the quarters' (a company's
    statements by one report are one catalog row)."""
    read = {"rows": 0}
    streamed = Catalog.stream

    def counted(self, sql, params=(), size=512):
        for row in streamed(self, sql, params, size=8):
            read["rows"] += 1
            yield row

    with DigestStore(library) as store:
        periods = quarter_periods("2024Q4", "2025Q1")
        total = store._catalog.query(f"SELECT count(*) FROM company_statements WHERE rp IN "
                                     f"({','.join('?' * len(periods))})", periods)[0][0]
        monkeypatch.setattr(Catalog, "stream", counted)
        rows = list(itertools.islice(store.quarter_rows("2024Q4", "2025Q1").rows(), 10))
    assert len(rows) == 10 and total > 80
    assert read["rows"] < total / 4, f"the first 10 rows read {read['rows']} of {total} companies' statements"


def test_ratings_pages_equal_the_whole_history(library: Path) -> None:
    with DigestStore(library) as store:
        whole = [h.to_dict() for h in rating_history(store.history_views("ratings"))]
        pages = store.rating_pages()
        assert pages is not None and pages.total > 80 and len(pages.companies) == len(whole)
        assert [h.to_dict() for h in pages.histories()] == whole
        joined: list = []
        for start in range(0, pages.total, 7):  # pages cut companies in two: joined, they are whole again
            joined = joined_histories(joined, pages.histories(start, start + 7))
        assert [h.to_dict() for h in joined] == whole


def _guidance_order(history) -> tuple[str, str]:
    company = canonical_company(history.company).casefold() if history.company is not None else ""
    return company, pane_tables.history_key(history.company, history.segment, history.metric, history.period)


def _same_guidance(store: DigestStore, names: set[str] | None = None, size: int = 25) -> int:
    """Asserts the guidance history read in pages of ``size`` steps equals the whole one
    (of ``names``), in the pages' order; the histories compared."""
    keep = keep_companies(names)
    whole = sorted((h for h in guidance_history(store.history_views("guidance")) if keep(h.company)),
                   key=_guidance_order)
    pages = store.guidance_pages(names)
    joined, after, read = [], None, 0
    while True:
        got, after = pages.page(after, size)
        joined += got
        read += 1
        if after is None:
            break
        assert sum(len(h.steps) for h in got) >= size
    assert [h.to_dict() for h in joined] == [h.to_dict() for h in whole], names
    assert pages.subjects() == (len(whole) if names is not None else None)
    assert read > 1 or sum(len(h.steps) for h in whole) <= size
    return len(whole)


def test_guidance_pages_equal_the_whole_history(library: Path) -> None:
    """#17: the guidance history, of every company or of some, read a page at a time from
    ``guidance_rows``, equals ``guidance_history`` over the catalog's views (quoted earlier
    guidance, reports of one season confirming a step, raises and cuts included)."""
    with DigestStore(library) as store:
        assert _same_guidance(store) > 50
        everyone = store.guidance_pages().page(None, 10**9)[0]
        assert any(s.quoted for h in everyone for s in h.steps) and any(s.confirmed_by for h in everyone for s in h.steps)
        named = sorted({h.company for h in everyone if h.company})
        for names in ({named[0]}, {named[1], named[-1]}, {named[2].upper()}, {"no such company"}):
            _same_guidance(store, names, size=5)


def _old_catalog(library: Path, tmp_path: Path) -> Path:
    """A copy of ``library`` whose catalog was made before pane 4's tables."""
    copy = tmp_path / "store.json"
    shutil.copy(library, copy)
    shutil.copytree(library.with_name(library.name + ".d"), copy.with_name(copy.name + ".d"))
    conn = sqlite3.connect(copy.with_name(copy.name + ".d") / "catalog.sqlite")
    conn.executescript("DROP TABLE company_statements; DROP TABLE rating_rows; DROP TABLE guidance_rows; "
                       "DELETE FROM info WHERE key = 'pane_tables';")
    conn.close()
    return copy


def test_a_catalog_made_before_the_tables_is_filled_a_step_at_a_time(library: Path, tmp_path: Path) -> None:
    with DigestStore(_old_catalog(library, tmp_path)) as store:
        assert len(store) > 90
        steps = 1
        while not pane_tables.fill_step(store._catalog, batch=16):
            steps += 1
        assert steps > 3
        assert _same_comparisons(store) > 1000
        assert [h.to_dict() for h in store.rating_pages().histories()] == [
            h.to_dict() for h in rating_history(store.history_views("ratings"))]
        assert _same_guidance(store) > 50


def test_a_catalog_of_the_first_tables_fills_them_again_with_guidance(library: Path, tmp_path: Path) -> None:
    """A catalog whose pane tables are version 1 (no guidance rows) is not ready: it fills
    the three tables again, and then reads guidance in pages."""
    copy = tmp_path / "store.json"
    shutil.copy(library, copy)
    shutil.copytree(library.with_name(library.name + ".d"), copy.with_name(copy.name + ".d"))
    conn = sqlite3.connect(copy.with_name(copy.name + ".d") / "catalog.sqlite")
    conn.executescript("DROP TABLE guidance_rows; UPDATE info SET value = '1' WHERE key = 'pane_tables';")
    conn.close()
    with DigestStore(copy) as store:
        assert not pane_tables.is_ready(store._catalog)
        while not pane_tables.fill_step(store._catalog, batch=32):
            pass
        assert _same_guidance(store) > 50
        assert _same_comparisons(store) > 1000


def test_until_filled_pane_4_reads_the_old_way_while_the_tables_fill(library: Path, tmp_path: Path) -> None:
    with DigestStore(_old_catalog(library, tmp_path)) as store:
        assert store.quarter_rows("2025Q1", "2025Q2") is None  # and a fill starts
        store._filler.join()  # the background fill the first ask started
        assert store.rating_pages() is not None
        assert _same_comparisons(store) > 1000


def test_doctor_rebuild_makes_the_tables_again(library: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store.json"
    shutil.copy(library, copy)
    shutil.copytree(library.with_name(library.name + ".d"), copy.with_name(copy.name + ".d"))
    with DigestStore(copy) as store:
        store.rebuild_catalog()
        assert store._catalog.query("SELECT value FROM info WHERE key = 'pane_tables'") == [(pane_tables.VERSION,)]
        assert _same_comparisons(store) > 1000
        assert _same_guidance(store) > 50
        assert [h.to_dict() for h in store.rating_pages().histories()] == [
            h.to_dict() for h in rating_history(store.history_views("ratings"))]
