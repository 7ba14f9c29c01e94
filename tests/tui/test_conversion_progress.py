"""Pilot tests: a library of schema-1 digests converts on open with its progress shown, the
app answering keys meanwhile, and a quit during it prompt and safe (issue 15)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from conftest import record_notices, settle, wait_for

import yanbao.store.migrate_pages as migrate_pages_module
from tests.store.test_migrate_pages import schema_1_library
from yanbao.store.db import DigestStore
from yanbao.store.storage import META_DOC, META_TABLE
from yanbao.tui.app import YanbaoApp
from yanbao.tui.data.conversion_progress import ConversionProgress
from yanbao.tui.screens.help import HelpScreen
from yanbao.tui.widgets.report_browser import ReportBrowser
from yanbao.tui.widgets.report_list import ReportList

SIZE = (120, 40)


@pytest.fixture
def held(monkeypatch) -> threading.Event:
    """The conversion re-parses each digest as usual, then waits before handing it over
    until the test sets the event (or ``hold`` seconds passed, when the test sets one): a
    conversion slow enough to look at."""
    go = threading.Event()
    go.hold = None  # type: ignore[attr-defined]
    real = migrate_pages_module.migrate_pages

    def slow(jobs):
        for item in migrate_pages_module.parse_in_workers(jobs):
            go.wait(go.hold)  # type: ignore[attr-defined]
            yield item

    def migrate(documents, write, progress=None, reparse=None, stop=None):
        return real(documents, write, progress, slow, stop=stop)

    monkeypatch.setattr(migrate_pages_module, "migrate_pages", migrate)
    return go


def shown_progress(monkeypatch) -> list[str]:
    """Every line the report list's status shows while the store opens."""
    lines: list[str] = []
    original = ReportBrowser.show_progress

    def show(self, line: str) -> None:
        lines.append(line)
        original(self, line)

    monkeypatch.setattr(ReportBrowser, "show_progress", show)
    return lines


def schema(path: Path) -> int:
    return json.loads(path.read_text(encoding="utf-8"))[META_TABLE][META_DOC]["schema"]


class TestConversionOnOpen:
    async def test_progress_is_shown_and_the_app_answers(self, tmp_path: Path, make_digest, monkeypatch, held) -> None:
        path, _ = schema_1_library(tmp_path, make_digest, pdfs=5)  # 3 re-parsed, 5 kept as they were
        lines = shown_progress(monkeypatch)
        app = YanbaoApp(store_path=path)
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: bool(lines))
            assert lines[0] == "Converting the library: 5 of 8 digests"
            heading = str(app.screen.query_one("#kp-heading").render())
            assert heading.startswith("Converting the library to digest schema 2 (pages of key points and figures): ")
            assert "q quits, and the conversion goes on next time" in heading
            assert "Converting the library: 5 of 8 digests" in str(app.screen.query_one("#list-status").render())
            await pilot.press("question_mark")  # the app answers while the library converts
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            assert not app.screen.loaded
            held.set()
            await wait_for(pilot, lambda: app.screen.loaded)
            await settle(pilot)
            assert lines[-1] == "Converting the library: 8 of 8 digests"
            assert len(app.screen.query_one(ReportList).rows) == 8
            assert ("Library", "The library was converted to digest schema 2: 3 digests read again from their PDFs "
                    "(they have pages now); 5 digests kept as they were (source gone or changed, a text file, "
                    "or unreadable)") in said
        assert schema(path) == 2

    async def test_a_quit_during_the_conversion_is_prompt_and_safe(self, tmp_path: Path, make_digest, monkeypatch,
                                                                    held) -> None:
        held.hold = 0.5  # each re-parsed digest is held half a second: 2 s for the four
        path, _ = schema_1_library(tmp_path, make_digest, pdfs=6)
        lines = shown_progress(monkeypatch)
        app = YanbaoApp(store_path=path)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: bool(lines))
            started = time.monotonic()
            await pilot.press("q")
        assert time.monotonic() - started < 10
        assert schema(path) == 1  # stopped between two digests: the rest waits for the next open
        again = DigestStore(path)
        assert len(again) == 9 and schema(path) == 2
        again.close()


def test_the_words() -> None:
    clock = iter([0.0, 10.0])
    progress = ConversionProgress(clock=lambda: next(clock))
    progress.record(5, 8, "to digest schema 2 (pages)")
    progress.record(6, 8, "to digest schema 2 (pages)")
    assert progress.short() == "Converting the library: 6 of 8 digests"
    assert progress.long().startswith("Converting the library to digest schema 2 (pages): 6 of 8 digests, about 20 s left.")
