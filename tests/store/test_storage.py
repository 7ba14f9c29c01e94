"""The library on disk: documents of record, row shards, store file with backup, catalog;
atomic writes, refusal of bad files, damage contained, read-only, kill -9, two writers."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest
from tinydb import Query, TinyDB

from yanbao.store.db import DigestStore, KeyedTinyDB, row_shard
from yanbao.store.doctor import inspect_store, rebuild, restore_backup
from yanbao.store.errors import StoreError
from yanbao.store.model import SCHEMA_VERSION
from yanbao.store.storage import AtomicJSONStorage, backup_path, library_dir

REPO = Path(__file__).resolve().parents[2]

# A writer process: adds digests one at a time and prints each id once its add returned.
WRITER = textwrap.dedent(
    """
    import sys
    from yanbao.store.db import DigestStore
    from yanbao.store.model import Digest, KeyPoint, Source
    path, tag, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = DigestStore(path)
    for n in range(count):
        digest_id = f"{tag}-{n:05d}".ljust(64, "0")
        digest = Digest(id=digest_id, source=Source(f"{tag}/{n}.pdf", "pdf", 3, digest_id),
                        title=f"{tag} 报告 {n}", date="2025-05-06", period="2025Q1",
                        key_points=[KeyPoint("要点 " * 40, ["内容 " * 200] * 5)],
                        risks=["行业竞争加剧"] * 10)
        store.add(digest)
        if n % 7 == 0:
            store.watchlist_add(f"{tag} watch {n}")
        print(digest_id, flush=True)
    """
)


def _writer(path: Path, tag: str, count: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), tag, str(count)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )


def test_plain_tinydb_use_works_on_the_storage(tmp_path: Path) -> None:
    """It is a real TinyDB storage: insert, query, update, remove, reopen."""
    path = tmp_path / "db.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    items = db.table("items")
    items.insert_multiple([{"name": "腾讯", "n": 1}, {"name": "Meta", "n": 2}])
    items.update({"n": 3}, Query().name == "Meta")
    items.remove(Query().name == "腾讯")
    db.close()
    again = TinyDB(path, storage=AtomicJSONStorage)
    assert again.table("items").all() == [{"name": "Meta", "n": 3}]
    assert orjson.loads(path.read_bytes())["meta"]["store"]["schema"] == SCHEMA_VERSION


def _files(folder: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.rglob("*") if p.is_file()}


def test_a_watchlist_write_touches_only_the_store_file_and_an_add_never_touches_it(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add_many([make_digest(n) for n in range(20)])
    folder = library_dir(path)
    before = _files(folder)
    store.watchlist_add("Foo")
    after = _files(folder)
    assert {p for p in after if before.get(p) != after[p] and "catalog" not in p.name} == set()
    assert orjson.loads(backup_path(path).read_bytes()) == orjson.loads(path.read_bytes())  # the backup is current
    main = path.read_bytes()
    store.add(make_digest(99))
    assert path.read_bytes() == main
    changed = {p.relative_to(folder).parts[0] for p, v in _files(folder).items() if after.get(p) != v}
    assert changed <= {"docs", "rows", "catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm"}
    shards = [p for p, v in _files(folder / "rows").items() if after.get(p) != v]
    assert len(shards) == 1 and shards[0].stem == row_shard(make_digest(99).id).split(":")[1]
    assert not list(tmp_path.rglob(".*.tmp"))  # no temp files left behind


def test_row_shards_are_plain_tinydb_tables(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    DigestStore(path).add_many([make_digest(n) for n in range(5)])
    db = KeyedTinyDB(path, storage=AtomicJSONStorage)
    digest = make_digest(3)
    table = db.table(row_shard(digest.id))
    found = table.get(doc_id=digest.id)
    assert found["columns"][:2] == [digest.id, digest.title]
    assert len(table.search(Query().columns.test(lambda c: c[0] == digest.id))) == 1


def test_an_interrupted_write_is_finished_from_the_documents(tmp_path: Path, make_digest) -> None:
    """What a kill between the document and the catalog leaves: the next open redoes it;
    an id named in the pending list with no document is dropped."""
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add(make_digest(1))
    ghost = make_digest(2)
    store.add(ghost)
    landed = make_digest(3)
    (library_dir(path) / "pending.json").write_bytes(orjson.dumps([landed.id, ghost.id]))
    store._documents.put_many({landed.id: orjson.dumps(landed.to_dict())})
    store._documents.remove(ghost.id)
    fresh = DigestStore(path)
    assert {s.id for s in fresh.summaries()} == {make_digest(1).id, landed.id}
    assert fresh.get(landed.id).to_dict() == landed.to_dict()
    assert not (library_dir(path) / "pending.json").exists()
    assert inspect_store(path).ok


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"meta": {"store": {"schema": 1', "not valid JSON"),
        (b"", "empty"),
        (b"[1, 2, 3]", "unexpected layout"),
        (b'{"meta": {"store": {"schema": 99}}}', "newer yanbao"),
        (b'{"meta": {"store": {"schema": 1, "layout": 7}}}', "newer yanbao"),
    ],
)
def test_bad_store_file_is_refused_and_never_overwritten(tmp_path: Path, make_digest, content: bytes, words: str) -> None:
    path = tmp_path / "store.json"
    path.write_bytes(content)
    store = DigestStore(path)
    for attempt in (lambda: store.summaries(), lambda: store.add(make_digest(1)), lambda: store.watchlist_add("X")):
        with pytest.raises(StoreError) as caught:
            attempt()
        assert str(path) in str(caught.value) and words in str(caught.value)
        assert "\n" not in str(caught.value)
    assert path.read_bytes() == content
    assert not backup_path(path).exists()


def test_missing_or_damaged_catalog_is_rebuilt_from_the_documents(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    DigestStore(path).add_many([make_digest(n) for n in range(5)])
    catalog = library_dir(path) / "catalog.sqlite"
    for damage in ("delete", "garbage"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{catalog}{suffix}").unlink(missing_ok=True)
        if damage == "garbage":
            catalog.write_bytes(b"not a database" * 100)
        fresh = DigestStore(path)
        assert len(fresh) == 5 and fresh.search("第4号") == [make_digest(4).id]
        assert fresh.get(make_digest(4).id).to_dict() == make_digest(4).to_dict()


def test_a_damaged_document_is_contained_then_quarantined(tmp_path: Path, make_digest) -> None:
    """One bad record never takes the library down: readers skip it with one warning,
    doctor names it, --rebuild quarantines it and counts what was recovered and lost."""
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add_many([make_digest(n) for n in range(4)])
    bad = make_digest(2).id
    store._documents.path_of(bad).write_bytes(b'{"schema": 1, "id": "x", "source": "not a dict", "title": 5}')
    fresh = DigestStore(path)
    assert len(fresh.summaries()) == 4  # the list reads rows, never documents
    assert len(fresh.all()) == 3 and any(bad[:12] in w for w in fresh.warnings)
    with pytest.raises(StoreError, match="damaged"):
        fresh.get(bad)
    fresh.add(make_digest(9))  # writes still work
    health = inspect_store(path)
    assert not health.ok and health.digests_readable == 4 and bad[:12] in health.digests_invalid[0]
    done = rebuild(path)
    assert (done.recovered, done.lost) == (4, 1)
    health = inspect_store(path)
    assert health.ok and health.quarantined == 1 and health.digests_readable == 4
    assert bad not in {s.id for s in DigestStore(path).summaries()}


def test_doctor_rebuilds_a_damaged_store_file_without_backup(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    DigestStore(path).add_many([make_digest(n) for n in range(3)])
    backup_path(path).unlink(missing_ok=True)
    path.write_bytes(b"\x00garbage")
    assert "no backup" in str(pytest.raises(StoreError, restore_backup, path).value)
    done = rebuild(path)
    assert (done.recovered, done.lost, done.store_file_recreated) == (3, 0, True)
    assert len(DigestStore(path)) == 3 and inspect_store(path).ok
    assert list(tmp_path.glob("store.json.replaced-*"))  # the damaged file kept aside


def test_restore_keeps_the_latest_user_state_and_never_downgrades(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add_many([make_digest(1), make_digest(2)])
    store.watchlist_add("Foo")
    store.watchlist_add("Bar")  # the latest change
    damaged = path.read_bytes()[:-9]
    path.write_bytes(damaged)
    with pytest.raises(StoreError):
        DigestStore(path).summaries()
    kept = restore_backup(path)
    assert kept is not None and kept.read_bytes() == damaged
    restored = DigestStore(path)
    assert [w.name for w in restored.watchlist()] == ["Foo", "Bar"]
    assert len(restored) == 2 and inspect_store(path).ok
    # A backup written by a newer yanbao is never put back over this version's file.
    backup_path(path).write_bytes(b'{"meta": {"store": {"schema": 1, "layout": 9}}}')
    path.write_bytes(b"{")
    with pytest.raises(StoreError, match="newer"):
        restore_backup(path)
    assert path.read_bytes() == b"{"


def test_restore_refuses_to_drop_changes_the_backup_lacks(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.watchlist_add("Foo")
    backup = backup_path(path).read_bytes()
    store.watchlist_add("Bar")
    backup_path(path).write_bytes(backup)  # an older backup (as another tool might leave)
    with pytest.raises(StoreError, match="changes the backup lacks"):
        restore_backup(path)
    assert [w.name for w in DigestStore(path).watchlist()] == ["Foo", "Bar"]


def test_restore_without_backup_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no backup"):
        restore_backup(tmp_path / "store.json")


def test_a_read_only_store_file_is_respected(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add(make_digest(1))
    store.watchlist_add("Foo")
    path.chmod(0o444)
    try:
        before = path.read_bytes()
        reader = DigestStore(path)
        assert len(reader.summaries()) == 1 and reader.get(make_digest(1).id) is not None
        for attempt in (lambda: reader.add(make_digest(2)), lambda: reader.watchlist_add("Bar"),
                        lambda: reader.remove(make_digest(1).id)):
            with pytest.raises(StoreError, match="read-only"):
                attempt()
        assert reader.read_only and path.read_bytes() == before
        assert len(DigestStore(path)) == 1 and inspect_store(path).read_only
    finally:
        path.chmod(0o644)


@pytest.mark.slow
def test_kill_9_mid_write_loses_nothing_that_was_added(tmp_path: Path) -> None:
    """Each round kills a writer mid-stream; every id it printed must still load.
    (tests/store/test_ingest.py kills whole ingests the same way.)"""
    path = tmp_path / "store.json"
    acknowledged: list[str] = []
    for round_no in range(12):
        proc = _writer(path, f"r{round_no:02d}", 400)
        # Wait for the first acknowledged write (start-up time varies with the machine's
        # load), then kill at a later moment each round, deeper into the writes.
        first = proc.stdout.readline()
        time.sleep(0.025 * round_no)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        acknowledged += (first + out).split()
        store = DigestStore(path)  # loads (from the index or a full parse) without error
        stored = {s.id for s in store.summaries()}
        missing = [i for i in acknowledged if i not in stored]
        assert not missing, f"round {round_no}: lost {missing[:3]}"
        for digest_id in acknowledged[-3:]:
            assert store.get(digest_id) is not None
    assert len(acknowledged) > 12  # the kills did land during writes, not before them
    assert inspect_store(path).ok


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    procs = [_writer(path, tag, 40) for tag in ("aa", "bb")]
    outputs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    store = DigestStore(path)
    stored = {s.id for s in store.summaries()}
    assert len(stored) == 80 and set(outputs[0]) | set(outputs[1]) == stored
    assert len(store.watchlist()) == 12  # 6 from each writer


def test_unwritable_folder_is_a_store_error(tmp_path: Path, make_digest) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError):
            DigestStore(folder / "store.json").add(make_digest(1))
    finally:
        folder.chmod(0o700)


def test_a_catalog_build_cut_short_is_built_again(tmp_path: Path, make_digest) -> None:
    """A kill during a catalog rebuild leaves a partial catalog: it is never trusted."""
    path = tmp_path / "store.json"
    DigestStore(path).add_many([make_digest(n) for n in range(6)])
    store = DigestStore(path)
    store._open()
    store._catalog.create()  # what a rebuild has done when the kill lands: empty, not complete
    store._catalog.put({make_digest(1).id: make_digest(1).to_dict()})
    store.close()
    assert len(DigestStore(path)) == 6
