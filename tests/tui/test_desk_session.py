"""Pilot tests: the app restarts where the user left it (issue 15, "It remembers")."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import record_notices, settle
from snapshot_app import make_store
from textual.widgets import Select, TabbedContent

from yanbao.tui.app import YanbaoApp
from yanbao.tui.data.settings import Settings, load_settings, read_settings, save_settings
from yanbao.tui.widgets.compare import ComparePane
from yanbao.tui.widgets.report_list import ReportList

SIZE = (120, 40)


def restart_env(tmp_path: Path, monkeypatch) -> Path:
    """A store named by $YANBAO_STORE (the settings file is $YANBAO_CONFIG, see conftest)."""
    store = make_store(tmp_path / "store.json", watch=("Microsoft", "Meta"))
    monkeypatch.setenv("YANBAO_STORE", str(store))
    return store


def where(app: YanbaoApp) -> dict:
    """What the user would see: selected report, pane, sort, filter, Compare choices."""
    screen = app.screen
    browser = screen.browser
    compare = screen.query_one(ComparePane)
    return {
        "report": browser.report_list.highlighted.title,
        "pane": screen.query_one("#panes", TabbedContent).active,
        "sort": (browser.sort_key, browser.sort_reverse),
        "filter": browser.filter_text,
        "filter_box": screen.query_one("#filter").display,
        "compare": (compare.mode, compare.quarters, compare.narrowed_to),
    }


class TestRestart:
    """Quit and start again: the same place."""

    async def test_quit_and_restart_restores_everything(self, tmp_path: Path, monkeypatch, own_settings) -> None:
        restart_env(tmp_path, monkeypatch)
        app = YanbaoApp()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("s", "s", "S")  # period, Z→A then reversed: A→Z... and back
            await pilot.press("f", *"华安", "enter")
            await settle(pilot)
            await pilot.press("j")  # the second of the two 华安 reports
            await pilot.press("4")
            await settle(pilot)
            compare = app.screen.query_one(ComparePane)
            offered = compare._quarters_offered
            assert len(offered) >= 3
            compare.query_one("#compare-left", Select).value = offered[0]
            await settle(pilot)
            compare.query_one("#compare-company").value = "watchlist"
            await pilot.press("escape")  # back to the list (focus), pane 4 stays on show
            await settle(pilot)
            before = where(app)
            assert before["compare"] == ("quarters", (offered[0], offered[-1]), "watchlist")
            assert before["filter"] == "华安" and before["sort"] == ("period", True)
            assert before["pane"] == "compare"
            await pilot.press("q")  # within the keeper's second: saved on quit
        saved = load_settings(own_settings)
        assert saved.filter == "华安" and saved.pane == "compare" and saved.compare_company == "watchlist"

        again = YanbaoApp()
        async with again.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            assert where(again) == before
            assert again.screen.query_one("#panes", TabbedContent).active == "compare"

    async def test_a_kill_loses_at_most_the_last_second(self, tmp_path: Path, monkeypatch, own_settings) -> None:
        """The keeper writes on change without a quit: after a pause the file holds it."""
        restart_env(tmp_path, monkeypatch)
        app = YanbaoApp()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("j", "j", "3")
            title = app.screen.query_one(ReportList).highlighted.title
            await pilot.pause(1.3)
            saved = load_settings(own_settings)
            assert saved.pane == "risks"
            assert next(s for s in app.screen.summaries if s.id == saved.report).title == title

    async def test_compare_history_mode_is_remembered(self, tmp_path: Path, monkeypatch, own_settings) -> None:
        restart_env(tmp_path, monkeypatch)
        save_settings(Settings(pane="compare", compare_mode="ratings", compare_company="Microsoft"), own_settings)
        app = YanbaoApp()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            compare = app.screen.query_one(ComparePane)
            assert compare.mode == "ratings" and compare.narrowed_to == "Microsoft"
            assert compare.has_class("-history")
            assert not any(p.display for p in compare.query(".quarter-picker"))


class TestStaleAndDamaged:
    """A settings file that no longer fits the library, or is not a settings file at all."""

    async def test_stale_values_fall_back_quietly(self, tmp_path: Path, monkeypatch, own_settings) -> None:
        """A removed report, a quarter no longer there, an unknown pane and sort: defaults,
        the rest restored, no notice."""
        restart_env(tmp_path, monkeypatch)
        own_settings.write_text(json.dumps({
            "report": "no-such-report", "pane": "notes", "sort_key": "rating", "sort_reverse": "yes",
            "filter": "", "compare_mode": "quarters", "compare_from": "1999Q1", "compare_to": "2025Q2",
        }), encoding="utf-8")
        app = YanbaoApp()
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            shown = where(app)
            assert shown["sort"] == ("date", True) and shown["report"] == app.screen.summaries[0].title
            compare = app.screen.query_one(ComparePane)
            offered = compare._quarters_offered
            assert shown["compare"][1] == (offered[-2], "2025Q2")
            assert not [message for title, message in said if title == "Settings"]

    async def test_damaged_file_gives_a_notice_and_the_defaults(self, tmp_path: Path, monkeypatch, own_settings) -> None:
        restart_env(tmp_path, monkeypatch)
        own_settings.write_bytes(b'{"pane": "risks", "filter": "\xff\xfe')
        app = YanbaoApp()
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            notices = [message for title, message in said if title == "Settings"]
            assert len(notices) == 1 and "is damaged" in notices[0] and "using the defaults" in notices[0]
            shown = where(app)
            assert shown["pane"] == "keypoints" and shown["filter"] == "" and shown["sort"] == ("date", True)

    def test_every_kind_of_damage_is_one_line(self, tmp_path: Path) -> None:
        path = tmp_path / "settings.json"
        for raw, reason in ((b"[1, 2]", "not a JSON object"), (b"{oops", "not valid JSON"),
                            (b'{"filter": "\xff"}', "not UTF-8")):
            path.write_bytes(raw)
            settings, problem = read_settings(path)
            assert settings == Settings() and problem is not None and reason in problem
        assert read_settings(tmp_path / "missing.json") == (Settings(), None)
        path.write_text(json.dumps({"filter": "a\x1b[31mb", "split": 55}), encoding="utf-8")
        assert read_settings(path) == (Settings(split=55), None)  # a control character: not ours
