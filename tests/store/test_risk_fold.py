"""Pane 3's risk tally folded from the risk rows, kept, and read again from what came since."""

from __future__ import annotations

from pathlib import Path

import pytest

from yanbao.store import risk_fold
from yanbao.store.db import DigestStore
from tests.conftest import build_digest

RISKS = [["行业竞争加剧", "宏观经济波动"], ["行业竞争加剧。", "监管政策变化"], ["宏观经济波动", "行业竞争加剧"]]


def _library(path: Path) -> list:
    digests = [build_digest(n, risks=risks, period=period)
               for n, (risks, period) in enumerate(zip(RISKS, ["2025Q1", "2025Q2", "2025Q2"]))]
    with DigestStore(path) as store:
        store.add_many(digests)
    return digests


def _counts(tally: list) -> dict[str, tuple[int, list[str]]]:
    return {wording: (count, periods) for _key, count, wording, periods in tally}


def test_the_tally_counts_reports_per_risk_with_its_usual_wording_and_periods(tmp_path: Path) -> None:
    _library(tmp_path / "store.json")
    with DigestStore(tmp_path / "store.json") as store:
        tally = store.risk_tally()
    assert _counts(tally) == {"行业竞争加剧": (3, ["2025Q1", "2025Q2"]), "宏观经济波动": (2, ["2025Q1", "2025Q2"]),
                              "监管政策变化": (1, ["2025Q2"])}
    assert [t[1] for t in tally] == [3, 2, 1]


def test_opened_again_it_reads_only_the_rows_stored_since(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.json"
    _library(path)
    read: list[tuple[int, int]] = []
    fold = risk_fold.fold_rows
    monkeypatch.setattr(risk_fold, "fold_rows", lambda catalog, kept, since, upto, most=None: (
        read.append((since, upto)), fold(catalog, kept, since, upto, most))[1])
    with DigestStore(path) as store:
        store.risk_tally()
        assert read and read[0][0] == 0
        read.clear()
        assert store.risk_tally() and read == []  # nothing came since: the kept fold alone
        store.add(build_digest(7, risks=["监管政策变化"]))
        assert _counts(store.risk_tally())["监管政策变化"][0] == 2
        assert len(read) == 1 and read[0][0] > 0  # the one report's rows, after the kept mark


def test_a_removed_report_leaves_the_tally(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    digests = _library(path)
    with DigestStore(path) as store:
        store.risk_tally()
        store.remove(digests[1].id)
        assert _counts(store.risk_tally()) == {"行业竞争加剧": (2, ["2025Q1", "2025Q2"]),
                                               "宏观经济波动": (2, ["2025Q1", "2025Q2"])}


def test_a_damaged_kept_fold_is_folded_again(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    _library(path)
    with DigestStore(path) as store:
        whole = store.risk_tally()
        store._catalog.query("UPDATE pane_cache SET z = x'00' WHERE key = ?", (risk_fold.KEY,))
        assert store.risk_tally() == whole


def test_folded_in_steps_it_is_the_whole_tally(tmp_path: Path) -> None:
    """The app folds in steps in the background (``warm``): a step at a time, each kept,
    the fold ends as the whole one; a removal takes the report out of what is kept."""
    path = tmp_path / "store.json"
    digests = _library(path)
    with DigestStore(path) as store:
        steps = 1
        while not risk_fold.fold_step(store._catalog, most=2):
            steps += 1
        assert steps == 3  # 6 risk rows, 2 a step
        kept = store._catalog.pane_cached(risk_fold.KEY)
        assert store.risk_tally() and store._catalog.pane_cached(risk_fold.KEY) == kept  # nothing left to read
        store.remove(digests[0].id)
        assert risk_fold.fold_step(store._catalog, most=2)  # nothing to fold again
        assert _counts(store.risk_tally()) == {"行业竞争加剧": (2, ["2025Q2"]), "宏观经济波动": (1, ["2025Q2"]),
                                               "监管政策变化": (1, ["2025Q2"])}
        assert risk_fold.fold_step(store._catalog)


def test_warming_a_catalog_it_cannot_fold_leaves_it_to_the_pane(tmp_path: Path) -> None:
    """The app warms the store in a thread of its own: a catalog that cannot be folded
    (here, no risk rows table) must not end that thread with a traceback on the screen."""
    path = tmp_path / "store.json"
    _library(path)
    with DigestStore(path) as store:
        len(store)  # open, as the app has before it warms
        store._catalog.query("DROP TABLE risk_rows")
        store.warm()  # no exception


def _fresh(store: DigestStore) -> list:
    """The tally folded from nothing (nothing kept)."""
    with store._catalog.transaction() as tx:
        kept = tx.execute("SELECT * FROM pane_cache").fetchall()
        tx.execute("DELETE FROM pane_cache")
    fresh = risk_fold.kept_risk_tally(store._catalog, writable=False)
    with store._catalog.transaction() as tx:
        tx.executemany("INSERT INTO pane_cache VALUES (?, ?, ?, ?)", kept)
    return fresh


def test_a_removal_takes_the_report_out_of_a_fold_kept_whole_or_in_part(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """#17: a removal subtracts the report's rows from the kept fold in its own transaction
    (pane 3 folded all 740,000 rows again at 100,000 reports: 1.1 s): removed from a fold
    made in part (rows on both sides of its mark), removed from the end (its number given
    to the next report stored) and replaced, the tally equals one folded from nothing, and
    no step folds from the start again."""
    path = tmp_path / "store.json"
    digests = _library(path)
    read: list[int] = []
    fold = risk_fold.fold_rows
    monkeypatch.setattr(risk_fold, "fold_rows", lambda catalog, kept, since, upto, most=None: (
        read.append(since), fold(catalog, kept, since, upto, most))[1])
    with DigestStore(path) as store:
        assert not risk_fold.fold_step(store._catalog, most=3)  # half of the first two reports' rows
        store.remove(digests[1].id)
        while not risk_fold.fold_step(store._catalog, most=3):
            pass
        assert store.risk_tally() == _fresh(store)
        store.remove(digests[2].id)  # the newest: its number is the next report's
        store.add(build_digest(9, risks=["汇率波动", "行业竞争加剧"], period="2025Q3"))
        assert store.risk_tally() == _fresh(store)
        store.add(build_digest(0, risks=["汇率波动"], period="2025Q4"))  # a replacement
        assert store.risk_tally() == _fresh(store)
        assert _counts(store.risk_tally())["汇率波动"] == (2, ["2025Q3", "2025Q4"])
        assert read.count(0) == 1 + 3, "from the start: the first step, and each fold from nothing above"


def test_doctor_finds_a_kept_count_out_of_step_with_its_rows(tmp_path: Path) -> None:
    """The counts a removal subtracts from are checked by ``yanbao doctor``: kept counts
    that differ from their rows counted again make the library not ok."""
    import zlib

    import orjson

    from yanbao.store.doctor import inspect_store

    path = tmp_path / "store.json"
    digests = _library(path)
    with DigestStore(path) as store:
        store.risk_tally()
        store.rating_pages()
        store.remove(digests[0].id)
    assert inspect_store(path).ok
    with DigestStore(path) as store:
        mark, gen, blob = store._catalog.pane_cached(risk_fold.KEY)
        fold = orjson.loads(zlib.decompress(blob))
        fold[next(iter(fold))][0] += 1
        store._catalog.keep_pane(risk_fold.KEY, mark, gen, zlib.compress(orjson.dumps(fold)))
    health = inspect_store(path)
    assert not health.ok and any("risk tally" in p for p in health.index_problems)
