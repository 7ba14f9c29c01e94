"""The report browser: the report list with its filter box, status line and column header.

It owns what narrows and orders the list (filter, search, sort); the screen only asks it
to do so from its keys and hears back through ``ReportList`` messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static
from yanbao.store.index import search_parts
from yanbao.store.search import Snippet, match_snippet, query_groups
from yanbao.store.user_state import UserState, split_state_terms
from yanbao.tui.data.company_names import company_keys, company_terms
from yanbao.tui.widgets.report_list import (
    SORT_KEYS,
    ReportList,
    ReportListHeader,
    filter_summaries,
    sort_summaries,
)
from yanbao.tui.widgets.safe_text import clean

if TYPE_CHECKING:
    from yanbao.store.model import Digest
    from yanbao.tui.data.library import Library

__all__ = ["ReportBrowser"]

EMPTY_LIBRARY = "No reports yet: press i to ingest some."

SEARCH_FIRST = 100
"""A search first lists this many of its newest matches, with the count, while it reads the
rest (a common word matches most of a big library: every id in order takes a second)."""


def match_line(snippet: Snippet) -> Text:
    """A search snippet (of cleaned text) as one line, the matched words highlighted."""
    line = Text("› ", style="dim")
    line.append(snippet.text)
    for start, end in snippet.spans:
        line.stylize("bold reverse", start + 2, end + 2)
    return line


class ReportBrowser(Vertical):
    """The report list, narrowed by a filter (``f``) and a search (``/``), sorted by ``s``."""

    sort_key: reactive[str] = reactive("date")
    """Column the report list is sorted by."""

    sort_reverse: reactive[bool] = reactive(True)
    """True for descending (newest, or Z, first)."""

    filter_text: reactive[str] = reactive("")
    """The list filter typed after `f`."""

    search_query: reactive[str] = reactive("")
    """The last search (`/`), empty for none."""

    class Searched(Message):
        """A search finished and the list shows its matches."""

        def __init__(self, query: str, found: int) -> None:
            super().__init__()
            self.query = query
            self.found = found

    class Emptied(Message):
        """The list shows no report (an empty library, or nothing matches)."""

    class Failed(Message):
        """The store could not answer a search."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self.summaries: list[Any] = []
        self.search_ids: set[str] | None = None
        self.search_count: int | None = None  # matches of a search still listing them all
        self.first_of: int | None = None  # the library's size while only its newest rows are listed
        self.loaded = False
        # company: terms resolved through the registry (腾讯 → Tencent's names), per term.
        self._company_names: dict[str, frozenset[str]] = {}
        self.state = UserState()  # the reader's marks: unread, stars, tags, notes

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: words, broker:…, period:…, company:…, tag:…, starred, unread", id="filter")
        yield Static(Text("Opening the store…", style="dim"), id="list-status")
        yield Static("", id="list-match")
        yield ReportListHeader(id="list-header")
        yield ReportList(id="reports")

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.query_one("#list-match", Static).display = False

    @property
    def report_list(self) -> ReportList:
        """The list itself."""
        return self.query_one(ReportList)

    @property
    def filter_input(self) -> Input:
        """The filter box above the list (hidden until `f`)."""
        return self.query_one("#filter", Input)

    # -- what the list shows ---------------------------------------------------------------
    def set_summaries(self, summaries: list[Any]) -> None:
        """Show the library's summaries (after the store opened or an ingest)."""
        self.loaded = True
        self.first_of = None
        self.summaries = summaries
        self.refresh_list()

    def show_first(self, newest: list[Any], total: int) -> None:
        """List a big library's ``newest`` rows (of ``total``) while every row is read."""
        self.loaded = True
        self.first_of = total
        self.summaries = newest
        self.refresh_list()

    def show_progress(self, line: str) -> None:
        """The store is still opening (converting the library): say how far, where the count
        and the list will be."""
        self.report_list.empty_message = line
        self.query_one("#list-status", Static).update(Text(line, style="bold"))

    def show_failure(self, reason: str) -> None:
        """The store could not be opened: say why where the count would be."""
        self.report_list.empty_message = "The store could not be opened."
        self.query_one("#list-status", Static).update(Text(reason, style="red"))

    def refresh_list(self) -> None:
        """Filter, search and sort the summaries into the list, keeping the cursor's report."""
        report_list = self.report_list
        keep = report_list.highlighted.id if report_list.highlighted is not None else None
        words, wanted = split_state_terms(self.filter_text)
        rows = filter_summaries(self.summaries, words, self.search_ids, self._company_names)
        if wanted:
            rows = [r for r in rows if wanted.matches(r.id, self.state)]
        report_list.empty_message = self._empty_message()
        report_list.set_rows(sort_summaries(rows, self.sort_key, self.sort_reverse), keep_id=keep)
        self._update_header()
        if not rows:
            self.post_message(self.Emptied())

    def _empty_message(self) -> str:
        if not self.summaries:
            return EMPTY_LIBRARY
        asked = " and ".join(
            f"{label} “{clean(value, one_line=True)}”"
            for label, value in (("search", self.search_query), ("filter", self.filter_text))
            if value
        )
        return f"No report matches {asked} (Esc clears)." if asked else EMPTY_LIBRARY

    def _update_header(self) -> None:
        header = self.query_one(ReportListHeader)
        header.sort_key, header.sort_reverse = self.sort_key, self.sort_reverse
        if not self.loaded:
            return
        if self.first_of is not None:
            status = Text(f"Listing the newest {len(self.summaries):,} of {self.first_of:,} reports…", style="bold")
            self.query_one("#list-status", Static).update(status)
            return
        shown, total = len(self.report_list.rows), len(self.summaries)
        if self.search_count is not None:
            shown = self.search_count
        status = Text(f"{shown} of {total} reports" if shown != total else f"{total} reports", style="bold")
        if self.search_count is not None:
            status.append(f"  listing the newest {len(self.report_list.rows)}…", style="dim")
        if self.state.unread:
            status.append(f"  ● {len(self.state.unread)} new", style="bold cyan")
        if self.search_query:
            status.append("  search: ", style="dim")
            status.append(clean(self.search_query, one_line=True))
        if self.filter_text:
            status.append("  filter: ", style="dim")
            status.append(clean(self.filter_text, one_line=True))
        if self.search_query or self.filter_text:
            status.append("  (Esc clears)", style="dim")
        self.query_one("#list-status", Static).update(status)

    # -- the reader's marks -----------------------------------------------------------------
    def set_state(self, state: UserState) -> None:
        """Show the reader's marks: dots for new reports, stars; refilter when the filter
        asks for them (``tag:``, ``starred``, ``unread``)."""
        self.state = state
        self.report_list.set_marks(state.unread, state.starred)
        if split_state_terms(self.filter_text)[1]:
            self.refresh_list()
        else:
            self._update_header()

    def next_unread(self) -> bool:
        """Move the cursor to the next unread report below it (then from the top); False
        when no report shown is unread."""
        report_list = self.report_list
        count = len(report_list.rows)
        for step in range(1, count + 1):
            index = (report_list.cursor + step) % count
            if report_list.is_unread(index):
                report_list.cursor = index
                return True
        return False

    def watch_sort_key(self) -> None:
        if self.loaded:
            self.refresh_list()

    def watch_sort_reverse(self) -> None:
        if self.loaded:
            self.refresh_list()

    def show_match(self, digest: Digest | None) -> None:
        """While a search narrows the list: why the highlighted report matched, its words
        marked in a line of its text (hidden otherwise)."""
        line = self.query_one("#list-match", Static)
        snippet = None
        if digest is not None and self.search_query:
            texts = (clean(text, one_line=True) for text in search_parts(digest.to_dict()))
            snippet = match_snippet(texts, query_groups(split_state_terms(self.search_query)[0]))
        line.display = snippet is not None
        if snippet is not None:
            line.update(match_line(snippet))

    # -- sort ---------------------------------------------------------------------------------
    def cycle_sort(self) -> str:
        """Sort by the next column (date newest first, the others A→Z); returns its name."""
        index = SORT_KEYS.index(self.sort_key)
        next_key = SORT_KEYS[(index + 1) % len(SORT_KEYS)]
        self.sort_reverse = next_key == "date"
        self.sort_key = next_key
        return next_key

    def reverse_sort(self) -> str:
        """Turn the sort direction around on the same column; returns ``date ▲`` and the like."""
        self.sort_reverse = not self.sort_reverse
        return f"{self.sort_key} {'▼' if self.sort_reverse else '▲'}"

    def set_sort(self, key: str, reverse: bool) -> None:
        """Sort by ``key`` in the given direction (a remembered sort; unknown keys are ignored)."""
        if key in SORT_KEYS:
            self.sort_reverse = reverse
            self.sort_key = key

    # -- filter -------------------------------------------------------------------------------
    def open_filter(self) -> None:
        """Show and focus the filter box."""
        self.filter_input.display = True
        self.filter_input.focus()

    @property
    def narrowed(self) -> bool:
        """True while a filter or a search narrows the list."""
        return bool(self.filter_text or self.search_query)

    def close_filter(self) -> None:
        """Esc in the filter box: clear and hide it, back to the list."""
        self.filter_input.value = ""
        self.filter_input.display = False
        self.filter_text = ""
        self.refresh_list()
        self.report_list.focus()

    def clear_filters(self) -> None:
        """Drop the filter and the search: every report again."""
        self.filter_input.value = ""
        self.filter_input.display = False
        self.filter_text = ""
        self.workers.cancel_group(self, "search")  # a search still reading never lands
        self.search_query = ""
        self.search_ids = None
        self.search_count = None
        self.show_match(None)
        self.refresh_list()

    def set_filter(self, text: str) -> None:
        """Filter the list by ``text`` as if typed after `f` (the box shows it when not empty)."""
        text = text.strip()
        with self.prevent(Input.Changed):
            self.filter_input.value = text
        self.filter_input.display = bool(text)
        self._apply_filter(text)

    def _apply_filter(self, text: str) -> None:
        self.filter_text = text
        for term in company_terms(self.filter_text):
            if term not in self._company_names:
                self._company_names[term] = company_keys(term)
        self.refresh_list()

    def select(self, digest_id: str) -> bool:
        """Put the cursor on a report; False when the list does not show it."""
        report_list = self.report_list
        index = next((i for i, s in enumerate(report_list.rows) if s.id == digest_id), None)
        if index is None:
            return False
        report_list.cursor = index
        return True

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._apply_filter(event.value.strip())

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value.strip():
            event.input.display = False
        self.report_list.focus()

    # -- search -------------------------------------------------------------------------------
    def search(self, query: str) -> None:
        """Search the store in a worker; the matches replace the list until Esc."""
        self.query_one("#list-status", Static).update(Text("Searching…", style="dim"))
        self._search(query)

    @work(thread=True, exclusive=True, exit_on_error=False, group="search")
    def _search(self, query: str) -> None:
        worker = get_current_worker()
        try:
            # Newest first and nothing else narrowing: the newest matches are the first screen.
            if self.sort_key == "date" and self.sort_reverse and not self.filter_text:
                first = self.library.search_first(query, SEARCH_FIRST)
                if first is not None and first[0] > len(first[1]) and not worker.is_cancelled:
                    self.app.call_from_thread(self._searched, query, first[1], first[0])
            ids = self.library.search(query)
        except Exception as error:
            self.post_message(self.Failed(clean(error, one_line=True)))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._searched, query, ids)

    def _searched(self, query: str, ids: list[str], count: int | None = None) -> None:
        """Show a search's matches; ``count``: these are the newest of that many, the rest
        still being read."""
        self.search_query = query
        self.search_ids = set(ids)
        self.search_count = count
        self.refresh_list()
        if count is None:
            self.post_message(self.Searched(query, len(self.report_list.rows)))
