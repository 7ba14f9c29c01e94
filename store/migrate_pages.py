"""Stored schema-1 digests gain the pages of schema 2 (``docs/digest-schema-2.md``).

Runs on open, under the library's lock, when the store's meta says schema 1. A schema-1
digest whose source is a PDF that is still at its path with the same bytes (its sha256)
is parsed again, in the isolated parser workers ingest uses; every other one (a text
source, a file gone, moved or changed, a parse that fails now) is kept exactly as it is —
a schema-1 document, whose pages read as unknown.

Crash safety comes from the store's own write protocol: each batch of re-parsed digests
is written like any other (``pending.json`` first, documents replaced atomically, rows,
catalog), and the store's meta moves to schema 2 only once every document is done. A kill
leaves some documents at schema 2 and the rest at schema 1, in a library that opens; the
next open skips the documents already at schema 2 and goes on. Before the first document
is replaced, every one about to be is hard-linked into ``<store>.d/schema-1/`` (the
previous documents, as they were); that folder goes once the meta says schema 2.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from yanbao.store.documents import DocumentDamaged, Documents, fsync_dir
from yanbao.store.model import PAGES_SINCE, Digest

__all__ = ["PagesMigration", "PagesStopped", "backup_folder", "drop_previous", "migrate_pages", "parse_in_workers"]

BATCH = 32  # re-parsed digests written together (one pending list, one sync)
Progress = Callable[[int, int], None]
Reparse = Callable[[list[tuple[str, Path]]], Iterator[tuple[str, Digest | None]]]
Stop = Callable[[], bool]


class PagesStopped(Exception):
    """The caller asked the migration to stop (the app is closing): what was written stays,
    the rest is done at the next open, exactly as after a kill."""


@dataclass
class PagesMigration:
    """What one run of the migration did (counts of schema-1 digests)."""

    reparsed: int = 0  # parsed again from their unchanged source: they have pages now
    kept: int = 0  # kept as they were (no pages): source gone, changed, a text file or unreadable
    already: int = 0  # documents already at schema 2 (an earlier, interrupted run did them)
    kept_ids: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.reparsed + self.kept

    def summary(self) -> str:
        """What the run did, in one line (said by the CLI and the app)."""
        def digests(n: int) -> str:
            return f"{n:,} digest{'s' if n != 1 else ''}"

        return (f"schema 2: {digests(self.reparsed)} read again from their PDFs (they have pages now); "
                f"{digests(self.kept)} kept as they were (source gone or changed, a text file, or unreadable)")


def backup_folder(documents_folder: Path) -> Path:
    """Where the schema-1 documents are kept while the migration runs."""
    return documents_folder.parent / "schema-1"


def _file_sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _unchanged_pdf(doc: Mapping) -> Path | None:
    """The source file of a stored digest when it is a PDF still there with the same bytes."""
    source = doc.get("source") if isinstance(doc.get("source"), dict) else {}
    if source.get("kind") != "pdf" or not isinstance(source.get("path"), str):
        return None
    path = Path(source["path"])
    try:
        if not path.is_file():
            return None
    except (OSError, ValueError):  # a path the system cannot even look at
        return None
    sha = _file_sha256(path)
    return path if sha is not None and sha in (source.get("sha256"), doc.get("id")) else None


def parse_in_workers(jobs: list[tuple[str, Path]], stop: Stop | None = None) -> Iterator[tuple[str, Digest | None]]:
    """Parse (id, file) pairs in the isolated parser workers (ingest's time and memory
    limits); yields (id, digest or None when the file fails now) as each one finishes.
    ``stop`` is asked at least once a second: when it says so, the busy workers are killed
    and PagesStopped is raised."""
    from yanbao.store.ingest import DEFAULT_MEMORY_LIMIT, DEFAULT_TIMEOUT_S
    from yanbao.store.workers import WorkerPool

    if not jobs:
        return
    by_path = {str(path): digest_id for digest_id, path in jobs}
    queue: deque[tuple[Path, str]] = deque((path, digest_id) for digest_id, path in jobs)
    pool = WorkerPool(min(len(jobs), os.cpu_count() or 1), DEFAULT_TIMEOUT_S, None, DEFAULT_MEMORY_LIMIT, False)
    left = len(jobs)
    try:
        while left and not pool.broken:
            if stop is not None and stop():
                raise PagesStopped("stopped")
            pool.fill(queue)
            for outcome in pool.wait_some(max_wait=1.0):
                left -= 1
                if outcome.digest is not None:
                    yield outcome.digest.id, outcome.digest
                else:
                    yield by_path.get(outcome.path, ""), None
    finally:
        pool.close()


def _keep_previous(documents: Documents, ids: Iterable[str]) -> None:
    """Hard-link (else copy) each document about to be replaced into the backup folder."""
    path_of = getattr(documents, "path_of", None)
    folder = getattr(documents, "folder", None)
    if path_of is None or folder is None:
        return  # documents in memory: nothing outlives the process anyway
    backup = backup_folder(folder)
    for digest_id in ids:
        source = path_of(digest_id)
        target = backup / source.relative_to(folder)
        if target.exists():
            continue  # kept by an earlier, interrupted run: the document was unchanged then
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except FileNotFoundError:
            continue
        except OSError:
            shutil.copyfile(source, target)
    if backup.exists():
        fsync_dir(backup)


def drop_previous(documents: Documents) -> None:
    """Remove the kept schema-1 documents (once the store's meta says schema 2)."""
    folder = getattr(documents, "folder", None)
    if folder is not None:
        shutil.rmtree(backup_folder(folder), ignore_errors=True)


def migrate_pages(
    documents: Documents,
    write: Callable[[dict[str, dict]], None],
    progress: Progress | None = None,
    reparse: Reparse | None = None,
    stop: Stop | None = None,
) -> PagesMigration:
    """Re-parse every schema-1 digest whose PDF is unchanged and ``write`` the new documents
    (a dict of id -> document, written crash-safe by the store); the caller holds the lock
    and marks the store schema 2 afterwards. ``stop`` (asked between digests, and by the
    workers once a second) ends it early with PagesStopped: the store stays at schema 1,
    the documents written so far at schema 2, like a kill."""
    if reparse is None:
        reparse = partial(parse_in_workers, stop=stop)
    result = PagesMigration()
    jobs: list[tuple[str, Path]] = []
    stored: dict[str, dict] = {}
    for digest_id in list(documents.ids()):
        try:
            doc = documents.get(digest_id)
        except DocumentDamaged:
            continue  # doctor names it; it has nothing to migrate
        if not isinstance(doc, dict):
            continue
        schema = doc.get("schema")
        if isinstance(schema, int) and schema >= PAGES_SINCE:
            result.already += 1
            continue
        path = _unchanged_pdf(doc)
        if path is None:
            result.kept += 1
            result.kept_ids.append(digest_id)
        else:
            jobs.append((digest_id, path))
            stored[digest_id] = doc
    total = result.kept + len(jobs)
    if total == 0:
        return result
    if progress:
        progress(result.kept, total)
    _keep_previous(documents, (digest_id for digest_id, _ in jobs))
    batch: dict[str, dict] = {}
    done = result.kept
    try:
        for digest_id, digest in reparse(jobs):
            if stop is not None and stop():
                raise PagesStopped("stopped")
            done += 1
            if digest is None or digest_id not in stored or digest.id != digest_id:
                result.kept += 1
                result.kept_ids.append(digest_id)
            else:
                digest.source.path = stored[digest_id]["source"]["path"]  # the path as first given
                batch[digest_id] = digest.to_dict()
                result.reparsed += 1
            if len(batch) >= BATCH:
                write(batch)
                batch = {}
            if progress:
                progress(done, total)
    except PagesStopped:
        if batch:  # what was re-parsed is kept: the next open goes on from there
            write(batch)
        raise
    if batch:
        write(batch)
    # a file the workers never answered for (they could not start) is kept as it is
    result.kept += total - done
    if progress and done < total:
        progress(total, total)
    return result
