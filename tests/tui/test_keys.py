"""Pilot tests: every key of the app does what the footer and help say."""

from __future__ import annotations

import threading
from pathlib import Path

from conftest import settle
from textual.command import CommandPalette
from textual.widgets import DataTable, Input, OptionList, Static, TabbedContent

from yanbao.store.db import DigestStore
from yanbao.tui.app import YanbaoApp
from yanbao.tui.screens.export_result import ExportResultDialog
from yanbao.tui.screens.help import HelpScreen
from yanbao.tui.screens.ingest import IngestDialog
from yanbao.tui.data.library import Library
from yanbao.tui.screens.main import MainScreen
from yanbao.tui.screens.prompt import PromptDialog
from yanbao.tui.widgets.key_point_list import KeyPointList
from yanbao.tui.widgets.key_points import KeyPointsPane
from yanbao.tui.widgets.report_list import ReportList
from yanbao.tui.widgets.watchlist import WatchlistPane

SIZE = (120, 40)


def static_text(app: YanbaoApp, selector: str) -> str:
    """The plain text a Static shows."""
    return str(app.screen.query_one(selector, Static).render())


def titles(app: YanbaoApp) -> list[str]:
    return [s.title for s in app.screen.query_one(ReportList).rows]


class TestStartup:
    """Loading happens in a worker; the list is newest first."""

    async def test_first_paint_does_not_wait_for_the_store(self, tmp_path: Path) -> None:
        """The screen is up and says 'Loading' while the store is still opening."""
        gate = threading.Event()

        class SlowLibrary(Library):
            def open(self, *, seed: bool = True) -> tuple[int, list[str]]:
                gate.wait(10)
                return super().open(seed=seed)

        from snapshot_app import make_store

        app = YanbaoApp(store_path=make_store(tmp_path / "store.json"))
        app.library = SlowLibrary(app.library.store_path)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            report_list = app.screen.query_one(ReportList)
            assert isinstance(app.screen, MainScreen)
            assert report_list.rows == [] and "Loading" in report_list.empty_message
            gate.set()
            await settle(pilot)
            assert len(report_list.rows) == 4

    async def test_list_is_newest_first(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            dates = [s.date for s in app.screen.query_one(ReportList).rows]
            assert dates == sorted(dates, reverse=True)
            assert "5 reports" not in static_text(app, "#list-status")
            assert "4 reports" in static_text(app, "#list-status")

    async def test_empty_store_is_seeded_with_bundled_samples(self, tmp_path: Path) -> None:
        """An empty store gets the bundled sample reports, in the worker."""
        from yanbao.store.bundled import bundled_sample_paths

        app = YanbaoApp(store_path=tmp_path / "empty.json")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot, timeout=120)
            rows = app.screen.query_one(ReportList).rows
            assert len(rows) == len(bundled_sample_paths()) > 0


    async def test_big_library_loads_digests_only_when_a_pane_needs_them(self, app_factory, monkeypatch) -> None:
        """Above EAGER_LIBRARY reports the list and key points come first; panes 2-4 are
        filled when one of them is opened (the risk tally streams every digest then)."""
        import yanbao.tui.screens.main as main_screen

        monkeypatch.setattr(main_screen, "EAGER_LIBRARY", 2)
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            assert len(titles(app)) == 4 and not app.screen.library_ready
            await pilot.press("j")
            await settle(pilot)
            assert app.screen.query_one(KeyPointsPane).digest.title == titles(app)[1]  # via store.get
            await pilot.press("3")
            await settle(pilot)
            assert app.screen.library_ready
            assert app.screen.query_one("#risks-library", DataTable).row_count > 0

    async def test_damaged_store_is_reported_and_left_alone(self, tmp_path: Path) -> None:
        """A store file that is not JSON: one line naming it, no traceback, file untouched."""
        path = tmp_path / "store.json"
        path.write_text("{not json", encoding="utf-8")
        app = YanbaoApp(store_path=path)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            status = static_text(app, "#list-status")
            assert str(path) in status and "\n" not in status
            assert app.screen.query_one(ReportList).rows == []
            assert app.is_running
        assert path.read_text(encoding="utf-8") == "{not json"


class TestMoving:
    """Arrows and j/k move; Enter opens; number keys and Tab reach the panes."""

    async def test_arrows_and_jk_move_the_cursor_and_fill_key_points(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            report_list = app.screen.query_one(ReportList)
            assert report_list.cursor == 0
            await pilot.press("down", "j")
            assert report_list.cursor == 2
            await pilot.press("k")
            assert report_list.cursor == 1
            await pilot.press("up", "up")
            assert report_list.cursor == 0
            await pilot.press("j")
            await settle(pilot)
            pane = app.screen.query_one(KeyPointsPane)
            assert pane.digest is not None and pane.digest.title == report_list.rows[1].title

    async def test_enter_opens_the_report_in_key_points(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("2")
            await pilot.press("escape")  # back to the list
            assert isinstance(app.focused, ReportList)
            await pilot.press("j", "enter")
            await settle(pilot)
            assert app.screen.query_one(TabbedContent).active == "keypoints"
            assert isinstance(app.focused, KeyPointList)  # the key points, with their cursor
            assert app.screen.query_one(KeyPointsPane).digest.title == titles(app)[1]

    async def test_clicking_a_row_moves_the_cursor(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.click(ReportList, offset=(5, 2))
            await settle(pilot)
            assert app.screen.query_one(ReportList).cursor == 2
            assert app.screen.query_one(KeyPointsPane).digest.title == titles(app)[2]

    async def test_number_keys_switch_panes(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            for key, pane in zip("2341", ("watchlist", "risks", "compare", "keypoints")):
                await pilot.press(key)
                assert app.screen.query_one(TabbedContent).active == pane

    async def test_tab_moves_focus_from_the_list_into_the_panes(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            assert isinstance(app.focused, ReportList)
            await pilot.press("tab")
            assert not isinstance(app.focused, ReportList)
            assert any(node.id == "panes" for node in app.focused.ancestors_with_self)

    async def test_jk_move_inside_pane_tables(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("3")
            table = app.screen.query_one("#risks-library", DataTable)
            assert app.focused is table and table.cursor_row == 0
            await pilot.press("j", "j", "k")
            assert table.cursor_row == 1


class TestSortAndFilter:
    """s cycles the sort column; f filters by broker, period and company."""

    async def test_sort_cycles_columns(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("s")
            brokers = [s.broker for s in app.screen.query_one(ReportList).rows]
            assert brokers == sorted(brokers, key=str.casefold)
            assert "Broker▲" in str(app.screen.query_one("#list-header").render())
            await pilot.press("s")
            periods = [s.period for s in app.screen.query_one(ReportList).rows]
            assert periods == sorted(periods)

    async def test_filter_by_broker_period_and_company(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("f")
            assert isinstance(app.focused, Input)
            await pilot.press(*"broker:华安")
            assert {s.broker for s in app.screen.query_one(ReportList).rows} == {"华安证券"}
            await pilot.press(*" period:2025Q2")
            assert len(app.screen.query_one(ReportList).rows) == 1
            app.focused.value = "company:Alphabet"
            await pilot.pause()
            assert titles(app) == ["Cloud capex keeps climbing as AI demand broadens"]
            await pilot.press("escape")
            assert len(app.screen.query_one(ReportList).rows) == 4


class TestSearch:
    """/ searches titles, key points, companies and risks in a worker; Esc clears."""

    async def search(self, pilot, query: str) -> None:
        await pilot.press("slash")
        assert isinstance(pilot.app.screen, PromptDialog)
        pilot.app.screen.query_one(Input).value = query
        await pilot.press("enter")
        await settle(pilot)

    async def test_search_chinese_and_english(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await self.search(pilot, "资本开支")
            # 资本开支 names the capex concept: the English capex note matches too (#16).
            assert sorted(titles(app)) == ["Cloud capex keeps climbing as AI demand broadens",
                                           "云厂商资本开支继续走高，港股互联网估值有望修复"]
            await pilot.press("escape")
            assert len(titles(app)) == 4
            await self.search(pilot, "Azure")
            assert "Cloud capex keeps climbing as AI demand broadens" in titles(app)
            assert "search: Azure" in static_text(app, "#list-status")

    async def test_search_for_a_risk(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await self.search(pilot, "地缘政治")
            assert titles(app) == ["AI 需求外溢到云收入，二季度增速再上台阶"]

    async def test_the_match_line_says_why_a_report_matched(self, app_factory) -> None:
        """#16: a search shows the highlighted report's matching words in context."""
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            match = app.screen.query_one("#list-match")
            assert not match.display
            await self.search(pilot, "地缘政治")
            await settle(pilot)
            assert match.display
            line = match.render()
            marked = [line.plain[span.start:span.end] for span in line.spans if "reverse" in repr(span.style)]
            assert marked == ["地缘政治"]
            await pilot.press("escape")
            await settle(pilot)
            assert not match.display

    async def test_escape_cancels_the_prompt(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("slash", "escape")
            assert isinstance(app.screen, MainScreen)
            assert len(titles(app)) == 4


class TestWatchlist:
    """w adds (typed or under the cursor), d removes; the change persists in the store."""

    async def test_add_typed_company_and_remove_it(self, app_factory, tmp_path: Path) -> None:
        app = app_factory(watch=())
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("w")
            assert isinstance(app.screen, PromptDialog)
            prompt = app.screen.query_one(Input)
            assert prompt.value  # suggests the report's first pick
            prompt.value = "腾讯控股"
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            pane = app.screen.query_one(WatchlistPane)
            assert [i.name for i in pane.items] == [DigestStore(tmp_path / "store.json").watchlist()[0].name]
            assert pane.query_one("#watch-reports", DataTable).row_count == 3
            await pilot.press("d")
            await settle(pilot)
            assert pane.items == []
        assert DigestStore(tmp_path / "store.json").watchlist() == []

    async def test_add_company_under_the_cursor(self, app_factory, tmp_path: Path) -> None:
        """With the metrics table focused, w watches the highlighted metric's company."""
        app = app_factory(watch=())
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("j", "j", "j")  # 2025-05-06 华安 report: Microsoft / Azure first
            await settle(pilot)
            app.screen.query_one("#kp-metrics", DataTable).focus()
            await pilot.press("w")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
        names = [i.name for i in DigestStore(tmp_path / "store.json").watchlist()]
        assert names == ["Microsoft"]

    async def test_watchlist_pane_lists_reports_and_figures(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            pane = app.screen.query_one(WatchlistPane)
            assert pane.query_one(OptionList).option_count == 1
            reports = pane.query_one("#watch-reports", DataTable)
            dates = [str(reports.get_row_at(i)[0]) for i in range(reports.row_count)]
            assert dates == sorted(dates, reverse=True) and len(dates) == 4
            figures = pane.query_one("#watch-figures", DataTable)
            labels = [str(figures.get_row_at(i)[0]) for i in range(figures.row_count)]
            assert any("Azure" in label for label in labels)


    async def test_enter_on_a_watchlist_report_opens_it(self, app_factory) -> None:
        """Enter on a report in the watchlist pane shows it in Key points, even if filtered out."""
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("f", *"Cloud", "enter")  # only the Example Securities report
            assert len(titles(app)) == 1
            await pilot.press("2")
            await settle(pilot)
            reports = app.screen.query_one("#watch-reports", DataTable)
            reports.focus()
            await pilot.press("down", "down", "enter")  # third: 2025-05-06 华安
            await settle(pilot)
            assert app.screen.query_one(TabbedContent).active == "keypoints"
            assert len(titles(app)) == 4
            digest = app.screen.query_one(KeyPointsPane).digest
            assert digest.date == "2025-05-06"
            assert app.screen.query_one(ReportList).highlighted.id == digest.id


class TestExport:
    """e writes the current view as markdown to a new file and never overwrites one."""

    async def test_export_key_points_twice_makes_two_files(self, app_factory, tmp_path: Path, monkeypatch) -> None:
        out = tmp_path / "out"
        out.mkdir()
        monkeypatch.chdir(out)
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, ExportResultDialog)
            first = app.screen.path
            await pilot.press("enter")
            await pilot.press("e")
            await settle(pilot)
            second = app.screen.path
            await pilot.press("escape")
        assert first != second and first.parent == second.parent == out
        assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")
        assert titles_in(first) and "AI 需求外溢到云收入" in first.read_text(encoding="utf-8")

    async def test_export_watchlist_and_compare(self, app_factory, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            written = []
            for pane in ("2", "4"):
                await pilot.press(pane)
                await settle(pilot)
                await pilot.press("e")
                await settle(pilot)
                written.append(app.screen.path)
                await pilot.press("escape")
        assert "Microsoft" in written[0].read_text(encoding="utf-8")
        assert "2025Q2" in written[1].read_text(encoding="utf-8")


def titles_in(path: Path) -> bool:
    return path.read_text(encoding="utf-8").startswith("#")


class TestIngest:
    """i asks for a path and ingests it in a thread with a progress bar."""

    async def test_ingest_a_folder_with_a_broken_file(self, app_factory, tmp_path: Path) -> None:
        """A folder with one sample and one non-PDF: progress to 100 %, the failure listed
        first with its reason, the good report stored and shown after closing."""
        import shutil

        from yanbao.store.bundled import bundled_sample_paths

        folder = tmp_path / "inbox"
        folder.mkdir()
        sample = next(p for p in bundled_sample_paths() if p.suffix == ".pdf")
        shutil.copy(sample, folder / sample.name)
        (folder / "broken.pdf").write_text("not a pdf at all", encoding="utf-8")
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("i")
            assert isinstance(app.screen, IngestDialog)
            app.screen.query_one(Input).value = str(folder)
            await pilot.press("enter")
            await settle(pilot, timeout=120)
            dialog = app.screen
            assert isinstance(dialog, IngestDialog) and dialog.report
            assert dialog.query_one("#ingest-progress").percentage == 1.0
            assert "1 ok, 0 skipped, 1 failed" in str(dialog.query_one("#ingest-status", Static).render())
            log = str(dialog.query_one("#ingest-log", Static).render()).splitlines()
            assert log[0].startswith("failed  broken.pdf: ") and "ok" in log[1]
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
            assert len(app.screen.query_one(ReportList).rows) == 5

    async def test_waiting_for_another_writer_is_shown(self, app_factory, tmp_path: Path, monkeypatch) -> None:
        """Another process holds the library's lock: the dialog says the ingest waits, and
        the ingest ends normally once the lock is free (issue 18)."""
        import threading

        from filelock import FileLock

        from yanbao.store.storage import AtomicJSONStorage, lock_path

        # The app's stores ask for the lock for 0.3 s at a time instead of 30 s.
        monkeypatch.setitem(AtomicJSONStorage.__init__.__kwdefaults__, "lock_timeout", 0.3)
        folder = tmp_path / "inbox"
        folder.mkdir()
        (folder / "note.txt").write_text("测试证券 晨会纪要\n投资要点\n1）云业务收入同比增长20%。\n", encoding="utf-8")
        app = app_factory()
        release = threading.Event()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            held = threading.Event()

            def hold() -> None:  # filelock locks belong to the thread that takes them
                with FileLock(str(lock_path(tmp_path / "store.json"))):
                    held.set()
                    release.wait(60)

            threading.Thread(target=hold, daemon=True).start()
            held.wait(10)
            await pilot.press("i")
            app.screen.query_one(Input).value = str(folder)
            await pilot.press("enter")
            status = app.screen.query_one("#ingest-status", Static)
            for _ in range(600):
                if "waiting for another yanbao" in str(status.render()):
                    break
                await pilot.pause(0.05)
            assert "waiting for another yanbao writing this library…" in str(status.render())
            release.set()
            await settle(pilot, timeout=120)
            assert "1 ok, 0 skipped, 0 failed" in str(status.render())

    async def test_missing_path_is_one_line(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("i")
            app.screen.query_one(Input).value = "/no/such/place.pdf"
            await pilot.press("enter")
            assert "no such file or folder" in str(app.screen.query_one("#ingest-status", Static).render())
            await pilot.press("escape")
            assert isinstance(app.screen, MainScreen)


class TestHelpQuitPalette:
    """? shows every key, q quits, Ctrl+P runs the same actions by name."""

    async def test_help_lists_every_binding(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            keys = {row[1] for row in __import__("yanbao.tui.screens.help", fromlist=["x"]).binding_rows(app.screen.groups)}
            for key in ("1", "2", "3", "4", "/", "f", "s", "w", "d", "e", "i", "q", "?", "Ctrl+P", "j", "k", "Enter", "Esc"):
                assert any(key in k.split(" / ") for k in keys), key
            await pilot.press("escape")
            assert isinstance(app.screen, MainScreen)

    async def test_q_quits(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("q")
            await pilot.pause()
            assert not app.is_running

    async def test_command_palette_runs_actions(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert CommandPalette.is_open(app)
            await pilot.press(*"show risks")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.query_one(TabbedContent).active == "risks"


class TestCompare:
    """Pane 4 compares two quarters, or a report with its broker's previous one."""

    async def test_quarters_show_changes_and_chart(self, app_factory) -> None:
        from yanbao.store.compare import QuarterComparison

        from yanbao.tui.widgets.compare import ComparePane

        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            pane = app.screen.query_one(ComparePane)
            assert pane.quarters == ("2025Q1", "2025Q2")
            assert isinstance(pane.comparison, QuarterComparison)
            azure = pane.comparison.find("Microsoft", "Azure", "revenue_growth_yoy")
            assert azure is not None and azure.change == 6.0 and azure.change_unit == "pp"
            table = pane.query_one("#compare-table", DataTable)
            labels = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
            row = labels.index("Microsoft · Azure · 收入同比增速")
            assert str(table.get_row_at(row)[1]) == "↑ +6.0pp"
            assert table.get_row_at(row)[1].style == "green"
            table.move_cursor(row=row)
            await settle(pilot)
            chart = str(pane.query_one("#compare-chart").render())
            assert "Microsoft · Azure · 收入同比增速" in chart and "2024Q4" in chart and "2025Q2" in chart

    async def test_report_against_its_brokers_previous(self, app_factory) -> None:
        from yanbao.tui.widgets.compare import ComparePane

        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            pane = app.screen.query_one(ComparePane)
            pane.query_one("#compare-mode").value = "reports"
            await settle(pilot)
            # The newest report (华安 2025-08-05) against 华安 2025-05-06.
            assert pane.comparison is not None
            assert pane.comparison.left_ids == ["a1" * 32] and pane.comparison.right_ids == ["b2" * 32]
            assert [p.name for p in pane.comparison.picks.added] and pane.comparison.find(
                "Microsoft", "Azure", "revenue_growth_yoy").change == 6.0
            await pilot.press("escape", "j")  # 2025-05-20 Example Securities: no earlier report
            await settle(pilot)
            assert pane.comparison is None
            assert "No earlier report" in str(pane.query_one("#compare-status", Static).render())


class TestCursorRest:
    """The panes follow the cursor once it rests, so a held arrow key only moves the list."""

    async def test_panes_wait_for_the_cursor_to_rest(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            pane = app.screen.query_one(KeyPointsPane)
            first = pane.digest
            assert first is not None and first.title == titles(app)[0]
            await pilot.press("j", "j")
            assert app.screen.query_one(ReportList).cursor == 2
            assert app.screen.panes_pending and pane.digest is first  # not yet
            await pilot.pause(0.3)  # the rest (0.1 s), then the store read in its worker
            await settle(pilot)
            assert not app.screen.panes_pending and pane.digest.title == titles(app)[2]
