"""Ingest report files into the store: hash first, parse in isolated worker processes.

Each file is hashed before anything else; a file whose sha256 is already stored is
skipped without parsing. Every other file is parsed in its own worker process with a time
limit and a memory ceiling, so a PDF that hangs pdfminer, eats memory or crashes the
interpreter costs one failed line, never the batch. Parsed digests are stored in batches
(one write each) as they arrive, so a kill at any moment keeps every digest whose batch
was stored.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.errors import ReportError

if TYPE_CHECKING:
    from store.db import DigestStore
    from store.model import Digest

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIMEOUT_S",
    "REPORT_SUFFIXES",
    "FileResult",
    "IngestReport",
    "collect_files",
    "ingest_paths",
    "parse_isolated",
]

REPORT_SUFFIXES = (".pdf", ".txt")
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per worker
# Parsed digests are stored at least every BATCH_SECONDS, but never so often that writing
# takes more than ~1/WRITE_SHARE of the time: each write rewrites the whole store, so a
# fixed batch size would make a 10,000-report ingest quadratic.
BATCH_SECONDS = 1.0
WRITE_SHARE = 10
MAX_PENDING = 500  # digests held in memory before a write regardless

Progress = Callable[[int, int, "FileResult"], None]


@dataclass
class FileResult:
    """What happened to one file: ``ok``, ``skipped`` or ``failed``, and why."""

    path: str
    status: str  # "ok" | "skipped" | "failed"
    reason: str = ""
    digest_id: str | None = None
    detail: str | None = None  # a traceback, shown only with --debug

    def __str__(self) -> str:
        return f"{self.path}: {self.status}" + (f": {self.reason}" if self.reason else "")


@dataclass
class IngestReport:
    """Every file's result, in the order the files were finished."""

    results: list[FileResult] = field(default_factory=list)
    cancelled: bool = False

    def _count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def ok(self) -> int:
        return self._count("ok")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def failed(self) -> int:
        return self._count("failed")

    @property
    def counts(self) -> dict[str, int]:
        """``{"ok": n, "skipped": n, "failed": n}``."""
        return {"ok": self.ok, "skipped": self.skipped, "failed": self.failed}

    def summary(self) -> str:
        """``"3 ok, 1 skipped, 0 failed"``."""
        return f"{self.ok} ok, {self.skipped} skipped, {self.failed} failed"


# -- finding files ----------------------------------------------------------------------------


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[FileResult]]:
    """Report files under ``paths`` (folders walked recursively, hidden entries and other
    file types skipped silently) and results for paths that cannot be ingested."""
    found: list[Path] = []
    problems: list[FileResult] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(path)

    for given in paths:
        path = Path(given)
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith(".") and name.lower().endswith(REPORT_SUFFIXES):
                        add(Path(folder) / name)
        elif path.is_file():
            if path.name.lower().endswith(REPORT_SUFFIXES):
                add(path)
            else:
                problems.append(FileResult(str(path), "skipped", "not a .pdf or .txt file"))
        elif path.exists():
            problems.append(FileResult(str(path), "failed", "not a regular file or folder"))
        else:
            problems.append(FileResult(str(path), "failed", "no such file or folder"))
    return found, problems


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- the worker process -----------------------------------------------------------------------


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _limit_memory(limit: int | None) -> None:
    if not limit:
        return
    try:
        import resource

        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass  # not enforceable here (e.g. macOS, Windows): the time limit still holds


def _quiet_worker() -> None:
    """Keep pdfminer's log noise and stray prints off the user's terminal (or app)."""
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.getLogger("pdfminer").setLevel(logging.CRITICAL)
    logging.getLogger("pdfminer").propagate = False
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


_NO_MEMORY = re.compile(r"failed to map segment|cannot allocate memory", re.IGNORECASE)


def _out_of_memory(memory_limit: int | None) -> str:
    return f"ran out of memory (limit {(memory_limit or 0) / 1024**3:g} GiB)"


def _parse_one(path: str, password: str | None, memory_limit: int | None, debug: bool) -> tuple[str, Any, str | None]:
    """Parse one file in the worker: ``(status, digest or reason, traceback or None)``."""
    try:
        from store.parser import parse_file

        return ("ok", parse_file(path, password=password), None)
    except ReportError as exc:
        return ("failed", exc.reason, traceback.format_exc() if debug else None)
    except MemoryError:
        return ("failed", _out_of_memory(memory_limit), None)
    except BaseException as exc:  # noqa: BLE001 - anything pdfminer or the parser did not expect
        if isinstance(exc, (ImportError, OSError)) and _NO_MEMORY.search(str(exc)):
            return ("failed", _out_of_memory(memory_limit), None)  # a lazy import hit the ceiling
        reason = f"could not be read: {type(exc).__name__}: {_one_line(exc)}".rstrip(": ")
        return ("failed", reason, traceback.format_exc())


def _warm_up() -> None:
    """Import the parser and fill its caches once per worker, not once per file."""
    try:
        import store.parser  # noqa: F401
        from store.db import company_registry

        company_registry()
    except Exception:  # noqa: BLE001, S110 - a broken parser shows up per file, with its reason
        pass


def _worker_loop(conn: Connection, memory_limit: int | None, debug: bool) -> None:
    """A parser process: says ``ready``, then answers one ``(path, password)`` at a time."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if not debug:
        _quiet_worker()
    _limit_memory(memory_limit)
    _warm_up()
    conn.send(("ready", None, None))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, password = request
        message = _parse_one(path, password, memory_limit, debug)
        try:
            conn.send(message)
        except MemoryError:
            conn.send(("failed", "ran out of memory sending the digest", None))
        except OSError:
            return


def _context() -> multiprocessing.context.BaseContext:
    # A single-threaded process (the CLI) forks its workers directly: the quickest start.
    # With other threads running (the app), forking could copy a lock held mid-update, so
    # workers come from forkserver, a clean single-threaded server that has the parser
    # imported already; spawn where neither exists.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["store.parser"])
        return ctx
    return multiprocessing.get_context("spawn")


_HELPER_START = threading.Lock()


def _start_helpers(ctx: multiprocessing.context.BaseContext) -> None:
    """Start multiprocessing's resource tracker with a usable stderr.

    forkserver and spawn start it on first use and pass it ``sys.stderr.fileno()``; inside
    the app (or a Textual test) stderr is a capture object without a real descriptor, and
    starting fails with "bad value(s) in fds_to_keep". Starting it here with the process's
    own stderr (briefly swapped in) avoids that; it is a no-op once running.
    """
    if ctx.get_start_method() == "fork":
        return
    from multiprocessing import resource_tracker

    with _HELPER_START:
        try:
            os.fstat(sys.stderr.fileno())
            usable = True
        except Exception:  # noqa: BLE001 - any failure means: not a real descriptor
            usable = False
        if usable:
            resource_tracker.ensure_running()
            return
        saved = sys.stderr
        stand_in = sys.__stderr__ if sys.__stderr__ is not None else open(os.devnull, "w")  # noqa: SIM115
        try:
            sys.stderr = stand_in
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved
            if stand_in is not sys.__stderr__:
                stand_in.close()


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _death_reason(process: Any) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        reason = f"the parser crashed ({_signal_name(code)})"
        if code == -signal.SIGKILL:
            reason += "; it may have run out of memory"
        return reason
    return f"the parser stopped unexpectedly (exit code {code})"


STARTUP_TIMEOUT_S = 60.0  # a worker's imports, not counted against any file
FILES_PER_WORKER = 50  # then the worker is replaced, so leaks cannot pile up
_NEVER = float("inf")


@dataclass
class _Worker:
    process: Any
    conn: Connection
    deadline: float
    ready: bool = False
    job: tuple[Path, str] | None = None
    files_done: int = 0


class _WorkerPool:
    """Up to ``jobs`` long-lived parser processes; each file has its own deadline.

    A worker that runs past a file's deadline, crashes or dies is killed and replaced;
    only that file fails. Workers are recycled after ``FILES_PER_WORKER`` files.
    """

    def __init__(self, jobs: int, timeout: float, password: str | None, memory_limit: int | None, debug: bool) -> None:
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.password = password
        self.memory_limit = memory_limit
        self.debug = debug
        self.workers: list[_Worker] = []
        self.failed_starts = 0
        self.start_problem = ""
        self._ctx = _context()

    @property
    def busy(self) -> bool:
        """True while any file is being parsed."""
        return any(w.job is not None for w in self.workers)

    @property
    def broken(self) -> bool:
        """True when workers keep dying before they are ready: give up on the batch."""
        return self.failed_starts > self.jobs + 2

    def _spawn(self) -> None:
        _start_helpers(self._ctx)
        mine, theirs = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=_worker_loop, args=(theirs, self.memory_limit, self.debug),
                                    name="yanbao-parser", daemon=True)
        process.start()
        theirs.close()
        self.workers.append(_Worker(process, mine, time.monotonic() + max(self.timeout, STARTUP_TIMEOUT_S)))

    def fill(self, queue: deque[tuple[Path, str]]) -> None:
        """Hand queued files (first in, first out) to idle workers; start workers as needed."""
        for worker in list(self.workers):
            if not queue:
                return
            if worker.ready and worker.job is None:
                path, sha = queue.popleft()
                try:
                    worker.conn.send((str(path), self.password))
                except OSError:
                    queue.appendleft((path, sha))
                    self._retire(worker, kill=True)
                    continue
                worker.job = (path, sha)
                worker.deadline = time.monotonic() + self.timeout
        starting = sum(1 for w in self.workers if not w.ready)
        while len(self.workers) < self.jobs and len(queue) > starting:
            self._spawn()
            starting += 1

    def wait_some(self, max_wait: float | None = None) -> list[tuple[FileResult, Digest | None]]:
        """Wait for a worker event (or a deadline, or ``max_wait``); return finished files."""
        if not self.workers:
            return []
        wait_for = max(0.0, min(w.deadline for w in self.workers) - time.monotonic())
        if max_wait is not None:
            wait_for = min(wait_for, max_wait)
        handles: list[Any] = [w.conn for w in self.workers] + [w.process.sentinel for w in self.workers]
        wait(handles, timeout=wait_for)
        finished: list[tuple[FileResult, Digest | None]] = []
        now = time.monotonic()
        for worker in list(self.workers):
            message = None
            try:
                if worker.conn.poll():
                    message = worker.conn.recv()
            except (EOFError, OSError):
                message = None
            except Exception as exc:  # noqa: BLE001 - a result that cannot be unpickled
                message = ("failed", f"could not be read: {type(exc).__name__}: {_one_line(exc)}", None)
            if message is not None:
                status, payload, detail = message
                if status == "ready":
                    worker.ready, worker.deadline = True, _NEVER
                    self.failed_starts = 0
                elif worker.job is not None:
                    where = str(worker.job[0])
                    if status == "ok":
                        finished.append((FileResult(where, "ok", "", payload.id), payload))
                    else:
                        finished.append((FileResult(where, "failed", payload, detail=detail), None))
                    worker.job, worker.deadline = None, _NEVER
                    worker.files_done += 1
                    if worker.files_done >= FILES_PER_WORKER:
                        self._retire(worker)
                continue
            if not worker.process.is_alive():
                self._retire(worker, kill=True)
                if worker.job is not None:
                    finished.append((FileResult(str(worker.job[0]), "failed", _death_reason(worker.process)), None))
                elif not worker.ready:
                    self.failed_starts += 1
                    self.start_problem = _death_reason(worker.process).replace("the parser ", "it ")
            elif now >= worker.deadline:
                self._retire(worker, kill=True)
                if worker.job is not None:
                    finished.append((FileResult(str(worker.job[0]), "failed", f"timed out after {self.timeout:g} s"), None))
                else:
                    self.failed_starts += 1
                    self.start_problem = f"it did not start within {STARTUP_TIMEOUT_S:g} s"
        return finished

    def _retire(self, worker: _Worker, *, kill: bool = False) -> None:
        if worker in self.workers:
            self.workers.remove(worker)
        if not kill:
            try:
                worker.conn.send(None)
                worker.process.join(timeout=2)
            except OSError:
                pass
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join(timeout=5)
        worker.conn.close()

    def close(self) -> None:
        """Stop every worker: idle ones politely, busy ones at once."""
        for worker in list(self.workers):
            self._retire(worker, kill=worker.job is not None or not worker.ready)


# -- public entry points ----------------------------------------------------------------------


def parse_isolated(
    path: str | os.PathLike[str],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    password: str | None = None,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    debug: bool = False,
) -> Digest:
    """Parse one file in a worker process under the time and memory limits.

    Raises ReportError with the one-line reason (``detail`` attribute: traceback, if any).
    """
    path = Path(path)
    pool = _WorkerPool(1, timeout, password, memory_limit, debug)
    queue = deque([(path, "")])
    try:
        while True:
            if pool.broken:
                raise ReportError(str(path), f"the parser could not start ({pool.start_problem})")
            pool.fill(queue)
            for result, digest in pool.wait_some():
                if digest is not None:
                    return digest
                error = ReportError(str(path), result.reason)
                error.detail = result.detail  # type: ignore[attr-defined]
                raise error
    finally:
        pool.close()


def ingest_paths(
    paths: Iterable[str | os.PathLike[str]],
    store: DigestStore,
    *,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    password: str | None = None,
    progress: Progress | None = None,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    debug: bool = False,
    cancel: threading.Event | None = None,
) -> IngestReport:
    """Ingest files and folders into ``store``; one result per file, the batch never stops.

    ``progress(done, total, result)`` is called after each file is settled; an ``ok``
    result is reported once its digest is stored. Setting ``cancel`` stops the batch
    (running parsers are killed, digests already parsed are still stored).
    """
    files, problems = collect_files(paths)
    total = len(files) + len(problems)
    report = IngestReport()

    def settle(result: FileResult) -> None:
        report.results.append(result)
        if progress is not None:
            progress(len(report.results), total, result)

    for result in problems:
        settle(result)

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(files) or 1))
    pool = _WorkerPool(jobs, timeout, password, memory_limit, debug)
    queue: deque[tuple[Path, str]] = deque()
    unhashed = iter(files)
    first_seen: dict[str, Path] = {}

    def hash_ahead() -> bool:
        """Hash files until the workers have enough queued; False once every file is hashed.

        Each file is hashed before it could be parsed, so stored and repeated files are
        skipped without parsing; hashing the rest overlaps with the workers' start-up."""
        while len(queue) < 2 * pool.jobs:
            path = next(unhashed, None)
            if path is None:
                return False
            try:
                sha = _sha256(path)
                empty = path.stat().st_size == 0
            except OSError as exc:
                settle(FileResult(str(path), "failed", f"cannot be opened ({exc.strerror or exc})"))
                continue
            if empty:
                settle(FileResult(str(path), "failed", "the file is empty"))
            elif sha in first_seen:
                settle(FileResult(str(path), "skipped", f"same file as {first_seen[sha]}", sha))
            elif store.has(sha):
                settle(FileResult(str(path), "skipped", "already in the store", sha))
            else:
                first_seen[sha] = path
                queue.append((path, sha))
        return True

    pending: list[tuple[FileResult, Digest]] = []
    last_flush = time.monotonic()
    interval = BATCH_SECONDS

    def flush() -> None:
        nonlocal last_flush, interval
        if pending:
            started = time.monotonic()
            store.add_many(d for _, d in pending)
            interval = max(BATCH_SECONDS, WRITE_SHARE * (time.monotonic() - started))
            batch = list(pending)
            pending.clear()
            for result, _ in batch:
                settle(result)
        last_flush = time.monotonic()

    try:
        more = hash_ahead()
        while queue or pool.busy or more:
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                break
            if pool.broken:
                reason = f"the parser could not start ({pool.start_problem})"
                while queue:
                    settle(FileResult(str(queue.popleft()[0]), "failed", reason))
                for path in unhashed:
                    settle(FileResult(str(path), "failed", reason))
                break
            pool.fill(queue)
            more = hash_ahead()
            if not (queue or pool.busy or pool.workers):
                continue  # nothing to wait for: hash on
            for result, digest in pool.wait_some(max_wait=0.25 if cancel is not None else 1.0):
                if digest is None:
                    settle(result)
                else:
                    pending.append((result, digest))
            if len(pending) >= MAX_PENDING or time.monotonic() - last_flush >= interval:
                flush()
    finally:
        pool.close()
        flush()
    return report
