"""``yanbao doctor``: check a library, rebuild what is derived, restore the store file.

What is checked: the store file (``meta`` and the user's state) and its backup copy, every
document of record (does it parse as a digest?), the row shards and the catalog (do they
list the same reports as the documents?), the counts the catalog keeps (do they equal
their rows counted again?), an interrupted write left to finish. Nothing
here changes a library except ``rebuild`` (row shards and catalog again from the
documents; damaged documents quarantined, counted as lost) and ``restore_backup``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from yanbao.store.catalog import Catalog
from yanbao.store.documents import DocumentDamaged, DocumentFiles
from yanbao.store.errors import StoreError
from yanbao.store.fold_removal import out_of_step
from yanbao.store.model import Digest, DigestError
from yanbao.store.storage import (
    META_DOC,
    META_TABLE,
    ROWS_PREFIX,
    AtomicJSONStorage,
    atomic_file,
    backup_path,
    decode_store,
    library_dir,
)

__all__ = ["RebuildReport", "StoreHealth", "inspect_store", "rebuild", "restore_backup"]


@dataclass
class StoreHealth:
    """What ``yanbao doctor`` found in a library."""

    path: Path
    exists: bool
    problem: str | None = None  # the store file, one line; None when it loads
    digests_readable: int = 0  # documents that parse as digests
    digests_invalid: list[str] = field(default_factory=list)  # "id: why"
    rows: int = 0  # report rows in the TinyDB shards
    catalog: int | None = None  # reports in the catalog (None: no catalog yet)
    index_problems: list[str] = field(default_factory=list)  # rows/catalog out of step with the documents
    pending: bool = False  # an interrupted write the next open finishes
    legacy_digests: int | None = None  # a store still in the previous layout: its digests
    quarantined: int = 0
    watchlist: int = 0
    schema: int | None = None
    read_only: bool = False
    backup_exists: bool = False
    backup_problem: str | None = None
    backup_modified: float | None = None
    stray_temp_files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the store file loads, every document is a valid digest and the
        rows and catalog list exactly the documents."""
        return self.problem is None and not self.digests_invalid and not self.index_problems


def _check_documents(documents: DocumentFiles, health: StoreHealth) -> set[str]:
    good: set[str] = set()
    for digest_id in documents.ids():
        try:
            doc = documents.get(digest_id)
            Digest.from_dict(doc)
        except DocumentDamaged as exc:
            health.digests_invalid.append(f"{digest_id[:12]}: {exc.reason}")
        except (DigestError, AttributeError, TypeError, ValueError, KeyError) as exc:
            health.digests_invalid.append(f"{digest_id[:12]}: {exc}")
        else:
            good.add(digest_id)
    return good


def _row_ids(storage: AtomicJSONStorage, health: StoreHealth) -> set[str]:
    ids: set[str] = set()
    for name in storage.shard_names():
        try:
            ids.update((storage.read_shard(name) or {}).keys())
        except StoreError as exc:
            health.index_problems.append(f"row shard {name[len(ROWS_PREFIX):]}: {exc.reason}")
    return ids


def inspect_store(path: str | os.PathLike[str]) -> StoreHealth:
    """Look at a library without changing it."""
    path = Path(path)
    folder = library_dir(path)
    health = StoreHealth(path=path, exists=path.exists() or folder.exists())
    if path.parent.exists():
        health.stray_temp_files = sorted(path.parent.glob(f".{path.name}.*.tmp"))
    storage = AtomicJSONStorage(path)
    health.read_only = storage.read_only
    if path.exists():
        try:
            main = storage.read_main() or {}
        except StoreError as exc:
            health.problem = exc.reason
        else:
            meta = main.get(META_TABLE, {}).get(META_DOC) or {}
            health.schema = meta.get("schema")
            health.watchlist = len(main.get("watchlist", {}))
            from yanbao.store.legacy import LegacyStore, is_legacy

            if is_legacy(main):
                with contextlib.suppress(StoreError, OSError):
                    health.legacy_digests = len(LegacyStore.open(path).ids())
    bak = backup_path(path)
    health.backup_exists = bak.exists()
    if health.backup_exists:
        health.backup_modified = bak.stat().st_mtime
        try:
            decode_store(bak.read_bytes(), bak)
        except StoreError as exc:
            health.backup_problem = exc.reason
        except OSError as exc:
            health.backup_problem = f"cannot be read: {exc.strerror or exc}"
    if health.legacy_digests is not None:
        health.digests_readable = health.legacy_digests
        return health
    documents = DocumentFiles(folder / "docs")
    good = _check_documents(documents, health)
    health.digests_readable = len(good)
    with contextlib.suppress(OSError):
        health.quarantined = len(os.listdir(documents.quarantine_folder))
    health.pending = (folder / "pending.json").exists()
    rows = _row_ids(storage, health)
    health.rows = len(rows)
    if rows != good and not health.pending:
        health.index_problems.append(
            f"row shards list {len(rows - good)} report(s) without a valid document and miss {len(good - rows)}")
    catalog_path = folder / "catalog.sqlite"
    if catalog_path.exists():
        catalog = Catalog(catalog_path)
        try:
            if catalog.exists():
                listed = set(catalog.ids_with_prefix(""))
                health.catalog = len(listed)
                if listed != good and not health.pending:
                    health.index_problems.append(
                        f"catalog lists {len(listed - good)} report(s) without a valid document and "
                        f"misses {len(good - listed)}")
                health.index_problems += out_of_step(catalog)
            else:
                health.index_problems.append("catalog is of another format (rebuilt on next open)")
        except Exception as exc:  # noqa: BLE001 - sqlite3 raises several kinds for a damaged file
            health.index_problems.append(f"catalog cannot be read ({type(exc).__name__}: {exc})")
        finally:
            catalog.close()
    elif good:
        health.index_problems.append("no catalog (rebuilt from the documents on next open)")
    return health


@dataclass
class RebuildReport:
    """What ``doctor --rebuild`` did: reports recovered from the documents, documents lost."""

    recovered: int
    lost: int
    warnings: list[str]
    store_file_recreated: bool = False


def rebuild(path: str | os.PathLike[str], progress=None) -> RebuildReport:
    """Rebuild the row shards and the catalog from whatever documents still parse; damaged
    documents are quarantined (counted as lost). A damaged store file with no usable
    backup is set aside and started again (its user state is named lost)."""
    from yanbao.store.db import DigestStore

    path = Path(path)
    store = DigestStore(path)
    storage = store._storage
    assert isinstance(storage, AtomicJSONStorage)
    recreated = False
    try:
        with storage.locked():
            if storage.read_only:
                raise StoreError(str(path), "is read-only (no write permission); nothing was rebuilt")
            try:
                storage.read_main()
            except StoreError:
                _set_aside(path)
                storage.write_main({})
                recreated = True
            store._open(for_write=True)
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(storage.rows_dir)
            recovered, lost = store.rebuild_catalog(progress)
            docs = {}
            for digest_id in store._documents.ids():
                doc = store._documents.get(digest_id)
                if doc is not None:
                    docs[digest_id] = doc
                if len(docs) >= 256:
                    store._put_rows(docs)
                    docs = {}
            store._put_rows(docs)
            with contextlib.suppress(FileNotFoundError):
                (library_dir(path) / "pending.json").unlink()
            return RebuildReport(recovered, lost, list(store.warnings), recreated)
    finally:
        store.close()


def _set_aside(path: Path) -> Path | None:
    """Keep the current store file as ``<store>.replaced-<time>`` (damaged or not)."""
    if not path.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    kept = path.with_name(f"{path.name}.replaced-{stamp}")
    n = 1
    while kept.exists():
        n += 1
        kept = path.with_name(f"{path.name}.replaced-{stamp}-{n}")
    try:
        os.link(path, kept)
    except OSError:
        shutil.copyfile(path, kept)
    return kept


def restore_backup(path: str | os.PathLike[str]) -> Path | None:
    """Put the backup copy of the store file back. Refused (StoreError saying why) when
    there is no usable backup, when the backup was written by a newer yanbao, or when the
    current file still loads and holds user state the backup does not (never lose a newer
    change). The replaced file is kept aside; returns where (None when there was none).
    Documents, rows and catalog are not touched: they never depend on the store file."""
    path = Path(path)
    bak = backup_path(path)
    if not bak.exists():
        raise StoreError(str(path), "has no backup copy to restore")
    try:
        payload = bak.read_bytes()
    except OSError as exc:
        raise StoreError(str(bak), f"cannot be read: {exc.strerror or exc}") from None
    restored = decode_store(payload, bak)  # refuses a backup of a newer schema
    storage = AtomicJSONStorage(path)
    with storage.locked():
        if storage.read_only:
            raise StoreError(str(path), "is read-only (no write permission); nothing was restored")
        try:
            current = storage.read_main()
        except StoreError:
            current = None  # damaged: the backup replaces it
        if current is not None:
            newer = [t for t, rows in current.items() if t != META_TABLE and any(
                k not in restored.get(t, {}) or restored[t][k] != v for k, v in rows.items())]
            if newer:
                raise StoreError(str(path), f"loads fine and holds changes the backup lacks ({', '.join(newer)}); "
                                            "nothing was restored")
        kept = _set_aside(path)
        with atomic_file(path) as out:
            out.write(orjson.dumps(restored))
    return kept
