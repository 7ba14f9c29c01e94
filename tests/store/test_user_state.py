"""The reader's state per report (store.user_state): read marks, star, tags, notes."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import orjson
import pytest
from tinydb.storages import MemoryStorage
from yanbao.store.db import DigestStore
from yanbao.store.doctor import inspect_store, rebuild, restore_backup
from yanbao.store.storage import META_DOC, META_TABLE, library_dir
from yanbao.store.user_state import UNREAD_SINCE, normalise_note, normalise_tag, split_state_terms


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path: Path):
    s = DigestStore(storage=MemoryStorage()) if request.param == "memory" else DigestStore(tmp_path / "store.json")
    yield s
    s.close()


def test_star_tags_and_note_round_trip(store: DigestStore, make_digest) -> None:
    d = make_digest(1)
    store.add(d)
    store.set_star(d.id)
    store.add_tags(d.id, ["Capex", "#AI", "ｃａｐｅｘ", "cloud  infra"])
    note = "第一行：资本开支上调\n  second line, indented\n\n第三段 ✓"
    store.set_note(d.id, note)
    marks = store.marks(d.id)
    assert marks.star
    assert marks.tags == ("Capex", "AI", "cloud-infra")  # shown as first typed, deduplicated by casefold
    assert marks.note == note
    state = store.user_state()
    assert state.starred == {d.id}
    assert state.tagged("CAPEX") == {d.id} and state.tagged("capex") == {d.id}
    assert state.tags() == ["AI", "Capex", "cloud-infra"]
    store.remove_tags(d.id, ["capex"])
    store.set_star(d.id, False)
    assert store.marks(d.id).tags == ("AI", "cloud-infra") and not store.marks(d.id).star
    store.set_tags(d.id, [])
    store.set_note(d.id, "   ")
    assert store.marks(d.id).empty
    assert store.user_state().marks == {}  # an empty record is dropped, not kept as {}


def test_normalising_tags_and_notes() -> None:
    assert normalise_tag("  #ＡＩ ") == "AI"
    assert normalise_tag("资本 开支") == "资本-开支"
    assert normalise_tag("\x1b[31mred") == "red"  # no escape sequence reaches a terminal
    assert normalise_tag("#") == ""
    assert normalise_note("a\r\nb\x07\r\n\n  ") == "a\nb"
    assert normalise_note("\t缩进 kept\n") == "缩进 kept"  # outer blank space trimmed only


def test_new_reports_are_unread_until_opened(store: DigestStore, make_digest) -> None:
    a, b = make_digest(1), make_digest(2)
    store.add_many([a, b])
    assert store.user_state().unread == {a.id, b.id}
    assert store.mark_read(a.id) is True
    assert store.mark_read(a.id) is False  # already read: nothing written
    assert store.user_state().unread == {b.id}
    store.mark_read(a.id, False)  # `m` toggles it back
    assert store.user_state().unread == {a.id, b.id}
    assert store.mark_all_read() == 2
    assert store.user_state().unread == set()
    c = make_digest(3)
    store.add(c)
    assert store.user_state().unread == {c.id}


def _drop_read_marks_feature(path: Path) -> None:
    """Make a library look as a version before read marks left it: no new-since moment in
    the store file, no arrival times in the catalog."""
    data = orjson.loads(path.read_bytes())
    data[META_TABLE][META_DOC].pop(UNREAD_SINCE)
    path.write_bytes(orjson.dumps(data))
    with sqlite3.connect(library_dir(path) / "catalog.sqlite") as conn:
        conn.execute("DROP TABLE added")


def test_an_upgraded_library_is_not_all_unread(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    with DigestStore(path) as s:
        s.add_many([make_digest(n) for n in range(5)])
    _drop_read_marks_feature(path)
    with DigestStore(path) as s:
        assert s.user_state().unread == set()  # read-only use never turns them new
        new = make_digest(9)
        s.add(new)  # the first write starts read marks: only what comes in later is new
        assert s.user_state().unread == {new.id}


def test_a_state_change_writes_only_the_store_file(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add_many([make_digest(n) for n in range(20)])
    d = make_digest(3)

    def others() -> dict[str, tuple[int, int]]:
        out = {}
        for root, _, files in os.walk(library_dir(path)):
            for name in files:
                st = os.stat(os.path.join(root, name))
                out[os.path.join(root, name)] = (st.st_mtime_ns, st.st_size)
        return out

    before, size_before = others(), path.stat().st_size
    store.set_note(d.id, "看好 AI 资本开支")
    store.add_tags(d.id, ["capex"])
    store.set_star(d.id)
    store.mark_read(d.id)
    assert others() == before  # rows, documents and catalog untouched
    assert path.stat().st_size > size_before
    assert path.stat().st_size < 2_000
    store.close()


def test_state_survives_re_store_rebuild_and_restore(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    store = DigestStore(path)
    opened, unopened = make_digest(1), make_digest(2)
    store.add_many([opened, unopened])
    store.set_star(opened.id)
    store.add_tags(opened.id, ["capex"])
    store.set_note(opened.id, "笔记\nline 2")
    store.mark_read(opened.id)
    store.add(make_digest(1))  # the same report stored again (same file, same id)
    assert store.marks(opened.id).tags == ("capex",)
    store.close()

    assert rebuild(path).recovered == 2  # rows and catalog again from the documents
    with DigestStore(path) as s:
        assert s.marks(opened.id).note == "笔记\nline 2"
        assert s.user_state().unread == {unopened.id}  # arrival times come back from the files

    path.write_bytes(b"{ damaged")
    restore_backup(path)
    assert inspect_store(path).ok
    with DigestStore(path) as s:
        marks = s.marks(opened.id)
        assert marks.star and marks.tags == ("capex",) and marks.note == "笔记\nline 2"
        assert s.user_state().unread == {unopened.id}


def test_restore_refuses_to_drop_a_newer_note(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    with DigestStore(path) as s:
        s.add(make_digest(1))
        s.set_note(make_digest(1).id, "old")
    bak = path.with_name("store.json.bak")
    old_backup = bak.read_bytes()
    with DigestStore(path) as s:
        s.set_note(make_digest(1).id, "newer thought")
    bak.write_bytes(old_backup)  # a backup that lags behind the store file
    with pytest.raises(Exception, match="marks"):
        restore_backup(path)
    with DigestStore(path) as s:
        assert s.marks(make_digest(1).id).note == "newer thought"


def test_search_and_filter_terms(store: DigestStore, make_digest) -> None:
    a, b, c = make_digest(1), make_digest(2), make_digest(3)
    store.add_many([a, b, c])
    store.set_star(a.id)
    store.add_tags(a.id, ["capex"])
    store.add_tags(b.id, ["Capex", "watch-later"])
    store.set_note(c.id, "ask the analyst about 折旧")
    store.mark_read(b.id)
    assert set(store.search_marked("tag:capex")) == {a.id, b.id}
    assert set(store.search_marked("tag:CAPEX starred")) == {a.id}
    assert set(store.search_marked("unread")) == {a.id, c.id}
    assert set(store.search_marked("#watch-later")) == {b.id}
    assert set(store.search_marked("折旧")) == {c.id}  # a note's words are searchable
    assert set(store.search_marked("Azure")) == {a.id, b.id, c.id}  # the plain search unchanged
    # What a user sees first: only a plain text search is counted without listing every match.
    every = store.search_marked("Azure")
    assert store.search_marked_first("Azure", 2) == (len(every), every[:2])
    for marked in ("tag:capex", "Azure starred", "unread", "折旧", "Azure 折旧", ""):
        assert store.search_marked_first(marked, 2) is None, marked
    rest, wanted = split_state_terms("broker:华安 tag:ＡＩ starred cloud")
    assert rest == "broker:华安 cloud" and wanted.tags == ("AI",) and wanted.starred and not wanted.unread


def test_a_search_reads_the_unread_set_only_when_it_asks_for_it(store: DigestStore, make_digest, monkeypatch) -> None:
    """The unread set costs a row per new report (0.2-0.4 s at 100,000): a search reads it
    for ``unread`` alone, never to look for a word in the notes."""
    a, b = make_digest(1), make_digest(2)
    store.add_many([a, b])
    store.set_note(a.id, "ask about 折旧")
    store.mark_read(b.id)
    every = store.search_marked("Azure")
    catalog = type(store._catalog)
    added_since = catalog.added_since
    monkeypatch.setattr(catalog, "added_since", lambda *args: pytest.fail("read the unread set"))
    assert store.search_marked_first("Azure", 1) == (len(every), every[:1])
    assert store.search_marked("Azure") == every and store.search_marked("折旧") == [a.id]
    monkeypatch.setattr(catalog, "added_since", added_since)
    assert store.search_marked("unread") == [a.id]


def test_read_marks_fold_into_the_new_since_moment(tmp_path: Path, make_digest, monkeypatch) -> None:
    """Opening report after report never grows the store file without bound: marks before
    the oldest unread report fold into the moment from which reports count as new."""
    from yanbao.store import user_state

    monkeypatch.setattr(user_state, "COMPACT_READ_MARKS", 8)
    path = tmp_path / "store.json"
    store = DigestStore(path)
    batches = [[make_digest(100 * b + n) for n in range(6)] for b in range(5)]
    for batch in batches:  # five ingests, each its own arrival time
        store.add_many(batch)
    kept_unread = batches[3][2].id  # one report left unread in the fourth batch
    store.mark_read(batches[4][0].id, False)  # already unread: nothing written
    for batch in batches:
        for d in batch:
            if d.id != kept_unread:
                store.mark_read(d.id)
    assert store.user_state().unread == {kept_unread}
    marks = orjson.loads(path.read_bytes())["read"]
    assert len(marks) < 8 + 6  # not one per report opened (29)
    assert all(d.id not in marks for b in batches[:3] for d in b)  # folded into the moment
    store.mark_read(kept_unread)
    store.mark_read(batches[0][0].id, False)  # an old report marked new again still counts
    assert store.user_state().unread == {batches[0][0].id}
    new = make_digest(999)
    store.add(new)
    assert store.user_state().unread == {batches[0][0].id, new.id}
    store.close()
