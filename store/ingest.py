"""Ingest report files into the store: hash first, parse in isolated worker processes.

Each file is hashed before it could be parsed; a file whose sha256 is already stored is
skipped without parsing. Every other file is parsed in a worker process (``store.workers``)
under a time limit and a memory ceiling, so a PDF that hangs pdfminer, eats memory or
crashes the interpreter costs one failed line, never the batch. Parsed digests are stored
in batches (one write each) as they arrive, so a kill at any moment keeps every digest
whose batch was stored.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from yanbao.store import report_files
from yanbao.store.errors import RecordsRefused, ReportError, StoreError, is_lock_timeout
from yanbao.store.pdf_engines import EngineUnavailable, resolve_engine
from yanbao.store.report_files import REPORT_SUFFIXES, path_text
from yanbao.store.workers import WorkerPool, one_line, start_early

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore
    from yanbao.store.model import Digest

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "DEFAULT_TIMEOUT_S",
    "REPORT_SUFFIXES",
    "FileResult",
    "IngestReport",
    "collect_files",
    "ingest_paths",
    "parse_isolated",
    "prestart_workers",
]

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per worker
# Parsed digests are stored at least every BATCH_SECONDS, but never so often that writing
# takes more than ~1/WRITE_SHARE of the time: each write rewrites the whole store, so a
# fixed batch size would make a 10,000-report ingest quadratic.
BATCH_SECONDS = 1.0
WRITE_SHARE = 10
MAX_PENDING = 500  # digests held in memory before a write regardless
# Another process holding the store's lock: retry every LOCK_RETRY_S (each try also waits
# for the store's own lock timeout), say so every LOCK_NOTE_EVERY_S, give up after
# LOCK_PATIENCE_S (a writer stopped with Ctrl-Z holds its lock for ever).
LOCK_RETRY_S = 0.25
LOCK_NOTE_EVERY_S = 30.0
LOCK_PATIENCE_S = 600.0

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
    stop_reason: str = ""  # why the batch stopped early on its own, if it did
    total: int = 0  # files (and unusable paths) found; more than the results if stopped

    @property
    def not_done(self) -> int:
        """Files the batch never reached (it was cancelled or stopped)."""
        return max(0, self.total - len(self.results))

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
    file types skipped silently) and results for paths that cannot be ingested
    (``store.report_files``: walking never raises)."""
    found = report_files.collect_files(paths)
    return found.files, [FileResult(*problem) for problem in found.problems]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- the worker process -----------------------------------------------------------------------


def _engine_for(engine: str, where: str) -> str:
    """The resolved engine, or ReportError naming the file when it cannot be used."""
    try:
        return resolve_engine(engine)
    except (ValueError, EngineUnavailable) as exc:
        raise ReportError(where, str(exc)) from None


# -- public entry points ----------------------------------------------------------------------


def parse_isolated(
    path: str | os.PathLike[str],
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    password: str | None = None,
    memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
    debug: bool = False,
    engine: str = "auto",
) -> Digest:
    """Parse one file in a worker process under the time and memory limits (``engine``:
    the PDF engine, ``store.pdf_engines``).

    Raises ReportError with the one-line reason (``detail`` attribute: traceback, if any).
    """
    path = Path(path)
    where = path_text(path)
    problem = report_files.file_problem(path)
    if problem is not None:  # a named pipe would block the parser until its time is up
        raise ReportError(where, problem)
    pool = WorkerPool(1, timeout, password, memory_limit, debug, _engine_for(engine, where))
    queue = deque([(path, "")])
    try:
        while True:
            if pool.broken:
                raise ReportError(where, f"the parser could not start ({pool.start_problem})")
            pool.fill(queue)
            for outcome in pool.wait_some():
                if outcome.digest is not None:
                    return outcome.digest
                error = ReportError(where, outcome.reason)
                error.detail = outcome.detail  # type: ignore[attr-defined]
                raise error
    finally:
        pool.close()


def prestart_workers(jobs: int | None = None, *, memory_limit: int | None = DEFAULT_MEMORY_LIMIT,
                     debug: bool = False) -> None:
    """Start the parser workers before the caller's own set-up (imports, opening the store),
    so their start-up overlaps it; the next ``ingest_paths`` with the same ``memory_limit``
    and ``debug`` uses them (any it does not need are stopped)."""
    start_early(jobs or os.cpu_count() or 1, memory_limit, debug)


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
    note: Callable[[str], None] | None = None,
    lock_patience: float = LOCK_PATIENCE_S,
    engine: str = "auto",
    executor: str | None = None,
) -> IngestReport:
    """Ingest files and folders into ``store``; one result per file, the batch never stops.

    ``progress(done, total, result)`` is called after each file is settled; an ``ok``
    result is reported once its digest is stored. Setting ``cancel`` stops the batch
    (running parsers are killed, digests already parsed are still stored). While another
    process holds the store's lock, parsing goes on (up to ``MAX_PENDING`` digests ahead)
    and ``note`` hears that the batch is waiting; after ``lock_patience`` seconds the batch
    stops, and digests it could not store are failed results saying so.

    ``engine`` chooses the PDF engine (``store.pdf_engines``: "auto", "pdfminer", "pdfium";
    ValueError or EngineUnavailable before any file is touched). ``executor``
    ("dask://HOST:PORT") parses on an existing Dask cluster instead of local workers
    (``store.cluster``; ClusterUnavailable when it cannot be reached).
    """
    engine = resolve_engine(engine)
    files, problems = collect_files(paths)
    total = len(files) + len(problems)
    report = IngestReport(total=total)

    def settle(result: FileResult) -> None:
        report.results.append(result)
        if progress is not None:
            progress(len(report.results), total, result)

    def say(message: str) -> None:
        if note is not None:
            note(message)

    for result in problems:
        settle(result)

    sized: list[tuple[int, Path]] = []
    for path in files:
        try:
            size = path.stat().st_size
        except OSError as exc:
            settle(FileResult(path_text(path), "failed", f"cannot be opened ({exc.strerror or exc})"))
            continue
        if size == 0:
            settle(FileResult(path_text(path), "failed", "the file is empty"))
        else:
            sized.append((size, path))
    # Largest first: a big file handed out last would keep one worker busy while the
    # others sit idle at the end of the batch.
    sized.sort(key=lambda entry: -entry[0])
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(sized) or 1))
    if executor:
        from yanbao.store.cluster import ClusterPool

        pool = ClusterPool(executor, timeout, password, debug, engine)
    else:
        pool = WorkerPool(jobs, timeout, password, memory_limit, debug, engine)
    queue: deque[tuple[Path, str]] = deque()
    unhashed = iter([path for _, path in sized])
    first_seen: dict[str, Path] = {}

    def stored_already(sha: str) -> bool:
        try:
            return store.has(sha)
        except StoreError as exc:
            if not is_lock_timeout(exc):
                raise
            return False  # cannot tell now: parse it; storing it again replaces it

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
            except OSError as exc:
                settle(FileResult(path_text(path), "failed", f"cannot be opened ({exc.strerror or exc})"))
                continue
            if sha in first_seen:
                settle(FileResult(path_text(path), "skipped", f"same file as {path_text(first_seen[sha])}", sha))
            elif stored_already(sha):
                settle(FileResult(path_text(path), "skipped", "already in the store", sha))
            else:
                first_seen[sha] = path
                queue.append((path, sha))
        return True

    pending: list[tuple[FileResult, Digest]] = []
    last_flush = time.monotonic()
    interval = BATCH_SECONDS
    locked_since: float | None = None  # when a write first found another writer's lock
    told_at = 0.0

    def store_pending() -> None:
        """Store every pending digest (one write); settle each file as it is stored.

        A digest the store cannot take (a bug, or text it cannot encode) fails its own
        file: the others are then stored one by one. A lock held elsewhere propagates
        with the unstored digests still pending."""
        try:
            store.add_many(d for _, d in pending)
        except RecordsRefused as exc:  # the others were stored
            for result, digest in pending:
                if digest.id in exc.refused:
                    result = FileResult(result.path, "failed", f"could not be stored ({one_line(exc.refused[digest.id])})")
                settle(result)
            pending.clear()
            return
        except StoreError:
            raise
        except Exception:  # noqa: BLE001 - one bad record must never cost the batch
            while pending:
                result, digest = pending[0]
                try:
                    store.add(digest)
                except StoreError:
                    raise
                except Exception as exc:  # noqa: BLE001
                    result = FileResult(result.path, "failed",
                                        f"could not be stored ({type(exc).__name__}: {one_line(exc)})")
                pending.pop(0)
                settle(result)
            return
        batch = list(pending)
        pending.clear()
        for result, _ in batch:
            settle(result)

    def flush() -> None:
        nonlocal last_flush, interval, locked_since, told_at
        started = time.monotonic()
        if pending:
            try:
                store_pending()
            except StoreError as exc:
                if not is_lock_timeout(exc):
                    raise
                now = time.monotonic()
                if locked_since is None:
                    locked_since = started
                if now - told_at >= LOCK_NOTE_EVERY_S:
                    told_at = now
                    say(f"waiting for another yanbao writing this library… ({len(pending)} parsed "
                        f"and waiting to be stored, {now - locked_since:.0f} s so far)")
            else:
                if locked_since is not None:
                    say("the library is free again: stored what was waiting")
                locked_since, told_at = None, 0.0
                interval = max(BATCH_SECONDS, WRITE_SHARE * (time.monotonic() - started))
        last_flush = time.monotonic()

    try:
        more = hash_ahead()
        while queue or pool.busy or more or pending:
            if cancel is not None and cancel.is_set():
                report.cancelled = True
                break
            if locked_since is not None and time.monotonic() - locked_since > lock_patience:
                report.stop_reason = (f"another yanbao held the library for more than "
                                      f"{lock_patience:g} s")
                break
            if pool.broken:
                reason = f"the parser could not start ({pool.start_problem})"
                queue.extendleft(reversed(pool.take_back()))
                while queue:
                    settle(FileResult(path_text(queue.popleft()[0]), "failed", reason))
                for path in unhashed:
                    settle(FileResult(path_text(path), "failed", reason))
                more = False
                if not pending:
                    break
            parsing = bool(queue or pool.busy or more)
            if parsing and len(pending) < MAX_PENDING:  # while locked out, parse this far ahead
                pool.fill(queue)
                more = hash_ahead()
                if not (queue or pool.busy or pool.workers):
                    continue  # nothing to wait for: hash on
            if parsing and pool.workers:
                for outcome in pool.wait_some(max_wait=0.25 if cancel is not None else 1.0):
                    where = path_text(outcome.path)
                    if outcome.digest is None:
                        settle(FileResult(where, "failed", outcome.reason, detail=outcome.detail))
                    else:
                        pending.append((FileResult(where, "ok", "", outcome.digest.id), outcome.digest))
            elif pending and locked_since is not None:
                time.sleep(LOCK_RETRY_S)  # nothing to parse: only the lock to wait for
            done_parsing = not (queue or pool.busy or more)
            if pending and (done_parsing or len(pending) >= MAX_PENDING
                            or time.monotonic() - last_flush >= interval):
                flush()
    finally:
        pool.close()
        flush()
        if pending:  # stopped while another writer held the lock
            reason = "parsed but not stored: another yanbao was writing this library; run again"
            for result, _ in pending:
                settle(FileResult(result.path, "failed", reason))
            pending.clear()
    return report
