"""Pane 4, Compare: two quarters side by side, and a chart of one figure over time."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Sequence

from rich.text import Text
from textual import events, on, work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import DataTable, Input, Label, Select, Static
from textual_plotext import PlotextPlot
from yanbao.store.units import basis_label
from yanbao.tui.data.figure_text import who_said_what
from yanbao.tui.data.company_names import short_name
from yanbao.tui.widgets.fitted_table import Column, append_fitted, fill_fitted
from yanbao.tui.widgets.figures import FIGURE_LANG, format_cell, format_change, metric_label
from yanbao.tui.widgets.history_view import HistoryView
from yanbao.tui.widgets.scroll import ScrollWhenNeeded
from yanbao.tui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from yanbao.store.model import Digest
    from yanbao.tui.data.library import Library

__all__ = ["ComparePane", "FigureChart", "diff_text"]

COMPARE_COLUMNS = [
    Column("Figure", shrink_order=0, floor=10),
    Column("Change", value=True),
    Column("From", value=True),
    Column("To", value=True),
    Column("vs cons.", value=True),
]
"""The figure's name gives up cells so that the change and both values always show."""

COMPACT_WIDTH = 100
"""Below this many cells companies go by their short names."""

FIRST_SCREEN = 200
"""Rows (figures, history entries) read first: a big library's comparison or history shows
this many at once, and more as the cursor nears them (``PAGE``)."""

PAGE = 1000
"""Figures read at a time as the cursor nears the end of those read: a big library's
comparison (tens of thousands of figures) holds what was scrolled to, not the whole."""

AHEAD = 100
"""The next page is read once the cursor is this many rows from the last one read."""


def _names(items: Any) -> list[str]:
    return [clean(getattr(i, "name", i), one_line=True) for i in (items or [])]


def diff_text(comparison: Any) -> Text:
    """Risks new / recurring / dropped and picks added / dropped / kept, as coloured lines."""
    text = Text(end="")
    risks, picks = getattr(comparison, "risks", None), getattr(comparison, "picks", None)
    lines = [
        ("New risks", _names(getattr(risks, "new", [])), "red"),
        ("Recurring risks", _names(getattr(risks, "recurring", [])), ""),
        ("Dropped risks", _names(getattr(risks, "dropped", [])), "green"),
        ("Picks added", _names(getattr(picks, "added", [])), "green"),
        ("Picks dropped", _names(getattr(picks, "dropped", [])), "red"),
        ("Picks kept", _names(getattr(picks, "kept", [])), ""),
    ]
    for number, (label, names, style) in enumerate(lines):
        if number:
            text.append("\n")
        text.append(f"{label}: ", style="bold")
        text.append("; ".join(names) if names else "none", style=style if names else "dim")
    return text


def _figure_label(row: Any, *, short: bool = False, lang: str = FIGURE_LANG) -> str:
    """Company · segment · metric, with basis and target year when not a plain actual figure
    (``short``: the company by its shortest name, for a narrow pane)."""
    label = metric_label(row.metric, lang)
    basis = getattr(row, "basis", "actual")
    if basis and basis != "actual" and basis not in row.metric:
        label += f"({basis_label(basis, lang)})"
    target = getattr(row, "target_period", None)
    if target:
        label += f" {target}"
    company = short_name(row.company) if short and row.company else row.company
    return " · ".join(p for p in (company, row.segment, label) if p)


def consensus_mark(vs: str | None) -> Text:
    """One coloured mark: ▲ above, ● inline, ▼ below consensus, · unknown."""
    marks = {"above": ("▲", "green"), "inline": ("●", "yellow"), "below": ("▼", "red")}
    mark, style = marks.get(vs or "", ("·", "dim"))
    return Text(mark, style=style)


HISTORY_MODES = ("guidance", "ratings")
WATCHLIST_WORDS = {"watchlist", "watched", "自选", "自选股", "★"}


def narrow_comparison(comparison: Any, names: set[str] | None) -> None:
    """Keep only the figure rows of ``names`` (canonical companies); None keeps every row."""
    if names is None:
        return
    from yanbao.store.compare.common import keep_companies

    keep = keep_companies(names)
    comparison.rows = [row for row in comparison.rows if keep(row.company)]


def _whole(window: Any, sides: Any) -> Any:
    """A paged comparison whole (every figure read now, for an export), with ``sides``'s
    risks and picks."""
    whole = window.comparison(list(window.rows()), with_sides=False)
    for side in ("risks", "picks", "left_ids", "right_ids"):
        setattr(whole, side, getattr(sides, side))
    return whole


class FigureChart(PlotextPlot):
    """A line chart of one figure across quarters."""

    def plot_series(self, title: str, points: Sequence[tuple[str, float | None]]) -> None:
        """Draw ``points`` (period, value); periods without a value are skipped."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        shown = [(p, v) for p, v in points if v is not None]
        scale, word = 1.0, ""
        biggest = max((abs(v) for _, v in shown), default=0.0)
        if biggest >= 1e8:  # money: plot in 亿 so the axis reads 167, not 1.67e10
            scale, word = 1e8, " (亿)"
        # plotext output goes through Text.from_ansi: never hand it raw report text.
        plt.title(clean(title, one_line=True)[:80] + word)
        if shown:
            xs = list(range(len(shown)))
            ys = [v / scale for _, v in shown]
            plt.plot(xs, ys, marker="braille")
            plt.scatter(xs, ys, marker="●")
            plt.xticks(xs, [clean(p, one_line=True) for p, _ in shown])
        self.refresh()


class ComparePane(Vertical):
    """Pick two quarters; see each figure's change, risk and pick changes, and a chart."""

    DEFAULT_CSS = """
    ComparePane { padding: 0 1; }
    ComparePane > #compare-pickers { height: 3; }
    ComparePane > #compare-pickers > Label { padding: 1 1 0 0; }
    ComparePane > #compare-pickers > Select { width: 18; }
    ComparePane > #compare-pickers > #compare-mode { width: 26; }
    ComparePane > #compare-pickers > #compare-company { width: 1fr; min-width: 16; }
    ComparePane > HistoryView { display: none; }
    ComparePane.-history > HistoryView { display: block; }
    ComparePane.-history > #compare-table, ComparePane.-history > #compare-side { display: none; }
    ComparePane > #compare-status { height: 1; color: $text-muted; }
    ComparePane > #compare-table { height: 1fr; min-height: 4; }
    ComparePane > #compare-side { height: 16; }
    ComparePane FigureChart { width: 2fr; height: 1fr; }
    ComparePane #compare-diff-scroll { width: 1fr; height: 1fr; padding-left: 1; }
    """

    class ComparisonReady(Message):
        """The engine answered (``comparison`` None with ``error`` when it could not)."""

        def __init__(self, comparison: Any | None, error: str | None = None, note: str | None = None,
                     partial: bool = False) -> None:
            super().__init__()
            self.comparison = comparison
            self.error = error
            self.note = note  # why there is nothing to compare (not an error)
            self.partial = partial  # the first rows only (no risks or picks yet): the rest follows
            self.window: Any | None = None  # a comparison read a page at a time: where from
            self.after: Any | None = None  # and where its next page starts

    class SidesReady(Message):
        """A paged comparison's risks, picks and report ids (read after its first page)."""

        def __init__(self, window: Any, sides: Any) -> None:
            super().__init__()
            self.window = window
            self.sides = sides

    class PageReady(Message):
        """The next page of a paged comparison (``after``: where the one after it starts)."""

        def __init__(self, window: Any, rows: list[Any], after: Any | None) -> None:
            super().__init__()
            self.window = window
            self.rows = rows
            self.after = after

    class CountReady(Message):
        """How many figures a paged comparison has in all."""

        def __init__(self, window: Any, total: int) -> None:
            super().__init__()
            self.window = window
            self.total = total

    class HistoriesReady(Message):
        """A history view's histories (guidance or ratings), or why there are none."""

        def __init__(self, kind: str, histories: list[Any], error: str | None = None,
                     subjects: int | None = None) -> None:
            super().__init__()
            self.kind = kind
            self.histories = histories
            self.error = error
            self.subjects = subjects  # how many subjects in all, when these are the first only
            self.pages: Any | None = None  # the history read a page at a time: where from
            self.after: Any | None = None  # and where its next page starts (None: all read)

    class HistoryPage(Message):
        """The next page of the history shown (``after``: where the one after it starts)."""

        def __init__(self, pages: Any, histories: list[Any], after: Any | None) -> None:
            super().__init__()
            self.pages = pages
            self.histories = histories
            self.after = after

    class HistorySubjects(Message):
        """How many subjects (companies rated, guidance figures) a paged history has."""

        def __init__(self, pages: Any, subjects: int) -> None:
            super().__init__()
            self.pages = pages
            self.subjects = subjects

    class SeriesReady(Message):
        """The chart's points for the highlighted figure."""

        def __init__(self, title: str, points: list[tuple[str, float | None]]) -> None:
            super().__init__()
            self.title = title
            self.points = points

    class SentencesReady(Message):
        """The highlighted figure's statements now carry their sentences."""

        def __init__(self, row: Any) -> None:
            super().__init__()
            self.row = row

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library: Library | None = None
        self.comparison: Any | None = None
        self.report: Digest | None = None
        self._rows: list[Any] = []
        self._table_width = 0
        self.lang = FIGURE_LANG  # the screen's label language
        self.swapped = False  # the user picked From later than To; the pane put them in order
        self._preferred: tuple[str | None, str | None] = (None, None)  # remembered quarters
        self._quarters_offered: list[str] = []
        self._pages: Any | None = None  # the history shown is read a page at a time from this
        self._history_after: Any | None = None  # where its next page starts (None: all shown)
        self._history_subjects: int | None = None  # its subjects in all, once counted
        self._history_paging = False  # a page of it is being read
        self.reading = False  # the comparison shown is its first screen: risks and picks still to come
        self._window: Any | None = None  # the comparison shown is read a page at a time from this
        self._after: Any | None = None  # where its next page starts (None: all read)
        self._paging = False  # a page is being read
        self._total: int | None = None  # its figures in all, once counted

    def compose(self) -> ComposeResult:
        with Horizontal(id="compare-pickers"):
            yield Select(
                [(Text("Two quarters"), "quarters"), (Text("Report vs previous"), "reports"),
                 (Text("Guidance history"), "guidance"), (Text("Ratings & targets"), "ratings")],
                id="compare-mode", allow_blank=False, value="quarters",
                tooltip="Two quarters, the selected report vs its broker's previous one, "
                        "every guidance revision, or ratings and target prices over time",
            )
            yield Label("From", classes="quarter-picker")
            yield Select([], id="compare-left", prompt="quarter", tooltip="The earlier quarter", classes="quarter-picker")
            yield Label(" to ", classes="quarter-picker")
            yield Select([], id="compare-right", prompt="quarter", tooltip="The later quarter", classes="quarter-picker")
            yield Input(placeholder="all companies (a name, or: watchlist)", id="compare-company",
                        tooltip="Narrow every mode to one company (completes from the registry) or to the watchlist")
        yield Static(Text("Loading the library…", style="dim italic"), id="compare-status")
        yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="compare-side"):
            yield FigureChart(id="compare-chart")
            with ScrollWhenNeeded(id="compare-diff-scroll"):
                yield Static(Text(""), id="compare-diff")
        yield HistoryView(id="compare-history")

    def set_library(self, library: Library, periods: Sequence[str]) -> None:
        """Offer the library's quarters; default to the latest two. Digests are asked of
        ``library`` per comparison: only the quarters shown are read."""
        self.library = library
        quarters = [p for p in periods if "Q" in p] or list(periods)
        options = [(Text(p), p) for p in quarters]
        self._quarters_offered = quarters
        left = self.query_one("#compare-left", Select)
        right = self.query_one("#compare-right", Select)
        old_left, old_right = left.value, right.value
        with self.prevent(Select.Changed):
            left.set_options(options)
            right.set_options(options)
            want_left, want_right = self._preferred
            if len(quarters) >= 2:
                left.value = old_left if old_left in quarters else want_left if want_left in quarters else quarters[-2]
                right.value = (old_right if old_right in quarters
                               else want_right if want_right in quarters else quarters[-1])
            elif quarters:
                left.value = right.value = quarters[0]
        self.refresh_comparison()

    def restore(self, mode: str, left: str | None, right: str | None, company: str) -> None:
        """Come back as the user left it: the mode, the company narrowing and the quarters
        (chosen when the library's quarters are offered; one no longer there is skipped)."""
        self._preferred = (left, right)
        with self.prevent(Select.Changed, Input.Changed):
            if mode in ("quarters", "reports", *HISTORY_MODES):
                self.query_one("#compare-mode", Select).value = mode
            self.query_one("#compare-company", Input).value = company
        for picker in self.query(".quarter-picker"):
            picker.display = self.mode == "quarters"
        if self.library is not None:  # already filled: choose them now
            with self.prevent(Select.Changed):
                for value, picker in ((left, "#compare-left"), (right, "#compare-right")):
                    if value in self._quarters_offered:
                        self.query_one(picker, Select).value = value
            self.refresh_comparison()

    @property
    def quarters(self) -> tuple[str, str] | None:
        """The two chosen quarters, when both are set."""
        left = self.query_one("#compare-left", Select).value
        right = self.query_one("#compare-right", Select).value
        if isinstance(left, str) and isinstance(right, str):
            return left, right
        return None

    @property
    def highlighted_row(self) -> Any | None:
        """The figure change under the table's cursor."""
        table = self.query_one("#compare-table", DataTable)
        if 0 <= table.cursor_row < len(self._rows):
            return self._rows[table.cursor_row]
        return None

    @property
    def highlighted_statement(self) -> tuple[Any, Any] | None:
        """(the highlighted figure, its newer side's cell): the statement ``o`` opens at."""
        row = self.highlighted_row
        cell = getattr(row, "right", None) or getattr(row, "left", None)
        shown = getattr(cell, "shown", None)
        return (row, cell) if getattr(shown, "digest_id", None) else None

    @property
    def company_under_cursor(self) -> str | None:
        """The highlighted figure's company, when the table has focus."""
        row = self.highlighted_row
        table = self.query_one("#compare-table", DataTable)
        return getattr(row, "company", None) if table.has_focus and row is not None else None

    @property
    def mode(self) -> str:
        """``quarters`` (two quarters), ``reports`` (selected report vs its broker's previous),
        ``guidance`` (every guidance revision) or ``ratings`` (ratings and target prices)."""
        value = self.query_one("#compare-mode", Select).value
        return value if isinstance(value, str) else "quarters"

    @property
    def narrowed_to(self) -> str | None:
        """What the company box asks for: a company name, ``watchlist``, or None for all."""
        text = " ".join(self.query_one("#compare-company", Input).value.split())
        return text or None

    def _names(self, library: Library) -> set[str] | None:
        """The companies every mode is narrowed to (None: all); read in a worker."""
        wanted = self.narrowed_to
        if wanted is None:
            return None
        if wanted.casefold() in WATCHLIST_WORDS:
            return {item.name for item in library.watchlist()}
        return {wanted}

    def export_subject(self) -> tuple[str, Any | None]:
        """What ``e`` exports here: (``compare``, the comparison) or (``guidance``/``ratings``,
        the histories shown)."""
        if self.reading and self.mode not in HISTORY_MODES:  # the first screen only
            self.notify("Still reading the rest: export when it shows whole.", timeout=3, markup=False)
            return "compare", None
        if self.mode in HISTORY_MODES and self._pages is not None and self._history_after is not None:
            pages = self._pages  # the whole, read by the export
            return self.mode, lambda: pages.page(None, 1 << 62)[0]
        if self.mode in HISTORY_MODES:
            kind, histories = self.query_one(HistoryView).export_subject()
            return kind, histories or None
        if self._window is not None and self._after is not None:  # the whole, read by the export
            window, sides = self._window, self.comparison
            return "compare", lambda: _whole(window, sides)
        return "compare", self.comparison

    def on_mount(self) -> None:
        self._offer_company_names()

    @work(thread=True, exit_on_error=False, group="compare-names")
    def _offer_company_names(self) -> None:
        """Complete the company box from the registry (English and Chinese names, tickers)."""
        try:
            from yanbao.store.companies import get_registry

            names = sorted({n for info in get_registry() for n in (info.name, info.name_zh, info.ticker) if n})
        except Exception:  # no registry: the box still takes any name
            names = []
        suggester = SuggestFromList(["watchlist", *names], case_sensitive=False)
        self.app.call_from_thread(setattr, self.query_one("#compare-company", Input), "suggester", suggester)

    @on(Input.Submitted, "#compare-company")
    def _company_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.refresh_comparison()

    @on(Input.Changed, "#compare-company")
    def _company_cleared(self, event: Input.Changed) -> None:
        event.stop()
        if not event.value.strip():
            self.refresh_comparison()

    def set_report(self, digest: Digest | None) -> None:
        """The report selected in the list; compared in ``reports`` mode."""
        self.report = digest
        if self.mode == "reports":
            self.refresh_comparison()

    @on(Select.Changed)
    def _picker_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "compare-mode":
            for picker in self.query(".quarter-picker"):
                picker.display = self.mode == "quarters"
        self.refresh_comparison()

    def _clear(self, why: str) -> None:
        self.comparison = None
        self.reading = False
        self._window = self._after = None
        self._rows = []
        self.query_one("#compare-table", DataTable).clear()
        self.query_one("#compare-diff", Static).update(Text(""))
        self.query_one("#compare-status", Static).update(Text(why, style="dim italic"))

    def refresh_comparison(self) -> None:
        """Recompute the comparison (quarters, reports or a history view) in a worker."""
        status = self.query_one("#compare-status", Static)
        self.set_class(self.mode in HISTORY_MODES, "-history")
        if self.mode in HISTORY_MODES:
            if self.library is None:
                return
            what = "guidance revisions" if self.mode == "guidance" else "ratings and target prices"
            status.update(Text(f"Reading {what}…", style="dim italic"))
            self._histories(self.library, self.mode)
            return
        if self.mode == "reports":
            if self.report is None:
                self._clear("Select a report in the list to compare it with its broker's previous one.")
                return
            if self.library is None:
                return
            status.update(Text("Comparing with the previous report…", style="dim italic"))
            self._compare_reports(self.library, self.report)
            return
        quarters = self.quarters
        if quarters is None:
            status.update(Text("Not enough quarters in the library to compare.", style="dim italic"))
            return
        from yanbao.store.compare import period_sort_key

        self.swapped = period_sort_key(quarters[0]) > period_sort_key(quarters[1])
        if self.swapped:  # From later than To would show a raise as a cut: put them in order
            quarters = (quarters[1], quarters[0])
            with self.prevent(Select.Changed):
                self.query_one("#compare-left", Select).value = quarters[0]
                self.query_one("#compare-right", Select).value = quarters[1]
            self.notify(f"From was later than To: comparing {quarters[0]} → {quarters[1]}", timeout=4, markup=False)
        if self.library is None:
            return
        status.update(Text(f"Comparing {quarters[0]} with {quarters[1]}…", style="dim italic"))
        self._compare(self.library, *quarters)

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare")
    def _compare(self, library: Library, left: str, right: str) -> None:
        try:
            names = self._names(library)
            window = library.quarter_rows(left, right, names)
            if window is None:  # a catalog that cannot read a screen at a time
                from yanbao.store.compare import compare_quarters

                comparison = compare_quarters(library.quarter_views(left, right), left, right)
                narrow_comparison(comparison, names)
            else:
                self._compare_in_pages(window)
                return
        except Exception as error:  # shown as one line in the pane, never a traceback
            self.post_message(self.ComparisonReady(None, f"Comparison failed: {clean(error, one_line=True)}"))
            return
        self.post_message(self.ComparisonReady(comparison))

    def _compare_in_pages(self, window: Any) -> None:
        """The comparison ``window`` reads: its first screen posted as soon as it is read,
        then its risks and picks, then how many figures it has; later pages are read as
        the cursor nears them (``_read_page``)."""
        worker = get_current_worker()
        rows, after = window.page(None, FIRST_SCREEN)
        if after is None:  # one screen holds it all
            self.post_message(self.ComparisonReady(window.comparison(rows)))
            return
        first = self.ComparisonReady(window.comparison(rows, with_sides=False), partial=True)
        first.window, first.after = window, after
        self.post_message(first)
        self.reading_rest()
        if worker.is_cancelled:
            return
        self.post_message(self.SidesReady(window, window.comparison([])))
        total = window.count(stop=lambda: worker.is_cancelled)
        if total is not None:
            self.post_message(self.CountReady(window, total))

    def reading_rest(self) -> None:
        """Called in the worker once the first screen is posted, before the rest is read (a
        test holds it here to see the first screen)."""

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare-page")
    def _read_page(self, window: Any, after: Any) -> None:
        try:
            rows, after = window.page(after, PAGE)
        except Exception as error:  # the rows read stay; one line says why no more came
            self.post_message(self.PageReady(window, [], None))
            self.app.call_from_thread(self.notify, f"Reading more figures failed: {clean(error, one_line=True)}",
                                      severity="error", markup=False)
            return
        self.post_message(self.PageReady(window, rows, after))

    def on_compare_pane_sides_ready(self, message: SidesReady) -> None:
        message.stop()
        if message.window is not self._window or self.comparison is None:
            return
        for side in ("risks", "picks", "left_ids", "right_ids"):
            setattr(self.comparison, side, getattr(message.sides, side))
        self.reading = False
        self._show_sources(self.highlighted_row)

    def on_compare_pane_page_ready(self, message: PageReady) -> None:
        message.stop()
        if message.window is not self._window:
            return
        self._paging = False
        self._after = message.after
        self._rows.extend(message.rows)
        table = self.query_one("#compare-table", DataTable)
        if not append_fitted(table, COMPARE_COLUMNS, self._table_rows(message.rows), self._table_width):
            self._fill_table()
        self._legend()

    def on_compare_pane_count_ready(self, message: CountReady) -> None:
        message.stop()
        if message.window is self._window:
            self._total = message.total
            self._legend()

    def _more_if_near_the_end(self) -> None:
        """Read the next page once the cursor comes near the last row read."""
        table = self.query_one("#compare-table", DataTable)
        if (self._window is not None and self._after is not None and not self._paging
                and table.cursor_row >= len(self._rows) - AHEAD):
            self._paging = True
            self._read_page(self._window, self._after)

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare")
    def _histories(self, library: Library, kind: str) -> None:
        try:
            from yanbao.tui.data.histories import guidance_histories, rating_histories

            names = self._names(library)
            pages = library.history_pages(kind, names)
            if pages is not None:  # the first screen; more as the cursor nears its end
                first, after = pages.page(None, FIRST_SCREEN)
                ready = self.HistoriesReady(kind, first)
                ready.pages, ready.after = pages, after
                self.post_message(ready)
                if after is not None and (subjects := pages.subjects()) is not None:
                    self.post_message(self.HistorySubjects(pages, subjects))
                return
            digests = library.history_digests(names, kind)  # the store's aggregates, no digest decoded
            read = guidance_histories if kind == "guidance" else rating_histories
            self.post_message(self.HistoriesReady(kind, read(digests, names)))
        except Exception as error:  # shown as one line in the pane, never a traceback
            self.post_message(self.HistoriesReady(kind, [], f"Reading failed: {clean(error, one_line=True)}"))

    def on_compare_pane_histories_ready(self, message: HistoriesReady) -> None:
        message.stop()
        if message.kind != self.mode:
            return  # the mode changed while reading
        self.query_one(HistoryView).show(message.kind, message.histories)
        self._pages, self._history_after, self._history_paging = message.pages, message.after, False
        self._history_subjects = len(message.histories) if message.after is None else None
        if message.error:
            self.query_one("#compare-status", Static).update(Text(message.error, style="red"))
            return
        self._history_legend(message.kind)

    def on_compare_pane_history_subjects(self, message: HistorySubjects) -> None:
        message.stop()
        if message.pages is self._pages:
            self._history_subjects = message.subjects
            self._history_legend(self.mode)

    def _history_legend(self, kind: str) -> None:
        scope = clean(self.narrowed_to or "all companies", one_line=True)
        what = "guidance figures" if kind == "guidance" else "companies rated"
        count = f"{self._history_subjects:,} " if self._history_subjects is not None else ""
        legend = Text(f"{count}{what} · {scope}   ", style="dim")
        if self._history_after is not None:
            view = self.query_one(HistoryView)
            shown = f"{len(view.rows):,} of {self._pages.total:,} ratings" if kind == "ratings" else (
                f"{len(view.histories):,} shown")
            legend.append(f"{shown}, more as you scroll   ")
        if kind == "guidance":
            legend.append_text(Text.assemble(("▲", "green"), " raise  ", ("▼", "red"), " cut  ↔ narrow  ⇔ widen  = reiterate"))
        self.query_one("#compare-status", Static).update(legend)

    def on_history_view_near_the_end(self, message: HistoryView.NearTheEnd) -> None:
        message.stop()
        if self._pages is not None and self._history_after is not None and not self._history_paging:
            self._history_paging = True
            self._read_history_page(self._pages, self._history_after)

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare-page")
    def _read_history_page(self, pages: Any, after: Any) -> None:
        try:
            histories, after = pages.page(after, PAGE)
        except Exception as error:  # the entries shown stay; one line says why no more came
            self.app.call_from_thread(self.notify, f"Reading more of the history failed: {clean(error, one_line=True)}",
                                      severity="error", markup=False)
            return
        self.post_message(self.HistoryPage(pages, histories, after))

    def on_compare_pane_history_page(self, message: HistoryPage) -> None:
        message.stop()
        if message.pages is not self._pages or self.mode not in HISTORY_MODES:
            return
        self._history_paging = False
        self._history_after = message.after
        self.query_one(HistoryView).append(message.histories)
        self._history_legend(self.mode)

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare")
    def _compare_reports(self, library: Library, report: Digest) -> None:
        try:
            from yanbao.store.compare import compare_reports, previous_report

            previous = previous_report(library.stream_by_broker(report.broker), report) if report.broker else None
            if previous is None:
                broker = clean(report.broker or "this broker", one_line=True)
                self.post_message(self.ComparisonReady(None, note=f"No earlier report from {broker} in the library."))
                return
            comparison = compare_reports(previous, report)
            narrow_comparison(comparison, self._names(library))
        except Exception as error:  # shown as one line in the pane, never a traceback
            self.post_message(self.ComparisonReady(None, f"Comparison failed: {clean(error, one_line=True)}"))
            return
        self.post_message(self.ComparisonReady(comparison))

    def on_compare_pane_comparison_ready(self, message: ComparisonReady) -> None:
        message.stop()
        self.reading = message.partial
        status = self.query_one("#compare-status", Static)
        table = self.query_one("#compare-table", DataTable)
        if message.comparison is None and message.note:
            self._clear(message.note)
            return
        table.clear()
        self.comparison = message.comparison
        self._rows = list(getattr(message.comparison, "rows", []) or [])
        self._window, self._after, self._paging, self._total = message.window, message.after, False, None
        if message.comparison is None:
            status.update(Text(message.error or "No comparison.", style="red"))
            self.query_one("#compare-diff", Static).update(Text(""))
            return
        if self._window is not None:  # the pages read join the comparison's rows
            self.comparison.rows = self._rows
        self._legend()
        self._fill_table()
        self.query_one("#compare-diff", Static).update(diff_text(message.comparison))
        self._chart(self.highlighted_row)

    def _legend(self) -> None:
        """The comparison's sides and how many figures (read so far, and in all), the marks."""
        comparison = self.comparison
        sides = clean(f"{comparison.left_label} → {comparison.right_label}", one_line=True)
        read = len(self._rows)
        if self._after is None:
            legend = Text(f"{sides}: {read:,} figures   ", style="dim")
        else:
            total = f"{self._total:,}" if self._total is not None else "…"
            legend = Text(f"{sides}: {read:,} of {total} figures, more as you scroll   ", style="dim")
        if self.swapped and self.mode == "quarters":
            legend = Text("(From/To swapped: earlier first) ", style="yellow") + legend
        legend.append_text(Text.assemble(("▲", "green"), " above  ", ("●", "yellow"), " inline  ", ("▼", "red"), " below consensus  ⚠ reports disagree"))
        self.query_one("#compare-status", Static).update(legend)

    def _fill_table(self) -> None:
        """The figure changes at the pane's width: values whole, the figure's name cut."""
        width = self._table_width = self.content_region.width
        fill_fitted(self.query_one("#compare-table", DataTable), COMPARE_COLUMNS, self._table_rows(self._rows), width)

    def _table_rows(self, changes: Sequence[Any]) -> list[list[Text]]:
        """The table's cells of ``changes`` at the width last filled."""
        compact = self._table_width < COMPACT_WIDTH
        rows = []
        for row in changes:
            unit = getattr(row, "change_unit", None)
            flags = Text(end="")
            flags.append_text(consensus_mark(getattr(row, "left_vs_consensus", None)))
            flags.append("→" if compact else " → ", style="dim")
            flags.append_text(consensus_mark(getattr(row, "right_vs_consensus", None)))
            change = format_change(getattr(row, "change", None), unit, self.lang)
            if getattr(row, "conflict", False):
                change.append(" ⚠", style="yellow")
            rows.append([
                safe(_figure_label(row, short=compact, lang=self.lang), one_line=True),
                change,
                Text(format_cell(row.left, self.lang)),
                Text(format_cell(row.right, self.lang)),
                flags,
            ])
        return rows

    def set_lang(self, lang: str) -> None:
        """Write the figures' labels in ``lang`` from now on."""
        if lang != self.lang:
            self.lang = lang
            if self.comparison is not None:
                self._fill_table()
                self._chart(self.highlighted_row)

    def on_resize(self, event: events.Resize) -> None:
        if self.comparison is not None and self.content_region.width != self._table_width:
            self._fill_table()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._chart(self.highlighted_row)
        self._more_if_near_the_end()

    def _chart(self, row: Any | None) -> None:
        self._show_sources(row)
        if row is None:
            self.query_one(FigureChart).plot_series("No figure selected", [])
            return
        if self.library is not None:
            self._series(self.library, row.company, row.segment, row.metric, getattr(row, "basis", "actual"))
            self._sentences(self.library, row)

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare-sentences")
    def _sentences(self, library: Library, row: Any) -> None:
        """A comparison from the store's aggregates has no sentences: read the highlighted
        figure's from its reports' documents."""
        with contextlib.suppress(Exception):  # without them the sources still show
            if any(not o.text for c in (row.left, row.right) if c is not None for o in c.observations):
                self.post_message(self.SentencesReady(library.with_sentences(row)))

    def on_compare_pane_sentences_ready(self, message: SentencesReady) -> None:
        message.stop()
        if message.row is self.highlighted_row:
            self._show_sources(message.row)

    def _show_sources(self, row: Any | None) -> None:
        """Beside the chart: who said what for the highlighted figure (⚠ where reports
        disagree), then the risk and pick changes."""
        text = Text(end="")
        if row is not None:
            title = "Who said what" + (" ⚠ reports disagree" if getattr(row, "conflict", False) else "")
            text.append(title + "\n", style="bold yellow" if getattr(row, "conflict", False) else "bold")
            for line, odd in who_said_what(row, self.lang):
                text.append(clean(line, one_line=True) + "\n", style="yellow" if odd else "")
            text.append("\n")
        if self.reading:
            text.append("Reading risks and picks…", style="dim italic")
        elif self.comparison is not None:
            text.append_text(diff_text(self.comparison))
        self.query_one("#compare-diff", Static).update(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="compare-series")
    def _series(self, library: Library, company: str, segment: str | None, metric: str, basis: str) -> None:
        lang = self.lang
        shown_basis = basis_label(basis, lang) if basis != "actual" and basis not in metric else ""
        title = " · ".join(p for p in (company, segment, metric_label(metric, lang), shown_basis) if p)
        try:
            # The catalog keeps each company's series as a fold; a figure of no company (a
            # sector total) may be in any report, so those stream the library.
            points = list(library.figure_series(company, segment, metric, basis))
        except Exception:  # an engine error leaves an empty chart, not a crash
            points = []
        self.post_message(self.SeriesReady(title, points))

    def on_compare_pane_series_ready(self, message: SeriesReady) -> None:
        message.stop()
        self.query_one(FigureChart).plot_series(message.title, message.points)
