"""Pilot tests for readability (issue 14): wrapping, scroll position, columns, footer, focus."""

from __future__ import annotations

from dataclasses import replace

from conftest import settle
from rich.cells import cell_len
from snapshot_app import fixture_digests
from textual.widgets import DataTable, Static

from yanbao.store.db import DigestStore
from yanbao.store.model import KeyPoint
from yanbao.tui.widgets.key_points import KeyPointsPane
from yanbao.tui.widgets.report_list import ReportList

LONG_POINT = (
    "云业务：微软 Azure 收入同比增长 39%，略低于市场预期的 39.4%；AWS 四季度收入 356 亿美元，"
    "同比增长 24%，为 13 个季度以来最快增速；谷歌云四季度收入 177 亿美元，经营利润率达 30.1%。"
)


def wrapping_report():
    """A Chinese report whose bullets wrap at every terminal size."""
    base = fixture_digests()[0]
    sections = [KeyPoint("海外云厂商四季度云收入继续加速，资本开支指引大幅提升", [LONG_POINT, LONG_POINT[:40]])]
    return replace(
        base, id="f7" * 32, date="2025-12-01", key_points=sections + list(base.key_points),
        source=replace(base.source, sha256="f7" * 32),
    )


def add(tmp_path, *digests) -> None:
    store = DigestStore(tmp_path / "store.json")
    store.add_many(list(digests))
    store.close()


class TestWrapping:
    """Chinese wraps by character; a bullet's later lines hang under its text."""

    async def test_bullets_wrap_with_a_hanging_indent(self, app_factory, tmp_path) -> None:
        app = app_factory()
        add(tmp_path, wrapping_report())
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            points = app.screen.query_one("#kp-points", Static)
            lines = str(points.render()).split("\n")
            width = points.content_region.width
            bullet = next(i for i, line in enumerate(lines) if line.startswith("   • 云业务"))
            follow = lines[bullet + 1]
            assert follow.startswith("     ") and not follow.startswith("      ")
            assert all(cell_len(line) <= width for line in lines)
            # The Chinese run fills the first line instead of jumping to the next one.
            assert cell_len(lines[bullet]) >= width - 2


class TestScroll:
    """Another report opens Key points at the top."""

    async def test_new_report_starts_at_the_top(self, app_factory, tmp_path) -> None:
        app = app_factory()
        add(tmp_path, wrapping_report())
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            pane = app.screen.query_one(KeyPointsPane)
            pane.scroll_end(animate=False, immediate=True)
            await pilot.pause(0.1)
            assert pane.scroll_y > 0
            app.screen.query_one(ReportList).focus()
            await pilot.press("j")
            await settle(pilot)
            assert pane.digest.id != "f7" * 32 and pane.scroll_y == 0


class TestFooter:
    """The essential keys stay visible in the footer at 120 and at 80 columns."""

    ESSENTIAL = ("?", "q", "/", "f", "s", "w", "d", "e", "i")

    async def shown_keys(self, app, pilot) -> set[str]:
        from textual.widgets._footer import FooterKey

        await pilot.pause()
        width = app.size.width
        return {
            key.key_display for key in app.screen.query(FooterKey)
            if key.region.width and key.region.right <= width
        }

    async def test_essential_keys_fit_at_120_and_80(self, app_factory) -> None:
        for size in ((120, 40), (80, 24)):
            app = app_factory()
            async with app.run_test(size=size, notifications=True) as pilot:
                await settle(pilot)
                shown = await self.shown_keys(app, pilot)
                assert set(self.ESSENTIAL) <= shown, (size, shown)
                await pilot.press("3")  # a pane focused: still there
                await settle(pilot)
                shown = await self.shown_keys(app, pilot)
                assert set(self.ESSENTIAL) <= shown, (size, shown)


def table_fits(table: DataTable) -> bool:
    """Every column inside the table's width: nothing waits behind a horizontal scroll."""
    return sum(c.get_render_width(table) for c in table.columns.values()) <= table.size.width


class TestValueColumns:
    """Value columns show whole at every size; labels give up cells (segment first)."""

    async def test_metrics_values_show_at_80_and_120(self, app_factory) -> None:
        for size in ((80, 24), (120, 40)):
            app = app_factory(corpus=True)
            async with app.run_test(size=size, notifications=True) as pilot:
                await settle(pilot)
                table = app.screen.query_one("#kp-metrics", DataTable)
                assert table.row_count > 0 and table_fits(table), size
                labels = [str(c.label) for c in table.columns.values()]
                assert labels[-3:-1] in (["Value", "Consensus"], ["Value", "Cons."]) and labels[-1] == "vs"
                for index in range(table.row_count):
                    values = [str(cell) for cell in table.get_row_at(index)[3:]]
                    assert not any(v.endswith("…") for v in values), (size, values)

    async def test_compare_and_watchlist_values_show_at_80(self, app_factory) -> None:
        app = app_factory(corpus=True)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            table = app.screen.query_one("#compare-table", DataTable)
            assert table.row_count > 0 and table_fits(table)
            assert [str(c.label) for c in table.columns.values()][1:] == ["Change", "From", "To", "vs cons."]
            for index in range(table.row_count):
                assert not any(str(cell).endswith("…") for cell in table.get_row_at(index)[1:])
            await pilot.press("2")
            await settle(pilot)
            reports = app.screen.query_one("#watch-reports", DataTable)
            assert reports.row_count > 0 and table_fits(reports)
            watched = app.screen.query_one("#watch-list")
            assert watched.size.width > 40  # stacked above the detail, names whole
            for index in range(reports.row_count):
                date, _, period, _, title = (str(c) for c in reports.get_row_at(index))
                assert len(date) == 10 and not period.endswith("…") and len(title) >= 8


class TestSplit:
    """The list/pane split moves with [ and ] or by dragging the bar, and is remembered."""

    async def test_keys_resize_and_the_next_start_remembers(self, app_factory, own_settings) -> None:
        from yanbao.tui.data.settings import load_settings
        from yanbao.tui.widgets.report_browser import ReportBrowser

        app = app_factory()
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            before = app.screen.query_one(ReportBrowser).size.height  # stacked at 120 columns
            rows_before = app.screen.query_one(ReportList).size.height
            await pilot.press("right_square_bracket", "right_square_bracket")
            await pilot.pause()
            after = app.screen.query_one(ReportBrowser).size.height
            assert after > before and app.screen.query_one(ReportList).size.height > rows_before
        saved = load_settings(own_settings).split
        assert saved is not None
        app = app_factory()
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            assert app.screen.query_one(ReportBrowser).size.height == after

    async def test_dragging_the_bar(self, app_factory, own_settings) -> None:
        from yanbao.tui.data.settings import load_settings
        from yanbao.tui.widgets.report_browser import ReportBrowser
        from yanbao.tui.widgets.splitter import Splitter

        app = app_factory()
        async with app.run_test(size=(200, 50), notifications=True) as pilot:
            await settle(pilot)
            browser = app.screen.query_one(ReportBrowser)
            before = browser.size.width
            await pilot.mouse_down(Splitter)
            await pilot.hover("#main", offset=(120, 10))
            await pilot.mouse_up("#main", offset=(120, 10))
            await pilot.pause()
            assert browser.size.width > before + 20
        assert load_settings(own_settings).split == 60

    async def test_list_shows_more_rows_at_120x40(self, app_factory) -> None:
        app = app_factory(corpus=True)
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            assert app.screen.query_one(ReportList).size.height >= 10


class TestListColumns:
    """The sorted column keeps its arrow; a wide list gives brokers room."""

    def test_period_header_keeps_its_arrow_and_brokers_get_room(self) -> None:
        from yanbao.tui.widgets.report_list import Columns, header_text

        assert "Period▼" in header_text(60, "period", True)
        assert "Kestrelmoor Sec" in Columns.for_width(120).line("2025-11-05", "Kestrelmoor Securities", "2025Q3", "x")


class TestTabStops:
    """Tab stops only where a key acts: no stop on the tabs (1-4 do that) or on a scroll
    area with nothing to scroll."""

    async def test_two_tabs_from_the_list_to_the_metrics(self, app_factory) -> None:
        from textual.widgets._tabbed_content import ContentTabs

        from yanbao.tui.widgets.scroll import ScrollWhenNeeded

        app = app_factory()
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("tab", "tab")
            assert app.focused.id == "kp-metrics"
            for pane in ("2", "3", "4"):
                await pilot.press(pane)
                await settle(pilot)
                app.screen.query_one(ReportList).focus()
                for _ in range(8):
                    await pilot.press("tab")
                    focused = app.focused
                    assert not isinstance(focused, ContentTabs)
                    if isinstance(focused, ScrollWhenNeeded):
                        assert focused.max_scroll_y > 0


class TestLanguage:
    """One label language per screen, from the setting (or the report's), shared with the CLI."""

    async def test_setting_en_gives_english_labels_in_app_and_cli(self, app_factory, own_settings, tmp_path, capsys) -> None:
        from yanbao.tui.cli import main
        from yanbao.tui.data.settings import Settings, save_settings
        from yanbao.tui.widgets.compare import ComparePane

        save_settings(Settings(lang="en"), own_settings)
        app = app_factory()
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            digest = app.screen.query_one(KeyPointsPane).digest
            assert digest.language == "zh"
            table = app.screen.query_one("#kp-metrics", DataTable)
            labels = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
            assert "Revenue growth YoY" in labels and "收入同比增速" not in labels
            await pilot.press("4")
            await settle(pilot)
            compare = app.screen.query_one(ComparePane).query_one("#compare-table", DataTable)
            figures = [str(compare.get_row_at(i)[0]) for i in range(compare.row_count)]
            assert "Microsoft · Azure · Revenue growth YoY" in figures
        capsys.readouterr()
        assert main(["--store", str(tmp_path / "store.json"), "show", digest.id[:12]]) == 0
        assert "Revenue growth YoY" in capsys.readouterr().out

    async def test_auto_follows_the_report_on_every_pane(self, app_factory) -> None:
        from yanbao.tui.widgets.compare import ComparePane

        app = app_factory()
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("j")  # 2025-05-20 Example Securities, an English report
            await settle(pilot)
            assert app.screen.query_one(KeyPointsPane).digest.language == "en"
            table = app.screen.query_one("#kp-metrics", DataTable)
            assert all(str(table.get_row_at(i)[2]).isascii() for i in range(table.row_count))
            await pilot.press("4")
            await settle(pilot)
            compare = app.screen.query_one(ComparePane).query_one("#compare-table", DataTable)
            assert "Microsoft · Azure · Revenue growth YoY" in [str(compare.get_row_at(i)[0]) for i in range(compare.row_count)]
