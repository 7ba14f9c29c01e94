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

from yanbao.store.errors import ReportError
from yanbao.store.workers import WorkerPool, start_early

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
    pool = WorkerPool(1, timeout, password, memory_limit, debug)
    queue = deque([(path, "")])
    try:
        while True:
            if pool.broken:
                raise ReportError(str(path), f"the parser could not start ({pool.start_problem})")
            pool.fill(queue)
            for outcome in pool.wait_some():
                if outcome.digest is not None:
                    return outcome.digest
                error = ReportError(str(path), outcome.reason)
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

    sized: list[tuple[int, Path]] = []
    for path in files:
        try:
            size = path.stat().st_size
        except OSError as exc:
            settle(FileResult(str(path), "failed", f"cannot be opened ({exc.strerror or exc})"))
            continue
        if size == 0:
            settle(FileResult(str(path), "failed", "the file is empty"))
        else:
            sized.append((size, path))
    # Largest first: a big file handed out last would keep one worker busy while the
    # others sit idle at the end of the batch.
    sized.sort(key=lambda entry: -entry[0])
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(sized) or 1))
    pool = WorkerPool(jobs, timeout, password, memory_limit, debug)
    queue: deque[tuple[Path, str]] = deque()
    unhashed = iter([path for _, path in sized])
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
            except OSError as exc:
                settle(FileResult(str(path), "failed", f"cannot be opened ({exc.strerror or exc})"))
                continue
            if sha in first_seen:
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
                queue.extendleft(reversed(pool.take_back()))
                while queue:
                    settle(FileResult(str(queue.popleft()[0]), "failed", reason))
                for path in unhashed:
                    settle(FileResult(str(path), "failed", reason))
                break
            pool.fill(queue)
            more = hash_ahead()
            if not (queue or pool.busy or pool.workers):
                continue  # nothing to wait for: hash on
            for outcome in pool.wait_some(max_wait=0.25 if cancel is not None else 1.0):
                if outcome.digest is None:
                    settle(FileResult(outcome.path, "failed", outcome.reason, detail=outcome.detail))
                else:
                    pending.append((FileResult(outcome.path, "ok", "", outcome.digest.id), outcome.digest))
            if len(pending) >= MAX_PENDING or time.monotonic() - last_flush >= interval:
                flush()
    finally:
        pool.close()
        flush()
    return report
