"""AtomicJSONStorage: atomic writes, backup copy, refusal of bad files, kill -9, two writers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson
import pytest
from tinydb import Query, TinyDB

from store.db import DigestStore
from store.doctor import inspect_store, restore_backup
from store.errors import StoreError
from store.model import SCHEMA_VERSION
from store.storage import AtomicJSONStorage, backup_path, index_path

REPO = Path(__file__).resolve().parents[2]

# A writer process: adds digests one at a time and prints each id once its add returned.
WRITER = textwrap.dedent(
    """
    import sys
    from store.db import DigestStore
    from store.model import Digest, KeyPoint, Source
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


def test_every_write_keeps_one_previous_good_copy(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add(make_digest(1))
    assert not backup_path(path).exists()  # nothing to keep before the first write
    store.add(make_digest(2))
    previous = DigestStore(backup_path(path))
    assert [s.id for s in previous.summaries()] == [make_digest(1).id]
    store.add(make_digest(3))
    assert len(DigestStore(backup_path(path))) == 2
    assert not list(tmp_path.glob(".*.tmp"))  # no temp files left behind


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
    for broken in (b"garbage\n", index_path(path).read_bytes().replace(b'"format":1', b'"format":1,"x":0', 1)):
        index_path(path).write_bytes(broken)
        fresh = DigestStore(path)
        assert fresh.get(make_digest(4).id).to_dict() == make_digest(4).to_dict()
    # An index whose rows lost a column (same header) is not trusted either.
    header, rows, texts = index_path(path).read_bytes().split(b"\n", 2)
    short_rows = orjson.dumps([r[:-1] for r in orjson.loads(rows)])
    index_path(path).write_bytes(b"\n".join([header, short_rows, texts]))
    assert len(DigestStore(path).summaries()) == 5


def test_doctor_reports_and_restores_the_backup(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add_many([make_digest(1), make_digest(2)])
    store.add(make_digest(3))
    good = inspect_store(path)
    assert good.ok and good.digests_readable == 3 and good.backup_digests == 2
    damaged = path.read_bytes()[:-40]
    path.write_bytes(damaged)
    health = inspect_store(path)
    assert not health.ok and "not valid JSON" in health.problem
    assert health.digests_readable >= 2  # whole digests still visible in the damaged bytes
    with pytest.raises(StoreError):
        DigestStore(path).summaries()
    kept = restore_backup(path)
    assert kept is not None and kept.read_bytes() == damaged
    assert {s.id for s in DigestStore(path).summaries()} == {make_digest(1).id, make_digest(2).id}


def test_restore_without_backup_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no backup"):
        restore_backup(tmp_path / "store.json")


def test_kill_9_mid_write_loses_nothing_that_was_added(tmp_path: Path) -> None:
    """Each round kills a writer mid-stream; every id it printed must still load.
    (tests/store/test_ingest.py kills whole ingests the same way.)"""
    path = tmp_path / "store.json"
    acknowledged: list[str] = []
    for round_no in range(12):
        proc = _writer(path, f"r{round_no:02d}", 400)
        time.sleep(0.2 + 0.025 * round_no)  # from mid-import to deep into the writes
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        acknowledged += out.split()
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
