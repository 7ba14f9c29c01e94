"""Where the user was: read back into the main screen at start, written while they work.

The keeper looks at the screen once a second and writes the settings file when anything
it remembers changed (a burst of keys makes one write), and once more when the screen
closes: a killed app loses at most the last second. Nothing is written until the saved
place has been restored, so a slow or failed start never overwrites it with defaults.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from textual.widgets import TabbedContent
from yanbao.tui.data.settings import PANE_NAMES, read_settings, save_settings

__all__ = ["SessionKeeper", "CHECK_EVERY"]

CHECK_EVERY = 1.0
"""Seconds between looks at the screen (the most a kill can lose)."""


class SessionKeeper:
    """Restores and saves the selected report, pane, sort, filter and Compare choices of
    a main screen (which owns ``browser``, ``active_pane``, ``ensure_library``)."""

    def __init__(self) -> None:
        self.settings, self.problem = read_settings()
        self.restored = False
        self.selection_restored = False  # the saved report was found and selected again
        self._screen: Any = None
        self._saved: dict[str, Any] = asdict(self.settings)

    def start(self, screen: Any) -> None:
        """Say if the settings file was damaged, and start looking at ``screen``."""
        self._screen = screen
        if self.problem:
            screen.notify(self.problem, title="Settings", severity="warning", timeout=8, markup=False)
        screen.set_interval(CHECK_EVERY, self.checkpoint)

    def restore(self) -> None:
        """Put the screen back where it was left; values that no longer fit are skipped."""
        from yanbao.tui.widgets.compare import ComparePane

        if self.restored or self._screen is None:
            return
        self.restored = True
        screen, s = self._screen, self.settings
        browser = screen.browser
        browser.set_sort(s.sort_key, s.sort_reverse)
        if s.filter:
            browser.set_filter(s.filter)
        if s.report:  # a report since removed (or filtered out): the first row
            self.selection_restored = browser.select(s.report)
        screen.query_one(ComparePane).restore(s.compare_mode, s.compare_from, s.compare_to, s.compare_company)
        if s.pane in PANE_NAMES and s.pane != "keypoints":
            screen.query_one("#panes", TabbedContent).active = s.pane
            screen.ensure_library(s.pane)
        self._saved = asdict(s)

    def _capture(self) -> None:
        """Copy what the screen shows into the settings; what is not known yet (no report
        listed, no quarters offered) keeps its saved value."""
        from yanbao.tui.widgets.compare import ComparePane

        screen, s = self._screen, self.settings
        browser = screen.browser
        highlighted = browser.report_list.highlighted
        if highlighted is not None:
            s.report = highlighted.id
        s.pane = screen.active_pane
        s.sort_key, s.sort_reverse = browser.sort_key, browser.sort_reverse
        s.filter = browser.filter_text
        compare = screen.query_one(ComparePane)
        s.compare_mode = compare.mode
        s.compare_company = compare.narrowed_to or ""
        if compare.quarters is not None:
            s.compare_from, s.compare_to = compare.quarters

    def checkpoint(self) -> None:
        """Write the settings if anything remembered changed since the last write."""
        if not self.restored or self._screen is None:
            return
        try:
            self._capture()
        except Exception:  # a screen being torn down: remembering is never worth a crash
            return
        state = asdict(self.settings)
        if state != self._saved:
            save_settings(self.settings)
            self._saved = state
