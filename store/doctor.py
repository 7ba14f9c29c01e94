"""``yanbao doctor``: what is readable in a store and its backup; restoring the backup.

Nothing here changes a store except ``restore_backup``, which keeps the file it replaces.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.errors import StoreError
from store.index import DIGESTS_TABLE
from store.model import Digest, DigestError
from store.storage import (
    META_DOC,
    META_TABLE,
    AtomicJSONStorage,
    atomic_file,
    backup_path,
    decode_store,
)

__all__ = ["StoreHealth", "inspect_store", "restore_backup"]


@dataclass
class StoreHealth:
    """What ``yanbao doctor`` found in a store file and its backup."""

    path: Path
    exists: bool
    problem: str | None = None  # one line; None when the store loads
    digests_readable: int = 0
    digests_invalid: list[str] = field(default_factory=list)  # "id: why"
    watchlist: int = 0
    schema: int | None = None
    backup_exists: bool = False
    backup_problem: str | None = None
    backup_digests: int = 0
    backup_modified: float | None = None
    stray_temp_files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the store loads and every digest in it is valid."""
        return self.problem is None and not self.digests_invalid


def _count_contents(data: Mapping[str, Mapping[str, Any]]) -> tuple[int, list[str], int, int | None]:
    good, bad = 0, []
    for doc_id, doc in data.get(DIGESTS_TABLE, {}).items():
        try:
            Digest.from_dict(doc)
            good += 1
        except DigestError as exc:
            bad.append(f"{doc_id[:12]}: {exc}")
    meta = data.get(META_TABLE, {}).get(META_DOC) or {}
    return good, bad, len(data.get("watchlist", {})), meta.get("schema")


def _salvage_count(raw: bytes) -> int:
    # A damaged file may still hold whole digests: each one starts like this when we wrote it.
    return raw.count(b'{"schema":1,"id":')


def inspect_store(path: str | os.PathLike[str]) -> StoreHealth:
    """Look at a store file and its backup without changing either."""
    path = Path(path)
    health = StoreHealth(path=path, exists=path.exists())
    if path.parent.exists():
        health.stray_temp_files = sorted(path.parent.glob(f".{path.name}.*.tmp"))
    if health.exists:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            health.problem = f"cannot be read: {exc.strerror or exc}"
        else:
            try:
                data = decode_store(raw, path)
            except StoreError as exc:
                health.problem = exc.reason
                health.digests_readable = _salvage_count(raw)
            else:
                counted = _count_contents(data)
                health.digests_readable, health.digests_invalid, health.watchlist, health.schema = counted
    bak = backup_path(path)
    health.backup_exists = bak.exists()
    if health.backup_exists:
        health.backup_modified = bak.stat().st_mtime
        try:
            health.backup_digests = _count_contents(decode_store(bak.read_bytes(), bak))[0]
        except StoreError as exc:
            health.backup_problem = exc.reason
        except OSError as exc:
            health.backup_problem = f"cannot be read: {exc.strerror or exc}"
    return health


def restore_backup(path: str | os.PathLike[str]) -> Path | None:
    """Put ``<store>.bak`` back in place of the store; the replaced file is kept aside
    (``<store>.replaced-<time>``), damaged or not, so nothing is ever lost.

    Returns where the replaced file was moved (None when there was none). Raises
    StoreError when there is no usable backup.
    """
    path = Path(path)
    bak = backup_path(path)
    if not bak.exists():
        raise StoreError(str(path), "has no backup copy to restore")
    try:
        payload = bak.read_bytes()
    except OSError as exc:
        raise StoreError(str(bak), f"cannot be read: {exc.strerror or exc}") from None
    decode_store(payload, bak)
    storage = AtomicJSONStorage(path)
    with storage.locked():
        kept: Path | None = None
        if path.exists():
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
        with atomic_file(path) as out:
            out.write(payload)
    return kept
