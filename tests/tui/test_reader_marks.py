"""Pilot tests of the reader's marks: what is new (dot, bold, count, u, m, opened), star
(*), tags (t, with completion), notes (n), the watchlist's new counts, the palette."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import settle
from snapshot_app import make_store
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Static, TabbedContent, TextArea
from yanbao.store.db import DigestStore
from yanbao.tui.app import YanbaoApp
from yanbao.tui.cli import main as cli
from yanbao.tui.screens.reader_dialogs import NoteEditor, TagEditor
from yanbao.tui.widgets.report_list import ReportList

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def patient_reader(monkeypatch) -> None:
    """A highlighted report is not read by resting the cursor unless a test says so: the
    tests below decide exactly which reports are opened."""
    monkeypatch.setattr("yanbao.tui.screens.reader_marks.READ_AFTER", 60.0)


def unread_app(tmp_path: Path, **options) -> tuple[YanbaoApp, Path]:
    path = make_store(tmp_path / "store.json", unread=True, **options)
    return YanbaoApp(store_path=path), path


def stored(path: Path) -> DigestStore:
    return DigestStore(path)


def status(app: YanbaoApp) -> str:
    return str(app.screen.query_one("#list-status", Static).render())


def line(app: YanbaoApp, index: int) -> str:
    report_list = app.screen.query_one(ReportList)
    return report_list._row_text(index, report_list.scrollable_content_region.width)


class TestWhatsNew:
    """A dot and bold for new reports, a count in the header, u and m, opening reads."""

    async def test_new_reports_show_a_dot_bold_and_a_count(self, tmp_path: Path) -> None:
        app, path = unread_app(tmp_path, watch=())
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            report_list = app.screen.query_one(ReportList)
            assert "● 4 new" in status(app)
            assert all(line(app, i).startswith("●") for i in range(4))
            assert report_list.get_component_rich_style("report-list--unread").bold
            with stored(path) as s:
                s.mark_all_read()
            app.screen.reader.load()
            await settle(pilot)
            assert "new" not in status(app)
            assert not any(line(app, i).startswith("●") for i in range(4))

    async def test_enter_reads_and_m_toggles(self, tmp_path: Path) -> None:
        app, path = unread_app(tmp_path, watch=())
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            first = app.screen.query_one(ReportList).highlighted.id
            await pilot.press("enter")
            await settle(pilot)
            assert "● 3 new" in status(app) and not line(app, 0).startswith("●")
            with stored(path) as s:
                assert first not in s.user_state().unread
            await pilot.press("escape", "m")
            await settle(pilot)
            assert "● 4 new" in status(app) and line(app, 0).startswith("●")
            with stored(path) as s:
                assert first in s.user_state().unread
            await pilot.press("m")
            await settle(pilot)
            with stored(path) as s:
                assert first not in s.user_state().unread

    async def test_a_report_resting_under_the_cursor_is_read(self, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.setattr("yanbao.tui.screens.reader_marks.READ_AFTER", 1.0)
        app, path = unread_app(tmp_path, watch=())
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("j", "j")  # the second report is passed over, the third rests
            await asyncio.sleep(1.6)
            await settle(pilot)
            rows = app.screen.query_one(ReportList).rows
            with stored(path) as s:
                unread = s.user_state().unread
            assert rows[2].id not in unread  # rested 1.6 s: opened
            assert rows[1].id in unread  # passed over: still new
            assert not line(app, 2).startswith("●") and line(app, 1).startswith("●")

    async def test_u_jumps_to_the_next_unread(self, tmp_path: Path) -> None:
        path = make_store(tmp_path / "store.json", watch=())
        with stored(path) as s:
            ids = [r.id for r in s.summaries()]
            s.mark_read(ids[1], False)
            s.mark_read(ids[3], False)
        app = YanbaoApp(store_path=path)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            report_list = app.screen.query_one(ReportList)
            assert report_list.cursor == 0 and "● 2 new" in status(app)
            await pilot.press("u")
            assert report_list.cursor == 1
            await pilot.press("u")
            assert report_list.cursor == 3
            await pilot.press("u")  # from the end, round to the top
            assert report_list.cursor == 1
            await pilot.press("enter", "escape", "u")
            assert report_list.cursor == 3
            said: list[str] = []  # what the screen says (a notification may expire on a busy machine)
            say = app.screen.say
            app.screen.say = lambda message, **options: (said.append(str(message)), say(message, **options))
            await pilot.press("enter", "escape", "u")
            await pilot.pause()
            assert report_list.cursor == 3
            assert "No unread report in the list" in said


class TestStarTagsNote:
    """* stars, t edits tags with completion, n writes a note; all stored and filterable."""

    async def test_star_key_toggles_and_shows(self, app_factory, tmp_path: Path) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            digest_id = app.screen.query_one(ReportList).highlighted.id
            await pilot.press("asterisk")
            await settle(pilot)
            assert "★ " in line(app, 0)
            with stored(tmp_path / "store.json") as s:
                assert s.marks(digest_id).star
            await pilot.press("f", *"starred")
            assert [r.id for r in app.screen.query_one(ReportList).rows] == [digest_id]
            await pilot.press("escape", "asterisk")
            await settle(pilot)
            assert "★" not in line(app, 0)
            with stored(tmp_path / "store.json") as s:
                assert not s.marks(digest_id).star

    async def test_t_edits_tags_with_completion(self, app_factory, tmp_path: Path) -> None:
        app = app_factory()
        path = tmp_path / "store.json"
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            rows = app.screen.query_one(ReportList).rows
            with stored(path) as s:
                s.add_tags(rows[3].id, ["Capex", "跟踪"])
            app.screen.reader.load()
            await settle(pilot)
            await pilot.press("t")
            await pilot.pause()
            assert isinstance(app.screen, TagEditor)
            tag_input = app.screen.query_one("#tag-input", Input)
            await pilot.press("c", "a")
            await settle(pilot)
            assert tag_input._suggestion == "Capex"  # completed from the tags in use, case kept
            await pilot.press("right", "space", "跟")
            await settle(pilot)
            assert tag_input._suggestion == "Capex 跟踪"
            await pilot.press("right", *" ai", "enter")
            await settle(pilot)
            with stored(path) as s:
                assert s.marks(rows[0].id).tags == ("Capex", "跟踪", "ai")
            await pilot.press("f", *"tag:CAPEX")
            assert {r.id for r in app.screen.query_one(ReportList).rows} == {rows[0].id, rows[3].id}
            await pilot.press("escape", "t")  # again: Esc leaves the tags alone
            await pilot.pause()
            await pilot.press("backspace", "escape")
            await settle(pilot)
            with stored(path) as s:
                assert s.marks(rows[0].id).tags == ("Capex", "跟踪", "ai")

    async def test_n_writes_a_multi_line_cjk_note(self, app_factory, tmp_path: Path) -> None:
        app = app_factory()
        path = tmp_path / "store.json"
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            digest_id = app.screen.query_one(ReportList).highlighted.id
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, NoteEditor)
            await pilot.press(*"问管理层", "enter", *"capex 指引吗")
            await pilot.press("ctrl+s")
            await settle(pilot)
            with stored(path) as s:
                assert s.marks(digest_id).note == "问管理层\ncapex 指引吗"
            await pilot.press("n")
            await pilot.pause()
            assert app.screen.query_one(TextArea).text == "问管理层\ncapex 指引吗"
            await pilot.press(*"不要保存", "escape")
            await settle(pilot)
            with stored(path) as s:
                assert s.marks(digest_id).note == "问管理层\ncapex 指引吗"
            await pilot.press("slash")  # a note's words are searchable
            await pilot.pause()
            await pilot.press(*"管理层", "enter")
            await settle(pilot)
            assert [r.id for r in app.screen.query_one(ReportList).rows] == [digest_id]

    async def test_every_key_is_in_the_palette(self, app_factory, tmp_path: Path) -> None:
        app = app_factory()
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            digest_id = app.screen.query_one(ReportList).highlighted.id
            for words in ("star or unstar", "mark read"):
                await pilot.press("ctrl+p")
                await pilot.pause()
                assert CommandPalette.is_open(app)
                await pilot.press(*words)
                await pilot.pause(0.3)
                await pilot.press("enter")
                await settle(pilot)
            with stored(tmp_path / "store.json") as s:
                assert s.marks(digest_id).star and digest_id in s.user_state().unread
            for words, dialog in (("edit the report's tags", TagEditor), ("write a note", NoteEditor)):
                await pilot.press("ctrl+p")
                await pilot.pause()
                await pilot.press(*words)
                await pilot.pause(0.3)
                await pilot.press("enter")
                await settle(pilot)
                assert isinstance(app.screen, dialog)
                await pilot.press("escape")
                await pilot.pause()
            from yanbao.tui.commands import COMMANDS

            actions = {action for _, action, _ in COMMANDS}
            assert {"screen.star", "screen.tags", "screen.note", "screen.next_unread", "screen.toggle_read"} <= actions


class TestWatchedNews:
    """The watchlist counts new reports per company; the app opens on them first."""

    async def test_watchlist_counts_and_the_app_opens_on_watched_news(self, tmp_path: Path) -> None:
        path = make_store(tmp_path / "store.json", watch=("Microsoft",))
        with stored(path) as s:
            rows = s.summaries()
            naming = {r.id for r in s.company_reports("Microsoft")}
            news = [r.id for r in rows if r.id in naming][-2:]  # the two oldest naming it
            others = [r.id for r in rows if r.id not in naming]
            for digest_id in [*news, *others]:
                s.mark_read(digest_id, False)
        app = YanbaoApp(store_path=path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            report_list = app.screen.query_one(ReportList)
            assert report_list.highlighted.id == news[0]  # not the newest report: the watched news
            await pilot.press("2")
            await settle(pilot)
            label = str(app.screen.query_one("#watch-list", OptionList).get_option_at_index(0).prompt)
            assert label.startswith("Microsoft") and label.endswith("● 2 new")
            await pilot.press("escape", "enter")  # opened: one fewer
            await settle(pilot)
            label = str(app.screen.query_one("#watch-list", OptionList).get_option_at_index(0).prompt)
            assert label.endswith("● 1 new")


async def test_new_reports_after_a_restart(tmp_path: Path, make_pdf, capsys) -> None:
    """Issue 15's must-show: ingest 3 reports, read them, quit, ingest 2 more with the CLI,
    restart: the 2 are marked new, the watched company shows its new count, and the
    selection and pane are where the user left them."""
    store = str(tmp_path / "s.json")
    for n in range(3):
        make_pdf(f"first/{n}.pdf", n)
    assert cli(["--store", store, "ingest", str(tmp_path / "first"), "--jobs", "1", "-q"]) == 0
    assert cli(["--store", store, "watch", "add", "腾讯控股"]) == 0
    app = YanbaoApp(store_path=store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "● 3 new" in status(app)
        for _ in range(3):
            await pilot.press("u", "enter", "escape")
            await settle(pilot)
        assert "new" not in status(app)
        report_list = app.screen.query_one(ReportList)
        report_list.cursor = 1
        left_on = report_list.highlighted.id
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("q")
    for n in (10, 11):
        make_pdf(f"later/{n}.pdf", n)
    assert cli(["--store", store, "ingest", str(tmp_path / "later"), "--jobs", "1", "-q"]) == 0
    capsys.readouterr()
    with DigestStore(store) as s:
        later = {r.id for r in s.summaries()} - {r.id for r in s.summaries() if r.id not in s.user_state().unread}
    assert len(later) == 2
    app = YanbaoApp(store_path=store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        report_list = app.screen.query_one(ReportList)
        assert "● 2 new" in status(app)
        dotted = {s.id for i, s in enumerate(report_list.rows) if line(app, i).startswith("●")}
        assert dotted == later
        assert report_list.highlighted.id == left_on  # the user's place, not the news
        assert app.screen.query_one("#panes", TabbedContent).active == "risks"
        await pilot.press("2")
        await settle(pilot)
        label = str(app.screen.query_one("#watch-list", OptionList).get_option_at_index(0).prompt)
        assert label.startswith("Tencent") and label.endswith("● 2 new")
