"""The reader's marks on the main screen: what is new, stars, tags and notes.

``ReaderMarks`` loads the marks (a worker), shows them in the report list and the
watchlist, opens the app on the first new report about a watched company, and carries
out the keys ``*`` ``t`` ``n`` ``u`` ``m`` and "opened" (a report highlighted for
``READ_AFTER`` seconds, or chosen with Enter, is read). The screen's actions delegate
here; every write goes to the store in a thread worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from yanbao.store.user_state import ReportMarks, UserState
from yanbao.tui.screens.reader_dialogs import NoteEditor, TagEditor
from yanbao.tui.widgets.safe_text import clean
from yanbao.tui.widgets.watchlist import WatchlistPane

if TYPE_CHECKING:
    from textual.timer import Timer
    from yanbao.tui.screens.main import MainScreen

__all__ = ["READ_AFTER", "ReaderMarks"]

READ_AFTER = 1.0
"""Seconds a report stays highlighted (its digest on show) before it counts as opened."""


class ReaderMarks:
    """The reader's state as the main screen shows and changes it."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.state = UserState()
        self.loaded = False
        self._naming: dict[str, set[str]] = {}  # watched company -> the reports naming it
        self._timer: Timer | None = None
        self._opened_first = False  # the app opens on the first new report about a watched company

    @property
    def _browser(self) -> Any:
        return self.screen.browser

    @property
    def current(self) -> Any | None:
        """The report the list highlights (the one the panes show)."""
        return self._browser.report_list.highlighted

    # -- loading ------------------------------------------------------------------------------
    def load(self) -> None:
        """Read the marks and the watched companies' new reports (after the store opened,
        an ingest or a watchlist change)."""
        self.screen.run_worker(self._load, thread=True, exclusive=True, group="reader-marks", exit_on_error=False)

    def _load(self) -> None:
        library = self.screen.library
        try:
            state = library.user_state()
            naming = library.watched_reports()
        except Exception as error:  # noqa: BLE001 - a damaged or vanished store: say it, never crash
            self.screen.app.call_from_thread(self.screen.say, f"Marks not read: {error}", severity="warning")
            return
        self.screen.app.call_from_thread(self._loaded, state, naming)

    def _loaded(self, state: UserState, naming: dict[str, set[str]]) -> None:
        self.state, self._naming, self.loaded = state, naming, True
        self._show()
        if not self._opened_first:
            self._opened_first = True
            if self.screen.keeper.selection_restored:
                return  # the user's own place wins; the news shows in the header and the watchlist
            watched_new = set().union(*naming.values()) & state.unread if naming else set()
            first = next((s.id for s in self._browser.report_list.rows if s.id in watched_new), None)
            if first is not None:
                self._browser.select(first)

    def _show(self) -> None:
        self._browser.set_state(self.state)
        unread = self.state.unread
        self.screen.query_one(WatchlistPane).set_unread({k: len(v & unread) for k, v in self._naming.items()})

    # -- read marks ---------------------------------------------------------------------------
    def highlighted(self, digest_id: str) -> None:
        """The cursor rests on a report: once it has stayed ``READ_AFTER`` s, it is read."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if digest_id in self.state.unread:
            self._timer = self.screen.set_timer(READ_AFTER, lambda: self.opened(digest_id))

    def opened(self, digest_id: str) -> None:
        """A report was opened (Enter, or it rested under the cursor): it is read now."""
        self._timer = None
        if digest_id in self.state.unread:
            self._set_read(digest_id, True)

    def toggle_read(self) -> None:
        """``m``: the highlighted report unread again, or read."""
        summary = self.current
        if summary is None:
            return
        if self._timer is not None:  # an explicit choice beats the resting cursor
            self._timer.stop()
            self._timer = None
        read = summary.id in self.state.unread
        self._set_read(summary.id, read)
        self.screen.say("Marked read" if read else "Marked unread", timeout=2)

    def _set_read(self, digest_id: str, read: bool) -> None:
        (self.state.unread.discard if read else self.state.unread.add)(digest_id)
        self._show()
        self._write(lambda library: library.mark_read(digest_id, read))

    def next_unread(self) -> None:
        """``u``: the next new report in the list."""
        if not self._browser.next_unread():
            self.screen.say("No unread report in the list", timeout=2)

    # -- star, tags, note ----------------------------------------------------------------------
    def toggle_star(self) -> None:
        """``*``: star the highlighted report, or take the star off."""
        summary = self.current
        if summary is None:
            return
        on = not self.state.of(summary.id).star
        self._changed(summary.id, lambda m: ReportMarks(on, m.tags, m.note),
                      lambda library: library.set_star(summary.id, on))
        self.screen.say("Starred ★" if on else "Star removed", timeout=2)

    def edit_tags(self) -> None:
        """``t``: edit the highlighted report's tags (completion from the tags in use)."""
        summary = self.current
        if summary is None:
            return

        def done(tags: list[str] | None) -> None:
            if tags is not None:
                self._write(lambda library: library.set_tags(summary.id, tags),
                            then=lambda marks: self._stored(summary.id, marks))

        title = f"Tags of “{clean(summary.title, one_line=True)[:50]}”"
        self.screen.app.push_screen(
            TagEditor(title, self.state.of(summary.id).tags, self.state.tags(), id="tag-dialog"), done)

    def edit_note(self) -> None:
        """``n``: write a note on the highlighted report."""
        summary = self.current
        if summary is None:
            return

        def done(note: str | None) -> None:
            if note is not None:
                self._write(lambda library: library.set_note(summary.id, note),
                            then=lambda marks: self._stored(summary.id, marks))

        title = f"Note on “{clean(summary.title, one_line=True)[:50]}”"
        self.screen.app.push_screen(NoteEditor(title, self.state.of(summary.id).note, id="note-dialog"), done)

    def _changed(self, digest_id: str, change: Callable[[ReportMarks], ReportMarks],
                 write: Callable[[Any], Any]) -> None:
        """Show a change at once, then store it."""
        self._put(digest_id, change(self.state.of(digest_id)))
        self._write(write)

    def _put(self, digest_id: str, marks: ReportMarks) -> None:
        if marks.empty:
            self.state.marks.pop(digest_id, None)
        else:
            self.state.marks[digest_id] = marks
        self._show()

    def _stored(self, digest_id: str, marks: ReportMarks) -> None:
        """A tag or note write came back with the report's marks as stored."""
        self._put(digest_id, marks)
        what = " ".join(f"#{t}" for t in marks.tags) or "no tags"
        self.screen.say(f"Saved: {what}" + (", with a note" if marks.note else ""), timeout=3)

    # -- writing ------------------------------------------------------------------------------
    def _write(self, write: Callable[[Any], Any], then: Callable[[Any], None] | None = None) -> None:
        library = self.screen.library

        def work() -> None:
            try:
                result = write(library)
            except Exception as error:  # noqa: BLE001 - read-only library, full disk: one line
                self.screen.app.call_from_thread(self.screen.say, f"Not saved: {error}", severity="error")
                self.screen.app.call_from_thread(self.load)  # show what the store holds
                return
            if then is not None:
                self.screen.app.call_from_thread(then, result)

        self.screen.run_worker(work, thread=True, group="reader-write", exit_on_error=False)
