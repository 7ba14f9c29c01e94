"""Pilot tests: a search lists its newest matches and their count first, then every match
(issue 17: a common word matches most of a big library, and listing every id takes a second)."""

from __future__ import annotations

import os
import threading

from conftest import settle, wait_for
from textual.widgets import Input, Static

from yanbao.tui.app import WORKER_THREADS
from yanbao.tui.data.library import Library
from yanbao.tui.screens.prompt import PromptDialog
from yanbao.tui.widgets import report_browser
from yanbao.tui.widgets.report_list import ReportList

SIZE = (120, 40)
FIXTURE_REPORTS = 4


def held_search(monkeypatch) -> threading.Event:
    """The whole search waits for the returned event (the first screen does not)."""
    search, release = Library.search, threading.Event()

    def slow_search(self, query):
        release.wait(60)
        return search(self, query)

    monkeypatch.setattr(Library, "search", slow_search)
    return release


async def submit_search(pilot, query: str) -> None:
    await pilot.press("slash")
    assert isinstance(pilot.app.screen, PromptDialog)
    pilot.app.screen.query_one(Input).value = query
    await pilot.press("enter")


def rows(app) -> list:
    return app.screen.query_one(ReportList).rows


def status(app) -> str:
    return str(app.screen.query_one("#list-status", Static).render())


class TestFirstScreen:
    async def test_newest_matches_and_count_then_every_match(self, app_factory, monkeypatch) -> None:
        monkeypatch.setattr(report_browser, "SEARCH_FIRST", 1)
        release = held_search(monkeypatch)
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await submit_search(pilot, "资本开支")  # two fixture reports say it
            await wait_for(pilot, lambda: len(rows(app)) == 1)
            assert status(app).startswith(f"2 of {FIXTURE_REPORTS} reports  listing the newest 1…")
            newest = rows(app)[0]
            release.set()
            await wait_for(pilot, lambda: len(rows(app)) == 2)
            await settle(pilot)
            assert "listing" not in status(app) and status(app).startswith(f"2 of {FIXTURE_REPORTS} reports")
            assert rows(app)[0].id == newest.id  # the first screen was the newest match

    async def test_escape_while_reading_drops_the_search(self, app_factory, monkeypatch) -> None:
        """Esc before the whole search is read: the list is every report, and stays so when
        the search's answer would have come."""
        monkeypatch.setattr(report_browser, "SEARCH_FIRST", 1)
        release = held_search(monkeypatch)
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await submit_search(pilot, "资本开支")
            await wait_for(pilot, lambda: len(rows(app)) == 1)
            await pilot.press("escape")
            assert len(rows(app)) == FIXTURE_REPORTS
            release.set()
            for _ in range(10):
                await pilot.pause(0.05)
            await settle(pilot)
            assert len(rows(app)) == FIXTURE_REPORTS and "search" not in status(app)

    async def test_a_search_by_the_readers_marks_is_read_whole(self, app_factory, monkeypatch) -> None:
        """``starred`` narrows by marks the count cannot see: no first screen, one answer."""
        monkeypatch.setattr(report_browser, "SEARCH_FIRST", 1)
        shown: list[int] = []
        searched = report_browser.ReportBrowser._searched

        def spy(self, query, ids, count=None):
            shown.append(count)
            return searched(self, query, ids, count)

        monkeypatch.setattr(report_browser.ReportBrowser, "_searched", spy)
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await submit_search(pilot, "资本开支 starred")
            await wait_for(pilot, lambda: bool(shown))
            await settle(pilot)
            assert shown == [None] and rows(app) == []


async def test_a_search_is_not_queued_behind_the_panes_readings(app_factory) -> None:
    """#17: pane workers that read for seconds at 100,000 reports (a company's figures, a
    comparison's count) took every thread of the loop's default executor (6 on two cores):
    a search typed meanwhile waited for one of them to end."""
    release = threading.Event()
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        # more than the default executor has (min(32, CPUs + 4)), fewer than the app's own
        for _ in range(min((os.cpu_count() or 1) + 6, WORKER_THREADS - 2)):  # as panes 2-4 reading at once
            app.run_worker(lambda: release.wait(60), thread=True, exit_on_error=False)
        try:
            await submit_search(pilot, "资本开支")
            await wait_for(pilot, lambda: len(rows(app)) == 2 and status(app).startswith("2 of"), timeout=20)
        finally:
            release.set()
        await settle(pilot)
