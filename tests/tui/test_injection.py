"""Report text is shown literally: markup and escape codes neither style, act nor crash."""

from __future__ import annotations

from conftest import settle
from textual.widgets import DataTable, Static
from textual.widgets._toast import Toast

from yanbao.tui.screens.main import MainScreen
from yanbao.tui.widgets.key_points import KeyPointsPane
from yanbao.tui.widgets.report_list import ReportList
from yanbao.tui.widgets.safe_text import clean, safe

HOSTILE = [
    "[Table_Summary] x",
    "[/x]",
    "[bold red]",
    "[@click=app.quit]boom[/]",
    "[link=http://x]",
    "[type=x, v={'a[0]'}]",
    "[图表1]",
]


class TestSafeText:
    """clean() drops escapes and controls; safe() keeps every bracket."""

    def test_markup_is_kept_literally(self) -> None:
        for text in HOSTILE:
            assert safe(text).plain == text
            assert safe(text).spans == []

    def test_ansi_and_osc_escapes_are_removed(self) -> None:
        raw = "\x1b[31mred\x1b]8;;http://x\x07link\x1b]8;;\x07 \x1b[1;32mgreen\x1b[0m"
        assert clean(raw) == "redlink green"

    def test_controls_are_removed_tabs_become_spaces(self) -> None:
        assert clean("a\x00b\x07c\x08d\te\x7f\u202ef") == "abcd ef"
        assert clean("line\r\nnext", one_line=True) == "line next"

    def test_c1_csi_and_unterminated_osc(self) -> None:
        assert clean("a\x9b31mb") == "ab"
        assert clean("ok\x1b]0;title") == "ok"


class TestHostileReport:
    """The injection digest in a running app."""

    async def test_every_pane_shows_the_text_literally(self, app_factory) -> None:
        app = app_factory(injection=True)
        async with app.run_test(size=(160, 45), notifications=True) as pilot:
            await settle(pilot)
            report_list = app.screen.query_one(ReportList)
            assert report_list.rows[0].title.startswith("[bold red]Injected")
            pane = app.screen.query_one(KeyPointsPane)
            heading = str(app.screen.query_one("#kp-heading", Static).render())
            assert "[bold red]Injected[/] [Table_Summary] x redlink" in heading
            assert "[link=http://x]Evil[/link]" in heading and "[@click=app.quit]boom[/]" in heading
            points = str(app.screen.query_one("#kp-points", Static).render())
            for literal in ("[/x] closing tag first", "[@click=app.quit]boom[/] click me", "[type=x, v={'a[0]'}] and [图表1]"):
                assert literal in points
            assert "\x1b" not in points and "\x00" not in points and "\x07" not in points
            assert "ANSI green and bell and NUL end" in points
            source = str(app.screen.query_one("#kp-source", Static).render())
            assert source == "[@click=app.quit]quit[/] red"
            table = pane.query_one("#kp-metrics", DataTable)
            assert str(table.get_row_at(0)[0]) == "[red]Evil[/red]"
            for key in ("2", "3", "4"):
                await pilot.press(key)
                await settle(pilot)
            risks = app.screen.query_one("#risks-library", DataTable)
            cells = {str(risks.get_row_at(i)[0]) for i in range(risks.row_count)}
            assert "[/]" in cells and "[bold]risk[/bold] blink" in cells

    async def test_clicking_hostile_text_runs_no_action(self, app_factory) -> None:
        """A [@click=app.quit] in report text is just text: clicking it does not quit."""
        app = app_factory(injection=True)
        async with app.run_test(size=(160, 45), notifications=True) as pilot:
            await settle(pilot)
            for selector in ("#kp-points", "#kp-heading", "#kp-source"):
                widget = app.screen.query_one(selector, Static)
                for x in (2, 8, 16, 30):  # across the literal "[@click=app.quit]boom[/]"
                    await pilot.click(widget, offset=(x, 1))
                    await pilot.click(widget, offset=(x, 0))
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, MainScreen)

    async def test_hostile_text_in_search_and_watch_prompts(self, app_factory) -> None:
        """Markup typed into prompts ends up in notifications and status lines literally."""
        app = app_factory(injection=True)
        async with app.run_test(size=(160, 45), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("slash")
            app.screen.query_one("Input").value = "[/x]"
            await pilot.press("enter")
            await settle(pilot)
            assert "search: [/x]" in str(app.screen.query_one("#list-status", Static).render())
            await pilot.pause(0.2)
            assert any("“[/x]”" in str(toast.render()) for toast in app.screen.query(Toast))
            await pilot.press("w")
            app.screen.query_one("Input").value = "[bold]Nobody[/bold]"
            await pilot.press("enter")
            await settle(pilot)
            await pilot.pause(0.2)
            assert any("[bold]Nobody[/bold]" in str(toast.render()) for toast in app.screen.query(Toast))
            assert app.is_running
