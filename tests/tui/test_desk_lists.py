"""Pilot tests: sort both ways, g/G/Ctrl+d/Ctrl+u in every list, the palette jumps (issue 15)."""

from __future__ import annotations

from conftest import settle
from textual.command import CommandList, CommandPalette
from textual.widgets import DataTable, Input, OptionList, TabbedContent

from yanbao.tui.data.jump_index import JumpIndex
from yanbao.tui.screens.help import HelpScreen, binding_rows
from yanbao.tui.screens.main import MainScreen
from yanbao.tui.widgets.report_list import ReportList, ReportListHeader, header_text

SIZE = (120, 40)


class TestSortBothWays:
    """S turns the sort around on the same column; the header's arrow says which way."""

    async def test_s_cycles_and_shift_s_reverses(self, app_factory) -> None:
        """Date newest first; S: oldest first (▲); s then S: broker Z→A (▼)."""
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            rows = lambda: app.screen.query_one(ReportList).rows  # noqa: E731
            header = app.screen.query_one(ReportListHeader)
            newest = [s.date for s in rows()]
            assert newest == sorted(newest, reverse=True)
            await pilot.press("S")
            await pilot.pause()
            oldest = [s.date for s in rows()]
            assert oldest == sorted(oldest) and oldest != newest
            assert "Date▲" in header_text(100, header.sort_key, header.sort_reverse)
            await pilot.press("s")  # next column, broker A→Z
            await pilot.pause()
            brokers = [s.broker.casefold() for s in rows()]
            assert brokers == sorted(brokers)
            await pilot.press("S")
            await pilot.pause()
            assert [s.broker.casefold() for s in rows()] == sorted(brokers, reverse=True)
            assert header.sort_key == "broker" and header.sort_reverse
            assert "Broker▼" in header_text(100, header.sort_key, header.sort_reverse)

    async def test_help_lists_the_new_keys(self, app_factory) -> None:
        """Help shows S, y, g, G, Ctrl+D and Ctrl+U with what they do."""
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            keys = {keys: does for _, keys, _, does in binding_rows(app.screen.groups)}
            for key in ("S", "y", "g", "G", "Ctrl+D", "Ctrl+U"):
                assert keys.get(key), key


class TestMoves:
    """g, G, Ctrl+d and Ctrl+u in the report list and in the panes' tables and lists."""

    async def test_report_list(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            report_list = app.screen.query_one(ReportList)
            await pilot.press("G")
            assert report_list.cursor == len(report_list.rows) - 1
            await pilot.press("g")
            assert report_list.cursor == 0
            await pilot.press("ctrl+d")
            assert report_list.cursor == len(report_list.rows) - 1  # 4 rows: half a page is more
            await pilot.press("ctrl+u")
            assert report_list.cursor == 0

    async def test_tables_and_lists_in_the_panes(self, app_factory) -> None:
        """Metrics table (pane 1), risks table (3), watch list (2)."""
        app = app_factory(watch=("Microsoft", "Meta"))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            metrics = app.screen.query_one("#kp-metrics", DataTable)
            metrics.focus()
            await pilot.press("G")
            assert metrics.row_count > 1 and metrics.cursor_row == metrics.row_count - 1
            await pilot.press("g")
            assert metrics.cursor_row == 0
            await pilot.press("3")
            await settle(pilot)
            risks = app.screen.query_one("#risks-library", DataTable)
            assert app.focused is risks and risks.row_count > 1
            await pilot.press("G")
            assert risks.cursor_row == risks.row_count - 1
            await pilot.press("ctrl+u")
            assert risks.cursor_row < risks.row_count - 1
            await pilot.press("2")
            await settle(pilot)
            watch = app.screen.query_one("#watch-list", OptionList)
            await pilot.press("G")
            assert watch.highlighted == watch.option_count - 1 == 1
            await pilot.press("g")
            assert watch.highlighted == 0

    async def test_ctrl_u_in_the_filter_box_stays_the_input_s(self, app_factory) -> None:
        """In the filter box Ctrl+u deletes to the start, as in any input."""
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("f", *"cloud")
            await pilot.press("ctrl+u")
            assert app.screen.query_one("#filter", Input).value == ""


class TestPaletteJumps:
    """Ctrl+P finds any report by title, broker or a company or ticker it names, and companies."""

    async def _jump(self, pilot, query: str, hit: str = "") -> None:
        """Type ``query`` in the palette and take the first hit, or the first starting with ``hit``."""
        await pilot.press("ctrl+p")
        assert isinstance(pilot.app.screen, CommandPalette)
        await pilot.press(*query)
        hits = pilot.app.screen.query_one(CommandList)
        for _ in range(50):
            await pilot.pause(0.05)
            if hits.option_count and (not hit or any(
                    str(hits.get_option_at_index(i).prompt).startswith(hit) for i in range(hits.option_count))):
                break
        if hit:
            index = next(i for i in range(hits.option_count) if str(hits.get_option_at_index(i).prompt).startswith(hit))
            hits.highlighted = index
            await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)

    async def test_jump_to_a_report_by_ticker(self, app_factory) -> None:
        """GOOGL is named only in one report's companies: its report hit (after the company
        Alphabet's) selects that report."""
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await self._jump(pilot, "googl", hit="Report: ")
            assert isinstance(app.screen, MainScreen)
            highlighted = app.screen.query_one(ReportList).highlighted
            assert highlighted.title == "Cloud capex keeps climbing as AI demand broadens"
            assert app.screen.query_one("#panes", TabbedContent).active == "keypoints"

    async def test_jump_to_a_watched_company_opens_the_watchlist(self, app_factory) -> None:
        app = app_factory(watch=("Meta", "Microsoft"))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await self._jump(pilot, "微软")
            assert app.screen.query_one("#panes", TabbedContent).active == "watchlist"
            pane = app.screen.query_one("#watchlist-pane")
            assert pane.highlighted_item.name == "Microsoft"

    async def test_jump_to_an_unwatched_company_shows_it_without_watching(self, app_factory) -> None:
        """快手 (Kuaishou) is not watched: the watchlist pane shows its detail (reports naming it) below
        the watched companies, marked not watched; the watchlist and the list stay as they
        were; w then watches it, in its place."""
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            shown = len(app.screen.query_one(ReportList).rows)
            await self._jump(pilot, "快手")
            assert app.screen.query_one("#panes", TabbedContent).active == "watchlist"
            pane = app.screen.query_one("#watchlist-pane")
            assert pane.highlighted_unwatched and pane.highlighted_item.name == "Kuaishou"
            assert [i.name for i in pane.items] == ["Microsoft"]  # nothing watched by the jump
            heading = str(pane.query_one("#watch-heading").render())
            assert heading.startswith("Kuaishou  1 reports") and "not watched" in heading
            reports = pane.query_one("#watch-reports", DataTable)
            assert reports.row_count == 1
            assert [i.name for i in app.screen.library.watchlist()] == ["Microsoft"]
            assert len(app.screen.query_one(ReportList).rows) == shown and not app.screen.browser.filter_text
            await pilot.press("d")  # not watched: nothing to remove
            await settle(pilot)
            assert [i.name for i in app.screen.library.watchlist()] == ["Microsoft"]
            await pilot.press("tab", "enter")  # its reports table: Enter opens its report in Key points
            await settle(pilot)
            assert app.screen.query_one("#panes", TabbedContent).active == "keypoints"
            assert "快手" in app.screen.query_one(ReportList).highlighted.companies
            await pilot.press("2", "G")
            await settle(pilot)
            assert pane.highlighted_unwatched
            await pilot.press("w")
            await settle(pilot)
            assert [i.name for i in app.screen.library.watchlist()] == ["Microsoft", "Kuaishou"]
            assert pane.peeked is None and [i.name for i in pane.items] == ["Microsoft", "Kuaishou"]
            assert pane.highlighted_item.name == "Kuaishou" and not pane.highlighted_unwatched

    async def test_jump_to_a_company_with_nothing_watched(self, app_factory) -> None:
        app = app_factory(watch=())
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await self._jump(pilot, "快手")
            pane = app.screen.query_one("#watchlist-pane")
            assert pane.items == [] and pane.highlighted_item.name == "Kuaishou"
            assert str(pane.query_one("#watch-heading").render()).startswith("Kuaishou  1 reports")


class TestJumpIndex:
    """The palette's index reads summaries only; a query over 10,000 is a substring pass."""

    def test_finds_by_title_broker_ticker_and_company(self) -> None:
        from yanbao.store.index import IndexRow

        rows = [
            IndexRow("a", "云厂商资本开支继续走高", "华安证券", "2025-07-01", "2025Q2",
                     companies=["腾讯控股"], company_keys=["腾讯控股", "0700.HK", "Tencent"]),
            IndexRow("b", "Cloud capex keeps climbing", "Example Securities", "2025-06-01", "2025Q2",
                     companies=["Alphabet"], company_keys=["Alphabet", "GOOGL"]),
        ]
        index = JumpIndex(rows)
        assert [t.key for t in index.search("0700") if t.kind == "report"] == ["a"]
        assert [t.key for t in index.search("example capex")] == ["b"]
        assert [t.key for t in index.search("资本开支")] == ["a"]
        companies = [t.key for t in index.search("tencent") if t.kind == "company"]
        assert companies == ["腾讯控股"]
        assert index.search("   ") == []
