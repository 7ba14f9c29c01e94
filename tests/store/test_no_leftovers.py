"""Issue 18, nothing left behind: killing ``ingest`` never leaves parser workers running.

Linux only (the checks read ``/proc``): workers die with their parent whether it is killed
(SIGKILL), asked to stop (SIGTERM, SIGHUP: then it also stores what it parsed and prints a
summary), or dies while the workers wait for their next file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import report_lines, write_pdf

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

YANBAO = Path(sys.executable).parent / "yanbao"
REPO = Path(__file__).resolve().parents[2]


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # state, ppid, ...


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie nobody has reaped yet has exited)."""
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


def wait_for_children(pid: int, count: int, timeout: float = 60.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = children_of(pid)
        if len(kids) >= count:
            return kids
        time.sleep(0.05)
    raise AssertionError(f"process {pid} never started {count} workers")


def still_alive_after(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    left = [p for p in pids if alive(p)]
    for pid in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    return left


@pytest.fixture(scope="module")
def slow_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four PDFs of 300 pages: each keeps a worker parsing for seconds."""
    folder = tmp_path_factory.mktemp("slow")
    for n in range(4):
        write_pdf(folder / f"slow{n}.pdf", [report_lines(n)] * 300)
    return folder


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_killing_ingest_leaves_no_worker(sig: signal.Signals, slow_folder: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen([str(YANBAO), "--store", str(tmp_path / "s.json"), "ingest", str(slow_folder),
                             "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers = wait_for_children(proc.pid, 2)
    time.sleep(0.5)  # into the parse
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert still_alive_after(workers, 2.0) == []
    if sig != signal.SIGKILL:
        # A clean stop: the counts, what was not reached, the signal's exit status.
        assert proc.returncode == 128 + sig, (out, err)
        assert "ok," in out and "skipped," in out
        assert f"stopped by {sig.name}:" in err and "files not reached" in err
        assert "Traceback" not in err and "internal error" not in err


IDLE_POOL = textwrap.dedent(
    """
    import os, signal, sys, time
    from collections import deque
    from yanbao.store import worker_lifetime, workers

    worker_lifetime.die_with_parent = lambda _pool: None  # only the closed pipe ends can tell them
    pool = workers.WorkerPool(2, 60.0, None, None, False)
    pool.fill(deque([(sys.argv[1], ""), (sys.argv[1], "")]))
    done = 0
    while done < 2:
        done += len(pool.wait_some(max_wait=1.0))
    print(" ".join(str(w.process.pid) for w in pool.workers), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_idle_workers_see_their_parent_go(tmp_path: Path) -> None:
    """Without the parent-death signal, a forked worker waiting for its next file reads the
    end of its pipe when the parent dies: no worker holds a copy of the pool's pipe ends."""
    script = tmp_path / "idle.py"
    script.write_text(IDLE_POOL)
    pdf = write_pdf(tmp_path / "one.pdf", [report_lines(1)])
    done = subprocess.run([sys.executable, str(script), str(pdf)], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    pids = [int(p) for p in done.stdout.split()]
    assert len(pids) == 2
    assert still_alive_after(pids, 2.0) == []


THREADED_INGEST = textwrap.dedent(
    """
    import sys, threading
    from tinydb.storages import MemoryStorage
    from yanbao.store.db import DigestStore
    from yanbao.store.ingest import ingest_paths

    def main():
        store = DigestStore(storage=MemoryStorage())
        worker = threading.Thread(target=lambda: ingest_paths([sys.argv[1]], store, jobs=2,
                                                               cancel=threading.Event()))
        worker.start()
        worker.join()

    if __name__ == "__main__":  # forkserver's children import this module again
        main()
    """
)


def test_app_style_ingest_killed_leaves_no_worker(slow_folder: Path, tmp_path: Path) -> None:
    """From a thread (as the app ingests) workers come from forkserver; kill -9 of the app
    takes its workers with it, and the server and resource tracker end soon after."""
    script = tmp_path / "threaded.py"
    script.write_text(THREADED_INGEST)
    proc = subprocess.Popen([sys.executable, str(script), str(slow_folder)], cwd=REPO)
    deadline = time.monotonic() + 60
    helpers: list[int] = []  # the forkserver and multiprocessing's resource tracker
    workers: list[int] = []  # the forkserver's children
    while len(workers) < 2 and time.monotonic() < deadline:
        helpers = children_of(proc.pid)
        workers = [w for kid in helpers for w in children_of(kid)]
        time.sleep(0.05)
    assert len(workers) >= 2, "the forkserver never started its workers"
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # These workers' parent is the forkserver, which must first read the app's death off its
    # pipe before their parent-death signal fires: under the parallel suite that has taken
    # over 2 s. Without the fix they would live for ever, so 10 s still tells the two apart.
    assert still_alive_after(workers, 10.0) == []
    # multiprocessing's own helpers end on their own once they see the app gone
    assert still_alive_after(helpers, 10.0) == []
