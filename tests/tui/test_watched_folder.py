"""Pilot tests: the app's watched folder (the setting beside ``yanbao ingest --watch``, issue 15)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from conftest import record_notices, settle, wait_for
from test_key_point_cursor import store_of, three_key_points

from tests.conftest import write_pdf
from yanbao.store.parser import parse_file
from yanbao.tui.app import YanbaoApp
from yanbao.tui.data.settings import load_settings
from yanbao.tui.widgets.folder_watcher import FolderWatcher
from yanbao.tui.widgets.report_list import ReportList

SIZE = (120, 40)


def other_report(path: Path) -> Path:
    return write_pdf(path, [["测试证券 公司点评", "腾讯控股：广告收入加速增长", "2025年8月14日", "投资要点",
                             "● 广告收入同比增长20%，高于市场预期。", "风险提示", "行业竞争加剧。"]])


class TestWatchedFolder:
    async def test_the_setting_ingests_what_lands_and_skips_partial_downloads(self, tmp_path: Path, own_settings) -> None:
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        waiting = three_key_points(inbox / "already-there.pdf")  # landed while the app was closed
        own_settings.write_text(json.dumps({"watch_folder": str(inbox)}), encoding="utf-8")
        app = YanbaoApp(store_path=store_of(tmp_path, parse_file(other_report(tmp_path / "old.pdf"))))
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            rows = lambda: app.screen.query_one(ReportList).rows  # noqa: E731
            await wait_for(pilot, lambda: len(rows()) == 2)  # the first pass
            assert app.screen.query_one(FolderWatcher).watching
            partial = tmp_path / "new.pdf.part"
            write_pdf(partial, [["测试证券 行业周报", "半导体：需求回暖", "2025年9月1日", "投资要点",
                                 "● 存储价格环比上涨10%。"]])
            shutil.move(partial, inbox / partial.name)  # a download in progress
            await pilot.pause(1.5)
            assert len(rows()) == 2  # a .part is never a report
            os.rename(inbox / partial.name, inbox / "new.pdf")
            took = await wait_for(pilot, lambda: len(rows()) == 3)
            assert took < 15
            await settle(pilot)
            assert ("Watched folder", f"1 new report from {inbox}") in said
            assert waiting.exists()  # the watched folder is read, never emptied

    async def test_the_commands_set_and_clear_it(self, tmp_path: Path, own_settings) -> None:
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        app = YanbaoApp(store_path=store_of(tmp_path, parse_file(other_report(tmp_path / "old.pdf"))))
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            watcher = app.screen.query_one(FolderWatcher)
            assert not watcher.watching
            app.screen.action_watch_folder()
            await pilot.pause()
            await pilot.press(*str(tmp_path / "nowhere"), "enter")
            await pilot.pause()
            assert not watcher.watching and ("Watched folder", f"{tmp_path / 'nowhere'} is not a folder") in said
            app.screen.action_watch_folder()
            await pilot.pause()
            await pilot.press(*str(inbox), "enter")
            await pilot.pause()
            assert watcher.watching and watcher.folder == str(inbox)
            assert load_settings().watch_folder == str(inbox)
            three_key_points(tmp_path / "draft.pdf").rename(inbox / "three.pdf")
            await wait_for(pilot, lambda: len(app.screen.query_one(ReportList).rows) == 2)
            app.screen.action_unwatch_folder()
            await pilot.pause()
            assert ("Watched folder", f"Stopped watching {inbox}") in said
            assert not watcher.watching and load_settings().watch_folder == ""
