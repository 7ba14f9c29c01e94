"""Pilot tests for the daily user's wrong answers (issue 14): each failed before its fix."""

from __future__ import annotations

from conftest import settle
from textual.widgets import Input

from yanbao.tui.app import YanbaoApp
from yanbao.tui.widgets.report_list import ReportList

SIZE = (120, 40)


def titles(app: YanbaoApp) -> list[str]:
    return [s.title for s in app.screen.query_one(ReportList).rows]


async def type_filter(pilot, text: str) -> None:
    """Open the filter box (once) and set its text."""
    if not isinstance(pilot.app.focused, Input):
        await pilot.press("f")
    pilot.app.focused.value = text
    await pilot.pause()


class TestCompanyFilter:
    """``company:`` resolves through the registry, as ``/`` and ``w`` do."""

    async def test_chinese_names_and_tickers_find_the_same_reports(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            found = {}
            for name in ("Tencent", "腾讯", "腾讯控股", "0700.HK", "700", "tencent"):
                await type_filter(pilot, f"company:{name}")
                found[name] = sorted(titles(app))
            assert len(found["Tencent"]) == 3
            assert all(rows == found["Tencent"] for rows in found.values()), found
            for name in ("微软", "MSFT", "Microsoft"):
                await type_filter(pilot, f"company:{name}")
                assert len(titles(app)) == 4, name
            await type_filter(pilot, "company:Nosuchco")
            assert titles(app) == []


class TestNothingFound:
    """A search or filter with no hits says so, not "No reports yet"."""

    async def test_search_without_hits_names_the_search(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            app.screen.query_one(Input).value = "xyzzy"
            await pilot.press("enter")
            await settle(pilot)
            report_list = app.screen.query_one(ReportList)
            assert report_list.rows == []
            assert "No reports yet" not in report_list.empty_message
            assert "xyzzy" in report_list.empty_message and "Esc" in report_list.empty_message
            assert "xyzzy" in str(report_list.render_line(0).text)
            await pilot.press("escape")
            assert len(report_list.rows) == 4

    async def test_filter_without_hits_names_the_filter(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await type_filter(pilot, "broker:Nobody")
            message = app.screen.query_one(ReportList).empty_message
            assert "No reports yet" not in message and "broker:Nobody" in message
