"""Pane 4 a screen at a time: a two-quarter comparison and the ratings history of every
company, read from ``store.pane_tables`` in the order they are shown, so the first screen
costs what a screen holds whatever the library's size, and the rest is built as it is read.

What they build is what ``compare_quarters(quarter_views(…))`` and
``rating_history(history_views(…, "ratings"))`` build (the same cells, values, conflicts,
changes and order), only lazily: ``tests/store/test_compare_window.py`` holds them equal.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import zlib
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from operator import itemgetter

import orjson
from yanbao.store.catalog import Catalog
from yanbao.store.compare import (FigureCell, FigureChange, GuidanceHistory, PickDiff, QuarterComparison, RatingEntry,
                                  RatingHistory, RiskDiff)
from yanbao.store.compare.histories import _bounds, add_guidance_step
from yanbao.store.model import Range
from yanbao.store.compare.common import _proxy_date, canonical_company, keep_companies, period_sort_key
from yanbao.store.compare.figures import Observation, _make_cell
from yanbao.store.compare.quarters import _pair, _pick_diff, _risk_diff
from yanbao.store.compare_views import quarter_periods, quarter_sides
from yanbao.store.pane_tables import history_of_key
from yanbao.store.periods import QUARTER_RE
from yanbao.store.rating_fold import rating_outline

__all__ = ["GuidancePages", "QuarterRows", "RatingPages"]

# A statement is read as (cell key, tag, what it says). The cell key, in the comparison's
# row order: company, whether it is none, segment, metric rank, metric, basis rank, basis,
# whether the segment is none (a company named "" and one of none sort together, as in
# ``figure_matrix``; their rows stay apart). The tag: ("q", quarter) for a figure of a
# compared period, ("y", year) for annual guidance or consensus. What it says: (k, id, date,
# broker, report period, value, low, high, unit, consensus, vs).
_REPORT = "r.id, nullif(r.date, ''), r.broker, r.period"
_BATCH = 500  # report numbers looked up in one query
_first = itemgetter(0)


def _cell(period: str, basis: str, rows: list[tuple]) -> FigureCell:
    """One side's cell from its statements (in any order), as ``figure_matrix`` makes it."""
    rows.sort(key=lambda r: (r[2] or _proxy_date(r[4]), period_sort_key(r[4]), r[1], r[0]))
    return _make_cell(period, basis, [Observation(*r[1:]) for r in rows])


class QuarterRows:
    """``left`` against ``right``: the comparison's rows in order (``rows``, lazy) and its
    risks, picks and report ids (``comparison``). ``names``: only the figures of those
    companies (by canonical name, as ``narrow_comparison`` keeps them), read from their
    rows of the table alone."""

    def __init__(self, catalog: Catalog, left: str, right: str, names: Collection[str] | None = None) -> None:
        self.catalog, self.left, self.right = catalog, left, right
        self.keep = None if names is None else keep_companies(names)

    def _streams(self, after: tuple[str, int] | None) -> list[Iterator[tuple]]:
        """One stream per report period the comparison reads, each in cell-key order."""
        return [self._statements(rp, after) for rp in quarter_periods(self.left, self.right)]

    def _names_stated(self, rp: str) -> list[str]:
        """The company names, as stated, of ``rp``'s statements that ``keep`` keeps: each
        distinct name found by a seek past the one before (a few per company, not one per
        statement)."""
        kept, name = [], ""
        while found := self.catalog.query("SELECT sc FROM company_statements WHERE rp = ? AND sc > ? "
                                          "ORDER BY sc LIMIT 1", (rp, name)):
            name = found[0][0]
            if self.keep(name):
                kept.append(name)
        return kept

    def _statements(self, rp: str, after: tuple[str, int] | None) -> Iterator[tuple]:
        """What the reports about ``rp`` say of the compared periods (and, for a compared
        quarter's reports, of years: annual guidance and consensus), a company at a time
        (from the company ``after`` on), each company's sorted as it is read."""
        compared = {self.left, self.right}
        vintage = rp in compared and all(QUARTER_RE.fullmatch(p) for p in compared)
        years = " OR s.fp GLOB '[0-9][0-9][0-9][0-9]'" if vintage else ""
        later = " AND (s.sc, s.co) >= (?, ?)" if after is not None else ""
        names: tuple[str, ...] = ()
        if self.keep is not None:  # a figure of no company (co = 1) is no company's
            names = tuple(self._names_stated(rp))
            if not names:
                return
            later += f" AND s.co = 0 AND s.sc IN ({','.join('?' * len(names))})"
        sql = (f"SELECT s.sc, s.co, s.fp, {_REPORT}, s.packed FROM company_statements s CROSS JOIN reports r "
               f"ON r.n = s.n WHERE s.rp = ?{later} AND (s.fp IN (?, ?){years}) ORDER BY s.sc, s.co")
        params = (rp, *(after or ()), *names, self.left, self.right)
        for _company, group in itertools.groupby(self.catalog.stream(sql, params), key=lambda r: r[:2]):
            found = []
            for sc, co, fp, digest_id, date, broker, period, packed in group:
                tag = ("q", fp) if fp in compared else ("y", fp)
                for ss, rank, metric, br, basis, so, k, unit, value, low, high, consensus, vs in orjson.loads(
                        zlib.decompress(packed)):
                    if tag[0] == "q" or basis != "actual":
                        found.append(((sc, co, ss, rank, metric, br, basis, so), tag,
                                      (k, digest_id, date, broker, period, value, low, high, unit, consensus, vs)))
            found.sort(key=lambda item: item[0])
            yield from found

    def rows(self) -> Iterator[FigureChange]:
        """Every row of the comparison, in its order, each built when it is reached."""
        return (row for _company, row in self._rows(None))

    def page(self, after: tuple[str, int, int] | None = None, size: int = 1000) -> tuple[list[FigureChange], tuple[str, int, int] | None]:
        """``size`` rows from where ``after`` says (None: the first; else a company and how
        many of its rows were read), and where the next page starts (None: no more). A page
        is read afresh each time, from that company on: no cursor is held between pages."""
        rows: list[FigureChange] = []
        skip = after[2] if after is not None else 0
        last, of_last = None, 0
        for company, row in self._rows(after[:2] if after is not None else None):
            if company != last:
                last, of_last = company, 0
            of_last += 1
            if after is not None and company == after[:2] and of_last <= skip:
                continue  # read by the page before
            if len(rows) == size:
                return rows, (*last, of_last - 1)
            rows.append(row)
        return rows, None

    def count(self, stop: Callable[[], bool] = lambda: False) -> int | None:
        """How many rows the whole comparison has, counted without building them (None
        when ``stop`` said so on the way)."""
        left, right = self.left, self.right
        merged = heapq.merge(*self._streams(None), key=lambda item: item[0])
        total = 0
        for _key, group in itertools.groupby(merged, key=lambda item: item[0]):
            if stop():
                return None
            sides, years = False, set()
            for _key, (kind, period), _row in group:
                if kind == "q":
                    sides = sides or period in (left, right)
                else:  # as ``_rows`` files a year: one row per year, whichever side stated it
                    years.add(period)
            total += sides + len(years)
        return total

    def _rows(self, after: tuple[str, int] | None) -> Iterator[tuple[tuple[str, int], FigureChange]]:
        """(company key (sc, co), row) for the rows of the companies from ``after`` on."""
        left, right = self.left, self.right
        merged = heapq.merge(*self._streams(after), key=lambda item: item[0])
        for key, group in itertools.groupby(merged, key=lambda item: item[0]):
            sc, co, ss, _rank, metric, _br, basis, so = key
            sides: tuple[list[tuple], list[tuple]] = ([], [])
            years: dict[str, tuple[list[tuple], list[tuple]]] = {}
            for _key, (kind, period), row in group:
                if kind == "q":
                    if period == left:
                        sides[0].append(row)
                    if period == right:
                        sides[1].append(row)
                else:  # a year, stated by a report of one side
                    found = years.setdefault(period, ([], []))
                    if row[4] == left:
                        found[0].append(row)
                    if row[4] == right:
                        found[1].append(row)
            row_key = (None if co else sc, None if so else ss, metric, basis)
            if sides[0] or sides[1]:
                yield (sc, co), _pair(row_key, _cell(left, basis, sides[0]) if sides[0] else None,
                                      _cell(right, basis, sides[1]) if sides[1] else None, None)
            for year in sorted(years):
                lefts, rights = years[year]
                yield (sc, co), _pair(row_key, _cell(year, basis, lefts) if lefts else None,
                                      _cell(year, basis, rights) if rights else None, year)

    def comparison(self, rows: list[FigureChange], with_sides: bool = True) -> QuarterComparison:
        """A comparison of ``rows`` (all of ``rows()``, or the first of them) with the risks,
        picks and report ids of each side (``with_sides``: else empty, to come later)."""
        risks, picks, left_ids, right_ids = RiskDiff(), PickDiff(), [], []
        if with_sides:
            left_views, right_views = quarter_sides(self.catalog, self.left, self.right)
            risks, picks = _risk_diff(left_views, right_views), _pick_diff(left_views, right_views)
            left_ids, right_ids = [d.id for d in left_views], [d.id for d in right_views]
        return QuarterComparison(self.left, self.right, self.left, self.right, rows, risks, picks, left_ids, right_ids)


@dataclass
class _Company:
    key: str  # casefolded canonical name
    name: str  # as its first rating named it
    ticker: str | None  # the first ticker given
    count: int  # ratings


class RatingPages:
    """The ratings history of every company (or of ``names``: canonical or not, any name or
    ticker the registry knows), a page at a time: ``histories(start, stop)`` gives entries
    ``start`` to ``stop`` of the whole view (companies by name, each one's ratings oldest
    first) as histories, a company cut by a page boundary in two parts."""

    def __init__(self, catalog: Catalog, names: Collection[str] | None = None, writable: bool = True) -> None:
        self.catalog = catalog
        # as ``rating_history`` files a company: by its canonical name
        keys = None if names is None else {canonical_company(name).casefold() for name in names}
        self.companies = sorted((_Company(ck, name, ticker, count)
                                 for ck, (count, name, ticker) in rating_outline(catalog, writable).items()
                                 if keys is None or ck in keys), key=lambda c: (c.name, c.key))
        self.total = sum(c.count for c in self.companies)

    def page(self, start: int | None, size: int) -> tuple[list[RatingHistory], int | None]:
        """``size`` entries from entry ``start`` (None: the first) and where the next page
        starts (None: no more)."""
        start = start or 0
        stop = start + size
        return self.histories(start, stop), (stop if stop < self.total else None)

    def subjects(self) -> int:
        """How many companies the whole view has."""
        return len(self.companies)

    def histories(self, start: int = 0, stop: int | None = None) -> list[RatingHistory]:
        stop = self.total if stop is None else min(stop, self.total)
        out: list[RatingHistory] = []
        offset = 0
        for company in self.companies:
            first, offset = offset, offset + company.count
            if offset <= start:
                continue
            if first >= stop:
                break
            history = RatingHistory(company.name, company.ticker)
            last_target: dict[tuple, float] = {}  # (broker, currency): that broker's latest target
            for position, row in enumerate(self.catalog.stream(
                    "SELECT id, broker, date, rating, action, target, currency, prev FROM rating_rows "
                    "WHERE ck = ? ORDER BY ord, k", (company.key,)), first):
                if position >= stop:
                    break
                digest_id, broker, date, rating, action, target, currency, prev = row
                before = prev if prev is not None else last_target.get((broker, currency))
                if target is not None:
                    last_target[(broker, currency)] = target
                if position >= start:
                    change = round((target - before) / before * 100, 6) if before and target is not None else None
                    history.entries.append(RatingEntry(date, digest_id, broker, rating, action, target, currency,
                                                       prev, change))
            out.append(history)
        return out


class GuidancePages:
    """The guidance history of every company (or of ``names``), a page of whole histories at
    a time, from ``guidance_rows``: the histories ``guidance_history`` makes, ordered by
    the company's canonical name, then as it orders them (company as stated, segment,
    metric, period by time). A page reads the companies it shows, each whole."""

    def __init__(self, catalog: Catalog, names: Collection[str] | None = None) -> None:
        self.catalog = catalog
        self.keys = None if names is None else sorted({canonical_company(name).casefold() for name in names})

    def _companies(self, start: str | None) -> Iterator[str]:
        """The companies from ``start`` on (None: the first): the names asked for, or each
        company in the table found by a seek past the one before."""
        if self.keys is not None:
            yield from (key for key in self.keys if start is None or key >= start)
            return
        found = self.catalog.query("SELECT ck FROM guidance_rows WHERE ck >= ? ORDER BY ck LIMIT 1", (start or "",))
        while found:
            yield found[0][0]
            found = self.catalog.query("SELECT ck FROM guidance_rows WHERE ck > ? ORDER BY ck LIMIT 1", (found[0][0],))

    def _statements(self, company: str, after: str | None) -> Iterator[tuple[str, list[tuple]]]:
        """One company's statements of guidance (those of keys after ``after``) by history
        key, in key order, each key's in publication order, as ``add_guidance_step`` takes
        them: (date, id, broker, report period, value, low, high, unit, previous). The keys
        of each row are merged, so a key's statements are made, and its reports read, only
        when it is reached: a page of a company with 30,000 rows makes a page's worth."""
        packs, keyed = [], []
        for n, packed in self.catalog.stream(
                "SELECT n, packed FROM guidance_rows WHERE ck = ? ORDER BY ord, n", (company,)):
            keys = sorted(map(_first, orjson.loads(zlib.decompress(packed))))
            if after is not None:
                keys = keys[bisect.bisect_right(keys, after):]
            if keys:
                keyed.append(zip(keys, itertools.repeat(len(packs))))
                packs.append((n, packed))
        merged = heapq.merge(*keyed)  # a key's rows in publication order (ties: the earlier row first)
        for key, group in itertools.groupby(merged, key=_first):
            rows = [packs[i] for i in dict.fromkeys(i for _key, i in group)]
            reports = self._reports({n for n, _packed in rows})
            found = []
            for n, packed in rows:
                for hk, unit, value, low, high, pvalue, plow, phigh in orjson.loads(zlib.decompress(packed)):
                    if hk == key:
                        previous = Range(pvalue, plow, phigh) if (pvalue, plow, phigh) != (None, None, None) else None
                        found.append((*reports[n], value, low, high, unit, previous))
            yield key, found

    def _reports(self, numbers: set[int]) -> dict[int, tuple]:
        """(date, id, broker, period) of the reports numbered ``numbers``."""
        found = {}
        numbers_ = sorted(numbers)
        for i in range(0, len(numbers_), _BATCH):
            chunk = numbers_[i:i + _BATCH]
            for n, digest_id, date, broker, period in self.catalog.query(
                    f"SELECT r.n, {_REPORT} FROM reports r WHERE r.n IN ({','.join('?' * len(chunk))})", chunk):
                found[n] = (date, digest_id, broker, period)
        return found

    def page(self, after: tuple[str, str] | None, size: int) -> tuple[list[GuidanceHistory], tuple[str, str] | None]:
        """Whole histories after the one ``after`` names (None: from the first) until they
        hold ``size`` steps, and where the next page starts (None: no more)."""
        out: list[GuidanceHistory] = []
        steps = 0
        for company in self._companies(after[0] if after else None):
            for key, statements in self._statements(company, after[1] if after and after[0] == company else None):
                if steps >= size:
                    return out, (company, last)
                history = GuidanceHistory(*history_of_key(key))
                for statement in statements:
                    add_guidance_step(history, *statement)
                if history.steps:
                    out.append(history)
                    steps += len(history.steps)
                last = key
        return out, None

    def subjects(self) -> int | None:
        """How many guidance figures the view of some companies has (those with a step: a
        figure stated only without a value has none); None for every company's (counting
        reads the whole table)."""
        if self.keys is None:
            return None
        stepped = set()
        for company in self.keys:
            for (packed,) in self.catalog.stream("SELECT packed FROM guidance_rows WHERE ck = ?", (company,)):
                for key, _unit, value, low, high, pvalue, plow, phigh in orjson.loads(zlib.decompress(packed)):
                    if _bounds(value, low, high) or _bounds(pvalue, plow, phigh):
                        stepped.add((company, key))
        return len(stepped)
