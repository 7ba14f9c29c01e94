"""``yanbao ingest``: files and folders into the store, one line per file that was skipped
or failed, then the counts; ``--watch`` goes on with what lands in the folders.

SIGINT, SIGTERM and SIGHUP stop a batch cleanly (parsers stopped, what was parsed stored,
a summary saying what was not reached). The store is opened with a short lock timeout, so
while another yanbao writes the library the batch keeps parsing and says it waits
(``store.ingest``) instead of sitting silent. No textual or rich here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from yanbao.store.text_safety import clean, clean_line

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore

__all__ = ["INGEST_LOCK_WAIT_S", "cmd_ingest", "open_ingest_store"]

INGEST_LOCK_WAIT_S = 2.0


def open_ingest_store(path: str | None, progress=None) -> DigestStore:
    """The store at ``path`` (default: the user's), asking for its lock briefly at a time."""
    from yanbao.store.db import DigestStore, default_store_path
    from yanbao.store.storage import AtomicJSONStorage

    where = Path(path) if path else default_store_path()
    return DigestStore(where, storage=AtomicJSONStorage(where, lock_timeout=INGEST_LOCK_WAIT_S), progress=progress)


def cmd_ingest(args: argparse.Namespace, store: DigestStore) -> int:
    """Ingest files and folders; one line per failed or skipped file, then the counts.

    SIGINT, SIGTERM and SIGHUP stop the batch cleanly: parsers are stopped, what was parsed
    is stored, and the summary says how many files were not reached (a second signal
    stops at once)."""
    from yanbao.store.cluster import ClusterUnavailable  # distributed itself loads only with --executor
    from yanbao.store.ingest import ingest_paths

    show_progress = sys.stderr.isatty() and not args.quiet

    def progress(done: int, total: int, result) -> None:
        if show_progress:
            sys.stderr.write("\r\x1b[2K")
        if result.status == "failed":
            print(clean_line(result), file=sys.stderr)
            if args.debug and result.detail:
                print(clean(result.detail.rstrip()), file=sys.stderr)
        elif result.status == "skipped" and not args.quiet:
            print(clean_line(result))
        if show_progress and done < total:
            sys.stderr.write(f"ingesting {done}/{total}…")
            sys.stderr.flush()

    def note(message: str) -> None:
        if show_progress:
            sys.stderr.write("\r\x1b[2K")
        print(clean_line(message), file=sys.stderr, flush=True)

    options = dict(jobs=args.jobs, timeout=args.timeout, password=args.password, progress=progress,
                   debug=args.debug, note=note, engine=args.engine, executor=args.executor)
    cancel = threading.Event()
    with _stop_signals(cancel) as caught:
        try:
            report = ingest_paths(args.paths, store, cancel=cancel, **options)
        except ClusterUnavailable as exc:  # the cluster cannot be reached: one line, nothing parsed
            print(clean_line(f"yanbao ingest: {exc}"), file=sys.stderr, flush=True)
            return 1
    try:
        if show_progress:
            sys.stderr.write("\r\x1b[2K")
        print(report.summary(), flush=True)
        stopped = f"stopped by {caught[0].name}" if caught else report.stop_reason
        if stopped:
            print(clean_line(f"{stopped}: {report.not_done} of {report.total} files not reached; "
                         f"run the same command again to add them (stored files are skipped)"),
                  file=sys.stderr, flush=True)
    except OSError:
        pass  # the terminal went away (SIGHUP): the store already holds what was stored
    if caught:
        return 128 + caught[0]
    if not args.watch:
        return 1 if report.failed or report.stop_reason else 0
    return _watch_folders(args, store, options, failed=report.failed)


def _watch_folders(args: argparse.Namespace, store: DigestStore, options: dict, *, failed: int) -> int:
    """After the first pass, ingest what lands in the folders until Ctrl+C; exit 1 if any failed."""
    from yanbao.store.folder_watch import watch_and_ingest

    folders = [p for p in args.paths if os.path.isdir(p)]
    if not folders:
        print("yanbao ingest: --watch needs a folder to watch", file=sys.stderr)
        return 2
    print(clean_line(f"watching {', '.join(folders)} for new reports (Ctrl+C to stop)"), flush=True)
    failures = [failed]

    def on_batch(batch) -> None:
        failures[0] += batch.failed
        print(batch.summary(), flush=True)

    try:
        watch_and_ingest(folders, store, on_batch=on_batch, **options)
    except KeyboardInterrupt:
        pass
    return 1 if failures[0] else 0


@contextlib.contextmanager
def _stop_signals(cancel: threading.Event) -> Iterator[list[signal.Signals]]:
    """While the block runs, SIGINT, SIGTERM and SIGHUP set ``cancel`` (the batch stops
    cleanly) and are listed in the yielded list; a second one interrupts at once."""
    caught: list[signal.Signals] = []

    def handler(signum: int, _frame: object) -> None:
        if caught:
            raise KeyboardInterrupt
        caught.append(signal.Signals(signum))
        cancel.set()

    names = ("SIGINT", "SIGTERM", "SIGHUP")
    wanted = [getattr(signal, n) for n in names if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread():
        yield caught  # signals reach the main thread only
        return
    saved = {sig: signal.signal(sig, handler) for sig in wanted}
    try:
        yield caught
    finally:
        for sig, previous in saved.items():
            signal.signal(sig, previous)
