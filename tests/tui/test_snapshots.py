"""SVG snapshots of each pane at 80x24, 120x40 and 200x50, the help screen and a hostile report.

Deterministic: fixed digests (the expected digests of the bundled samples, see
snapshot_app.py), workers awaited before the picture, no clock, and the cursor in no
blinking input.
"""

from __future__ import annotations

import pytest
from conftest import settle

SIZES = [(80, 24), (120, 40), (200, 50)]


def before(*keys: str):
    """A run_before that waits for the store, presses ``keys`` and waits again."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
class TestPanes:
    """One picture per pane and size."""

    def test_key_points(self, snap_compare, app_factory, size) -> None:
        """Pane 1: the third-newest sample, its points, recommendation and metrics with flags."""
        assert snap_compare(app_factory(corpus=True), terminal_size=size, run_before=before("j", "j", "1"))

    def test_metrics(self, snap_compare, app_factory, size) -> None:
        """Pane 1 scrolled to its metrics table: every value column whole at every size."""
        assert snap_compare(app_factory(corpus=True), terminal_size=size, run_before=before("j", "j", "1", "tab"))

    def test_watchlist(self, snap_compare, app_factory, size) -> None:
        """Pane 2: Microsoft watched; its reports newest first and its figures by quarter."""
        assert snap_compare(app_factory(corpus=True), terminal_size=size, run_before=before("2"))

    def test_risks(self, snap_compare, app_factory, size) -> None:
        """Pane 3: the newest report's risks and the library tally."""
        assert snap_compare(app_factory(corpus=True), terminal_size=size, run_before=before("3"))

    def test_compare(self, snap_compare, app_factory, size) -> None:
        """Pane 4: the latest two quarters with up/down colours, and the chart of one figure."""
        assert snap_compare(app_factory(corpus=True), terminal_size=size, run_before=before("4", "j", "j", "j"))


class TestDialogs:
    """Help and a hostile report."""

    def test_help(self, snap_compare, app_factory) -> None:
        """? lists every key."""
        assert snap_compare(app_factory(corpus=True), terminal_size=(120, 40), run_before=before("question_mark"))

    def test_hostile_report_is_literal(self, snap_compare, app_factory) -> None:
        """Markup, links, click actions and ANSI/OSC escapes appear as plain text."""
        assert snap_compare(app_factory(injection=True), terminal_size=(120, 40), run_before=before("1"))


class TestReaderMarks:
    """What is new, a star, and the note editor."""

    @pytest.fixture(autouse=True)
    def patient_reader(self, monkeypatch) -> None:
        # No report is read by the resting cursor while the picture is taken.
        monkeypatch.setattr("yanbao.tui.screens.reader_marks.READ_AFTER", 600.0)

    @staticmethod
    def marked_app(tmp_path):
        from snapshot_app import make_store

        from yanbao.store.db import DigestStore
        from yanbao.tui.app import YanbaoApp

        path = make_store(tmp_path / "store.json", corpus=True, unread=True)
        with DigestStore(path) as store:
            ids = [r.id for r in store.summaries()]
            store.mark_read(ids[0])
            store.set_star(ids[2])
            store.add_tags(ids[2], ["capex"])
        return YanbaoApp(store_path=path)

    def test_new_reports_and_a_star(self, snap_compare, tmp_path) -> None:
        """New reports with a dot in bold, their count in the header, a starred report; the
        list opens on the newest new report naming Microsoft (watched)."""
        assert snap_compare(self.marked_app(tmp_path), terminal_size=(120, 40), run_before=before())

    def test_watchlist_counts_new_reports(self, snap_compare, tmp_path) -> None:
        """Pane 2: beside Microsoft, how many new reports name it."""
        assert snap_compare(self.marked_app(tmp_path), terminal_size=(120, 40), run_before=before("2"))

    def test_note_editor(self, snap_compare, tmp_path) -> None:
        """n: the note editor with two lines of Chinese and English."""

        async def run_before(pilot) -> None:
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            area = pilot.app.screen.query_one("#note-text")
            area.cursor_blink = False
            area.insert("问管理层：折旧年限\nAsk about depreciation lives")
            await settle(pilot)

        assert snap_compare(self.marked_app(tmp_path), terminal_size=(120, 40), run_before=run_before)
