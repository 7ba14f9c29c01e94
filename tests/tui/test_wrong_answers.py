"""Pilot tests for the daily user's wrong answers (issue 14): each failed before its fix."""

from __future__ import annotations

from dataclasses import replace

from conftest import settle
from snapshot_app import fixture_digests
from textual.widgets import DataTable, Input, Select, Static

from yanbao.store.db import DigestStore
from yanbao.tui.app import YanbaoApp
from yanbao.tui.screens.choice import ChoiceDialog
from yanbao.tui.screens.export_result import ExportResultDialog
from yanbao.tui.screens.main import MainScreen
from yanbao.tui.screens.prompt import PromptDialog
from yanbao.tui.widgets.compare import ComparePane
from yanbao.tui.widgets.report_list import ReportList
from yanbao.tui.widgets.risks import RisksPane
from yanbao.tui.widgets.watchlist import WatchlistPane

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


def notes(app: YanbaoApp) -> list[str]:
    """The notifications shown so far."""
    return [n.message for n in app._notifications]


class TestWatchGuard:
    """``w`` asks before watching a name nobody knows; says when it is already watched;
    ``d`` says what the user typed."""

    async def watch_typed(self, pilot, name: str) -> None:
        await pilot.press("w")
        assert isinstance(pilot.app.screen, PromptDialog)
        pilot.app.screen.query_one(Input).value = name
        await pilot.press("enter")
        await settle(pilot)

    async def test_a_typo_offers_the_closest_names(self, app_factory, tmp_path) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await self.watch_typed(pilot, "Tencnet")
            dialog = app.screen
            assert isinstance(dialog, ChoiceDialog)
            assert dialog.values[0] == "Tencent" and dialog.values[-1] == "Tencnet"
            await pilot.press("enter")  # the first: the closest match
            await settle(pilot)
            assert isinstance(app.screen, MainScreen)
        assert [i.name for i in DigestStore(tmp_path / "store.json").watchlist()] == ["Microsoft", "Tencent"]

    async def test_an_unknown_name_is_not_added_unless_confirmed(self, app_factory, tmp_path) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await self.watch_typed(pilot, "foobar")
            assert isinstance(app.screen, ChoiceDialog) and app.screen.values == ["foobar"]
            await pilot.press("escape")
            await settle(pilot)
            assert any("foobar was not added" in n for n in notes(app))
            assert [i.name for i in DigestStore(tmp_path / "store.json").watchlist()] == ["Microsoft"]
            await self.watch_typed(pilot, "foobar")
            await pilot.press("enter")  # "as typed": the user insists
            await settle(pilot)
        assert [i.name for i in DigestStore(tmp_path / "store.json").watchlist()] == ["Microsoft", "foobar"]

    async def test_a_known_name_is_added_without_asking(self, app_factory, tmp_path) -> None:
        app = app_factory(watch=())
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await self.watch_typed(pilot, "快手")  # in the library, by its Chinese name
            assert isinstance(app.screen, MainScreen)
        assert len(DigestStore(tmp_path / "store.json").watchlist()) == 1

    async def test_watching_again_says_already_watched(self, app_factory, tmp_path) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await self.watch_typed(pilot, "微软")
            assert isinstance(app.screen, MainScreen)
            assert any(n == "微软 (Microsoft) is already watched" for n in notes(app)), notes(app)
        assert [i.name for i in DigestStore(tmp_path / "store.json").watchlist()] == ["Microsoft"]

    async def test_removing_names_what_was_typed(self, app_factory, tmp_path) -> None:
        app = app_factory(watch=("Apple", "Microsoft"))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("d")
            assert isinstance(app.screen, PromptDialog)
            app.screen.query_one(Input).value = "苹果"
            await pilot.press("enter")
            await settle(pilot)
            assert "Stopped watching 苹果 (Apple)" in notes(app), notes(app)
        assert [i.name for i in DigestStore(tmp_path / "store.json").watchlist()] == ["Microsoft"]

    async def test_cursor_stays_near_after_removal(self, app_factory) -> None:
        app = app_factory(watch=("Apple", "Microsoft", "Tencent"))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            await pilot.press("down", "down")  # Tencent, the last
            await settle(pilot)
            await pilot.press("up", "d")  # remove Microsoft
            await settle(pilot)
            pane = app.screen.query_one(WatchlistPane)
            assert [i.name for i in pane.items] == ["Apple", "Tencent"]
            assert pane.highlighted_item.name == "Tencent"


def add_digests(tmp_path, *digests) -> None:
    """Put more digests into the fixture store the app will open."""
    store = DigestStore(tmp_path / "store.json")
    store.add_many(list(digests))
    store.close()


LONG_RISK = "门店翻新节奏与装修工期安排的说明，" * 80  # a paragraph the parser took for a risk


class TestRisksPane:
    """Pane 3 exports its own table; junk never reaches the tally; long risks are bounded and wrap."""

    async def test_e_exports_the_risk_table(self, app_factory, tmp_path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("3")
            await settle(pilot)
            await pilot.press("e")
            await settle(pilot)
            assert isinstance(app.screen, ExportResultDialog)
            text = app.screen.path.read_text(encoding="utf-8")
        assert text.startswith("# Risks") and "## Across the library" in text
        assert "| Risk | Reports | Quarters |" in text and "地缘政治" in text
        assert "## Key points" not in text and "关键" not in text.split("\n")[0]

    async def test_junk_and_overlong_risks_are_guarded(self, app_factory, tmp_path) -> None:
        base = fixture_digests()[0]
        junk = replace(base, id="f6" * 32, date="2025-09-01", risks=["com", "1%", "10", "00%", LONG_RISK, "监管政策变化"])
        app = app_factory()
        add_digests(tmp_path, junk)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("3")
            await settle(pilot)
            pane = app.screen.query_one(RisksPane)
            wordings = [t.wording for t in pane.tally]
            assert not {"com", "1%", "10", "00%"} & set(wordings)
            assert max(len(w) for w in wordings) <= 160
            table = pane.query_one("#risks-library", DataTable)
            assert sum(c.get_render_width(table) for c in table.columns.values()) <= table.size.width
            long_row = next(i for i, t in enumerate(pane.tally) if t.wording.startswith("门店翻新"))
            assert table.rows[table.ordered_rows[long_row].key].height > 1  # wrapped, not cut
            shown = str(pane.query_one("#risks-report", Static).render())
            assert "com" not in shown.split("\n")[0] and "1. 门店翻新" in shown and "2. 监管政策变化" in shown


class TestCompareOrder:
    """Quarters picked backwards are put in order (and the pane says so)."""

    async def test_reversed_quarters_are_ordered(self, app_factory) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            pane = app.screen.query_one(ComparePane)
            pane.query_one("#compare-left", Select).value = "2025Q2"
            await settle(pilot)
            pane.query_one("#compare-right", Select).value = "2025Q1"
            await settle(pilot)
            assert pane.quarters == ("2025Q1", "2025Q2")
            assert (pane.comparison.left_period, pane.comparison.right_period) == ("2025Q1", "2025Q2")
            azure = pane.comparison.find("Microsoft", "Azure", "revenue_growth_yoy")
            assert azure.change == 6.0  # a rise shown as a rise, not a cut
            assert "swapped" in str(pane.query_one("#compare-status", Static).render())
            assert any("From was later than To" in n for n in notes(app))


def kestrel_reports() -> list:
    """One broker's Tencent note, its sector report a month earlier and its previous Tencent note."""
    from yanbao.store.model import CompanyRating

    base = fixture_digests()[0]

    def make(tag: str, date: str, period: str, rated: bool, title: str):
        return replace(
            base, id=tag * 32, date=date, period=period, title=title, broker="Kestrel Securities",
            source=replace(base.source, sha256=tag * 32, path=f"reports/{tag}.pdf"),
            company_ratings=[CompanyRating("腾讯控股", "买入", ticker="0700.HK")] if rated else [],
        )

    return [
        make("e1", "2025-05-15", "2025Q1", True, "腾讯控股：一季度广告加速"),
        make("e2", "2025-08-20", "2025Q2", False, "互联网行业：美团、阿里巴巴与腾讯的二季度"),
        make("e3", "2025-09-10", "2025Q2", True, "腾讯控股：二季度云收入超预期"),
    ]


class TestReportVsPrevious:
    """The app's report-vs-previous is ``store.compare.previous_report``, as the CLI's is."""

    async def test_a_company_note_is_compared_with_the_previous_note_on_it(self, app_factory, tmp_path) -> None:
        older, sector, newest = kestrel_reports()
        app = app_factory()
        add_digests(tmp_path, older, sector, newest)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            assert app.screen.query_one(ReportList).highlighted.id == newest.id
            await pilot.press("4")
            await settle(pilot)
            pane = app.screen.query_one(ComparePane)
            pane.query_one("#compare-mode", Select).value = "reports"
            await settle(pilot)
            assert pane.comparison is not None
            assert pane.comparison.left_ids == [older.id] and pane.comparison.right_ids == [newest.id]


class TestStartup:
    """While the first report is read, the panes name it instead of asking to select one."""

    async def test_no_select_a_report_while_row_one_is_highlighted(self, tmp_path) -> None:
        import threading

        from snapshot_app import make_store

        from yanbao.tui.data.library import Library

        opened, read = threading.Event(), threading.Event()

        class SlowLibrary(Library):
            def open(self, *, seed: bool = True) -> tuple[int, list[str]]:
                opened.wait(10)
                return super().open(seed=seed)

            def get(self, digest_id: str):
                read.wait(10)
                return super().get(digest_id)

        app = YanbaoApp(store_path=make_store(tmp_path / "store.json"))
        app.library = SlowLibrary(app.library.store_path)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            heading = app.screen.query_one("#kp-heading", Static)
            seen = [str(heading.render())]
            opened.set()
            while not app.screen.query_one(ReportList).rows:
                await pilot.pause(0.02)
            await pilot.pause(0.3)
            seen.append(str(heading.render()))
            read.set()
            await settle(pilot)
            seen.append(str(heading.render()))
            first = app.screen.query_one(ReportList).rows[0].title
            assert not any("Select a report" in text for text in seen), seen
            assert "Opening the store" in seen[0] and first in seen[1] and "Opening the report" in seen[1]
            assert seen[2].startswith(first) and "Opening" not in seen[2]
