"""AtomicJSONStorage: atomic writes, backup copy, refusal of bad files, kill -9, two writers."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest
from tinydb import Query, TinyDB

from yanbao.store.db import DigestStore
from yanbao.store.doctor import inspect_store, restore_backup
from yanbao.store.errors import StoreError
from yanbao.store.model import SCHEMA_VERSION
from yanbao.store import storage as storage_module
from yanbao.store.storage import AtomicJSONStorage, backup_journal_path, backup_path, index_path, journal_path

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


def test_appends_leave_the_store_file_and_a_rewrite_keeps_the_previous_copy(tmp_path: Path, make_digest) -> None:
    """Adds go to the journal (the store file is not touched); a whole rewrite (here a
    watchlist change) keeps the old file and its journal as ``.bak`` + ``.bak.journal``."""
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add(make_digest(1))
    assert not backup_path(path).exists()  # nothing to keep before the first write
    before = path.read_bytes()
    store.add(make_digest(2))
    assert path.read_bytes() == before and journal_path(path).exists()
    store.watchlist_add("Foo")
    assert not journal_path(path).exists() and backup_journal_path(path).exists()
    health = inspect_store(path)
    assert health.ok and health.digests_readable == 2 and health.backup_digests == 2
    copy = tmp_path / "copy.json"  # the backup opens as a store, its journal replayed
    shutil.copyfile(backup_path(path), copy)
    shutil.copyfile(backup_journal_path(path), journal_path(copy))
    previous = DigestStore(copy)
    assert {s.id for s in previous.summaries()} == {make_digest(1).id, make_digest(2).id}
    assert previous.watchlist() == []  # the state just before the rewrite
    store.add(make_digest(3))
    store.watchlist_add("Bar")
    assert inspect_store(path).backup_digests == 3
    assert not list(tmp_path.glob(".*.tmp"))  # no temp files left behind


def test_journal_is_folded_in_once_it_grows(tmp_path: Path, make_digest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage_module, "JOURNAL_MIN_BYTES", 60_000)
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add(make_digest(0))
    sizes = []
    for n in range(1, 40):
        store.add(make_digest(n))
        sizes.append(journal_path(path).stat().st_size if journal_path(path).exists() else 0)
    assert max(sizes) <= 60_000 and 0 in sizes[1:]  # it grew, then was folded in
    assert backup_path(path).exists()
    fresh = DigestStore(path)
    assert len(fresh) == 40
    assert fresh.get(make_digest(39).id).to_dict() == make_digest(39).to_dict()
    assert inspect_store(path).digests_readable == 40


def test_unfinished_journal_line_is_skipped_and_cut_off(tmp_path: Path, make_digest) -> None:
    """What a kill in the middle of an append leaves behind."""
    path = tmp_path / "store.json"
    DigestStore(path).add_many([make_digest(1), make_digest(2)])
    DigestStore(path).add(make_digest(3))
    whole = journal_path(path).read_bytes()
    with open(journal_path(path), "ab") as out:
        out.write(whole[: len(whole) // 2])  # half of another line, no newline
    reader = DigestStore(path)
    assert len(reader) == 3
    reader.add(make_digest(4, title="after the kill"))
    assert journal_path(path).read_bytes().count(b"\n") == 2  # the torn half was cut off
    fresh = DigestStore(path)
    assert len(fresh) == 4 and fresh.get(make_digest(4).id).title == "after the kill"
    assert inspect_store(path).ok


def test_a_replaced_digest_reads_back_from_the_journal(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    DigestStore(path).add_many([make_digest(n) for n in range(5)])
    writer, reader = DigestStore(path), DigestStore(path)
    assert reader.search("新标题") == []
    assert writer.add(make_digest(2, title="新标题 replaced")) is False
    assert len(reader) == 5 and reader.get(make_digest(2).id).title == "新标题 replaced"
    assert reader.search("新标题") == [make_digest(2).id]
    writer.remove(make_digest(3).id)  # a removal folds the journal in
    assert not journal_path(path).exists()
    fresh = DigestStore(path)
    assert len(fresh) == 4 and fresh.get(make_digest(2).id).title == "新标题 replaced"
    assert all(s.companies == ["腾讯控股", "Microsoft"] for s in fresh.summaries())


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"digests": {"abc": {"schema": 1, "id"', "not valid JSON"),
        (b"", "empty"),
        (b"[1, 2, 3]", "unexpected layout"),
        (b'{"meta": {"store": {"schema": 99}}, "digests": {}}', "newer yanbao"),
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


def test_stale_or_missing_index_is_rebuilt(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    DigestStore(path).add_many([make_digest(n) for n in range(5)])
    index_path(path).unlink()
    assert len(DigestStore(path)) == 5
    assert index_path(path).exists()
    for broken in (b"garbage\n", index_path(path).read_bytes().replace(b'"format":4', b'"format":4,"x":0', 1)):
        index_path(path).write_bytes(broken)
        fresh = DigestStore(path)
        assert fresh.get(make_digest(4).id).to_dict() == make_digest(4).to_dict()
    # An index whose rows lost a column (header otherwise consistent) is not trusted either.
    header_line, rest = index_path(path).read_bytes().split(b"\n", 1)
    header = orjson.loads(header_line)
    rows, tail = rest[: header["rows_bytes"]], rest[header["rows_bytes"]:]
    short_rows = orjson.dumps([r[:-1] for r in orjson.loads(rows)])
    header["rows_bytes"] = len(short_rows)
    index_path(path).write_bytes(orjson.dumps(header) + b"\n" + short_rows + tail)
    assert len(DigestStore(path).summaries()) == 5


def test_doctor_counts_the_journal_and_restores_backup_plus_journal(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add_many([make_digest(1), make_digest(2)])
    store.watchlist_add("Foo")  # a whole rewrite: the backup holds digests 1 and 2
    store.add(make_digest(3))  # in the journal only
    good = inspect_store(path)
    assert good.ok and good.digests_readable == 3 and good.journal_digests == 1 and good.backup_digests == 2
    damaged = path.read_bytes()[:-40]
    path.write_bytes(damaged)
    health = inspect_store(path)
    assert not health.ok and "not valid JSON" in health.problem
    assert health.digests_readable >= 3  # whole digests still visible in the damaged bytes, and the journal's
    with pytest.raises(StoreError):
        DigestStore(path).summaries()
    kept = restore_backup(path)
    assert kept is not None and kept.read_bytes() == damaged
    assert Path(f"{kept}.journal").exists()  # the journal that went with it, kept aside
    restored = DigestStore(path)
    assert {s.id for s in restored.summaries()} == {make_digest(n).id for n in (1, 2, 3)}
    assert restored.watchlist() == []  # the backup predates the watchlist change
    assert inspect_store(path).ok


def test_restore_without_backup_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no backup"):
        restore_backup(tmp_path / "store.json")


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
