"""The open store and what the screens cache from it; no Textual here.

Every method blocks (TinyDB, parsing), so screens call them from thread workers. The
store itself is safe to share between threads; the lock only guards opening and closing.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from yanbao.tui.data.company_detail import CompanyDetail, DetailFold, company_detail, company_names
from yanbao.tui.data.figure_text import FIGURE_LANG
from yanbao.tui.data.risk_tally import RiskTally, tally_name

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore
    from yanbao.store.model import Digest
    from yanbao.store.user_state import ReportMarks, UserState

__all__ = ["REPORT_WINDOW", "Library", "OpenStopped", "WatchlistView", "report_periods"]

REPORT_WINDOW = 100
"""A company's reports read as rows at first: a few screenfuls of its report list."""
FOLD_STEP = 10_000
# The collector's thresholds once a library is open. With the default first one (700 new
# objects) it ran about a thousand times in one company's fold at 100,000 reports, each
# pass walking the lists the fold still held: 30–45 % of the fold's time (Tencent's
# figures 5.9 s against 3.4 s; its guidance page 0.70 s against 0.45 s). Folds make no
# cycles; the app's few are collected all the same, less often.
GC_THRESHOLDS = (50_000, 20, 20)
"""Figure rows (of every company) a company's fold reads in one step."""
KEEP_EVERY = 2.0
"""Seconds of folding between two keeps of the fold (and it is kept when done or stopped)."""


class OpenStopped(Exception):
    """The app closed while the library was being converted on open; the conversion is
    crash-safe and goes on at the next open."""


def report_periods(summaries: Iterable[Any]) -> list[str]:
    """Every report period in the library, oldest first (from the summaries, no digest read)."""
    return sorted({s.period for s in summaries if s.period})


@dataclass
class WatchlistView:
    """The watched companies and the digests that name them: what the watchlist export needs."""

    watchlist: list[Any] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)


class Library:
    """The store behind the app, opened lazily in a worker."""

    def __init__(self, store_path: str | Path | None = None) -> None:
        self.store_path = store_path
        self.store: DigestStore | None = None
        # Hears a conversion on open (an old layout, schema-1 digests gaining pages):
        # (done, total, what the library is converted to).
        self.progress: Callable[[int, int, str], None] | None = None
        self.lock = threading.RLock()
        # Set on close: stops a running seed or ingest so quitting never waits on parsing.
        self._stopping = threading.Event()
        self._cancels: set[threading.Event] = set()

    @property
    def read_only(self) -> bool:
        """True when the store file is read-only: the app shows the library without writing."""
        return self.store is not None and self.store.read_only

    @property
    def is_open(self) -> bool:
        """True once ``open`` has succeeded."""
        return self.store is not None

    def open(self, *, seed: bool = True) -> tuple[int, list[str]]:
        """Open the store, seeding it with the bundled samples when empty.

        Returns how many samples were stored and one line per sample that failed.
        """
        from yanbao.store.db import DigestStore

        gc.set_threshold(*GC_THRESHOLDS)
        with self.lock:
            if self.store is None:
                self.store = DigestStore(self.store_path, progress=self._converting, stop=self._stopping.is_set)
            len(self.store)  # opens it: converts an old layout, notices a read-only store file
            # The first search would load the company registry and the index's first pages:
            # do it now, in the background, while the user looks at the list.
            threading.Thread(target=self.store.warm, name="yanbao-warm", daemon=True).start()
            if not seed or self.store.read_only:
                return 0, []
            try:
                from yanbao.store.bundled import seed_if_empty
            except ImportError:  # a build without bundled samples: start empty
                return 0, []
            report = seed_if_empty(self.store, cancel=self._stopping)
            if report is None:
                return 0, []
            seeded = sum(1 for r in report.results if r.status == "ok")
            if seeded:
                self.store.mark_all_read()  # the welcome samples are no news to the reader
            failed = [f"{Path(str(r.path)).name}: {r.reason}" for r in report.results if r.status == "failed"]
            return seeded, failed

    def _converting(self, done: int, total: int) -> None:
        """The store's progress while it converts on open; stops it when the app closes
        (a conversion stopped between two digests is as safe as one killed)."""
        if self._stopping.is_set():
            raise OpenStopped("the app closed while the library was being converted")
        if self.progress is not None:
            self.progress(done, total, self.store.migrating if self.store is not None else "")

    def conversion_summary(self) -> str | None:
        """What the schema-2 conversion on open did, in one line; None when none ran."""
        paged = self.store.pages_migration if self.store is not None else None
        return paged.summary() if paged is not None and paged.total else None

    def _require(self) -> DigestStore:
        if self.store is None:
            raise RuntimeError("the store is not open yet")
        return self.store

    def count(self) -> int:
        """How many reports the library holds (no row read)."""
        return len(self._require())

    def newest(self, limit: int) -> list[Any]:
        """The list rows of the newest ``limit`` reports, the others not read."""
        return self._require().newest(limit)

    def summaries(self) -> list[Any]:
        """The cheap per-report rows for the report list."""
        return list(self._require().summaries())

    def stream_digests(self) -> Iterator[Digest]:
        """Every digest, newest first, decoded one at a time and kept by nobody (the store
        keeps only a few recently decoded ones)."""
        for digest in self._require().stream():
            if self._stopping.is_set():
                return
            yield digest

    def stream_by_broker(self, broker: str) -> Iterator[Digest]:
        """One broker's digests (exact name), newest first, decoded one at a time."""
        store = self._require()
        ids = [s.id for s in store.summaries() if s.broker == broker]
        for digest in store.stream(ids):
            if self._stopping.is_set():
                return
            yield digest

    def risk_tally(self) -> list[RiskTally]:
        """Each distinct risk across the library with its report count and quarters, read
        from the store's aggregates (kept at every write, no digest decoded)."""
        tallies = [RiskTally(tally_name(key, wording), key, count, set(periods))
                   for key, count, wording, periods in self._require().risk_tally()]
        return sorted(tallies, key=lambda t: (-t.count, t.wording))

    def company_detail(self, item: Any, lang: str | None = None, *, figures: bool = True,
                       window: int | None = None, stop: Callable[[], bool] | None = None) -> CompanyDetail:
        """Everything the library says about one watched company, from the store's rows
        and figure aggregates (no digest decoded).

        The figures, ratings and guidance come from a fold the catalog keeps between
        openings (``DetailFold``): what was folded up to the figures' last mark, plus the
        reports stored since; a report taken out since makes a new fold. The fold reads a
        step of the library at a time and is kept every few seconds and when it ends, so
        ``stop`` (asked between steps) leaves it to go on at the next opening;
        ``figures=False`` folds nothing.
        Either way ``reading`` says how many reports the figures shown miss. The reports
        are counted each time as numbers, newest first; only the newest ``window``
        (default ``REPORT_WINDOW``) are read as rows, the rest by ``report_window``."""
        store = self._require()
        names = company_names(item)
        lang = lang or FIGURE_LANG
        key = "company_detail\n" + lang + "\n" + "\n".join(sorted(names))
        mark, gen = store.figures_mark()
        kept = store.pane_cached(key)
        fold, since = None, 0
        if kept is not None and kept[1] == gen and kept[0] <= mark:
            with contextlib.suppress(Exception):  # a damaged or older blob: fold again
                fold, since = DetailFold.from_blob(kept[2]), kept[0]
        if fold is None or fold.lang != lang:
            fold, since = DetailFold(lang), 0
        unkept, kept_at = False, time.monotonic()
        while figures and since < mark and not (stop is not None and stop()):
            step = store.figures_step(since, FOLD_STEP, mark)
            entries = list(store.figure_entries(names, (since, step)))
            fold.add_entries(entries, names)
            since, unkept = step, unkept or bool(entries) or step == mark
            if unkept and (since == mark or time.monotonic() - kept_at > KEEP_EVERY):
                store.keep_pane(key, since, gen, fold.to_blob())
                unkept, kept_at = False, time.monotonic()
        if unkept:  # stopped between two keeps: what was read is kept all the same
            store.keep_pane(key, since, gen, fold.to_blob())
        reading = store.figure_reports_between(names, (since, mark)) if since < mark else 0
        keys: set[str] = set()
        for name in (getattr(item, "name", item), getattr(item, "ticker", None)):
            if name:
                keys |= store.company_keys(str(name))
        # A report is the company's when it names it or states one of its figures.
        listed = store.company_report_list(keys, names, fold.no_figures.keys())
        detail = fold.detail(str(item.name), [], listed)
        detail.reports = self.report_window(detail, 0, REPORT_WINDOW if window is None else window)
        detail.reading = reading
        return detail

    def report_window(self, detail: CompanyDetail, start: int, stop: int) -> list[tuple[Digest, bool]]:
        """Rows ``start`` to ``stop`` of a company's report list (newest first) as slim
        digests, each with whether it recommends the company."""
        numbers = (detail.report_numbers or [])[start:stop]
        if not numbers:
            return []
        return [(view, n in detail.recommended) for n, view in self._require().report_views_by_number(numbers)]

    def figure_digests(self, company: str | None, metric: str | None = None) -> Iterable[Digest]:
        """What a figure series over ``company`` reads: per report, only that company's
        figures (``metric`` alone when given, kept between readings: ``store.kept_views``)
        from the store's aggregates; every digest for figures of no company."""
        if not company:
            return self.stream_digests()
        store = self._require()
        keys = store.company_keys(company) | {company.casefold()}
        if metric is None:
            return store.company_views(keys)
        return store.kept_company_views(keys, "metric", metric)

    def figure_series(self, company: str | None, segment: str | None, metric: str,
                      basis: str = "actual") -> list[tuple[str, float]]:
        """``series`` of one figure over ``figure_digests(company, metric)``: for a company,
        from a fold the catalog keeps between readings (``store.kept_views.kept_series``)."""
        if not company:
            from yanbao.store.compare import series

            return series(self.stream_digests(), company, segment, metric, basis=basis)
        store = self._require()
        keys = store.company_keys(company) | {company.casefold()}
        return store.kept_series(keys, company, segment, metric, basis)

    def by_period(self, period: str) -> list[Digest]:
        """Digests about one period (newest first)."""
        return list(self._require().by_period(period))

    def quarter_digests(self, left: str, right: str) -> list[Digest]:
        """The digests a comparison of two quarters reads, decoded: those about either quarter
        and about the quarters next to each (``quarter_views`` reads the same from the
        aggregates)."""
        from yanbao.store.compare_views import quarter_periods

        found: dict[str, Digest] = {}
        for period in quarter_periods(left, right):
            for digest in self.by_period(period):
                found.setdefault(digest.id, digest)
        return list(found.values())

    def quarter_views(self, left: str, right: str) -> list[Digest]:
        """What pane 4 compares two quarters on: slim digests of the reports about either
        quarter or a quarter next to one, from the store's aggregates (no digest decoded;
        figures come without their sentences, see ``with_sentences``)."""
        return self._require().quarter_views(left, right)

    def quarter_rows(self, left: str, right: str, names: Iterable[str] | None = None) -> Any | None:
        """``left`` against ``right`` (the figures of ``names`` only, when given) read a screen
        at a time (``store.compare_window``: rows in order, built as they are read), or None
        where the catalog cannot (read ``quarter_views``)."""
        return self._require().quarter_rows(left, right, None if names is None else set(names))

    def history_pages(self, kind: str, names: Iterable[str] | None = None) -> Any | None:
        """The ``guidance`` or ``ratings`` history of every company (or of ``names``) a page
        at a time (``page``, ``subjects``), or None where the catalog cannot (read
        ``history_digests``)."""
        if kind == "guidance":
            return self._require().guidance_pages(None if names is None else set(names))
        return self.rating_pages(names)

    def rating_pages(self, names: Iterable[str] | None = None) -> Any | None:
        """The ratings history of every company (or of ``names``) a page at a time, or None
        where the catalog cannot (read ``history_digests``)."""
        return self._require().rating_pages(None if names is None else set(names))

    def history_digests(self, names: Iterable[str] | None = None, kind: str | None = None) -> list[Digest]:
        """What the guidance and ratings histories read, from the store's aggregates: every
        report's guidance figures and ratings, or (``names``) the figures and ratings each
        report files under one of those companies (any name or ticker). ``kind``
        (``guidance`` or ``ratings``): only what that history reads, the rest never built;
        for a company, kept between readings (``store.kept_views``)."""
        store = self._require()
        if names is None:
            return store.history_views(kind)
        keys: set[str] = set()
        for name in names:
            keys |= store.company_keys(name) | {name.casefold()}
        if kind in ("guidance", "ratings"):
            return store.kept_company_views(keys, kind)
        return store.company_views(keys)

    def with_sentences(self, row: Any, most: int = 40) -> Any:
        """A compared figure's row with each statement's sentence, read from the documents of
        its reports (the first ``most`` reports of each side)."""
        from yanbao.tui.data.figure_text import attach_sentences

        store = self._require()
        ids = [i for cell in (row.left, row.right) if cell is not None for i in cell.source_ids[:most]]
        digests = [d for d in (store.get(i) for i in dict.fromkeys(ids)) if d is not None]
        return attach_sentences(row, digests)

    def digests_naming(self, item: Any) -> list[Digest]:
        """Digests naming a watched company by its name or its ticker, newest first."""
        found: dict[str, Digest] = {}
        for name in (getattr(item, "name", item), getattr(item, "ticker", None)):
            if name:
                for digest in self.by_company(str(name)):
                    found.setdefault(digest.id, digest)
        return sorted(found.values(), key=lambda d: d.date or "", reverse=True)

    def watchlist_view(self, items: Iterable[Any]) -> WatchlistView:
        """The watched companies with every digest that names one of them."""
        items = list(items)
        found: dict[str, Digest] = {}
        for item in items:
            for digest in self.digests_naming(item):
                found.setdefault(digest.id, digest)
        return WatchlistView(items, sorted(found.values(), key=lambda d: d.date or "", reverse=True))

    def get(self, digest_id: str) -> Digest | None:
        """One digest by id."""
        return self._require().get(digest_id)

    def search(self, query: str) -> list[str]:
        """Ids of the digests whose text (or the reader's note and tags) matches ``query``;
        ``starred``, ``unread`` and ``tag:NAME`` narrow it."""
        return self._require().search_marked(query)

    def search_first(self, query: str, limit: int) -> tuple[int, list[str]] | None:
        """How many reports ``search`` finds and the newest ``limit`` of them, read without
        listing every match; None when only the whole search can answer (marks, notes)."""
        return self._require().search_marked_first(query, limit)

    # -- the reader's own state (store.user_state) -------------------------------------------
    def user_state(self) -> UserState:
        """Every report's star, tags and note, and which reports are unread."""
        return self._require().user_state()

    def mark_read(self, digest_id: str, read: bool = True) -> bool:
        """Mark a report read (opened) or unread; True when that changed it."""
        return self._require().mark_read(digest_id, read)

    def set_star(self, digest_id: str, on: bool) -> ReportMarks:
        return self._require().set_star(digest_id, on)

    def set_tags(self, digest_id: str, tags: Iterable[str]) -> ReportMarks:
        return self._require().set_tags(digest_id, tags)

    def set_note(self, digest_id: str, text: str) -> ReportMarks:
        return self._require().set_note(digest_id, text)

    def marks(self, digest_id: str) -> ReportMarks:
        return self._require().marks(digest_id)

    def reports_naming(self, item: Any) -> set[str]:
        """Ids of the reports naming a watched company by its name or its ticker."""
        store = self._require()
        return {row.id for name in (getattr(item, "name", item), getattr(item, "ticker", None)) if name
                for row in store.company_reports(str(name))}

    def watched_reports(self) -> dict[str, set[str]]:
        """Per watched company (by name), the ids of the reports naming it."""
        return {item.name: self.reports_naming(item) for item in self.watchlist()}

    def by_company(self, name: str) -> list[Digest]:
        """Digests that name a company (any alias or ticker)."""
        return list(self._require().by_company(name))

    def watchlist(self) -> list[Any]:
        """The watched companies."""
        return list(self._require().watchlist())

    def watch(self, name: str) -> Any:
        """Add a company to the watchlist; returns the stored WatchItem."""
        return self._require().watchlist_add(name)

    def unwatch(self, name: str) -> bool:
        """Remove a company from the watchlist; False when it was not watched."""
        return self._require().watchlist_remove(name)

    def ingest(
        self,
        paths: list[str],
        progress: Callable[..., None] | None = None,
        cancel: threading.Event | None = None,
        note: Callable[[str], None] | None = None,
    ) -> Any:
        """Parse and store files or folders; returns the IngestReport. ``note`` hears about
        the batch as a whole (waiting for another process writing the library)."""
        from yanbao.store.ingest import ingest_paths

        cancel = cancel or threading.Event()
        self._cancels.add(cancel)
        if self._stopping.is_set():
            cancel.set()
        try:
            return ingest_paths(paths, self._require(), progress=progress, cancel=cancel, note=note)
        finally:
            self._cancels.discard(cancel)

    def watch_folder(self, folder: str, on_batch: Callable[[Any], None], stop: threading.Event) -> None:
        """Ingest the reports in ``folder`` not stored yet, then each one that lands there
        (``store.folder_watch``), until ``stop`` is set or the app closes; ``on_batch``
        hears each batch's IngestReport."""
        from yanbao.store.folder_watch import watch_and_ingest
        from yanbao.store.ingest import ingest_paths

        self._cancels.add(stop)
        if self._stopping.is_set():
            stop.set()
        try:
            store = self._require()
            on_batch(ingest_paths([folder], store, cancel=stop))
            if not stop.is_set():
                watch_and_ingest([folder], store, on_batch=on_batch, stop=stop, cancel=stop)
        finally:
            self._cancels.discard(stop)

    def close(self) -> None:
        """Stop any seed or ingest in progress, then close the store."""
        self._stopping.set()
        for cancel in list(self._cancels):
            cancel.set()
        with self.lock:
            if self.store is not None:
                self.store.close()
                self.store = None
