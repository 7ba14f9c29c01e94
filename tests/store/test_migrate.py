"""A store in the previous layout (one file with every digest) migrates on first open."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchmarks.legacy_store import write_legacy_store
from yanbao.store.db import DigestStore, WatchItem
from yanbao.store.doctor import inspect_store
from yanbao.store.errors import StoreError
from yanbao.store.migrate import kept_copy_path

REPO = Path(__file__).resolve().parents[2]


def _legacy(path: Path, make_digest, n: int, journal: int = 0, **options) -> list:
    digests = [make_digest(k) for k in range(n + journal)]
    # The journal replaces one stored digest and adds new ones: later lines win.
    replaced = make_digest(0, title="重写的标题 from the journal")
    total = write_legacy_store(path, (d.to_dict() for d in digests[:n]),
                               watchlist={"foo": {"name": "Foo", "ticker": None}},
                               journal=[d.to_dict() for d in digests[n:]] + ([replaced.to_dict()] if journal else []),
                               **options)
    assert total == n + journal
    return digests


@pytest.mark.parametrize("with_index", [True, False])
def test_migration_moves_every_digest_and_keeps_the_old_file(tmp_path: Path, make_digest, with_index: bool) -> None:
    path = tmp_path / "store.json"
    digests = _legacy(path, make_digest, 40, journal=5, with_index=with_index)
    old = path.read_bytes()
    seen: list[tuple[int, int]] = []
    store = DigestStore(path, progress=lambda done, total: seen.append((done, total)))
    assert len(store) == 45 and store.migrated == 45
    assert seen[0] == (0, 45) and seen[-1] == (45, 45)
    assert {s.id for s in store.summaries()} == {d.id for d in digests}
    assert store.get(digests[0].id).title == "重写的标题 from the journal"
    assert store.get(digests[7].id).to_dict() == digests[7].to_dict()
    assert store.watchlist() == [WatchItem("Foo", None)]
    assert store.search("第7号") == [digests[7].id]
    assert kept_copy_path(path).read_bytes() == old
    assert not path.with_name("store.json.journal").exists()
    health = inspect_store(path)
    assert health.ok and health.digests_readable == 45
    again = DigestStore(path)
    assert len(again) == 45 and again.migrated is None


def test_a_damaged_old_store_is_refused_untouched(tmp_path: Path, make_digest) -> None:
    path = tmp_path / "store.json"
    _legacy(path, make_digest, 5, with_index=False)
    damaged = path.read_bytes()[:-50]
    path.write_bytes(damaged)
    with pytest.raises(StoreError, match="not valid JSON"):
        DigestStore(path).summaries()
    assert path.read_bytes() == damaged


MIGRATE = textwrap.dedent(
    """
    import sys
    from yanbao.store.db import DigestStore
    store = DigestStore(sys.argv[1], progress=lambda done, total: print(done, flush=True))
    len(store)
    print("done", flush=True)
    """
)


def test_kill_9_during_migration_at_twenty_moments(tmp_path: Path, make_digest) -> None:
    """Each round kills the migrating process at a later moment; the next open always
    finishes it with every digest, and doctor says ok."""
    digests = [make_digest(k).to_dict() for k in range(600)]
    # The moments are spread over what a whole migration takes on this machine (a fast
    # machine would otherwise finish before most kills).
    path = tmp_path / "whole" / "store.json"
    path.parent.mkdir()
    write_legacy_store(path, digests)
    proc = subprocess.Popen([sys.executable, "-c", MIGRATE, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()
    started = time.monotonic()
    proc.communicate()
    whole = time.monotonic() - started
    landed = []
    for round_no in range(20):
        path = tmp_path / f"r{round_no:02d}" / "store.json"
        path.parent.mkdir()
        write_legacy_store(path, digests, watchlist={"foo": {"name": "Foo", "ticker": None}})
        proc = subprocess.Popen([sys.executable, "-c", MIGRATE, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()  # migration under way (its first progress report)
        time.sleep(whole * round_no / 20)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        landed.append("done" in out)
        store = DigestStore(path)
        assert len(store) == 600, f"round {round_no}"
        assert store.watchlist() == [WatchItem("Foo", None)]
        assert store.get(digests[599]["id"]).title == digests[599]["title"]
        assert kept_copy_path(path).exists()
        assert inspect_store(path).ok, f"round {round_no}"
    assert sum(landed) < 15  # most kills landed mid-migration
