"""Parser worker processes: each file parsed under a time limit and a memory ceiling.

``WorkerPool`` keeps up to ``jobs`` long-lived processes. Each starts with the parser
warm (a forking parent warms it once and every worker inherits it; forkserver preloads it),
holds the file it parses plus the next one sent ahead, and parses one at a time; a worker
that runs past a file's deadline, crashes or is killed is replaced, and only that file
fails. pdfminer's logging and any stray output stay inside the worker.

A worker never outlives the process that started it (``store.worker_lifetime``).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yanbao.store import worker_lifetime
from yanbao.store.errors import ReportError

if TYPE_CHECKING:
    from yanbao.store.model import Digest

__all__ = ["FILES_PER_WORKER", "one_line", "parse_one", "STARTUP_TIMEOUT_S", "ParseOutcome", "WorkerPool", "context", "start_early"]


def one_line(text: str, limit: int = 200) -> str:
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


def _resident_bytes() -> int | None:
    """This process's resident memory now (Linux), else None."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def parse_one(path: str, password: str | None, memory_limit: int | None, debug: bool,
              engine: str = "pdfminer") -> tuple[str, Any, str | None]:
    """Parse one file: ``(status, digest or reason, traceback or None)``. Never raises, so
    a worker here or on a cluster (``store.cluster``) answers every file."""
    try:
        from yanbao.store.parser import parse_file

        return ("ok", parse_file(path, password=password, engine=engine), None)
    except ReportError as exc:
        return ("failed", exc.reason, traceback.format_exc() if debug else None)
    except MemoryError:
        return ("failed", _out_of_memory(memory_limit), None)
    except BaseException as exc:  # noqa: BLE001 - anything pdfminer or the parser did not expect
        if isinstance(exc, (ImportError, OSError)) and _NO_MEMORY.search(str(exc)):
            return ("failed", _out_of_memory(memory_limit), None)  # a lazy import hit the ceiling
        reason = f"could not be read: {type(exc).__name__}: {one_line(exc)}".rstrip(": ")
        return ("failed", reason, traceback.format_exc())


# What the parser loads lazily on its first file: pdfminer's modules and the company
# registry's name scanners (about 0.2 s together, most of a worker's start-up).
_PARSER_MODULES = (
    "yanbao.store.parser",
    "pdfminer.high_level",
    "pdfminer.layout",
    "pdfminer.pdfdocument",
    "pdfminer.pdfparser",
    "pdfminer.pdfpage",
    "pdfminer.psexceptions",
)


def _warm_up() -> None:
    """Import the parser and fill its caches once per worker, not on its first file."""
    import importlib

    try:
        for name in _PARSER_MODULES:
            importlib.import_module(name)
        from yanbao.store.companies import get_registry

        registry = get_registry()
        registry.find_all("腾讯控股 Tencent")  # builds the company-name scanner
        registry.find_segments("阿里云 AWS")  # and the business-line one
    except Exception:  # noqa: BLE001, S110 - a broken parser shows up per file, with its reason
        pass


# pdfminer's layout objects set off the cyclic collector about four times per report with
# Python's default threshold (700), and its older generations hold the parser's modules and
# the company registry: about 3.5% of a worker's CPU (0.09 s over 60 sample PDFs, 0.007 s
# tuned). A parse's garbage is freed by reference counting; the collector still runs.
_GC_FIRST_GENERATION = 10_000


def _tune_gc() -> None:
    """Collect less often, and never walk the parser's modules and registry again."""
    gc.freeze()  # everything loaded so far lives as long as the worker
    gc.set_threshold(_GC_FIRST_GENERATION)


def _worker_loop(conn: Connection, memory_limit: int | None, debug: bool, pool_pid: int) -> None:
    """A parser process: says ``ready``, then answers one ``(path, password, engine)`` at a time.

    Every message carries the worker's resident memory, so the pool can replace a worker
    that has grown. Requests may queue in the pipe while a file is being parsed.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    for name in ("SIGTERM", "SIGHUP"):  # a forked worker must not run the parent's handlers
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    worker_lifetime.die_with_parent(pool_pid)
    if not debug:
        _quiet_worker()
    _limit_memory(memory_limit)
    _warm_up()
    _tune_gc()
    conn.send(("ready", None, None, _resident_bytes()))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, password, engine = request
        status, payload, detail = parse_one(path, password, memory_limit, debug, engine)
        try:
            conn.send((status, payload, detail, _resident_bytes()))
        except MemoryError:
            conn.send(("failed", "ran out of memory sending the digest", None, None))
        except OSError:
            return


def context() -> multiprocessing.context.BaseContext:
    # A single-threaded process on Linux (the CLI) forks its workers directly: the quickest
    # start. (macOS system libraries are not fork-safe, hence spawn's default there.)
    # With other threads running (the app), forking could copy a lock held mid-update, so
    # workers come from forkserver, a clean single-threaded server that has the parser
    # imported already; spawn where neither exists.
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(list(_PARSER_MODULES))
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
# A worker is replaced after this many files, or sooner once its resident memory passes
# RECYCLE_BYTES (or half its memory ceiling), so leaks cannot pile up. Replacing one costs
# a start-up (about 0.25 s), so it is rare; the replacement starts while the old one ends.
FILES_PER_WORKER = 500
RECYCLE_BYTES = 1024**3
_NEVER = float("inf")

Job = tuple[Path, str]  # (file, its sha256 or "")


@dataclass
class ParseOutcome:
    """One file's result from a worker: a digest, or the one-line reason it failed."""

    path: str
    digest: Digest | None
    reason: str = ""
    detail: str | None = None  # a traceback, shown only with --debug


@dataclass
class _Worker:
    process: Any
    conn: Connection
    deadline: float  # of its start-up until ready, then of the file it is parsing
    ready: bool = False
    jobs: deque[Job] = field(default_factory=deque)  # sent, in order: the first is being parsed
    files_given: int = 0
    retiring: bool = False  # takes no more files; leaves once its last one is done

    @property
    def job(self) -> Job | None:
        """The file being parsed (or waiting for the worker's start-up), if any."""
        return self.jobs[0] if self.jobs else None


# Workers started by ``start_early`` before their pool exists: (settings, worker).
_early: list[tuple[tuple[str, int | None, bool], _Worker]] = []


_parent_warm = False


def _new_worker(ctx: multiprocessing.context.BaseContext, memory_limit: int | None, debug: bool,
                startup_deadline: float) -> _Worker:
    global _parent_warm
    if ctx.get_start_method() == "fork" and not _parent_warm:
        # Forked workers inherit the parser warm: its start-up is paid once per process,
        # not once per worker (a second worker, a replacement) on a core the others need.
        _warm_up()
        _parent_warm = True
    _start_helpers(ctx)
    mine, theirs = ctx.Pipe(duplex=True)
    worker_lifetime.track_pool_end(mine)
    process = ctx.Process(target=_worker_loop, args=(theirs, memory_limit, debug, os.getpid()), name="yanbao-parser", daemon=True)
    process.start()
    theirs.close()
    return _Worker(process, mine, startup_deadline)


def start_early(jobs: int, memory_limit: int | None, debug: bool) -> None:
    """Start ``jobs`` parser workers now, so their start-up (imports, the company registry)
    overlaps the caller's own; the next ``WorkerPool`` with the same settings adopts them."""
    ctx = context()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    for _ in range(max(1, jobs)):
        _early.append(((ctx.get_start_method(), memory_limit, debug), _new_worker(ctx, memory_limit, debug, deadline)))


class WorkerPool:
    """Up to ``jobs`` long-lived parser processes; each file has its own deadline.

    Each worker holds the file it parses and, while enough files wait, the next one (sent
    ahead, so it never idles waiting for the parent). A worker that runs past a file's
    deadline, crashes or dies is killed and replaced; only that file fails and the file
    sent ahead goes back to the front of the queue. Workers are recycled after
    ``FILES_PER_WORKER`` files or when their memory grows past ``RECYCLE_BYTES``.
    """

    def __init__(self, jobs: int, timeout: float, password: str | None, memory_limit: int | None, debug: bool,
                 engine: str = "pdfminer") -> None:
        self.jobs = max(1, jobs)
        self.engine = engine  # the PDF engine, resolved ("pdfminer" or "pdfium")
        self.timeout = timeout
        self.password = password
        self.memory_limit = memory_limit
        self.debug = debug
        self.workers: list[_Worker] = []
        self.failed_starts = 0
        self.start_problem = ""
        self._returned: deque[Job] = deque()  # sent ahead to a worker that died: parse again
        self._recycle_bytes = min(RECYCLE_BYTES, memory_limit // 2) if memory_limit else RECYCLE_BYTES
        self._ctx = context()
        self._adopt_early_workers()

    def _adopt_early_workers(self) -> None:
        settings = (self._ctx.get_start_method(), self.memory_limit, self.debug)
        while _early:
            started_for, worker = _early.pop(0)
            if started_for == settings and len(self.workers) < self.jobs:
                worker.deadline = max(worker.deadline, time.monotonic() + self.timeout)
                self.workers.append(worker)
            else:
                self._retire(worker, kill=True)

    @property
    def busy(self) -> bool:
        """True while any file is being parsed or waits to be handed out again."""
        return bool(self._returned) or any(w.jobs for w in self.workers)

    @property
    def broken(self) -> bool:
        """True when workers keep dying before they are ready: give up on the batch."""
        return self.failed_starts > self.jobs + 2

    def take_back(self) -> list[Job]:
        """Files that were sent ahead to a worker that died before starting them."""
        returned = list(self._returned)
        self._returned.clear()
        return returned

    def _spawn(self) -> _Worker:
        worker = _new_worker(self._ctx, self.memory_limit, self.debug,
                             time.monotonic() + max(self.timeout, STARTUP_TIMEOUT_S))
        self.workers.append(worker)
        return worker

    def _send(self, worker: _Worker, job: Job) -> bool:
        try:
            worker.conn.send((str(job[0]), self.password, self.engine))
        except OSError:
            worker.retiring = True  # it has died: wait_some settles its files
            return False
        if not worker.jobs and worker.ready:
            worker.deadline = time.monotonic() + self.timeout
        worker.jobs.append(job)
        worker.files_given += 1
        if worker.files_given >= FILES_PER_WORKER:
            worker.retiring = True
        return True

    def fill(self, queue: deque[Job]) -> None:
        """Hand queued files (first in, first out) to workers; start workers as needed.

        Every worker gets a file to parse; a second one is sent ahead only while at least
        one file per worker is left, so the last files go to whichever worker is free first.
        """
        queue.extendleft(reversed(self.take_back()))
        self._let_go_of_retired()
        active = [w for w in self.workers if not w.retiring]
        while len(active) < self.jobs and len(queue) > sum(1 for w in active if not w.jobs):
            active.append(self._spawn())
        for depth in (1, 2):
            for worker in active:
                if not queue or (depth == 2 and len(queue) < len(active)):
                    break
                if len(worker.jobs) < depth and not worker.retiring:
                    job = queue.popleft()
                    if not self._send(worker, job):
                        queue.appendleft(job)

    def wait_some(self, max_wait: float | None = None) -> list[ParseOutcome]:
        """Wait for a worker event (or a deadline, or ``max_wait``); return finished files."""
        if not self.workers:
            return []
        wait_for = max(0.0, min(w.deadline for w in self.workers) - time.monotonic())
        if max_wait is not None:
            wait_for = min(wait_for, max_wait)
        handles: list[Any] = [w.conn for w in self.workers] + [w.process.sentinel for w in self.workers]
        wait(handles, timeout=wait_for)
        finished: list[ParseOutcome] = []
        for worker in list(self.workers):
            if self._read_messages(worker, finished):
                continue
            now = time.monotonic()
            if not worker.process.is_alive():
                died = _death_reason(worker.process)
                self._drop(worker, finished, died, died.replace("the parser ", "it "))
            elif now >= worker.deadline:
                self._drop(worker, finished, f"timed out after {self.timeout:g} s",
                           f"it did not start within {STARTUP_TIMEOUT_S:g} s")
        self._let_go_of_retired()
        return finished

    def _read_messages(self, worker: _Worker, finished: list[ParseOutcome]) -> bool:
        """Take every message the worker has sent; False when there was none."""
        got = False
        while True:
            try:
                if not worker.conn.poll():
                    return got
                message = worker.conn.recv()
            except (EOFError, OSError):
                return got
            except Exception as exc:  # noqa: BLE001 - a result that cannot be unpickled
                message = ("failed", f"could not be read: {type(exc).__name__}: {one_line(exc)}", None, None)
            got = True
            status, payload, detail, resident = message
            now = time.monotonic()
            if status == "ready":
                worker.ready = True
                self.failed_starts = 0
            elif worker.jobs:
                where = str(worker.jobs.popleft()[0])
                if status == "ok":
                    finished.append(ParseOutcome(where, payload))
                else:
                    finished.append(ParseOutcome(where, None, payload, detail))
            if resident is not None and resident > self._recycle_bytes:
                worker.retiring = True
            worker.deadline = now + self.timeout if worker.jobs else _NEVER

    def _drop(self, worker: _Worker, finished: list[ParseOutcome], reason: str, start_problem: str) -> None:
        """Kill a worker that died or ran out of time: its current file fails with
        ``reason`` (before it was ready, its start-up fails with ``start_problem``); files
        sent ahead go back to the queue."""
        self._retire(worker, kill=True)
        if not worker.ready:
            self.failed_starts += 1
            self.start_problem = start_problem
        elif worker.jobs:
            finished.append(ParseOutcome(str(worker.jobs.popleft()[0]), None, reason))
        self._returned.extend(worker.jobs)
        worker.jobs.clear()

    def _let_go_of_retired(self) -> None:
        for worker in list(self.workers):
            if worker.retiring and not worker.jobs and worker.process.is_alive():
                self._retire(worker)

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
        """Stop every worker: idle ones politely (all told first, so they exit together),
        busy ones at once."""
        for worker in self.workers:
            if worker.ready and not worker.jobs:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        for worker in list(self.workers):
            self._retire(worker, kill=bool(worker.jobs) or not worker.ready)
