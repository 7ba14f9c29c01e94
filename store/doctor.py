"""``yanbao doctor``: what is readable in a store and its backup; restoring the backup.

A store's digests are the store file's plus its journal's (lines of the store's
generation); the backup's are ``<store>.bak`` plus ``<store>.bak.journal``. Nothing here
changes a store except ``restore_backup``, which keeps the files it replaces.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from yanbao.store.errors import StoreError
from yanbao.store.index import DIGESTS_TABLE
from yanbao.store.model import SCHEMA_VERSION, Digest, DigestError
from yanbao.store.storage import (
    META_DOC,
    META_TABLE,
    AtomicJSONStorage,
    atomic_file,
    backup_journal_path,
    backup_path,
    decode_store,
    journal_path,
    read_journal,
)

_GENERATION_RE = re.compile(rb'"generation":"([0-9a-f]{32})"')

__all__ = ["StoreHealth", "inspect_store", "restore_backup"]


@dataclass
class StoreHealth:
    """What ``yanbao doctor`` found in a store file and its backup."""

    path: Path
    exists: bool
    problem: str | None = None  # one line; None when the store loads
    digests_readable: int = 0  # store file and journal together
    journal_digests: int = 0  # of those, how many the journal adds or replaces
    digests_invalid: list[str] = field(default_factory=list)  # "id: why"
    watchlist: int = 0
    schema: int | None = None
    backup_exists: bool = False
    backup_problem: str | None = None
    backup_digests: int = 0  # backup file and its journal together
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


def _generation_of(data: Mapping[str, Mapping[str, Any]]) -> str | None:
    meta = data.get(META_TABLE, {}).get(META_DOC)
    return meta.get("generation") if isinstance(meta, dict) else None


def journal_digests(path: Path, generations: set[str] | None) -> dict[str, Any]:
    """Digests (decoded JSON) in the journal at ``path`` whose lines belong to one of
    ``generations`` (any generation when None); later lines win, broken lines are skipped."""
    try:
        raw = path.read_bytes()
    except OSError:
        return {}
    docs: dict[str, Any] = {}
    for generation, digest_id, _, _, offset, length in read_journal(raw)[0]:
        if generations is None or generation in generations:
            with contextlib.suppress(ValueError):
                docs[digest_id] = orjson.loads(raw[offset:offset + length])
    return docs


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
                found = _GENERATION_RE.search(raw[:256])
                journal = journal_digests(journal_path(path), {found.group(1).decode()} if found else None)
                health.journal_digests = len(journal)
                health.digests_readable = _salvage_count(raw) + len(journal)
            else:
                journal = journal_digests(journal_path(path), {_generation_of(data) or ""})
                health.journal_digests = len(journal)
                data.setdefault(DIGESTS_TABLE, {}).update(journal)
                counted = _count_contents(data)
                health.digests_readable, health.digests_invalid, health.watchlist, health.schema = counted
                raw = b""
    bak = backup_path(path)
    health.backup_exists = bak.exists()
    if health.backup_exists:
        health.backup_modified = bak.stat().st_mtime
        try:
            health.backup_digests = _count_contents(_with_journal(decode_store(bak.read_bytes(), bak), path))[0]
        except StoreError as exc:
            health.backup_problem = exc.reason
        except OSError as exc:
            health.backup_problem = f"cannot be read: {exc.strerror or exc}"
    return health


def _with_journal(backup: dict[str, dict[str, Any]], path: Path) -> dict[str, dict[str, Any]]:
    """The backup's tables with its journal (``<store>.bak.journal``) replayed."""
    generation = _generation_of(backup)
    backup.setdefault(DIGESTS_TABLE, {}).update(
        journal_digests(backup_journal_path(path), {generation} if generation else set())
    )
    return backup


def restore_backup(path: str | os.PathLike[str]) -> Path | None:
    """Put the last good copy back in place of the store: ``<store>.bak`` with its own
    journal and then the store's journal replayed on top (lines of the backup's or the
    store's generation; every line when the store's cannot be read), so digests added
    since the backup was taken come back too. The replaced file and its journal are kept
    aside (``<store>.replaced-<time>`` and ``….journal``), damaged or not: nothing is lost.

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
    restored = _with_journal(decode_store(payload, bak), path)
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
        generations = {g for g in [_generation_of(restored)] if g}
        try:
            with open(path, "rb") as handle:
                found = _GENERATION_RE.search(handle.read(256))
        except OSError:
            found = None
        if found:
            generations.add(found.group(1).decode())
        journal = journal_path(path)
        restored[DIGESTS_TABLE].update(journal_digests(journal, generations if found else None))
        meta = dict(restored.get(META_TABLE, {}))
        # A new generation: no journal line written for another copy can apply to it.
        meta[META_DOC] = {**(meta.get(META_DOC) or {"schema": SCHEMA_VERSION}), "generation": uuid.uuid4().hex}
        tables = {META_TABLE: meta, **{k: v for k, v in restored.items() if k not in (META_TABLE, DIGESTS_TABLE)},
                  DIGESTS_TABLE: restored[DIGESTS_TABLE]}
        with atomic_file(path) as out:
            out.write(orjson.dumps(tables))
        if journal.exists():
            aside = (kept or path).with_name(f"{(kept or path).name}.journal")
            if kept is None:
                aside = path.with_name(f"{path.name}.replaced-{time.strftime('%Y%m%d-%H%M%S')}.journal")
            os.replace(journal, aside)
    return kept
