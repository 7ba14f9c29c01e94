"""The watchlist pane shows, beside the reports naming a company, each broker's latest rating
and target price and the company's latest guidance."""

from __future__ import annotations

from conftest import settle
from textual.widgets import Static

from yanbao.tui.data.company_detail import company_detail
from yanbao.store.db import WatchItem
from snapshot_app import fixture_digests


def test_latest_view_per_broker_and_guidance_ahead() -> None:
    tencent = company_detail(fixture_digests(corpus=True), WatchItem("Tencent", "0700.HK"))
    assert [(v.broker, v.rating, v.target) for v in tencent.views] == [("启衡证券", "买入", "720 港元")]
    meta = company_detail(fixture_digests(corpus=True), WatchItem("Meta", None))
    assert [(g.figure, g.value) for g in meta.guidance] == [
        ("资本开支指引 · 2025", "700-720 亿美元"), ("资本开支指引 · 2026", "1150-1350 亿美元"),
    ]


async def test_watchlist_pane_shows_ratings_and_guidance(app_factory) -> None:
    app = app_factory(corpus=True, watch=("Microsoft",))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        views = str(app.screen.query_one("#watch-views", Static).render())
        assert "Kestrelmoor Securities" in views and "Overweight" in views and "target 600 美元" in views
        assert "Guidance" in views and "37%" in views
