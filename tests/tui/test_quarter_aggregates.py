"""Pane 4's two-quarter comparison from the store's aggregates equals the comparison of the
decoded digests (sentences apart, which the app reads from the documents on demand)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.real_sized import real_sized_docs
from yanbao.store.compare import compare_quarters
from yanbao.store.db import DigestStore
from yanbao.store.model import Digest
from yanbao.tui.data.library import Library

from tests.store.test_compare_window import fill_mixed_library


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    path = tmp_path_factory.mktemp("quarters") / "store.json"
    fill_mixed_library(path)
    lib = Library(path)
    lib.open(seed=False)
    return lib


def _decoded(library: Library, left: str, right: str) -> list[Digest]:
    return library.quarter_digests(left, right)


def _without_sentences(comparison: dict) -> dict:
    for row in comparison["rows"]:
        for side in ("left", "right"):
            for obs in (row[side] or {}).get("observations", []):
                obs["text"] = ""
    return comparison


PAIRS = [("2025Q1", "2025Q2"), ("2024Q4", "2025Q1"), ("2024Q2", "2025Q3"), ("2023Q1", "2023Q2"), ("2025", "2025Q2")]


@pytest.mark.parametrize(("left", "right"), PAIRS)
def test_comparison_from_aggregates_equals_the_decoded_one(library: Library, left: str, right: str) -> None:
    full = compare_quarters(_decoded(library, left, right), left, right)
    kept = compare_quarters(library.quarter_views(left, right), left, right)
    assert full.rows or full.risks.new or full.left_ids, "the pair compares nothing: the test would prove nothing"
    assert _without_sentences(kept.to_dict()) == _without_sentences(full.to_dict())


def test_sample_quarters_keep_annual_guidance_risks_and_picks(library: Library) -> None:
    kept = compare_quarters(library.quarter_views("2025Q1", "2025Q2"), "2025Q1", "2025Q2")
    meta = kept.find("Meta", None, "capex", "guidance")
    assert meta is not None and meta.target_period == "2025"
    assert kept.risks.new and kept.risks.recurring and (kept.picks.added or kept.picks.kept)


def test_sentences_are_read_back_for_the_figure_looked_at(library: Library) -> None:
    full = compare_quarters(_decoded(library, "2025Q1", "2025Q2"), "2025Q1", "2025Q2")
    kept = compare_quarters(library.quarter_views("2025Q1", "2025Q2"), "2025Q1", "2025Q2")
    row = kept.find("Microsoft", "Azure", "revenue_growth_yoy")
    assert row is not None and not any(o.text for o in row.left.observations)
    library.with_sentences(row)
    expected = full.find("Microsoft", "Azure", "revenue_growth_yoy")
    for side in ("left", "right"):
        texts = [o.text for o in getattr(row, side).observations]
        assert texts == [o.text for o in getattr(expected, side).observations] and all(texts)


async def test_the_pane_shows_the_sentences_of_a_figure_compared_from_aggregates(app_factory) -> None:
    """Pane 4 compares from the aggregates (no sentences); the highlighted figure's detail
    still quotes each report's sentence, read from its document."""
    from conftest import settle
    from textual.widgets import DataTable, Static

    from yanbao.tui.widgets.compare import ComparePane

    app = app_factory(corpus=True)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        pane = pilot.app.screen.query_one(ComparePane)
        pane.query_one("#compare-left").value = "2025Q1"
        pane.query_one("#compare-right").value = "2025Q2"
        await settle(pilot)
        rows = pane.comparison.rows
        index = next(i for i, r in enumerate(rows) if r.segment == "AWS" and r.metric == "revenue_growth_yoy"
                     and r.basis == "actual" and r.conflict)
        pane.query_one("#compare-table", DataTable).move_cursor(row=index)
        await settle(pilot)
        for _ in range(20):
            detail = " ".join(str(pane.query_one("#compare-diff", Static).render()).split())
            sentences = [" ".join(o.text.split()) for o in rows[index].right.observations]
            if sentences and all(sentences):
                break
            await pilot.pause(0.1)
        assert sentences and all(s and s[:20] in detail for s in sentences)


def _history_dicts(histories: list) -> list[dict]:
    return [h.to_dict() for h in histories]


@pytest.mark.parametrize("names", [None, {"Meta"}, {"Tencent"}, {"Microsoft", "Tencent"}, {"腾讯"}])
def test_histories_from_aggregates_equal_the_decoded_ones(library: Library, names: set[str] | None) -> None:
    from yanbao.tui.data.histories import guidance_histories, rating_histories

    if names is None:
        decoded = list(library.stream_digests())
    else:  # what the pane read before: every report naming one of the companies
        found: dict[str, Digest] = {}
        for name in names:
            for digest in library.by_company(name):
                found.setdefault(digest.id, digest)
        decoded = list(found.values())
    kept = library.history_digests(names)
    found_any = False
    for read in (guidance_histories, rating_histories):
        expected = _history_dicts(read(decoded, names))
        found_any = found_any or bool(expected)
        assert _history_dicts(read(kept, names)) == expected
    assert found_any, f"no history for {names}: the test would prove nothing"


def test_warming_loads_the_registry_and_never_reopens_a_closed_store(tmp_path: Path) -> None:
    store = DigestStore(tmp_path / "store.json")
    store.add(Digest.from_dict(next(real_sized_docs(1, seed=3))))
    store.close()
    store.warm()  # closed: nothing reopened
    assert not store._opened
    len(store)
    store.warm()
    assert store._expander._loaded and store.search("腾讯") == store.search("腾讯")
    store.close()


def test_one_companys_ratings_pages_equal_its_history(library: Library) -> None:
    """#17: a company's ratings (pane 4 narrowed to it, or to the watchlist) read its rows of
    ``rating_rows``, and equal the history built from the reports naming it."""
    from yanbao.tui.data.histories import rating_histories

    everyone = library.rating_pages()
    rated = [c.name for c in everyone.companies]
    tickers = [c.ticker for c in everyone.companies if c.ticker]
    assert len(rated) > 3 and tickers
    for names in ({rated[0]}, {rated[1], rated[-1]}, {tickers[0]}, {rated[2].upper()}):
        whole = [h.to_dict() for h in rating_histories(library.history_digests(names, "ratings"), names)]
        pages = library.rating_pages(names)
        assert whole and [h.to_dict() for h in pages.histories()] == whole, names
        assert pages.total < everyone.total / 2


def test_a_narrowed_comparison_reads_the_companys_rows_only(library: Library) -> None:
    """#17: pane 4 narrowed to a company (any name, ticker, or the watchlist's names) reads
    that company's rows of ``company_statements``, in the order and with the cells of the
    whole comparison narrowed afterwards (at 100,000 reports the whole took tens of seconds)."""
    from yanbao.tui.widgets.compare import narrow_comparison

    shown = 0
    for left, right in PAIRS:
        for names in ({"Tencent"}, {"0700.HK"}, {"腾讯"}, {"Meta", "Alibaba"}, {"no such company"}, set()):
            whole = compare_quarters(library.quarter_views(left, right), left, right)
            narrow_comparison(whole, names)
            window = library.quarter_rows(left, right, names)
            rows = list(window.rows())
            assert [r.to_dict() for r in rows] == [r.to_dict() for r in whole.rows], (left, right, names)
            assert window.count() == len(rows)
            shown += len(rows)
    assert shown > 100

