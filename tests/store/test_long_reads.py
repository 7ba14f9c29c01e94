"""#17: a long reading of the catalog — a figure series folding every report of a company
(1.2 s for Tencent at 100,000 reports), a company's figures read a step at a time, a kept
view of one kind — runs on the catalog, not under the store's lock, so another thread's
search or list is not held up until it ends (the app's search waited out a chart's fold)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import yanbao.store.catalog as catalog_module
import yanbao.store.kept_views as kept_views_module
from yanbao.store.db import DigestStore
from yanbao.store.series_fold import SeriesFold

NAMES = {"microsoft", "msft"}


def _paused(original: Callable, reached: threading.Event, release: threading.Event) -> Callable:
    """``original``, waiting half way through the reading until ``release`` is set."""

    def pausing(*args, **kwargs):
        reached.set()
        release.wait(10)
        return original(*args, **kwargs)

    return pausing


READINGS: dict[str, tuple[Callable, Callable]] = {
    "a figure series": (
        lambda mp, pause: mp.setattr(SeriesFold, "add_entry", pause(SeriesFold.add_entry)),
        lambda store: store.kept_series(NAMES, "Microsoft", "Azure", "revenue_growth_yoy")),
    "a company's figures": (
        lambda mp, pause: mp.setattr(catalog_module, "unpack_figures", pause(catalog_module.unpack_figures)),
        lambda store: store.company_views(NAMES)),
    "a kept view of one metric": (
        lambda mp, pause: mp.setattr(kept_views_module, "figures_of", pause(kept_views_module.figures_of)),
        lambda store: store.kept_company_views(NAMES, "metric", "revenue_growth_yoy")),
}


@pytest.mark.parametrize("reading", READINGS)
def test_a_long_reading_holds_up_no_search_or_list(tmp_path: Path, make_digest, monkeypatch: pytest.MonkeyPatch,
                                                   reading: str) -> None:
    path = tmp_path / "store.json"
    with DigestStore(path) as store:
        store.add_many([make_digest(n) for n in range(12)])
    reached, release = threading.Event(), threading.Event()
    patch, read = READINGS[reading]
    patch(monkeypatch, lambda original: _paused(original, reached, release))
    with DigestStore(path) as store:
        result: dict[str, object] = {}
        reader = threading.Thread(target=lambda: result.setdefault("read", read(store)))
        reader.start()
        try:
            assert reached.wait(10), "the reading never reached its rows"
            other = threading.Thread(target=lambda: result.update(
                found=store.search("资本开支"), listed=store.summaries()))
            other.start()
            other.join(5)
            held_up = other.is_alive()
        finally:
            release.set()
            reader.join(10)
        other.join(10)
        assert not held_up, f"a search and a list waited for {reading} to end"
        assert len(result["found"]) == 12 and len(result["listed"]) == 12
        assert result["read"], "the reading itself still gives what it read"


def test_a_search_runs_beside_a_reading_that_holds_the_catalog(tmp_path: Path, make_digest) -> None:
    """A long SQLite step (a company's report list, one step of a few hundred ms at 100,000
    reports) holds the catalog's connection: a search runs on a connection of its own."""
    path = tmp_path / "store.json"
    with DigestStore(path) as store:
        store.add_many([make_digest(n) for n in range(6)])
    with DigestStore(path) as store:
        assert len(store) == 6
        held, release = threading.Event(), threading.Event()

        def hold() -> None:
            with store._catalog._lock:  # as a single long step holds it
                held.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        try:
            assert held.wait(10)
            result: dict = {}
            searching = threading.Thread(target=lambda: result.update(
                first=store.search_first("资本开支"), all=store.search("资本开支")))
            searching.start()
            searching.join(5)
            waited = searching.is_alive()
        finally:
            release.set()
            holder.join(10)
        searching.join(10)
        assert not waited, "the search waited for the catalog's connection"
        assert result["first"][0] == 6 and len(result["all"]) == 6
