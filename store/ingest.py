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
import signal
import threading
import time
import traceback
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


def _worker_main(path: str, password: str | None, memory_limit: int | None, debug: bool, conn: Connection) -> None:
    """Parse one file and send ``(status, payload, traceback)`` back through ``conn``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if not debug:
        _quiet_worker()
    _limit_memory(memory_limit)
    try:
        from store.parser import parse_file

        digest = parse_file(path, password=password)
        message: tuple[str, Any, str | None] = ("ok", digest, None)
    except ReportError as exc:
        message = ("failed", exc.reason, traceback.format_exc() if debug else None)
    except MemoryError:
        gib = (memory_limit or 0) / 1024**3
        message = ("failed", f"ran out of memory (limit {gib:g} GiB)", None)
    except BaseException as exc:  # noqa: BLE001 - anything pdfminer or the parser did not expect
        message = ("failed", f"could not be read: {type(exc).__name__}: {_one_line(exc)}".rstrip(": "),
                   traceback.format_exc())
    try:
        conn.send(message)
    except MemoryError:
        conn.send(("failed", "ran out of memory sending the digest", None))
    finally:
        conn.close()


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: fast forks from a clean, single-threaded server (safe while the app's
    # threads run); spawn where forkserver does not exist.
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["store.parser"])
        return ctx
    return multiprocessing.get_context("spawn")


@dataclass
class _Job:
    path: Path
    sha: str
    process: Any
    conn: Connection
    deadline: float


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


class _Workers:
    """At most ``jobs`` parser processes at a time, each with its own deadline."""

    def __init__(self, jobs: int, timeout: float, password: str | None, memory_limit: int | None, debug: bool) -> None:
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.password = password
        self.memory_limit = memory_limit
        self.debug = debug
        self.running: list[_Job] = []
        self._ctx = _context()

    def start(self, path: Path, sha: str) -> None:
        receive, send = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(
            target=_worker_main,
            args=(str(path), self.password, self.memory_limit, self.debug, send),
            name=f"yanbao-parse {path.name}",
            daemon=True,
        )
        process.start()
        send.close()
        self.running.append(_Job(path, sha, process, receive, time.monotonic() + self.timeout))

    def wait_some(self, max_wait: float | None = None) -> list[tuple[_Job, FileResult, Digest | None]]:
        """Wait until at least one job ends (or ``max_wait`` passes); return finished ones."""
        if not self.running:
            return []
        now = time.monotonic()
        wait_for = max(0.0, min(j.deadline for j in self.running) - now)
        if max_wait is not None:
            wait_for = min(wait_for, max_wait)
        handles: list[Any] = []
        for job in self.running:
            handles += [job.conn, job.process.sentinel]
        ready = set(wait(handles, timeout=wait_for))
        done = []
        now = time.monotonic()
        for job in list(self.running):
            if job.conn in ready or job.process.sentinel in ready:
                done.append(self._finish(job))
            elif now >= job.deadline:
                self._kill(job)
                done.append((job, FileResult(str(job.path), "failed", f"timed out after {self.timeout:g} s"), None))
            else:
                continue
            self.running.remove(job)
        return done

    def _finish(self, job: _Job) -> tuple[_Job, FileResult, Digest | None]:
        message = None
        try:
            if job.conn.poll():
                message = job.conn.recv()
        except (EOFError, OSError):
            message = None
        except Exception as exc:  # noqa: BLE001 - a result that cannot be unpickled
            message = ("failed", f"could not be read: {type(exc).__name__}: {_one_line(exc)}", None)
        job.conn.close()
        job.process.join(timeout=5)
        if job.process.is_alive():
            self._kill(job)
        where = str(job.path)
        if message is None:
            code = job.process.exitcode
            if code is not None and code < 0:
                reason = f"the parser crashed ({_signal_name(code)})"
                if code == -signal.SIGKILL:
                    reason += "; it may have run out of memory"
            else:
                reason = f"the parser stopped unexpectedly (exit code {code})"
            return job, FileResult(where, "failed", reason), None
        status, payload, detail = message
        if status == "ok":
            return job, FileResult(where, "ok", "", payload.id), payload
        return job, FileResult(where, "failed", payload, detail=detail), None

    @staticmethod
    def _kill(job: _Job) -> None:
        if job.process.is_alive():
            job.process.kill()
        job.process.join(timeout=5)
        job.conn.close()

    def kill_all(self) -> None:
        for job in self.running:
            self._kill(job)
        self.running.clear()


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
    workers = _Workers(1, timeout, password, memory_limit, debug)
    try:
        workers.start(path, "")
        while True:
            for _job, result, digest in workers.wait_some():
                if digest is not None:
                    return digest
                error = ReportError(str(path), result.reason)
                error.detail = result.detail  # type: ignore[attr-defined]
                raise error
    finally:
        workers.kill_all()


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

    # Hash first: stored and repeated files are settled before any parsing starts.
    todo: list[tuple[Path, str]] = []
    first_seen: dict[str, Path] = {}
    for path in files:
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
            todo.append((path, sha))
    if not todo:
        return report

    jobs = jobs or os.cpu_count() or 1
    workers = _Workers(min(jobs, len(todo)), timeout, password, memory_limit, debug)
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

    queue = list(reversed(todo))
    try:
        while queue or workers.running:
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                break
            while queue and len(workers.running) < workers.jobs:
                path, sha = queue.pop()
                workers.start(path, sha)
            for job, result, digest in workers.wait_some(max_wait=0.25 if cancel is not None else None):
                if digest is None:
                    settle(result)
                else:
                    pending.append((result, digest))
            if len(pending) >= MAX_PENDING or time.monotonic() - last_flush >= interval:
                flush()
    finally:
        workers.kill_all()
        flush()
    return report
