"""Ingest: hash-first skipping, worker isolation (time and memory limits), batching, kill -9."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import deque
from pathlib import Path

import pytest
from tinydb.storages import MemoryStorage

from yanbao.store.bundled import bundled_sample_paths, seed_if_empty
from yanbao.store.db import DigestStore
from yanbao.store.errors import ReportError
from yanbao.store.ingest import collect_files, ingest_paths, parse_isolated
from yanbao.store.model import Source

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def memory() -> DigestStore:
    return DigestStore(storage=MemoryStorage())


def test_folder_ingest_recurses_and_skips_other_files(tmp_path: Path, make_pdf, memory: DigestStore) -> None:
    make_pdf("in/a.pdf", 1)
    make_pdf("in/sub/b.PDF", 2)
    (tmp_path / "in" / "notes.txt").write_text("测试证券 晨会纪要\n投资要点\n1）云业务收入同比增长20%。\n", encoding="utf-8")
    (tmp_path / "in" / "slides.pptx").write_bytes(b"not a report")
    (tmp_path / "in" / ".hidden.pdf").write_bytes(b"ignored")
    calls: list[tuple[int, int, str]] = []
    report = ingest_paths([tmp_path / "in"], memory, jobs=2,
                          progress=lambda done, total, r: calls.append((done, total, r.status)))
    assert report.counts == {"ok": 3, "skipped": 0, "failed": 0}, report.results
    assert [c[0] for c in calls] == [1, 2, 3] and {c[1] for c in calls} == {3}
    assert len(memory) == 3
    for result in report.results:
        digest = memory.get(result.digest_id)
        assert digest.source.path == result.path
        assert digest.id == hashlib.sha256(Path(result.path).read_bytes()).hexdigest()


def test_second_run_skips_everything_and_same_file_twice_is_stored_once(tmp_path: Path, make_pdf, memory: DigestStore) -> None:
    a = make_pdf("a.pdf", 1)
    copy = tmp_path / "copy-of-a.pdf"
    copy.write_bytes(a.read_bytes())
    first = ingest_paths([a, copy, a], memory)
    assert first.counts == {"ok": 1, "skipped": 1, "failed": 0}
    assert "same file as" in next(r.reason for r in first.results if r.status == "skipped")
    again = ingest_paths([a, copy], memory)
    assert again.counts == {"ok": 0, "skipped": 2, "failed": 0}
    assert {r.reason for r in again.results} == {"already in the store"}
    assert len(memory) == 1


def test_stored_files_are_skipped_before_any_parsing(tmp_path: Path, make_digest, memory: DigestStore) -> None:
    """A file the parser would reject is skipped when its hash is stored: it was never parsed."""
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"this is not a pdf at all")
    sha = hashlib.sha256(junk.read_bytes()).hexdigest()
    memory.add(make_digest(1, id=sha, source=Source(str(junk), "pdf", 1, sha)))
    report = ingest_paths([junk], memory)
    assert report.counts == {"ok": 0, "skipped": 1, "failed": 0}


def test_missing_paths_and_other_types_are_reported(tmp_path: Path, memory: DigestStore) -> None:
    other = tmp_path / "deck.pptx"
    other.write_bytes(b"x")
    report = ingest_paths([tmp_path / "nope.pdf", other], memory)
    reasons = {Path(r.path).name: (r.status, r.reason) for r in report.results}
    assert reasons == {"nope.pdf": ("failed", "no such file or folder"),
                       "deck.pptx": ("skipped", "not a .pdf or .txt file")}


def test_a_slow_file_times_out_and_the_batch_goes_on(tmp_path: Path, make_pdf, memory: DigestStore) -> None:
    slow = make_pdf("slow.pdf", 1, pages=40)
    report = ingest_paths([slow], memory, timeout=0.05)
    (result,) = report.results
    assert (result.status, result.reason) == ("failed", "timed out after 0.05 s")
    quick = make_pdf("quick.pdf", 2)
    report = ingest_paths([slow, quick], memory, timeout=60, jobs=1)
    assert report.counts["ok"] == 2


MEMORY_SCRIPT = textwrap.dedent(
    """
    import sys
    from tinydb.storages import MemoryStorage
    from yanbao.store.db import DigestStore
    from yanbao.store.ingest import ingest_paths

    def main():
        limit = int(sys.argv[1]) * 1024**2
        report = ingest_paths(sys.argv[2:], DigestStore(storage=MemoryStorage()), memory_limit=limit)
        for result in report.results:
            print(f"{result.status}|{result.reason}")

    if __name__ == "__main__":
        main()
    """
)


@pytest.mark.slow
def test_memory_ceiling_fails_one_file_not_the_batch(tmp_path: Path, make_pdf) -> None:
    """Run as the CLI does (a fresh, small process): a worker that needs more memory than
    its ceiling fails its files with a clear reason; the default ceiling leaves room."""
    script = tmp_path / "memory.py"
    script.write_text(MEMORY_SCRIPT)
    pdfs = [str(make_pdf("a.pdf", 1, pages=5)), str(make_pdf("b.pdf", 2))]
    for megabytes, expected in ((16, "failed|ran out of memory (limit 0.015625 GiB)"),
                                (64, "failed|ran out of memory (limit 0.0625 GiB)"),
                                (2048, "ok|")):
        done = subprocess.run([sys.executable, str(script), str(megabytes), *pdfs], cwd=REPO,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.stdout.splitlines() == [expected, expected], done.stdout + done.stderr


def test_parse_isolated_returns_a_digest_or_a_one_line_error(tmp_path: Path, make_pdf) -> None:
    digest = parse_isolated(make_pdf("a.pdf", 3))
    assert digest.source.kind == "pdf" and digest.source.pages == 1
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(ReportError) as caught:
        parse_isolated(empty)
    assert str(empty) in str(caught.value) and "\n" not in str(caught.value)


def test_collect_files_dedupes_and_sorts(tmp_path: Path, make_pdf) -> None:
    a = make_pdf("d/a.pdf", 1)
    make_pdf("d/c.pdf", 2)
    files, problems = collect_files([tmp_path / "d", a])
    assert [f.name for f in files] == ["a.pdf", "c.pdf"] and problems == []


INGEST_SCRIPT = textwrap.dedent(
    """
    import sys
    import yanbao.store.ingest
    from yanbao.store.db import DigestStore

    def main():
        # Store every 50 ms (or as soon as the last write ended) instead of every second,
        # so kills land between and during many writes; everything else is the real ingest.
        yanbao.store.ingest.BATCH_SECONDS = 0.05
        yanbao.store.ingest.WRITE_SHARE = 1
        db = DigestStore(sys.argv[1])
        def progress(done, total, result):
            if result.status == "ok":
                print(result.digest_id, flush=True)
        yanbao.store.ingest.ingest_paths([sys.argv[2]], db, jobs=2, progress=progress)

    if __name__ == "__main__":
        main()
    """
)

REPORT_TEXT = (
    "测试证券 晨会纪要 第{n}期\n云业务收入同比增长{n}%\n投资要点\n"
    "1）海外云厂商资本开支继续上调，第{n}号观察。\n2）国内AI应用加速落地。\n"
    "风险提示\n行业竞争加剧；AI进展不及预期。\n"
)


@pytest.mark.slow
def test_kill_9_mid_ingest_at_twenty_moments(tmp_path: Path) -> None:
    """Twenty ingests into one store, each killed with SIGKILL at a different moment: the
    store loads every time and holds every digest any ingest reported stored."""
    store_path = tmp_path / "store.json"
    script = tmp_path / "ingest_script.py"
    script.write_text(INGEST_SCRIPT)
    acknowledged: set[str] = set()
    finished_early: list[bool] = []
    for round_no in range(20):
        folder = tmp_path / f"inbox{round_no:02d}"
        folder.mkdir()
        for n in range(400):
            (folder / f"r{n:02d}.txt").write_text(REPORT_TEXT.format(n=1000 * round_no + n), encoding="utf-8")
        proc = subprocess.Popen([sys.executable, str(script), str(store_path), str(folder)],
                                cwd=REPO, stdout=subprocess.PIPE, text=True)
        first = proc.stdout.readline()  # the first batch is stored: the ingest is under way
        time.sleep(0.01 * round_no)  # then a different moment each round
        proc.send_signal(signal.SIGKILL)
        got = {first.strip(), *proc.communicate()[0].split()} - {""}
        finished_early.append(len(got) == 400)
        acknowledged |= got
        stored = {s.id for s in DigestStore(store_path).summaries()}  # loads without error
        assert acknowledged <= stored, f"round {round_no}: lost {sorted(acknowledged - stored)[:3]}"
    assert sum(finished_early) < 10  # most kills landed mid-ingest


def test_two_ingests_at_once_lose_nothing(tmp_path: Path) -> None:
    """Two ingest processes write one store at the same time: every digest of both is kept."""
    store_path = tmp_path / "store.json"
    script = tmp_path / "ingest_script.py"
    script.write_text(INGEST_SCRIPT)
    procs = []
    for side in range(2):
        folder = tmp_path / f"side{side}"
        folder.mkdir()
        for n in range(60):
            (folder / f"r{n:02d}.txt").write_text(REPORT_TEXT.format(n=1000 * side + n), encoding="utf-8")
        procs.append(subprocess.Popen([sys.executable, str(script), str(store_path), str(folder)],
                                      cwd=REPO, stdout=subprocess.PIPE, text=True))
    reported = [set(p.communicate(timeout=120)[0].split()) for p in procs]
    assert [len(r) for r in reported] == [60, 60]
    assert {s.id for s in DigestStore(store_path).summaries()} == reported[0] | reported[1]


def test_bundled_samples_ship_with_the_package(make_digest) -> None:
    paths = bundled_sample_paths()
    assert paths, "sample_reports holds no .pdf or .txt"
    assert all(p.is_file() and p.suffix.lower() in (".pdf", ".txt") for p in paths)
    full = DigestStore(storage=MemoryStorage())
    full.add(make_digest(1))
    assert seed_if_empty(full) is None


def test_seed_if_empty_loads_every_sample() -> None:
    store = DigestStore(storage=MemoryStorage())
    report = seed_if_empty(store)
    assert report is not None and report.failed == 0, [str(r) for r in report.results if r.status == "failed"]
    assert len(store) == report.ok == len(bundled_sample_paths())
    assert seed_if_empty(store) is None


def test_a_worker_killed_mid_parse_fails_only_its_file(make_pdf) -> None:
    """The OOM killer (or a segfault) takes a parser down: that file fails, the next parses."""
    from yanbao.store.workers import WorkerPool

    slow, quick = make_pdf("slow.pdf", 1, pages=300), make_pdf("quick.pdf", 2)
    pool = WorkerPool(1, 60.0, None, None, False)
    queue = deque([(slow, ""), (quick, "")])
    results = []
    try:
        while not (pool.workers and pool.workers[0].ready):  # then it is parsing slow.pdf
            pool.fill(queue)
            results += pool.wait_some(max_wait=0.1)
        os.kill(pool.workers[0].process.pid, signal.SIGKILL)
        while queue or pool.busy:
            pool.fill(queue)
            results += pool.wait_some(max_wait=1.0)
    finally:
        pool.close()
    outcome = {Path(o.path).name: (o.digest is not None, o.reason) for o in results}
    assert outcome == {
        "slow.pdf": (False, "the parser crashed (SIGKILL); it may have run out of memory"),
        "quick.pdf": (True, ""),
    }


def test_ingest_from_a_worker_thread_as_the_app_does(make_pdf, memory: DigestStore) -> None:
    """With other threads alive, workers come from forkserver (no fork of a threaded process)."""
    import threading

    from yanbao.store import workers

    pdfs = [make_pdf(f"t{n}.pdf", n) for n in range(3)]
    outcome: dict[str, object] = {}

    def work() -> None:
        outcome["method"] = workers.context().get_start_method()
        outcome["report"] = ingest_paths(pdfs, memory, jobs=2, cancel=threading.Event())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=120)
    assert outcome["method"] == "forkserver"
    assert outcome["report"].counts == {"ok": 3, "skipped": 0, "failed": 0}


def test_cancel_stops_the_batch(tmp_path: Path, make_pdf, memory: DigestStore) -> None:
    """Cancelling (the app's Escape) stops at once: no further file is parsed."""
    import threading

    cancel = threading.Event()
    empty = tmp_path / "a-empty.pdf"
    empty.write_bytes(b"")
    pdfs = [make_pdf(f"c{n}.pdf", n, pages=40) for n in range(4)]
    report = ingest_paths([empty, *pdfs], memory, jobs=1, cancel=cancel,
                          progress=lambda done, total, result: cancel.set())
    assert report.cancelled
    assert [r.status for r in report.results] == ["failed"]
    assert len(memory) == 0


THREADED_WITH_CAPTURED_STDERR = textwrap.dedent(
    """
    import io, sys, threading
    from tinydb.storages import MemoryStorage
    from yanbao.store.db import DigestStore
    from yanbao.store.ingest import ingest_paths

    class Capture(io.StringIO):
        def fileno(self):
            return -1  # what Textual's print capture answers

    def main():
        real = sys.stderr
        sys.stderr = Capture()
        store = DigestStore(storage=MemoryStorage())
        out = {}
        worker = threading.Thread(target=lambda: out.update(r=ingest_paths(sys.argv[1:], store)))
        worker.start()
        worker.join()
        print(out["r"].summary(), file=real)

    if __name__ == "__main__":
        main()
    """
)


def test_threaded_ingest_with_a_captured_stderr(tmp_path: Path, make_pdf) -> None:
    """Inside the app stderr has no descriptor; starting the worker helpers must still work."""
    script = tmp_path / "threaded.py"
    script.write_text(THREADED_WITH_CAPTURED_STDERR)
    pdfs = [str(make_pdf(f"x{n}.pdf", n)) for n in range(2)]
    done = subprocess.run([sys.executable, str(script), *pdfs], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.stderr.strip() == "2 ok, 0 skipped, 0 failed", done.stderr


def test_a_first_seed_cut_short_is_finished_next_time() -> None:
    """Quitting during the very first seed leaves some samples; the next start adds the rest."""
    store = DigestStore(storage=MemoryStorage())
    first = bundled_sample_paths()[:3]
    ingest_paths(first, store)
    assert len(store) == 3
    report = seed_if_empty(store)
    assert report is not None and report.failed == 0
    assert len(store) == len(bundled_sample_paths())


def test_prestarted_workers_are_used_and_surplus_ones_stopped(make_pdf, memory: DigestStore) -> None:
    """The CLI starts workers before opening the store; the pool adopts as many as it needs
    and stops the rest; an ingest after that leaves no process behind."""
    import multiprocessing

    from yanbao.store.ingest import DEFAULT_MEMORY_LIMIT, prestart_workers
    from yanbao.store.workers import WorkerPool

    prestart_workers(2)
    started = {p.pid for p in multiprocessing.active_children()}
    pool = WorkerPool(1, 60.0, None, DEFAULT_MEMORY_LIMIT, False)
    try:
        (adopted,) = [w.process.pid for w in pool.workers]
        assert adopted in started
        assert {p.pid for p in multiprocessing.active_children()} & started == {adopted}
        queue = deque([(make_pdf("one.pdf", 1), "")])
        outcomes = []
        while queue or pool.busy:
            pool.fill(queue)
            outcomes += pool.wait_some(max_wait=1.0)
        assert [o.digest is not None for o in outcomes] == [True]
        assert [w.process.pid for w in pool.workers] == [adopted]
    finally:
        pool.close()
    prestart_workers(1, debug=True)  # other settings: not adopted, stopped
    report = ingest_paths([make_pdf("two.pdf", 2)], memory, jobs=1)
    assert report.counts == {"ok": 1, "skipped": 0, "failed": 0}
    assert multiprocessing.active_children() == []
