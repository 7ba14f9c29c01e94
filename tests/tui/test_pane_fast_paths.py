"""The panes' quicker paths give what the plain ones gave, on random libraries:

- a figure cell's shown value and conflict, found in one pass over its statement keys,
  equal the majority-then-disagreement of before;
- a company's detail, formatting each cell's value once per value said, equals formatting
  every statement (the reference below is the code of before);
- the histories read for one kind (``guidance`` builds no ratings, ``ratings`` no figures)
  equal those read with everything;
- a figure series from the fold the catalog keeps equals ``series`` of the decoded digests
  through adds (older reports too), removals, replacements and reopening.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.real_sized import real_sized_docs
from yanbao.store.compare import figure_matrix, series
from yanbao.store.compare.figures import Observation, _reduce
from yanbao.store.db import DigestStore, WatchItem
from yanbao.store.series_fold import SeriesFold
from yanbao.store.model import VS_CONSENSUS, Digest
from yanbao.tui.data.company_detail import company_detail, company_names
from yanbao.tui.data.figure_text import FIGURE_LANG, format_metric_value
from yanbao.tui.data.histories import guidance_histories, rating_histories
from yanbao.tui.data.library import Library


def _old_majority(observations: list[Observation]) -> Observation:
    groups: dict[tuple, list[Observation]] = {}
    latest: dict[tuple, int] = {}
    for position, obs in enumerate(observations):
        groups.setdefault(obs.figure_key, []).append(obs)
        latest[obs.figure_key] = position
    best = groups[max(groups, key=lambda k: (len(groups[k]), latest[k]))]
    with_consensus = [o for o in best if o.vs_consensus is not None or o.consensus is not None]
    return (with_consensus or best)[-1]


_values = st.sampled_from([None, 1.0, 1.0000001, 2.5, 3.0, -0.0, 0.0])
_observation = st.builds(
    lambda i, value, low, high, unit, consensus, vs: Observation(
        f"d{i}", None, None, None, value, low, high, unit, consensus, vs),
    st.integers(0, 5), _values, _values, _values, st.sampled_from(["%", "亿元"]),
    st.sampled_from([None, 2.0]), st.sampled_from([None, "above", "inline"]))


@given(st.lists(_observation, min_size=1, max_size=12))
@settings(max_examples=400, deadline=None)
def test_one_pass_cell_equals_majority_then_disagreement(observations: list[Observation]) -> None:
    shown, conflict = _reduce(observations)
    assert shown is _old_majority(observations)
    assert conflict == (len({o.figure_key for o in observations}) > 1)


def _reference_detail_figures(digests: list[Digest], item: WatchItem) -> tuple[dict, list[str]]:
    """Company detail's figures as they were computed before: every statement formatted."""
    names = company_names(item)
    figures: dict[tuple, dict[str, str]] = {}
    periods: set[str] = set()
    for digest in digests:
        for metric in digest.metrics:
            if not ((metric.company and metric.company.casefold() in names)
                    or (metric.ticker and metric.ticker.casefold() in names)):
                continue
            period = metric.period or digest.period or "—"
            periods.add(period)
            row = figures.setdefault((metric.segment or "", metric.metric, metric.basis), {})
            value = format_metric_value(metric, FIGURE_LANG)
            if period not in row:
                row[period] = value
            elif row[period] != value and not row[period].endswith("*"):
                row[period] += "*"
    return figures, sorted(periods)


def _repeating_docs(count: int, seed: int) -> list[dict]:
    """Real-sized digests whose figures repeat: values from a short list (several reports
    stating one value, values that format alike, ranges), so cells agree and disagree."""
    rng = random.Random(seed)
    docs = list(real_sized_docs(count, seed=seed))
    for doc in docs:
        for metric in doc["metrics"]:
            metric["value"] = rng.choice([10.0, 10.0, 10.000001, 12.5, 0.0, None])
            if metric["value"] is None:
                metric["low"], metric["high"] = sorted(rng.choice([1.0, 2.0, 3.0]) for _ in range(2))
            if rng.random() < 0.2:
                metric["period"] = rng.choice(["2023Q1", "2023Q2", "2024"])
    return docs


def _random_library(path: Path, seed: int) -> Library:
    """A library of ``_repeating_docs``."""
    docs = _repeating_docs(40, seed)
    store = DigestStore(path)
    store.add_many([Digest.from_dict(d) for d in docs])
    store.close()
    library = Library(path)
    library.open(seed=False)
    return library


def remove_replace_reopen(library: Library, path: Path, docs: list[dict], rest_from: int, check) -> None:
    """The end of a kept-fold scenario, ``check`` after each step: a removal, a replacement,
    then another process adding ``docs[rest_from:]``."""
    library.store.remove(docs[3]["id"])
    check(library)
    library.store.add(Digest.from_dict(dict(docs[5], title="replaced", date="2030-01-01")))
    check(library)
    library.close()
    library = Library(path)
    library.open(seed=False)
    library.store.add_many([Digest.from_dict(d) for d in docs[rest_from:]])
    check(library)
    library.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_company_detail_equals_formatting_every_statement(tmp_path: Path, seed: int) -> None:
    library = _random_library(tmp_path / "store.json", seed)
    try:
        for item in (WatchItem("Tencent", "0700.HK"), WatchItem("Alibaba", None)):
            decoded = library.digests_naming(item)
            expected_figures, expected_periods = _reference_detail_figures(
                sorted(decoded, key=lambda d: (d.date or "", d.title, d.id), reverse=True), item)
            for detail in (company_detail(decoded, item), library.company_detail(item)):
                assert detail.figures == expected_figures and detail.periods == expected_periods
            assert any(v.endswith("*") for row in expected_figures.values() for v in row.values())
    finally:
        library.close()


def test_company_detail_reads_past_a_damaged_figure_row(tmp_path: Path) -> None:
    """The company detail folds the figure rows as packed: a row damaged in the catalog (a
    statement of the wrong shape) leaves that report out and shows the others' figures."""
    import zlib

    import orjson

    library = _random_library(tmp_path / "store.json", 5)
    try:
        item = WatchItem("Tencent", "0700.HK")
        whole = library.company_detail(item)
        catalog = library.store._catalog
        rowid, packed = catalog.query("SELECT rowid, packed FROM figures WHERE company_key = 'tencent' LIMIT 1")[0]
        company, ticker, rows, rated = orjson.loads(zlib.decompress(packed))
        rows.insert(0, ["revenue", "2025Q1"])  # two fields of twelve
        with catalog.transaction() as tx:
            tx.execute("UPDATE figures SET packed = ? WHERE rowid = ?",
                       (zlib.compress(orjson.dumps([company, ticker, rows, rated])), rowid))
            tx.execute("DELETE FROM pane_cache")
        damaged = library.company_detail(item)
        assert damaged.figures and set(damaged.figures) <= set(whole.figures)
        assert damaged.report_count == whole.report_count
    finally:
        library.close()


@pytest.mark.parametrize("names", [None, {"Tencent"}])
def test_histories_read_for_one_kind_equal_those_read_with_everything(tmp_path: Path, names) -> None:
    library = _random_library(tmp_path / "store.json", 4)
    try:
        everything = library.history_digests(names)
        guidance = guidance_histories(library.history_digests(names, "guidance"), names)
        ratings = rating_histories(library.history_digests(names, "ratings"), names)
        assert guidance and ratings
        assert [h.to_dict() for h in guidance] == [h.to_dict() for h in guidance_histories(everything, names)]
        assert [h.to_dict() for h in ratings] == [h.to_dict() for h in rating_histories(everything, names)]
        # and a figure matrix of what the guidance kind reads keeps every guidance row
        full = figure_matrix(everything)
        assert all(full.row(*row.key) for row in figure_matrix(library.history_digests(names, "guidance")).rows)
    finally:
        library.close()


def test_company_detail_kept_between_openings_follows_adds_and_removals(tmp_path: Path) -> None:
    """The fold the catalog keeps for a company's detail takes in reports added later (older
    and newer ones, a report with only a rating), recomputes after a removal or replacement,
    and survives closing the library: each time equal to the detail of the decoded digests."""
    path = tmp_path / "store.json"
    docs = list(real_sized_docs(45, seed=11))
    store = DigestStore(path)
    store.add_many([Digest.from_dict(d) for d in docs[:25]])
    store.close()
    item = WatchItem("Tencent", "0700.HK")
    key = None

    def check(library: Library) -> None:
        nonlocal key
        full = company_detail(library.digests_naming(item), item)
        for lang in ("zh", "en"):
            kept = library.company_detail(item, lang)
            expected = full if lang == "zh" else company_detail(library.digests_naming(item), item, "en")
            assert [d.id for d, _ in kept.reports] == [d.id for d, _ in expected.reports]
            assert [r for _, r in kept.reports] == [r for _, r in expected.reports]
            assert kept.periods == expected.periods and kept.figures == expected.figures and kept.figures
            assert kept.views == expected.views and kept.guidance == expected.guidance
        store = library.store
        key = key or next(k for (k,) in store._catalog.query("SELECT key FROM pane_cache") if "\nzh\n" in k)
        assert store.pane_cached(key)[:2] == store.figures_mark()  # kept up to the last figure

    library = Library(path)
    library.open(seed=False)
    check(library)
    later = [Digest.from_dict(d) for d in docs[25:40]]
    later[0] = Digest.from_dict(dict(docs[25], date="2019-01-02"))  # older than everything kept
    rating_only = dict(docs[40], metrics=[], companies=[], id="f" * 64,
                       company_ratings=[{"company": "Tencent", "ticker": "0700.HK", "rating": "买入"}])
    named_rating_only = dict(rating_only, id="e" * 64, title="named, rated, no figures", date="2031-05-05",
                             broker="Nomura", companies=[{"name": "Tencent", "ticker": "0700.HK", "role": "recommended"}])
    library.store.add_many([*later, Digest.from_dict(rating_only), Digest.from_dict(named_rating_only)])
    check(library)
    remove_replace_reopen(library, path, docs, 41, check)


@pytest.mark.parametrize("seed", [5, 6])
def test_series_of_one_row_equals_the_row_of_the_whole_matrix(tmp_path: Path, seed: int) -> None:
    library = _random_library(tmp_path / "store.json", seed)
    try:
        digests = list(library.stream_digests())
        checked = 0
        for metric in ("revenue", "capex", "eps"):
            matrix = figure_matrix(digests, metric=metric)
            for row in matrix.rows:
                expected = [(p, c.mid) for p, c in row.cells.items() if c.mid is not None]
                assert series(digests, row.company, row.segment, metric, basis=row.basis) == expected
                checked += bool(expected)
        assert checked > 20
        assert series(digests, "No Such Company", None, "revenue") == []
    finally:
        library.close()


def _crowded_docs(count: int, seed: int) -> list[dict]:
    """``_repeating_docs`` crowded into a few periods and days (undated ones too), some
    figures with a consensus: many statements per cell, ties broken by report order."""
    rng = random.Random(seed)
    docs = _repeating_docs(count, seed)
    for doc in docs:
        doc["date"] = rng.choice(["2023-05-01", "2023-05-01", "2023-08-20", None])
        for metric in doc["metrics"]:
            metric["period"] = rng.choice(["2023Q1", "2023Q2", "2024", metric["period"]])
            if rng.random() < 0.4:
                metric["vs_consensus"] = rng.choice(VS_CONSENSUS)
    return docs


@pytest.mark.parametrize("seed", [7, 8])
def test_series_fold_kept_between_readings_follows_adds_and_removals(
        tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every series of a company's figures (each segment and basis) read from the kept fold
    equals ``series`` of the decoded digests: at first, after adding reports (one older than
    everything folded, one on a folded report's date), after a removal and a replacement, and
    after reopening; an add folds only the reports added."""
    path = tmp_path / "store.json"
    docs = _crowded_docs(45, seed)
    store = DigestStore(path)
    store.add_many([Digest.from_dict(d) for d in docs[:20]])
    store.close()
    folded: list[tuple[tuple, str]] = []  # (series, report) as folded
    add_entry = SeriesFold.add_entry

    def spy(fold: SeriesFold, digest_id: str, *args, **kwargs) -> None:
        folded.append(((fold.company, fold.segment, fold.metric, fold.basis), digest_id))
        add_entry(fold, digest_id, *args, **kwargs)

    monkeypatch.setattr(SeriesFold, "add_entry", spy)

    def check(library: Library) -> None:
        decoded = list(library.stream_digests())
        checked = 0
        for metric in ("revenue", "capex", "net_income"):
            for row in figure_matrix(decoded, metric=metric).rows:
                if row.company in ("Tencent", "Alibaba"):
                    expected = series(decoded, row.company, row.segment, metric, basis=row.basis)
                    assert library.figure_series(row.company, row.segment, metric, row.basis) == expected
                    checked += len(expected) > 1
        assert checked > 5
        store = library.store
        keys = [k for (k,) in store._catalog.query("SELECT key FROM pane_cache") if k.startswith("series\n")]
        assert keys and all(store.pane_cached(k)[:2] == store.figures_mark() for k in keys)

    library = Library(path)
    library.open(seed=False)
    check(library)
    kept = {series for series, _ in folded}
    folded.clear()
    check(library)  # read back as kept: nothing folded again
    assert folded == []
    later = [Digest.from_dict(d) for d in docs[20:35]]
    later[0] = Digest.from_dict(dict(docs[20], date="2019-01-02"))  # older than everything folded
    later[1] = Digest.from_dict(dict(docs[21], date="2023-05-01"))  # the same day as folded ones
    library.store.add_many(later)
    check(library)
    # a series kept before folds only the reports added (a series new since folds them all)
    again = {report for series, report in folded if series in kept}
    assert again and again <= {d.id for d in later}
    remove_replace_reopen(library, path, docs, 35, check)
