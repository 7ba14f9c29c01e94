"""The main screen: report list on one side, the four panes on the other, wired together."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, TabbedContent, TabPane
from textual.widgets._tabbed_content import ContentTabs
from yanbao.tui.data.company_names import company_item
from yanbao.tui.data.conversion_progress import ConversionProgress
from yanbao.tui.data.export_file import export_view
from yanbao.tui.data.library import Library, report_periods
from yanbao.tui.data.open_source import figure_page, open_source, statement_page
from yanbao.tui.data.settings import PANE_NAMES, label_lang, save_settings
from yanbao.tui.screens.choice import ChoiceDialog
from yanbao.tui.screens.export_result import ExportResultDialog
from yanbao.tui.screens.ingest import IngestDialog
from yanbao.tui.screens.prompt import PromptDialog
from yanbao.tui.screens.reader_marks import ReaderMarks
from yanbao.tui.widgets.compare import ComparePane
from yanbao.tui.widgets.copy_target import copy_subject
from yanbao.tui.widgets.folder_watcher import FolderWatcher
from yanbao.tui.widgets.ingest_runner import IngestRunner
from yanbao.tui.widgets.key_points import KeyPointsPane
from yanbao.tui.widgets.list_motion import move_cursor
from yanbao.tui.widgets.report_browser import ReportBrowser
from yanbao.tui.widgets.report_list import ReportList
from yanbao.tui.widgets.risks import RisksPane
from yanbao.tui.widgets.safe_text import clean
from yanbao.tui.widgets.session_keeper import SessionKeeper
from yanbao.tui.widgets.splitter import Splitter
from yanbao.tui.widgets.watchlist import WatchlistPane

if TYPE_CHECKING:
    from yanbao.store.model import Digest

__all__ = ["MainScreen", "PANES"]

PANES = PANE_NAMES
"""Pane ids in number-key order."""

CONVERTING_EVERY_S = 0.1
"""The most often the screen hears of a conversion on open (a tick per digest otherwise)."""

PANE_DELAY = 0.1
"""Seconds the cursor rests on a report before the panes show it."""

NARROW_WIDTH = 140
"""Below this many columns the list sits above the panes instead of beside them."""
SHORT_HEIGHT = 30
"""Below this many rows the list shrinks to two lines while a pane has focus."""

EAGER_LIBRARY = 2000

FIRST_ROWS = 500
"""A library bigger than EAGER_LIBRARY first lists its newest FIRST_ROWS reports, read in a
millisecond, while every row is read (a second at 100,000 reports)."""
"""Up to this many reports panes 2-4 are filled at start; above it, when one is first shown."""


class MainScreen(Screen[None]):
    """Browse reports and the library: list, key points, watchlist, risks, compare."""

    # Footer order is priority order: Help and Quit first so that no width hides them; the
    # pane keys are on the tabs ("1 Key points"), so the footer leaves them out.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "app.help", "Help", key_display="?", tooltip="Show every key", id="main-help"),
        Binding("q", "app.quit", "Quit", tooltip="Quit yanbao", id="main-quit"),
        Binding("1", "show_pane('keypoints')", "Points", show=False, tooltip="Pane 1: key points, metrics and sources", id="pane-1"),
        Binding("2", "show_pane('watchlist')", "Watch", show=False, tooltip="Pane 2: watched companies across reports", id="pane-2"),
        Binding("3", "show_pane('risks')", "Risks", show=False, tooltip="Pane 3: this report's risks and their recurrence", id="pane-3"),
        Binding("4", "show_pane('compare')", "Compare", show=False, tooltip="Pane 4: compare two quarters", id="pane-4"),
        Binding("slash", "search", "Search", key_display="/", tooltip="Search titles, key points, companies and risks", id="search"),
        Binding("f", "filter", "Filter", tooltip="Filter the list: words, broker:, period:, company:", id="filter"),
        Binding("s", "sort", "Sort", tooltip="Sort the list by date, broker, period or title (again to cycle)", id="sort"),
        Binding("S", "reverse_sort", "Reverse", show=False, tooltip="Reverse the sort: oldest first, Z→A (the header shows ▲/▼)", id="reverse-sort"),
        Binding("y", "copy", "Copy", show=False, tooltip="Copy what is under the cursor: a figure with its sentence, a risk, "
                "a key point, or the whole digest as markdown from the list", id="copy"),
        Binding("w", "watch", "+Watch", tooltip="Add the company under the cursor (or a typed one) to the watchlist", id="watch"),
        Binding("d", "unwatch", "-Watch", tooltip="Remove the highlighted company from the watchlist", id="unwatch"),
        Binding("e", "export", "Export", tooltip="Export the current view as a markdown file", id="export"),
        Binding("i", "ingest", "Ingest", tooltip="Ingest a file or folder of reports (runs behind the app; i shows it again)", id="ingest"),
        Binding("x", "stop_ingest", "Stop ingest", tooltip="Stop the running ingest: reports already stored stay, the rest are not stored",
                id="stop-ingest"),
        Binding("o", "open_source", "Open", show=False,
                tooltip="Open the source file at the page of the highlighted figure or key point", id="open-source"),
        Binding("left_square_bracket", "resize_list(-5)", "List−", key_display="[", show=False,
                tooltip="Give the report list less room (or drag the bar between list and panes)", id="list-smaller"),
        Binding("right_square_bracket", "resize_list(5)", "List+", key_display="]", show=False,
                tooltip="Give the report list more room (remembered for next time)", id="list-bigger"),
        Binding("j", "cursor_down", "Down", show=False, tooltip="Move down in the focused list or table", id="down"),
        Binding("k", "cursor_up", "Up", show=False, tooltip="Move up in the focused list or table", id="up"),
        Binding("g", "move('first')", "First", show=False, tooltip="First row of the focused list or table", id="first"),
        Binding("G", "move('last')", "Last", show=False, tooltip="Last row of the focused list or table", id="last"),
        Binding("ctrl+d", "move('half_down')", "Half page down", key_display="Ctrl+D", show=False,
                tooltip="Half a page down in the focused list or table", id="half-down"),
        Binding("ctrl+u", "move('half_up')", "Half page up", key_display="Ctrl+U", show=False,
                tooltip="Half a page up in the focused list or table", id="half-up"),
        Binding("escape", "back", "Back", show=False, tooltip="Back to the report list; again clears filter and search", id="back"),
        Binding("asterisk", "star", "Star", key_display="*", show=False, tooltip="Star the highlighted report (again to unstar)", id="star"),
        Binding("t", "tags", "Tags", show=False, tooltip="Edit the highlighted report's tags (completes tags in use)", id="tags"),
        Binding("n", "note", "Note", show=False, tooltip="Write a note on the highlighted report", id="note"),
        Binding("u", "next_unread", "Next new", show=False, tooltip="Jump to the next unread (new) report", id="next-unread"),
        Binding("m", "toggle_read", "Read/unread", show=False, tooltip="Mark the highlighted report unread again, or read", id="toggle-read"),
    ]

    class StoreOpened(Message):
        """The store is open: its summaries, and how many samples were seeded."""

        def __init__(self, summaries: list[Any], seeded: int, seed_failures: list[str],
                     converted: str | None = None) -> None:
            super().__init__()
            self.summaries = summaries
            self.seeded = seeded
            self.seed_failures = seed_failures
            self.converted = converted  # what the conversion on open did, if one ran

    class FirstRows(Message):
        """A big library's newest rows, to list while every row is read."""

        def __init__(self, rows: list[Any], total: int) -> None:
            super().__init__()
            self.rows = rows
            self.total = total

    class Converting(Message):
        """The store converts the library on open (schema-1 digests gain pages): how far."""

        def __init__(self, done: int, total: int, what: str) -> None:
            super().__init__()
            self.done = done
            self.total = total
            self.what = what

    class StoreFailed(Message):
        """The store could not be opened or read."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    class LibraryLoaded(Message):
        """The watchlist was read: panes 2-4 can be filled (each asks the store for its digests)."""

        def __init__(self, watchlist: list[Any], *, fill_all: bool = False) -> None:
            super().__init__()
            self.watchlist = watchlist
            self.fill_all = fill_all  # a small library: fill panes 2-4 before they are shown

    class DigestLoaded(Message):
        """The highlighted report's digest was read from the store."""

        def __init__(self, digest: Digest | None) -> None:
            super().__init__()
            self.digest = digest

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.summaries: list[Any] = []
        self.watchlist: list[Any] | None = None  # None until panes 2-4 are filled
        self.digest: Digest | None = None
        self.loaded = False
        self._library_requested = False
        # Panes 2-4 asked for (all three for a small library) and those filled: a big
        # library fills each on first show, so their reads never pile up at once.
        self._wanted: set[str] = set()
        self._filled: set[str] = set()
        self._pane_timer: Timer | None = None
        self.keeper = SessionKeeper()  # where the user was: restored once the store is open
        self.settings = self.keeper.settings
        self.reader = ReaderMarks(self)  # what is new, stars, tags, notes
        self.conversion = ConversionProgress()  # a library converted on open, as it goes
        self._converting_said = 0.0  # when the opening thread last posted a Converting

    def say(self, message: object, **options: Any) -> None:
        """Notify with text that may hold report words: cleaned, never read as markup."""
        self.notify(clean(message, one_line=True), markup=False, **options)

    # -- layout -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield ReportBrowser(self.library, id="report-pane")
            yield Splitter(id="splitter")
            with TabbedContent(initial="keypoints", id="panes"):
                with TabPane("1 Key points", id="keypoints"):
                    yield KeyPointsPane(id="keypoints-pane")
                with TabPane("2 Watchlist", id="watchlist"):
                    yield WatchlistPane(self.library, id="watchlist-pane")
                with TabPane("3 Risks", id="risks"):
                    yield RisksPane(id="risks-pane")
                with TabPane("4 Compare", id="compare"):
                    yield ComparePane(id="compare-pane")
        yield IngestRunner(self.library, id="ingest-runner")
        yield FolderWatcher(self.library, id="folder-watcher")
        yield Footer(compact=True, show_command_palette=False)

    @property
    def browser(self) -> ReportBrowser:
        """The report list with its filter, search and sort."""
        return self.query_one(ReportBrowser)

    def on_mount(self) -> None:
        # The tabs need no Tab stop: 1-4 switch panes and a click still works.
        self.query_one("#panes", TabbedContent).query_one(ContentTabs).can_focus = False
        self.query_one(ReportList).focus()
        self.keeper.start(self)
        self.library.progress = self._converting
        self._open_store()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        in_panes = any(node.id == "panes" for node in event.widget.ancestors_with_self)
        self.set_class(in_panes, "-pane-focus")

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")
        self.set_class(event.size.height < SHORT_HEIGHT, "-short")
        self._apply_split()

    # -- the list/pane split (keys [ ], or drag the bar; remembered) ------------------------
    def _apply_split(self) -> None:
        """Size the list by the user's share: its height above the panes, else its width."""
        narrow = self.has_class("-narrow")
        self.query_one(Splitter).vertical = narrow
        styles = self.browser.styles
        share = self.settings.split
        if share is None:  # the stylesheet's default layout
            styles.clear_rule("width")
            styles.clear_rule("height")
            styles.clear_rule("max_width")
        elif narrow:
            styles.clear_rule("width")
            styles.clear_rule("max_width")
            styles.height = f"{share}%"
        else:
            styles.clear_rule("height")
            styles.width = f"{share}%"
            styles.max_width = "90%"
        self.query_one(Splitter).refresh()

    def _list_share(self) -> int:
        """The list's share of the screen now, in percent."""
        main = self.query_one("#main").content_region
        if self.has_class("-narrow"):
            return round(self.browser.outer_size.height * 100 / max(1, main.height))
        return round(self.browser.outer_size.width * 100 / max(1, main.width))

    def set_split(self, share: int, *, remember: bool = True) -> None:
        """Give the list ``share`` percent of the screen (10-90)."""
        self.settings.split = max(10, min(90, share))
        self._apply_split()
        if remember:
            save_settings(self.settings)

    def action_resize_list(self, delta: int) -> None:
        """[ and ]: five percent less or more room for the report list."""
        self.set_split((self.settings.split or self._list_share()) + delta)

    @on(Splitter.Moved)
    def _splitter_moved(self, event: Splitter.Moved) -> None:
        event.stop()
        self.set_split(event.share, remember=event.done)

    # -- store loading (workers) ----------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="store")
    def _open_store(self, *, seed: bool = True) -> None:
        try:
            seeded, failures = self.library.open(seed=seed)
            if not self.loaded and (total := self.library.count()) > EAGER_LIBRARY:
                self.post_message(self.FirstRows(self.library.newest(FIRST_ROWS), total))
            summaries = self.library.summaries()
            self.post_message(self.StoreOpened(summaries, seeded, failures, self.library.conversion_summary()))
            eager = len(summaries) <= EAGER_LIBRARY
            if eager or self.watchlist is not None:
                self.post_message(self.LibraryLoaded(self.library.watchlist(), fill_all=eager))
        except Exception as error:  # StoreError and friends: one line, never a traceback
            self.post_message(self.StoreFailed(clean(error, one_line=True)))

    @work(thread=True, exclusive=True, exit_on_error=False, group="library")
    def _load_library(self) -> None:
        try:
            self.post_message(self.LibraryLoaded(self.library.watchlist()))
        except Exception as error:
            self.post_message(self.StoreFailed(clean(error, one_line=True)))

    @property
    def panes_pending(self) -> bool:
        """True while the panes wait for the cursor to rest before showing its report."""
        return self._pane_timer is not None

    @property
    def library_ready(self) -> bool:
        """True once the watchlist is read and panes 2-4 can be filled (at start for a small
        library; on first showing one of them for a big one)."""
        return self.watchlist is not None

    def ensure_library(self, pane: str) -> None:
        """Fill ``pane`` (2-4) now if a big library deferred it."""
        if pane == "keypoints" or not self.loaded:
            return
        self._wanted.add(pane)
        if self.watchlist is not None:
            if pane not in self._filled:
                self._fill(pane)
        elif not self._library_requested:
            self._library_requested = True
            self._load_library()

    def _fill(self, pane: str) -> None:
        # No pane keeps the library's digests: each asks the store for the ones it shows.
        self._filled.add(pane)
        if pane == "watchlist":
            self.query_one(WatchlistPane).set_data(self.watchlist or [], self.library)
        elif pane == "risks":
            if len(self.summaries) > EAGER_LIBRARY:
                self.say(f"Counting risks across {len(self.summaries):,} reports…", timeout=3)
            self.query_one(RisksPane).set_library(self.library)
        elif pane == "compare":
            self.query_one(ComparePane).set_library(self.library, report_periods(self.summaries))

    def _converting(self, done: int, total: int, what: str) -> None:
        """The store's progress while it converts on open (in the opening thread): passed on
        to the screen at most ten times a second, and always the first and last ticks."""
        now = time.monotonic()
        if done in (0, total) or now - self._converting_said >= CONVERTING_EVERY_S or what != self.conversion.what:
            self._converting_said = now
            self.post_message(self.Converting(done, total, what))

    def on_main_screen_converting(self, message: Converting) -> None:
        self.conversion.record(message.done, message.total, message.what)
        if not self.loaded:
            self.browser.show_progress(self.conversion.short())
            self.query_one(KeyPointsPane).opening_store(self.conversion.long())

    def reload(self) -> None:
        """Re-read summaries and digests (after an ingest)."""
        self._open_store(seed=False)

    def on_main_screen_first_rows(self, message: FirstRows) -> None:
        if not self.loaded:  # the whole list is still being read
            self.browser.show_first(message.rows, message.total)

    def on_main_screen_store_opened(self, message: StoreOpened) -> None:
        if not self.loaded and message.converted:
            self.say(f"The library was converted to digest {message.converted}", title="Library", timeout=10)
        first_open = not self.loaded
        self.loaded = True
        self.summaries = message.summaries
        self.browser.set_summaries(message.summaries)
        self.keeper.restore()
        self.ensure_library(self.active_pane)  # a pane shown while the list was being read
        self.reader.load()  # after the restore: news about a watched company is shown first
        if message.seeded:
            self.say(f"Added {message.seeded} bundled sample reports to the empty store.", title="Welcome")
        if message.seed_failures:
            first = clean(message.seed_failures[0], one_line=True)
            self.say(
                f"{len(message.seed_failures)} bundled samples could not be read, e.g. {first}",
                title="Samples", severity="warning", timeout=10,
            )
        if first_open and self.settings.watch_folder and not self.library.read_only:
            problem = self.query_one(FolderWatcher).start(self.settings.watch_folder)
            if problem:
                self.say(f"Not watching for new reports: {problem}", title="Watched folder", severity="warning", timeout=8)
        self.refresh_bindings()

    def on_main_screen_store_failed(self, message: StoreFailed) -> None:
        self._failed(message.reason)

    def _failed(self, reason: str) -> None:
        self.browser.show_failure(reason)
        self.say(reason, title="Store error", severity="error", timeout=10)

    def on_main_screen_library_loaded(self, message: LibraryLoaded) -> None:
        self.watchlist = message.watchlist
        if message.fill_all:
            self._wanted.update(PANES[1:])
        for pane in PANES[1:]:  # in pane order; refilled after an ingest
            if pane in self._wanted or pane in self._filled:
                self._fill(pane)
        self.refresh_bindings()

    # -- the report list --------------------------------------------------------------------
    @on(ReportBrowser.Emptied)
    def _list_emptied(self, event: ReportBrowser.Emptied) -> None:
        event.stop()
        self._show_digest(None)

    @on(ReportList.Highlighted)
    def _report_highlighted(self, event: ReportList.Highlighted) -> None:
        event.stop()
        # The panes follow once the cursor rests: a held arrow key only moves the cursor.
        if self._pane_timer is not None:
            self._pane_timer.stop()
        digest_id = event.summary.id
        self.query_one(KeyPointsPane).opening(event.summary.title)
        self.reader.highlighted(digest_id)
        self._pane_timer = self.set_timer(PANE_DELAY, lambda: self._show_highlighted(digest_id))

    def _show_highlighted(self, digest_id: str) -> None:
        self._pane_timer = None
        self._load_digest(digest_id)

    @on(WatchlistPane.OpenReport)
    def _open_from_watchlist(self, event: WatchlistPane.OpenReport) -> None:
        event.stop()
        self.reader.opened(event.digest_id)
        self.open_report(event.digest_id)

    def open_report(self, digest_id: str) -> None:
        """Select a report (clearing a filter that hides it) and show its key points."""
        if not self.browser.select(digest_id):
            self.browser.clear_filters()  # the report is filtered out: show everything again
            self.browser.select(digest_id)
        self.action_show_pane("keypoints")

    def open_company(self, name: str) -> None:
        """The company's detail in the Watchlist pane (its reports, figures by quarter, each
        broker's rating and target): a watched company's own entry, any other shown there
        without being watched (``w`` watches it)."""
        self.action_show_pane("watchlist")  # fills the pane when a big library deferred it
        pane = self.query_one(WatchlistPane)
        if pane.highlight(name):
            return
        pane.peek(company_item(name))
        self.say(f"{name} is not watched: shown here until you watch it (w) or jump to another", timeout=4)

    @on(ReportList.Opened)
    def _report_opened(self, event: ReportList.Opened) -> None:
        event.stop()
        self.reader.opened(event.summary.id)
        self.action_show_pane("keypoints")

    @work(thread=True, exclusive=True, exit_on_error=False, group="digest")
    def _load_digest(self, digest_id: str) -> None:
        try:
            self.post_message(self.DigestLoaded(self.library.get(digest_id)))
        except Exception as error:
            self.post_message(self.StoreFailed(clean(error, one_line=True)))

    def on_main_screen_digest_loaded(self, message: DigestLoaded) -> None:
        self._show_digest(message.digest)

    @property
    def lang(self) -> str:
        """The label language of this screen: the setting (``--lang`` or settings.json),
        else the shown report's language."""
        setting = getattr(self.app, "lang", None) or self.settings.lang
        return label_lang(setting, self.digest.language if self.digest is not None else None)

    def _show_digest(self, digest: Digest | None) -> None:
        had_digest = self.digest is not None
        self.digest = digest
        lang = self.lang  # one language for every pane on the screen
        self.query_one(KeyPointsPane).lang = lang
        self.query_one(ComparePane).set_lang(lang)
        self.query_one(WatchlistPane).set_lang(lang)
        self.query_one(KeyPointsPane).show(digest)
        self.query_one(RisksPane).show_report(digest)
        self.query_one(ComparePane).set_report(digest)
        self.browser.show_match(digest)
        if had_digest != (digest is not None):  # footer recomposes are costly: only on change
            self.refresh_bindings()

    # -- actions ----------------------------------------------------------------------------
    @property
    def active_pane(self) -> str:
        """Id of the pane on show."""
        return self.query_one("#panes", TabbedContent).active or "keypoints"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("search", "watch", "unwatch", "export", "ingest", "filter", "sort", "reverse_sort",
                      "watch_folder") and not self.loaded:
            return None  # shown dimmed until the store is open
        if action == "stop_ingest":
            return self.query_one(IngestRunner).running  # in the footer only while one runs
        if action == "unwatch" and not self.watchlist:
            return None
        if action == "open_source" and self.digest is None:
            return None
        if action in ("star", "tags", "note", "next_unread", "toggle_read") and self.browser.report_list.highlighted is None:
            return None
        if action == "export":
            pane = self.active_pane
            if pane == "keypoints" and self.digest is None:
                return None
            if pane == "risks" and self.digest is None and not self.query_one(RisksPane).tally:
                return None
            if pane == "compare" and self.query_one(ComparePane).comparison is None:
                return None
            if pane == "watchlist" and self.watchlist is None:
                return None
        return True

    def action_show_pane(self, pane: str) -> None:
        """Show one of the four panes and focus its main widget."""
        self.query_one("#panes", TabbedContent).active = pane
        self.ensure_library(pane)
        target = {
            "keypoints": "#kp-points",
            "watchlist": "#watch-list",
            "risks": "#risks-library",
            "compare": "#compare-table",
        }[pane]
        self.query_one(target).focus()
        self.refresh_bindings()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.ensure_library(self.active_pane)
        self.refresh_bindings()

    def action_cursor_down(self) -> None:
        """j: move down in whatever list or table has focus."""
        focused = self.focused
        if focused is not None and hasattr(focused, "action_cursor_down"):
            focused.action_cursor_down()
        elif focused is not None and hasattr(focused, "action_scroll_down"):
            focused.action_scroll_down()

    def action_cursor_up(self) -> None:
        """k: move up in whatever list or table has focus."""
        focused = self.focused
        if focused is not None and hasattr(focused, "action_cursor_up"):
            focused.action_cursor_up()
        elif focused is not None and hasattr(focused, "action_scroll_up"):
            focused.action_scroll_up()

    def action_back(self) -> None:
        """Esc: back to the list; when already there, clear the filter and the search."""
        browser = self.browser
        if self.focused is browser.filter_input:
            browser.close_filter()
            return
        if self.focused is not browser.report_list:
            browser.report_list.focus()
            return
        if browser.narrowed:
            browser.clear_filters()

    def action_sort(self) -> None:
        """Cycle the sort column; date sorts newest first, the others A→Z."""
        self.say(f"Sorted by {self.browser.cycle_sort()}", timeout=2)

    def action_reverse_sort(self) -> None:
        """S: the same column in the other direction."""
        self.say(f"Sorted by {self.browser.reverse_sort()}", timeout=2)

    def action_move(self, move: str) -> None:
        """g, G, Ctrl+d, Ctrl+u: first, last, half a page in the focused list or table."""
        move_cursor(self.focused, move)  # type: ignore[arg-type]

    def action_copy(self) -> None:
        """y: copy what is under the cursor (see ``widgets.copy_target``) and say what."""
        found = copy_subject(self)
        if found is None:
            self.say("Nothing to copy here: put the cursor on a figure, a risk or a report", timeout=3)
            return
        what, text = found
        self.app.copy_to_clipboard(text)
        self.say(f"Copied {what}", title="Clipboard", timeout=3)

    def action_filter(self) -> None:
        """Show and focus the filter box above the list."""
        self.browser.open_filter()

    def action_search(self) -> None:
        """Ask for a search; matching reports replace the list until Esc."""

        def done(query: str | None) -> None:
            if query:
                self.browser.search(query)

        self.app.push_screen(
            PromptDialog("Search reports", placeholder="资本开支, Azure, 行业竞争…", value=self.browser.search_query,
                         hint="Titles, key points, companies and risks · Enter to search · Esc to cancel",
                         id="search-dialog"),
            done,
        )

    @on(ReportBrowser.Searched)
    def _searched(self, event: ReportBrowser.Searched) -> None:
        event.stop()
        self.say(f"{event.found} reports match “{event.query}”", timeout=3)
        self.query_one(ReportList).focus()

    @on(ReportBrowser.Failed)
    @on(WatchlistPane.Failed)
    def _pane_failed(self, event: ReportBrowser.Failed | WatchlistPane.Failed) -> None:
        event.stop()
        self._failed(event.reason)

    def _company_under_cursor(self) -> str | None:
        pane = self.active_pane
        if pane == "keypoints":
            return self.query_one(KeyPointsPane).company_under_cursor
        if pane == "compare":
            return self.query_one(ComparePane).company_under_cursor
        return None

    def action_watch(self) -> None:
        """Watch the company under the cursor, or ask which one."""
        company = self._company_under_cursor()
        if self.active_pane == "watchlist" and self.query_one(WatchlistPane).highlighted_unwatched:
            company = self.query_one(WatchlistPane).highlighted_item.name  # shown, not yet watched
        if company:
            self.query_one(WatchlistPane).watch(company)
            return
        suggestion = ""
        if self.digest is not None:
            picks = self.digest.recommended or self.digest.companies
            suggestion = clean(picks[0].name, one_line=True) if picks else ""

        def done(name: str | None) -> None:
            if name:
                self.query_one(WatchlistPane).watch(name)

        self.app.push_screen(
            PromptDialog("Add a company to the watchlist", placeholder="Tencent, 腾讯控股, 0700.HK…",
                         value=suggestion, id="watch-dialog"),
            done,
        )

    def action_unwatch(self) -> None:
        """Stop watching the highlighted watchlist company (or the one under the cursor)."""
        name: str | None = None
        if self.active_pane == "watchlist":
            pane = self.query_one(WatchlistPane)
            if pane.highlighted_unwatched:
                self.say(f"{pane.highlighted_item.name} is not on the watchlist (w watches it)", timeout=3)
                return
            item = pane.highlighted_item
            name = item.name if item is not None else None
        else:
            company = self._company_under_cursor()
            watched = {i.name.casefold(): i.name for i in (self.watchlist or [])}
            if company and company.casefold() in watched:
                name = watched[company.casefold()]
        if name:
            self.query_one(WatchlistPane).unwatch(name)
            return

        def done(typed: str | None) -> None:
            if typed:
                self.query_one(WatchlistPane).unwatch(typed)

        names = ", ".join(i.name for i in (self.watchlist or []))
        self.app.push_screen(
            PromptDialog("Remove a company from the watchlist", placeholder=clean(names, one_line=True)[:60],
                         id="unwatch-dialog"),
            done,
        )

    def on_watchlist_pane_unsure(self, message: WatchlistPane.Unsure) -> None:
        """A name nobody knows (a typo?): offer the closest known names, or add it as typed."""
        message.stop()
        name = clean(message.name, one_line=True)
        answers = [(f"Watch {s}", s) for s in message.suggestions]
        answers.append((f"Watch “{name}” as typed", message.name))
        question = f"Neither the company registry nor the library knows “{name}”."
        if message.suggestions:
            question += " Did you mean one of these?"

        def done(choice: str | None) -> None:
            if choice:
                self.query_one(WatchlistPane).watch(choice, confirmed=True)
            else:
                self.say(f"{name} was not added to the watchlist", timeout=3)

        self.say(f"{name}: not a company the registry or the library knows", timeout=4)
        self.app.push_screen(ChoiceDialog("Unknown company", question, answers, id="unsure-dialog"), done)

    def on_watchlist_pane_changed(self, message: WatchlistPane.Changed) -> None:
        message.stop()
        if self.watchlist is not None:
            self.watchlist = message.items
            if "watchlist" in self._filled:
                self.query_one(WatchlistPane).set_data(message.items, self.library, keep=message.keep)
        else:
            self.ensure_library("watchlist")  # it reads the new watchlist
        self.say(message.note, timeout=3)
        self.reader.load()  # new reports per watched company
        self.refresh_bindings()

    def action_export(self) -> None:
        """Export what the current pane shows as markdown."""
        pane = self.active_pane
        if pane == "compare":  # a comparison, or the guidance / ratings history shown
            pane, subject = self.query_one(ComparePane).export_subject()
        else:
            subject = {
                "keypoints": self.digest,
                "risks": self.query_one(RisksPane).view,
                "watchlist": self.watchlist,
            }[pane]
        if subject is not None:
            self._export(pane, subject)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def _export(self, pane: str, subject: Any) -> None:
        try:
            if pane == "watchlist":  # the watched companies' reports, read now
                subject = self.library.watchlist_view(subject)
            elif callable(subject):  # a comparison shown a page at a time, read whole now
                subject = subject()
            marks = self.library.marks(subject.id) if pane == "keypoints" else None
            path, what = export_view(pane, subject, marks)
        except Exception as error:  # a full disk or a bad folder: one line, no traceback
            self.app.call_from_thread(self.say, f"Export failed: {error}", severity="error")
            return
        self.app.call_from_thread(self._exported, path, what)

    def _exported(self, path: Path, what: str) -> None:
        self.say(f"Exported to {path}", title="Export", timeout=6)
        self.app.push_screen(ExportResultDialog(path, what))

    def action_open_source(self) -> None:
        """o: the report's source in the system viewer, at the page of the highlighted figure
        or key point (the first page when neither is highlighted); in Compare, the report
        that states the highlighted figure's newer value, at its page; in the Watchlist's
        figures, the report that states the highlighted figure's latest value."""
        found = self.query_one(ComparePane).highlighted_statement if self.active_pane == "compare" else None
        stating = self.library.get(found[1].shown.digest_id) if found is not None else None
        watched = self.query_one(WatchlistPane).highlighted_figure if self.active_pane == "watchlist" else None
        if found is not None and stating is not None:
            row, cell = found
            page = statement_page(stating, row.company, row.metric, cell.period, cell.shown)
            outcome = open_source(stating, page, what="figure")
            self.say(outcome.message, severity=outcome.severity, timeout=5)
        elif watched is not None and (stating := self.library.get(watched[0])) is not None:
            outcome = open_source(stating, figure_page(stating, *watched[1:]), what="figure")
            self.say(outcome.message, severity=outcome.severity, timeout=5)
        elif self.digest is not None:
            target = self.query_one(KeyPointsPane).page_target if self.active_pane == "keypoints" else None
            what, page = target if target is not None else (None, None)
            outcome = open_source(self.digest, page, what=what)
            self.say(outcome.message, severity=outcome.severity, timeout=5)

    def action_star(self) -> None:
        """Star the highlighted report, or take the star off."""
        self.reader.toggle_star()

    def action_tags(self) -> None:
        """Edit the highlighted report's tags."""
        self.reader.edit_tags()

    def action_note(self) -> None:
        """Write a note on the highlighted report."""
        self.reader.edit_note()

    def action_next_unread(self) -> None:
        """Jump to the next unread report."""
        self.reader.next_unread()

    def action_toggle_read(self) -> None:
        """Mark the highlighted report unread again, or read."""
        self.reader.toggle_read()

    def action_ingest(self) -> None:
        """Ask for a path and ingest it behind the app (or show the running ingest)."""
        self.app.push_screen(IngestDialog(self.library, runner=self.query_one(IngestRunner)))

    def action_watch_folder(self) -> None:
        """Ask for a folder whose new reports are ingested while the app runs (remembered)."""
        watcher = self.query_one(FolderWatcher)

        def done(folder: str | None) -> None:
            if not folder:
                return
            problem = watcher.start(folder)
            if problem:
                self.say(problem, title="Watched folder", severity="warning", timeout=6)
                return
            self.settings.watch_folder = watcher.folder
            save_settings(self.settings)
            self.say(f"Watching {watcher.folder}: reports that land there are ingested (remembered)",
                     title="Watched folder", timeout=5)

        self.app.push_screen(
            PromptDialog("Watch a folder for new reports", placeholder="~/Downloads/reports",
                         value=watcher.folder or self.settings.watch_folder,
                         hint="Reports copied or downloaded there are ingested as they land · Enter to watch · "
                              "Esc to cancel", id="watch-folder-dialog"),
            done,
        )

    def action_unwatch_folder(self) -> None:
        """Stop ingesting what lands in the watched folder (remembered)."""
        watcher = self.query_one(FolderWatcher)
        folder = watcher.folder or self.settings.watch_folder
        watcher.stop()
        self.settings.watch_folder = ""
        save_settings(self.settings)
        self.say(f"Stopped watching {folder}" if folder else "No folder was watched", title="Watched folder", timeout=4)

    @on(FolderWatcher.Batch)
    def _folder_batch(self, event: FolderWatcher.Batch) -> None:
        event.stop()
        report = event.report
        if report.ok:
            self.say(f"{report.ok} new report{'s' if report.ok != 1 else ''} from {event.folder}",
                     title="Watched folder", timeout=5)
            self.reload()
        for result in [r for r in report.results if r.status == "failed"][:5]:
            self.say(f"{Path(result.path).name}: {result.reason}", title="Watched folder: not stored",
                     severity="warning", timeout=10)

    @on(FolderWatcher.Failed)
    def _folder_failed(self, event: FolderWatcher.Failed) -> None:
        event.stop()
        self.say(f"Stopped watching {event.folder}: {event.reason}", title="Watched folder", severity="warning",
                 timeout=10)

    def action_stop_ingest(self) -> None:
        """x: stop the running ingest; what landed stays."""
        self.query_one(IngestRunner).stop()

    @on(IngestRunner.Landed)
    def _reports_landed(self, event: IngestRunner.Landed) -> None:
        event.stop()
        self.reload()

