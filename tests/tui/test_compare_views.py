"""Pane 4's analysis views: guidance history and ratings with target prices, every mode
narrowed to one company or the watchlist, and `e` writing each view's markdown."""

from __future__ import annotations

from pathlib import Path

from conftest import settle
from textual.widgets import DataTable, Input

from yanbao.tui.widgets.compare import ComparePane
from yanbao.tui.widgets.history_view import HistoryView

SIZE = (120, 40)


def table_rows(pane: ComparePane, selector: str) -> list[list[str]]:
    table = pane.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_compare(pilot, mode: str | None = None) -> ComparePane:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    pane = pilot.app.screen.query_one(ComparePane)
    if mode:
        pane.query_one("#compare-mode").value = mode
        await settle(pilot)
    return pane


async def narrow(pilot, pane: ComparePane, text: str) -> None:
    box = pane.query_one("#compare-company", Input)
    box.value = text
    box.focus()
    await pilot.press("enter")
    await settle(pilot)


class TestGuidanceView:
    async def test_meta_2025_every_revision_in_order(self, app_factory) -> None:
        app = app_factory(corpus=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            pane = await open_compare(pilot, "guidance")
            await narrow(pilot, pane, "Meta")
            view = pane.query_one(HistoryView)
            assert view.display and not pane.query_one("#compare-table").display
            rows = [r for r in view.rows if r.subject.endswith("2025")]
            assert [r.value for r in rows] == ["600-650 亿美元", "640-720 亿美元", "660-720 亿美元", "700-720 亿美元"]
            shown = table_rows(view, "#history-table")
            assert shown[0][0].startswith("Meta") and shown[1][0] == ""  # the subject once per group
            assert [row[4] for row in shown[:4]] == ["· initial", "▲ raise", "↔ narrow↑", "↔ narrow↑"]
            chart = str(view.query_one("#history-chart").render())
            assert "Meta" in chart and "Kestrelmoor" in chart


class TestRatingsView:
    async def test_tencent_target_price_path_per_broker(self, app_factory) -> None:
        app = app_factory(corpus=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            pane = await open_compare(pilot, "ratings")
            await narrow(pilot, pane, "腾讯")
            view = pane.query_one(HistoryView)
            assert [(r.broker, r.value) for r in view.rows] == [("启衡证券", "650 港元"), ("启衡证券", "720 港元")]
            assert table_rows(view, "#history-table")[1][5] == "+10.8%"


class TestNarrowing:
    async def test_two_quarters_narrowed_to_microsoft(self, app_factory) -> None:
        app = app_factory(corpus=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            pane = await open_compare(pilot)
            everyone = {row.company for row in pane.comparison.rows}
            assert len(everyone) > 1
            await narrow(pilot, pane, "微软")
            assert pane.comparison.rows and {row.company for row in pane.comparison.rows} == {"Microsoft"}
            await narrow(pilot, pane, "")
            assert {row.company for row in pane.comparison.rows} == everyone

    async def test_watchlist_narrows_the_guidance_view(self, app_factory) -> None:
        app = app_factory(corpus=True, watch=("Microsoft", "Meta"))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            pane = await open_compare(pilot, "guidance")
            await narrow(pilot, pane, "watchlist")
            assert {h.company for h in pane.query_one(HistoryView).histories} == {"Microsoft", "Meta"}


class TestExport:
    async def test_e_exports_each_history_view(self, app_factory, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)
        app = app_factory(corpus=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            written = []
            for mode in ("guidance", "ratings"):
                pane = await open_compare(pilot, mode)
                pane.query_one("#compare-mode").focus()
                await pilot.press("e")
                await settle(pilot)
                written.append(app.screen.path)
                await pilot.press("escape")
        assert written[0].name.startswith("yanbao-guidance") and "700-720 亿美元" in written[0].read_text(encoding="utf-8")
        assert written[1].name.startswith("yanbao-ratings") and "720" in written[1].read_text(encoding="utf-8")


class TestWhoSaidWhat:
    async def test_a_conflict_lists_each_brokers_value_and_sentence(self, app_factory) -> None:
        """The samples disagree on AWS's 2025Q2 growth (18% vs 17.5%): the figure's detail
        names each report's broker, date, value and sentence."""
        from textual.widgets import Static

        app = app_factory(corpus=True)
        async with app.run_test(size=(160, 50), notifications=True) as pilot:
            pane = await open_compare(pilot)
            pane.query_one("#compare-left").value = "2025Q1"
            pane.query_one("#compare-right").value = "2025Q2"
            await settle(pilot)
            rows = pane.comparison.rows
            index = next(i for i, r in enumerate(rows) if r.segment == "AWS" and r.metric == "revenue_growth_yoy"
                         and r.basis == "actual" and r.conflict)
            pane.query_one("#compare-table", DataTable).move_cursor(row=index)
            await settle(pilot)
            detail = str(pane.query_one("#compare-diff", Static).render())
            assert "reports disagree" in detail
            assert "18%" in detail and "17.5%" in detail
            brokers = {o.broker for o in rows[index].right.observations}
            assert len(brokers) >= 2 and all(b in detail for b in brokers)


class TestRisksAcrossLanguages:
    async def test_a_risk_said_in_two_languages_is_recurring(self, make_digest, tmp_path: Path) -> None:
        """#16: a Chinese report of one quarter and an English one of the next say the same
        risk in their own words; the two-quarter diff lists it as recurring, not new + dropped."""
        from yanbao.store.db import DigestStore
        from yanbao.tui.app import YanbaoApp

        path = tmp_path / "store.json"
        store = DigestStore(path)
        store.add_many([
            make_digest(1, period="2025Q1", date="2025-04-28", risks=["AI投入回报不及预期", "行业竞争加剧"]),
            make_digest(2, period="2025Q2", date="2025-07-30", language="en", title="Cloud note",
                        risks=["Returns on AI capex fall short"]),
        ])
        store.close()
        app = YanbaoApp(store_path=path)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            pane = await open_compare(pilot)
            assert pane.quarters == ("2025Q1", "2025Q2")
            risks = pane.comparison.risks
            assert len(risks.recurring) == 1 and len(risks.new) == 0
            assert len(risks.dropped) == 1  # 行业竞争加剧, said only in the first quarter
            diff = str(pane.query_one("#compare-diff").render())
            recurring = next(line for line in diff.splitlines() if line.startswith("Recurring risks"))
            assert "AI" in recurring and "none" not in recurring


def _figure_key(row) -> tuple:
    """A compared figure without its statements' sentences."""
    return (row.company, row.segment, row.metric, row.basis, row.target_period,
            *((c.period, c.value, c.source_ids) if c else None for c in (row.left, row.right)))


class TestFirstScreen:
    """A big library's comparison and ratings history show their first screen while the rest
    is read (here a screen of 3 rows, and the worker held after posting it)."""

    @staticmethod
    def hold(monkeypatch, rows: int):
        import threading

        from yanbao.tui.widgets import compare

        reached, gate = threading.Event(), threading.Event()

        def held(_pane) -> None:
            reached.set()
            gate.wait(30)

        monkeypatch.setattr(compare, "FIRST_SCREEN", rows)
        monkeypatch.setattr(ComparePane, "reading_rest", held)
        return reached, gate

    @staticmethod
    async def history_in_pages(pilot, monkeypatch, mode: str, first: int):
        """Pane 4 in a history ``mode`` read ``first`` entries first, then one a page, the
        next page read when the cursor is one row from the last: (the pane, its view)."""
        from yanbao.tui.widgets import compare
        from yanbao.tui.widgets.history_view import HistoryView as View

        pane = await open_compare(pilot)
        monkeypatch.setattr(compare, "FIRST_SCREEN", first)
        monkeypatch.setattr(compare, "PAGE", 1)
        monkeypatch.setattr(View, "AHEAD", 1)
        pane.query_one("#compare-mode").value = mode
        await settle(pilot)
        return pane, pane.query_one(HistoryView)

    @staticmethod
    async def scroll_to_the_end(pilot, pane, presses: int = 100) -> None:
        """`G` until the status no longer says more is to come (a page a press at most;
        bounded, so a regression fails instead of hanging)."""
        for _ in range(presses):
            if "more as you scroll" not in str(pane.query_one("#compare-status").render()):
                return
            await pilot.press("G")
            await settle(pilot)

    @staticmethod
    async def until(pilot, done) -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while not done() and loop.time() < deadline:
            await pilot.pause()
            await asyncio.sleep(0.01)

    async def test_two_quarters_show_the_first_rows_then_pages_as_the_cursor_goes(self, app_factory,
                                                                                   monkeypatch) -> None:
        """#17: a big comparison holds what was scrolled to, not the whole: the first screen,
        then its risks and picks and its count, then a page at a time as the cursor nears
        the last row read; every row comes in the whole comparison's order, and `e` exports
        the whole."""
        from yanbao.tui.widgets import compare

        app = app_factory(corpus=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            reached, gate = self.hold(monkeypatch, 3)
            monkeypatch.setattr(compare, "PAGE", 4)
            monkeypatch.setattr(compare, "AHEAD", 1)
            await pilot.press("4")
            pane = pilot.app.screen.query_one(ComparePane)
            pane.refresh_comparison()  # compared when the library loaded: again, held
            await self.until(pilot, lambda: reached.is_set() and pane.reading)
            status = str(pane.query_one("#compare-status").render())
            assert pane.reading and "3 of … figures, more as you scroll" in status, status
            assert len(table_rows(pane, "#compare-table")) == 3
            assert "Reading risks and picks" in str(pane.query_one("#compare-diff").render())
            whole = pane.app.screen.library.quarter_rows(*pane.quarters)
            expected = [_figure_key(row) for row in whole.rows()]
            assert len(expected) > 12
            gate.set()
            await settle(pilot)
            assert not pane.reading and "New risks" in str(pane.query_one("#compare-diff").render())
            status = str(pane.query_one("#compare-status").render())
            assert f"3 of {len(expected)} figures, more as you scroll" in status, status
            table = pane.query_one("#compare-table")
            table.focus()
            await pilot.press("down", "down")  # one row from the last read: the next page comes
            await settle(pilot)
            assert len(table_rows(pane, "#compare-table")) == 7 and len(pane.comparison.rows) == 7
            await self.scroll_to_the_end(pilot, pane)
            # (the highlighted rows got their sentences meanwhile: compared without them)
            assert [_figure_key(row) for row in pane.comparison.rows] == expected
            assert len(table_rows(pane, "#compare-table")) == len(expected)
            assert f"{len(expected)} figures" in str(pane.query_one("#compare-status").render())

    async def test_export_of_a_paged_comparison_is_the_whole(self, app_factory, monkeypatch) -> None:
        from yanbao.tui.widgets import compare

        app = app_factory(corpus=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            monkeypatch.setattr(compare, "FIRST_SCREEN", 3)
            monkeypatch.setattr(compare, "AHEAD", 1)
            await pilot.press("4")
            pane = pilot.app.screen.query_one(ComparePane)
            pane.refresh_comparison()
            await settle(pilot)
            assert len(pane.comparison.rows) == 3 and not pane.reading
            kind, subject = pane.export_subject()
            whole = pane.app.screen.library.quarter_rows(*pane.quarters)
            exported = subject()
            assert kind == "compare" and [r.to_dict() for r in exported.rows] == [r.to_dict() for r in whole.rows()]
            assert exported.risks == pane.comparison.risks and exported.left_ids == pane.comparison.left_ids
            assert len(pane.comparison.rows) == 3  # the pane still holds only what it showed

    async def test_ratings_show_the_first_entries_then_pages_as_the_cursor_goes(self, app_factory,
                                                                                 monkeypatch) -> None:
        """#17: the ratings of every company hold what was scrolled to: the first screen, then
        a page at a time as the cursor nears the last entry shown; a company cut by a page
        goes on under its name; `e` exports the whole."""
        app = app_factory(corpus=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            pane, view = await self.history_in_pages(pilot, monkeypatch, "ratings", first=2)
            whole = pane.app.screen.library.rating_pages().histories()
            entries = sum(len(h.entries) for h in whole)
            assert entries > 3 and len(view.rows) == 2
            status = str(pane.query_one("#compare-status").render())
            assert f"{len(whole)} companies rated" in status and f"2 of {entries} ratings, more as you scroll" in status
            kind, subject = pane.export_subject()
            assert kind == "ratings" and [h.to_dict() for h in subject()] == [h.to_dict() for h in whole]
            view.query_one("#history-table").focus()
            await pilot.press("down")  # one row from the last shown: the next page comes
            await settle(pilot)
            assert len(view.rows) == 3 and len(table_rows(view, "#history-table")) == 3
            await self.scroll_to_the_end(pilot, pane)
            assert [h.to_dict() for h in view.histories] == [h.to_dict() for h in whole]
            assert len(view.rows) == entries
            names = [r[0] for r in table_rows(view, "#history-table") if r[0]]
            assert len(names) == len(whole)  # each company named once, pages or not
            assert pane.export_subject()[1] == view.histories

    async def test_guidance_shows_whole_histories_a_page_at_a_time(self, app_factory, monkeypatch) -> None:
        """#17: the guidance history reads whole histories a page at a time (at 100,000
        reports the whole took over a minute and gigabytes); the count follows; `e` exports
        the whole."""
        app = app_factory(corpus=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            pane, view = await self.history_in_pages(pilot, monkeypatch, "guidance", first=1)
            whole = pane.app.screen.library.history_pages("guidance").page(None, 10**9)[0]
            assert len(whole) > 2 and len(view.histories) == 1
            status = str(pane.query_one("#compare-status").render())
            assert "guidance figures · all companies" in status and "1 shown, more as you scroll" in status, status
            kind, subject = pane.export_subject()
            assert kind == "guidance" and [h.to_dict() for h in subject()] == [h.to_dict() for h in whole]
            view.query_one("#history-table").focus()
            await self.scroll_to_the_end(pilot, pane)
            assert [h.to_dict() for h in view.histories] == [h.to_dict() for h in whole]
            assert len(view.rows) == sum(len(h.steps) for h in whole)

    async def test_a_history_exports_while_a_comparison_still_reads(self, app_factory, monkeypatch) -> None:
        """The comparison shown before is still reading its risks and picks: the ratings
        history the user switched to exports anyway."""
        app = app_factory(corpus=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            reached, gate = self.hold(monkeypatch, 3)
            await pilot.press("4")
            pane = pilot.app.screen.query_one(ComparePane)
            pane.refresh_comparison()
            await self.until(pilot, lambda: reached.is_set() and pane.reading)
            pane.query_one("#compare-mode").value = "ratings"
            await self.until(pilot, lambda: len(pane.query_one(HistoryView).rows) > 0)
            kind, subject = pane.export_subject()
            gate.set()
            assert kind == "ratings" and subject

