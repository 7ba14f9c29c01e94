"""Pilot tests: a big library lists its newest rows first, then every row (issue 17: every
row of 100,000 reports takes a second to read; the newest screenful a millisecond)."""

from __future__ import annotations

import threading
from pathlib import Path

from conftest import settle, wait_for
from snapshot_app import make_store
from textual.widgets import Static, TabbedContent

from yanbao.tui.app import YanbaoApp
from yanbao.tui.data.library import Library
from yanbao.tui.screens import main
from yanbao.tui.widgets.report_list import ReportList
from yanbao.tui.widgets.watchlist import WatchlistPane

SIZE = (120, 40)


def slow_app(tmp_path: Path, monkeypatch) -> tuple[YanbaoApp, threading.Event]:
    """An app over the 4 fixture reports counted as a big library (more than 2), whose
    full list waits for the returned event."""
    monkeypatch.setattr(main, "EAGER_LIBRARY", 2)
    monkeypatch.setattr(main, "FIRST_ROWS", 2)
    release = threading.Event()

    class SlowLibrary(Library):
        def summaries(self):
            release.wait(60)
            return super().summaries()

    app = YanbaoApp(store_path=make_store(tmp_path / "store.json"))
    app.library = SlowLibrary(app.library.store_path)
    return app, release


class TestFirstRows:
    async def test_newest_rows_then_every_row(self, tmp_path: Path, monkeypatch) -> None:
        app, release = slow_app(tmp_path, monkeypatch)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            report_list = app.screen.query_one(ReportList)
            await wait_for(pilot, lambda: len(report_list.rows) == 2)
            status = str(app.screen.query_one("#list-status", Static).render())
            assert status == "Listing the newest 2 of 4 reports…"
            dates = [row.date for row in report_list.rows]
            await pilot.press("down")  # the first rows answer keys
            assert report_list.cursor == 1
            release.set()
            await wait_for(pilot, lambda: len(report_list.rows) == 4)
            await settle(pilot)
            assert sorted([row.date for row in report_list.rows], reverse=True)[:2] == dates
            assert str(app.screen.query_one("#list-status", Static).render()).startswith("4 reports")
            assert report_list.highlighted is not None and report_list.highlighted.date == dates[1]

    async def test_a_pane_asked_for_meanwhile_is_filled(self, tmp_path: Path, monkeypatch) -> None:
        """2 pressed while the list is read: the watchlist shows once it is."""
        app, release = slow_app(tmp_path, monkeypatch)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            report_list = app.screen.query_one(ReportList)
            await wait_for(pilot, lambda: len(report_list.rows) == 2)
            await pilot.press("2")
            assert app.screen.query_one("#panes", TabbedContent).active == "watchlist"
            release.set()
            await wait_for(pilot, lambda: len(report_list.rows) == 4)
            await settle(pilot)
            pane = app.screen.query_one(WatchlistPane)
            await wait_for(pilot, lambda: pane.items is not None and len(pane.items) > 0)
