"""#17: the ratings history's outline (companies, their rating counts, first name and
ticker) folded from the rating rows, kept, and read again from the reports stored since."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.real_sized import real_sized_docs
from yanbao.store import rating_fold
from yanbao.store.db import DigestStore
from yanbao.store.model import Digest

# What the outline was counted as each time before it was kept (the whole table read).
COUNTED = ("SELECT ck, count(*), (SELECT company FROM rating_rows b WHERE b.ck = a.ck ORDER BY ord, k LIMIT 1), "
           "(SELECT ticker FROM rating_rows b WHERE b.ck = a.ck AND ticker IS NOT NULL ORDER BY ord, k LIMIT 1) "
           "FROM rating_rows a GROUP BY ck")


def _counted(store: DigestStore) -> dict:
    return {ck: (count, company, ticker) for ck, count, company, ticker in store._catalog.query(COUNTED)}


def test_the_kept_outline_equals_counting_the_table_through_adds_removals_and_replacements(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "store.json"
    docs = list(real_sized_docs(40, seed=3))
    # some reports dated before the others, so a report stored later gives a company's first rating
    for i, doc in enumerate(docs[30:]):
        doc["date"] = f"2019-01-{1 + i:02d}"
    with DigestStore(path) as store:
        store.add_many([Digest.from_dict(d) for d in docs[:30]])
        first = rating_fold.rating_outline(store._catalog)
        assert first == _counted(store) and sum(c for c, _n, _t in first.values()) >= 30
        assert store._catalog.pane_cached(rating_fold.KEY) is not None

    read: list[tuple[int, int]] = []
    fold = rating_fold.fold_rows
    monkeypatch.setattr(rating_fold, "fold_rows", lambda catalog, f, since, upto: (read.append((since, upto)),
                                                                                 fold(catalog, f, since, upto)))
    with DigestStore(path) as store:
        store.add_many([Digest.from_dict(d) for d in docs[30:]])
        assert rating_fold.rating_outline(store._catalog) == _counted(store)
        assert read[-1][0] == 30, "opened again, only the reports stored since are read"
        before = len(read)
        store.remove(docs[4]["id"])
        store.remove(docs[0]["id"])
        assert rating_fold.rating_outline(store._catalog) == _counted(store)
        assert len(read) == before, "a removal takes the report out of the kept outline: nothing is folded"
        firsts = []
        refold = rating_fold.refold_firsts
        monkeypatch.setattr(rating_fold, "refold_firsts", lambda *a: (firsts.append(a[2]), refold(*a)))
        store.remove(docs[30]["id"])  # dated before every other: its company's first rating goes
        assert firsts, "the removed report gave a company's first rating: found again"
        assert rating_fold.rating_outline(store._catalog) == _counted(store)
        store.remove(docs[-1]["id"])
        store.add(Digest.from_dict(docs[-1]))  # stored last, removed: its number is the next report's
        assert rating_fold.rating_outline(store._catalog) == _counted(store)
        store.add(Digest.from_dict(dict(docs[31], date="2030-01-01")))
        assert rating_fold.rating_outline(store._catalog) == _counted(store)
        # the ratings history of every company lists them as counted, by name
        pages = store.rating_pages()
        assert [(c.key, c.count, c.name, c.ticker) for c in pages.companies] == sorted(
            ((ck, *v) for ck, v in _counted(store).items()), key=lambda c: (c[2], c[0]))


def test_a_read_only_library_reads_the_outline_without_keeping_it(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Not kept in the catalog, the outline is kept by the process: read again, it reads
    only the reports stored since (a shared archive opened read-only folds it once)."""
    path = tmp_path / "store.json"
    docs = list(real_sized_docs(10, seed=4))
    read: list[int] = []
    fold = rating_fold.fold_rows
    monkeypatch.setattr(rating_fold, "fold_rows", lambda catalog, f, since, upto: (read.append(since),
                                                                                 fold(catalog, f, since, upto)))
    with DigestStore(path) as store:
        store.add_many([Digest.from_dict(d) for d in docs[:8]])
        assert rating_fold.rating_outline(store._catalog, writable=False) == _counted(store)
        assert rating_fold.rating_outline(store._catalog, writable=False) == _counted(store)
        assert store._catalog.pane_cached(rating_fold.KEY) is None
        assert read == [0], "read again, nothing came since: nothing folded"
        store.add_many([Digest.from_dict(d) for d in docs[8:]])
        assert rating_fold.rating_outline(store._catalog, writable=False) == _counted(store)
        assert len(read) == 2 and read[1] > 0


def test_the_warm_up_folds_the_outline(tmp_path: Path) -> None:
    """The app's background warm-up folds it, so pane 4's first opening finds it kept."""
    path = tmp_path / "store.json"
    with DigestStore(path) as store:
        store.add_many([Digest.from_dict(d) for d in real_sized_docs(8, seed=6)])
    with DigestStore(path) as store:
        assert len(store) == 8 and store._catalog.pane_cached(rating_fold.KEY) is None
        store.warm()
        kept = store._catalog.pane_cached(rating_fold.KEY)
        assert kept is not None and kept[0] == store._catalog.mark("reports")[0]
