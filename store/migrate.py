"""Moving a store in the previous layout (one file with every digest) to documents of record.

Runs on first open, under the library's lock. The old store file is kept as
``<store>.v1`` (a hard link, with its journal as ``<store>.v1.journal``) before anything
is written. Every digest becomes its own document, its row goes to its shard, the catalog
is built, and only then is the store file replaced by the new small one: a kill at any
moment before that leaves the old store in place and the next open starts again; after
it, the migration is complete. Digests are counted on both sides; a shortfall stops the
migration with a StoreError and the old store untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from yanbao.store.documents import DocumentFiles, fsync_dir
from yanbao.store.errors import StoreError
from yanbao.store.legacy import DIGESTS_TABLE, LegacyStore, journal_path, legacy_index_path

if TYPE_CHECKING:
    from yanbao.store.catalog import Catalog
    from yanbao.store.storage import AtomicJSONStorage

__all__ = ["BATCH", "kept_copy_path", "migrate_legacy"]

BATCH = 256
Progress = Callable[[int, int], None]


def kept_copy_path(path: Path) -> Path:
    """Where the store file in the previous layout is kept after migrating."""
    return path.with_name(path.name + ".v1")


def _keep_copy(path: Path) -> None:
    kept = kept_copy_path(path)
    if kept.exists():
        return  # an earlier, interrupted migration already kept it (the store is unchanged since)
    tmp = kept.with_name(f".{kept.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        os.link(path, tmp)
    except OSError:
        shutil.copyfile(path, tmp)
    journal = journal_path(path)
    if journal.exists():
        shutil.copyfile(journal, Path(f"{kept}.journal"))
    os.replace(tmp, kept)
    fsync_dir(path.parent)


def migrate_legacy(
    storage: AtomicJSONStorage,
    documents: DocumentFiles,
    catalog: Catalog,
    load: Callable[..., int],
    progress: Progress | None = None,
) -> int:
    """Move the layout-1 store at ``storage.path`` to the new layout; returns how many
    digests moved. The caller holds the lock."""
    path = storage.path
    if storage.read_only:
        raise StoreError(str(path), "is in the previous yanbao layout and read-only: make it "
                                    "writable once so it can be converted")
    old = LegacyStore.open(path)
    ids = old.ids()
    total = len(ids)
    _keep_copy(path)
    catalog.create()
    skipped: list[str] = []

    def readable() -> Iterator[tuple[str, bytes, dict]]:
        for digest_id, blob in old.digests():
            try:
                doc = orjson.loads(blob)
            except orjson.JSONDecodeError:
                doc = None
            if isinstance(doc, dict):
                yield digest_id, blob, doc
            else:
                skipped.append(digest_id)

    if progress:
        progress(0, total)
    done = load(readable(), progress, total)  # documents, catalog and rows, synced
    catalog.mark_complete()
    moved = sum(1 for _ in documents.ids())
    if moved < done:
        raise StoreError(str(path), f"migration stopped: {done} digests read but {moved} documents "
                                    "written; the store is unchanged")
    tables = {k: v for k, v in old.tables.items() if k != DIGESTS_TABLE}
    if skipped:  # damaged entries stay in the kept copy and are named here for doctor
        tables.setdefault("meta", {}).setdefault("migration", {})["unreadable"] = skipped
    storage.write_main(_new_layout(tables))  # the commit point
    for leftover in (journal_path(path), legacy_index_path(path)):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    if progress:
        progress(total, total)
    return done


def _new_layout(tables: dict[str, dict]) -> dict[str, dict]:
    from yanbao.store.storage import LAYOUT_VERSION, META_DOC, META_TABLE

    meta = dict(tables.get(META_TABLE, {}))
    store_meta = {k: v for k, v in (meta.get(META_DOC) or {}).items() if k != "generation"}
    # the previous layout predates schema 2: its digests gain pages next (store.migrate_pages)
    meta[META_DOC] = {**store_meta, "schema": store_meta.get("schema", 1), "layout": LAYOUT_VERSION}
    return {**tables, META_TABLE: meta}
