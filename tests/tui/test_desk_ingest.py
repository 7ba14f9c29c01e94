"""Pilot tests: ingest runs behind the app — progress, a usable app, stop, failures (issue 15)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from conftest import record_notices, settle, wait_for
from textual.widgets import Input, Static, TabbedContent

from yanbao.store.db import DigestStore
from yanbao.tui.data.ingest_progress import IngestProgress, duration_text
from yanbao.tui.screens.ingest import IngestDialog
from yanbao.tui.screens.main import MainScreen
from yanbao.tui.widgets.ingest_runner import IngestRunner
from yanbao.tui.widgets.report_list import ReportList

SIZE = (120, 40)
FIXTURE_REPORTS = 4


def write_reports(folder: Path, count: int, lines: int = 300) -> None:
    """``count`` distinct text reports (our own words), long enough to take a moment each."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        body = [f"测试证券 晨会纪要 第{n}期", f"2025年7月{n % 28 + 1}日", "投资要点"]
        body += [f"{k}）云业务收入同比增长{k + n}%，资本开支继续走高。" for k in range(1, lines)]
        (folder / f"r{n:03d}.txt").write_text("\n".join(body), encoding="utf-8")


async def start_ingest(pilot, folder: Path) -> None:
    await pilot.press("i")
    assert isinstance(pilot.app.screen, IngestDialog)
    pilot.app.screen.query_one(Input).value = str(folder)
    await pilot.press("enter")


@contextmanager
def library_held(store: Path, monkeypatch):
    """Another writer holds the library: an ingest parses but cannot store, so it is
    surely still running when the test closes its dialog. Yields the release."""
    from filelock import FileLock

    from yanbao.store.storage import AtomicJSONStorage, lock_path

    # The app's stores ask for the lock for 0.3 s at a time instead of 30 s.
    monkeypatch.setitem(AtomicJSONStorage.__init__.__kwdefaults__, "lock_timeout", 0.3)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:  # filelock locks belong to the thread that takes them
        with FileLock(str(lock_path(store))):
            held.set()
            release.wait(120)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    held.wait(10)
    try:
        yield release
    finally:
        release.set()
        thread.join(10)


def pause_after_first(monkeypatch) -> threading.Event:
    """Once the first file is settled the batch waits until the returned event (or its
    own stop) is set: a fast machine could otherwise settle every file between two looks
    of the test, which would then never see the batch running. Parsed digests are stored
    as they come (no batching by time): else a fast machine parses every file before the
    first store, and the first settled file is the last, with nothing left to stop."""
    from yanbao.store import ingest as ingest_module
    from yanbao.tui.data.library import Library

    monkeypatch.setattr(ingest_module, "BATCH_SECONDS", 0.0)

    ingest, resume = Library.ingest, threading.Event()

    def paused_ingest(self, paths, progress=None, cancel=None, note=None):
        def paused(done, total, result):
            if progress is not None:
                progress(done, total, result)
            for _ in range(1200):
                if resume.is_set() or (cancel is not None and cancel.is_set()):
                    break
                resume.wait(0.05)

        return ingest(self, paths, progress=paused, cancel=cancel, note=note)

    monkeypatch.setattr(Library, "ingest", paused_ingest)
    return resume


class TestBackgroundIngest:
    """Esc hides the dialog; the status line counts, the app answers keys, the list grows."""

    async def test_progress_and_a_usable_app(self, app_factory, tmp_path: Path, monkeypatch) -> None:
        resume = pause_after_first(monkeypatch)
        folder = tmp_path / "inbox"
        write_reports(folder, 16)
        app = app_factory()
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await start_ingest(pilot, folder)
            await pilot.press("escape")  # the ingest goes on behind the app
            assert isinstance(app.screen, MainScreen)
            runner = app.screen.query_one(IngestRunner)
            assert runner.running and runner.display
            seen: list[str] = []

            def counted() -> bool:
                seen.append(str(runner.render()))
                return " of 16" in seen[-1] and seen[-1].startswith("Ingesting ")

            await wait_for(pilot, counted)
            assert "x stops" in seen[-1]
            await pilot.press("2")  # keys work while it runs
            assert app.screen.query_one("#panes", TabbedContent).active == "watchlist"
            await pilot.press("1", "escape", "G")
            report_list = app.screen.query_one(ReportList)
            assert report_list.cursor == len(report_list.rows) - 1
            resume.set()
            await wait_for(pilot, lambda: not runner.running)
            await settle(pilot)
            assert str(runner.render()) == "Done: 16 ok, 0 skipped, 0 failed"
            assert len(report_list.rows) == FIXTURE_REPORTS + 16  # the list read the new reports
            assert any("Done: 16 ok" in message for _, message in said)

    async def test_stop_keeps_what_landed(self, app_factory, tmp_path: Path, monkeypatch) -> None:
        """x after the first reports are stored: those stay, the rest are not stored, and
        the summary says how many were left out."""
        # After the first report is stored the batch waits for the stop (a loaded machine
        # could otherwise finish all 24 before x arrives).
        pause_after_first(monkeypatch)
        folder = tmp_path / "inbox"
        write_reports(folder, 24)
        app = app_factory()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await start_ingest(pilot, folder)
            await pilot.press("escape")
            runner = app.screen.query_one(IngestRunner)
            await wait_for(pilot, lambda: runner.run is not None and runner.run.count("ok") > 0)
            await pilot.press("x")
            await wait_for(pilot, lambda: not runner.running)
            await settle(pilot)
            report = runner.run.report
            assert report.cancelled and report.not_done > 0 and report.ok > 0
            assert report.ok + report.not_done + report.failed + report.skipped == 24
            summary = str(runner.render())
            assert summary.startswith(f"Stopped: {report.ok} ok") and f"{report.not_done} not ingested" in summary
            assert len(app.screen.query_one(ReportList).rows) == FIXTURE_REPORTS + report.ok
        store = DigestStore(tmp_path / "store.json")
        try:
            assert len(store) == FIXTURE_REPORTS + report.ok
        finally:
            store.close()

    async def test_failures_are_listed_at_the_end(self, app_factory, tmp_path: Path, monkeypatch) -> None:
        """Behind the app: a notice names the failed file and why; i shows every file,
        failures first."""
        folder = tmp_path / "inbox"
        write_reports(folder, 8)
        (folder / "broken.pdf").write_text("not a pdf at all", encoding="utf-8")
        app = app_factory()
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            with library_held(tmp_path / "store.json", monkeypatch):
                await start_ingest(pilot, folder)
                await pilot.press("escape")
                runner = app.screen.query_one(IngestRunner)
                assert runner.running  # the dialog was closed on a running batch
            await wait_for(pilot, lambda: not runner.running)
            await settle(pilot)
            note = next(message for title, message in said if title == "Ingest" and "Done" in message)
            lines = note.splitlines()
            assert lines[0] == "Done: 8 ok, 0 skipped, 1 failed" and lines[1].startswith("broken.pdf: ")
            await pilot.press("i")
            dialog = app.screen
            assert isinstance(dialog, IngestDialog)
            log = str(dialog.query_one("#ingest-log", Static).render()).splitlines()
            assert log[0].startswith("failed  broken.pdf: ") and all(line.startswith("ok") for line in log[1:])
            assert "8 ok, 0 skipped, 1 failed" in str(dialog.query_one("#ingest-status", Static).render())
            await pilot.press("escape")
            await pilot.press("i")  # seen once: the next i asks for a new path
            assert "Enter to start" in str(app.screen.query_one("#ingest-status", Static).render())


class TestProgressWords:
    """N of M, files per second and time left from the store's progress calls."""

    def test_rate_and_time_left(self) -> None:
        now = [100.0]
        run = IngestProgress("inbox", clock=lambda: now[0])
        assert run.status_line() == "Ingesting: looking for files…"

        class Result:
            status = "ok"

        run.record(1, 40, Result())
        assert run.status_line() == "Ingesting 1 of 40"  # too early to guess a speed
        now[0] += 4.0
        for done in range(2, 13):
            run.record(done, 40, Result())
        assert run.status_line() == "Ingesting 12 of 40 · 3.0 files/s · about 9 s left"
        assert duration_text(185) == "3 min 5 s" and duration_text(3720) == "1 h 02 min"
