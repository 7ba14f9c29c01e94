"""Pane 2 at any library size: a company's reports are counted in full but read as rows a
window at a time (the rest as the list scrolls), and its figures are folded in steps kept
after each, the report list showing meanwhile with how many reports are being read."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from conftest import settle
from textual.widgets import DataTable, Static

import yanbao.tui.data.library as library_module
import yanbao.tui.widgets.watchlist as watchlist_module
from benchmarks.real_sized import real_sized_docs
from yanbao.store.db import DigestStore, WatchItem
from yanbao.store.model import Digest
from yanbao.tui.app import YanbaoApp
from yanbao.tui.data.company_detail import company_detail, company_names
from yanbao.tui.data.histories import guidance_histories, rating_histories
from yanbao.tui.data.library import Library
from yanbao.tui.widgets.watchlist import WatchlistPane

TENCENT = WatchItem("Tencent", "0700.HK")


def _store(path: Path, watch: bool = False) -> Path:
    store = DigestStore(path)
    docs = list(real_sized_docs(45, seed=11))
    rating_only = dict(docs[40], metrics=[], companies=[], id="f" * 64,
                       company_ratings=[{"company": "Tencent", "ticker": "0700.HK", "rating": "买入"}])
    named_rating_only = dict(rating_only, id="e" * 64, title="named, rated, no figures", date="2031-05-05",
                             companies=[{"name": "Tencent", "ticker": "0700.HK", "role": "recommended"}])
    store.add_many([Digest.from_dict(d) for d in [*docs, rating_only, named_rating_only]])
    if watch:
        store.watchlist_add("Tencent")
    store.close()
    return path


@pytest.fixture
def library(tmp_path: Path):
    lib = Library(_store(tmp_path / "store.json"))
    lib.open(seed=False)
    yield lib
    lib.close()


def test_detail_reads_a_window_of_rows_and_counts_every_report(library: Library) -> None:
    full = company_detail(library.digests_naming(TENCENT), TENCENT)
    assert len(full.reports) > 12 and 0 < full.picks < len(full.reports)
    detail = library.company_detail(TENCENT, window=5)
    assert len(detail.reports) == 5  # only the newest screenful built
    assert (detail.report_count, detail.picks) == (len(full.reports), full.picks)
    read = list(detail.reports)
    while len(read) < detail.report_count:  # the rest, as the list scrolls
        read += library.report_window(detail, len(read), len(read) + 4)
    assert [(d.id, r) for d, r in read] == [(d.id, r) for d, r in full.reports]
    assert library.report_window(detail, len(read), len(read) + 4) == []
    assert (detail.figures, detail.views, detail.guidance) == (full.figures, full.views, full.guidance)


def test_fold_in_steps_stopped_goes_on_at_the_next_opening(library: Library, monkeypatch) -> None:
    full = company_detail(library.digests_naming(TENCENT), TENCENT)
    unread = library.company_detail(TENCENT, figures=False)
    names = company_names(TENCENT)
    filed = [d for d in library.stream_digests()
             if any((x.company or "").casefold() in names or (x.ticker or "").casefold() in names
                    for x in [*d.metrics, *d.company_ratings])]
    assert unread.figures == {} and unread.reading == len(filed)  # every report with its figures or ratings
    assert unread.report_count == len(full.reports)
    monkeypatch.setattr(library_module, "FOLD_STEP", 3)
    steps = []
    stopped = library.company_detail(TENCENT, stop=lambda: steps.append(1) or len(steps) > 2)
    assert len(steps) == 3 and 0 < stopped.reading < unread.reading and stopped.figures != full.figures
    again = library.company_detail(TENCENT, figures=False)
    assert again.reading == stopped.reading  # the two steps read were kept
    done = library.company_detail(TENCENT)
    assert done.reading == 0
    assert (done.figures, done.periods, done.views, done.guidance) == (
        full.figures, full.periods, full.views, full.guidance)


async def test_scrolling_the_report_list_reads_the_next_rows(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(library_module, "REPORT_WINDOW", 5)
    monkeypatch.setattr(watchlist_module, "REPORT_PAGE", 4)
    monkeypatch.setattr(watchlist_module, "REPORT_AHEAD", 1)
    path = _store(tmp_path / "store.json", watch=True)
    app = YanbaoApp(store_path=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        pane = app.screen.query_one(WatchlistPane)
        table = pane.query_one("#watch-reports", DataTable)
        total = pane._detail.report_count
        assert table.row_count == 5 and f"{total} reports" in str(pane.query_one("#watch-heading", Static).render())
        table.focus()
        await pilot.press("down", "down", "down")  # the cursor on row 4 of 5: the next 4 are read
        await settle(pilot)
        assert table.row_count == 9
        for _ in range(total):
            await pilot.press("down")
        await settle(pilot)
        assert table.row_count == total == len(pane._report_ids)
        expected = company_detail(pane.library.digests_naming(TENCENT), TENCENT)
        assert pane._report_ids == [d.id for d, _ in expected.reports]


async def test_report_list_shows_while_the_figures_are_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(watchlist_module, "QUIET_FOLD", 0)
    entered, release = threading.Event(), threading.Event()
    plain = Library.company_detail

    def gated(self, item, lang=None, **options):
        if options.get("figures", True):
            entered.set()
            release.wait(30)
        return plain(self, item, lang, **options)

    monkeypatch.setattr(Library, "company_detail", gated)
    app = YanbaoApp(store_path=_store(tmp_path / "store.json", watch=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        assert await asyncio.to_thread(entered.wait, 30)
        await pilot.pause()
        pane = app.screen.query_one(WatchlistPane)
        table = pane.query_one("#watch-reports", DataTable)
        views = str(pane.query_one("#watch-views", Static).render())
        assert table.row_count > 0 and "Reading the figures of" in views
        assert pane.query_one("#watch-figures", DataTable).row_count == 0
        release.set()
        await settle(pilot)
        assert "Reading" not in str(pane.query_one("#watch-views", Static).render())
        assert pane.query_one("#watch-figures", DataTable).row_count > 0


@pytest.mark.parametrize("kind", ["metric", "guidance", "ratings"])
def test_kept_company_views_equal_those_read_whole_through_adds_and_removals(tmp_path: Path, kind: str) -> None:
    """A series' and the histories' reading of one company, kept between readings in the
    pane cache, equals reading every figure row again: after reports are added (read since
    the mark) and after one is taken out (read whole again)."""
    path = tmp_path / "store.json"
    docs = list(real_sized_docs(45, seed=12))
    store = DigestStore(path)
    store.add_many([Digest.from_dict(d) for d in docs[:30]])
    store.close()
    library = Library(path)
    library.open(seed=False)
    store = library.store
    keys = store.company_keys("Tencent") | {"tencent"}
    keep = {"metric": None, "guidance": lambda m, b: b == "guidance" or m.endswith("_guidance"),
            "ratings": lambda _m, _b: False}[kind]

    def check() -> None:
        whole = store.company_views(keys, metric="revenue") if kind == "metric" else store.company_views(keys, keep=keep)
        # only the reports with something of the kind (a figure kept; for ratings, a rating)
        whole = [d for d in whole if (d.company_ratings if kind == "ratings" else d.metrics)]
        assert whole
        for _ in range(2):  # read, then read what was kept
            kept = store.kept_company_views(keys, kind, "revenue" if kind == "metric" else None)
            assert [d.id for d in kept] == [d.id for d in whole]
            if kind == "ratings":
                assert [d.company_ratings for d in kept] == [d.company_ratings for d in whole]
            else:
                assert [d.metrics for d in kept] == [d.metrics for d in whole]
        if kind != "metric":  # and the histories shown are those of every report
            read = guidance_histories if kind == "guidance" else rating_histories
            everything = store.company_views(keys)
            shown = read(library.history_digests({"Tencent"}, kind), {"Tencent"})
            assert shown and [h.to_dict() for h in shown] == [h.to_dict() for h in read(everything, {"Tencent"})]
        cached = [k for (k,) in store._catalog.query("SELECT key FROM pane_cache") if k.startswith("company_views")]
        assert store.pane_cached(cached[0])[:2] == store.figures_mark()

    try:
        check()
        store.add_many([Digest.from_dict(d) for d in docs[30:]])
        check()
        store.remove(docs[2]["id"])
        check()
    finally:
        library.close()
