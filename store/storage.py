"""A TinyDB storage that writes only the tables that changed, each group atomically.

TinyDB's own ``JSONStorage`` rewrites one file, in place, for every change. Here the
store file (``store.json``) holds the small tables — ``meta`` and the user's state
(watchlist, marks, read marks: ``store.user_state``) — and each table whose name
starts with ``reports:`` (one shard of the report rows) is its own file under
``<store>.d/rows/``. ``read()`` hands TinyDB a mapping that loads a shard only when a
table asks for it; ``write()`` writes only the files whose tables changed. So adding to
the watchlist rewrites a few hundred bytes, never the report rows, and storing a report
rewrites one small shard.

Every file is written to a temporary file, fsynced and moved into place with
``os.replace``, then the folder is fsynced: a reader sees the old file or the new one.
When the store file is replaced, ``<store>.bak`` is then written with the same bytes: one
of the two always holds the latest committed state (``yanbao doctor --restore``).

A store file that is not valid JSON, is not laid out like a store, or was written by a
newer yanbao is refused with a :class:`~store.errors.StoreError` naming it and never
overwritten; a store file made read-only (no write permission bits) is respected: writes
raise StoreError saying the library is read-only.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from filelock import FileLock, Timeout
from tinydb.storages import Storage

from yanbao.store.documents import fsync_dir, fsync_files
from yanbao.store.errors import StoreError, StoreLocked
from yanbao.store.model import SCHEMA_VERSION

__all__ = [
    "LAYOUT_VERSION",
    "META_DOC",
    "META_TABLE",
    "ROWS_PREFIX",
    "AtomicJSONStorage",
    "atomic_file",
    "backup_path",
    "check_layout",
    "decode_store",
    "library_dir",
    "lock_path",
]

LOCK_TIMEOUT_S = 30.0
META_TABLE = "meta"
META_DOC = "store"
ROWS_PREFIX = "reports:"  # tables named so live in their own files (one shard of report rows)
LAYOUT_VERSION = 2  # 1: everything in one file (digests included); 2: documents + shards + catalog


def backup_path(path: Path) -> Path:
    """Where the previous good copy of the store file at ``path`` is kept."""
    return path.with_name(path.name + ".bak")


def lock_path(path: Path) -> Path:
    """The lock file guarding writes to the library at ``path``."""
    return path.with_name(path.name + ".lock")


def library_dir(path: Path) -> Path:
    """The folder beside the store file holding documents, row shards and the catalog."""
    return path.with_name(path.name + ".d")


def _fsync_dir(folder: Path) -> None:
    fsync_dir(folder)


def is_read_only(path: Path) -> bool:
    """True when the store file exists with no write permission bit (chmod 444): respected
    even by root, who could otherwise replace it."""
    try:
        return not stat.S_IMODE(os.stat(path).st_mode) & 0o222
    except OSError:
        return False


# -- reading and checking files -------------------------------------------------------------


def check_layout(data: Any, path: Path | str) -> dict[str, dict[str, Any]]:
    """Return ``data`` when it looks like a store this version can use, else raise StoreError."""
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, dict) for k, v in data.items()
    ):
        raise StoreError(str(path), "is not a yanbao store (unexpected layout)")
    meta = data.get(META_TABLE, {}).get(META_DOC)
    if meta is not None:
        schema = meta.get("schema") if isinstance(meta, dict) else None
        if not isinstance(schema, int):
            raise StoreError(str(path), f"is not a yanbao store (bad schema marker {schema!r})")
        layout = meta.get("layout", 1)
        if schema > SCHEMA_VERSION or not isinstance(layout, int) or layout > LAYOUT_VERSION:
            raise StoreError(
                str(path),
                f"was written by a newer yanbao (store schema {schema}, layout {layout}; "
                f"this version reads up to {SCHEMA_VERSION}, layout {LAYOUT_VERSION}); upgrade yanbao to open it",
            )
    return data


def decode_store(raw: bytes, path: Path) -> dict[str, dict[str, Any]]:
    """Parse and check a store file's bytes; StoreError (naming ``path``) when unusable."""
    if not raw.strip():
        raise StoreError(
            str(path), "is empty, not a yanbao store; run 'yanbao doctor' to restore the last good copy"
        )
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreError(
            str(path),
            f"is damaged (not valid JSON: {exc}); run 'yanbao doctor' to see what is readable "
            "and restore the last good copy",
        ) from None
    return check_layout(data, path)


@contextlib.contextmanager
def atomic_file(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Yield a temp file beside ``path``; on success fsync it (unless the caller makes a
    whole batch durable at once: ``durable=False``) and ``os.replace`` it in."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        # mkstemp makes the file private (0600); a store the user opened up stays as it was.
        with contextlib.suppress(OSError):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if durable:
        _fsync_dir(folder)


class _Tables(dict):
    """The tables TinyDB reads: the store file's, plus row shards loaded on first access."""

    def __init__(self, storage: AtomicJSONStorage, main: dict[str, dict]) -> None:
        super().__init__(main)
        self._storage = storage
        self.loaded: dict[str, dict] = {}  # shard name -> the table as read (to spot changes)

    def __missing__(self, name: str) -> dict:
        if not name.startswith(ROWS_PREFIX):
            raise KeyError(name)
        table = self._storage.read_shard(name)
        if table is None:
            raise KeyError(name)
        self.loaded[name] = table
        dict.__setitem__(self, name, table)
        return table

    def __iter__(self) -> Iterator[str]:
        names = dict.fromkeys(dict.__iter__(self))
        names.update(dict.fromkeys(self._storage.shard_names()))
        return iter(names)


class AtomicJSONStorage(Storage):
    """TinyDB storage: small tables in the store file, report-row shards in their own
    files; only changed files are written, each atomically; the store file keeps a backup.

    ``locked()`` holds the library's file lock for a read-modify-write.
    """

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = LOCK_TIMEOUT_S, **_: Any) -> None:
        super().__init__()
        self.path = Path(path)
        self.rows_dir = library_dir(self.path) / "rows"
        self._lock = FileLock(str(lock_path(self.path)), timeout=lock_timeout)
        self._lock_timeout = lock_timeout
        self.durable = True  # False inside ``batch()``: shards are synced together at its end
        self._unsynced: list[Path] = []
        self._main: dict[str, dict] | None = None  # the store file's tables as last read
        self._main_version: tuple | None = None

    # -- locking ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the library's file lock (re-entrant) for a read-modify-write."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except Timeout:
            raise StoreLocked(
                str(self.path),
                f"is locked by another yanbao process (waited {self._lock_timeout:g} s)",
            ) from None
        except OSError as exc:
            raise StoreError(str(self.path), f"cannot be locked: {exc.strerror or exc}") from None
        try:
            yield
        finally:
            self._lock.release()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Write row shards without an fsync each; they are made durable together at the
        end (the caller's pending list covers a kill before that)."""
        self.durable, self._unsynced = False, []
        try:
            yield
        finally:
            self.durable = True
        written, self._unsynced = self._unsynced, []
        fsync_files(written)

    @property
    def read_only(self) -> bool:
        """True when the store file was made read-only: nothing will be written."""
        return is_read_only(self.path)

    # -- the store file ---------------------------------------------------------------------

    def read_main(self) -> dict[str, dict] | None:
        """The store file's tables (cached until the file changes); None when there is none."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._main = self._main_version = None
            return None
        except OSError as exc:
            raise StoreError(str(self.path), f"cannot be read: {exc.strerror or exc}") from None
        if stat.S_ISDIR(st.st_mode):
            raise StoreError(str(self.path), "is a folder, not a store file")
        version = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
        if version != self._main_version or self._main is None:
            try:
                raw = self.path.read_bytes()
            except OSError as exc:
                raise StoreError(str(self.path), f"cannot be read: {exc.strerror or exc}") from None
            self._main = decode_store(raw, self.path)
            self._main_version = version
        return self._main

    def file_version(self) -> tuple | None:
        """Changes whenever the store file is replaced (after ``read_main``)."""
        return self._main_version

    # -- row shards -------------------------------------------------------------------------

    def shard_path(self, name: str) -> Path:
        return self.rows_dir / f"{name[len(ROWS_PREFIX):]}.json"

    def shard_names(self) -> list[str]:
        try:
            return sorted(ROWS_PREFIX + e.name[:-5] for e in os.scandir(self.rows_dir)
                          if e.name.endswith(".json") and not e.name.startswith("."))
        except FileNotFoundError:
            return []

    def read_shard(self, name: str) -> dict | None:
        """One shard's table, None when it has no file; StoreError when it is damaged."""
        path = self.shard_path(name)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(str(path), f"cannot be read: {exc.strerror or exc}") from None
        try:
            table = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise StoreError(str(path), "is damaged (not valid JSON); run 'yanbao doctor --rebuild'") from None
        if not isinstance(table, dict):
            raise StoreError(str(path), "is damaged (not a table); run 'yanbao doctor --rebuild'")
        return table

    # -- TinyDB interface -------------------------------------------------------------------

    def read(self) -> dict[str, dict[str, Any]] | None:
        main = self.read_main()
        if main is None and not self.rows_dir.exists():
            return None
        return _Tables(self, {k: dict(v) for k, v in (main or {}).items()})

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Write the files whose tables changed. Never replaces a file it cannot read."""
        main = {k: v for k, v in data.items() if not k.startswith(ROWS_PREFIX)}
        check_layout(main, self.path)
        with self.locked():
            if self.read_only:
                raise StoreError(str(self.path), "is read-only (no write permission); nothing was changed")
            before = self.read_main()  # raises on a bad file: it is never overwritten
            try:
                if isinstance(data, _Tables):
                    for name, table in self._changed_shards(data):
                        self.write_shard(name, table)
                    for name in data.loaded:
                        if not dict.__contains__(data, name):
                            self.drop_shard(name)
                else:
                    for name, table in data.items():
                        if name.startswith(ROWS_PREFIX):
                            self.write_shard(name, table)
                meta = dict(main.get(META_TABLE, {}))
                store_meta = meta.get(META_DOC) or {}
                meta[META_DOC] = {**store_meta, "schema": store_meta.get("schema", SCHEMA_VERSION),
                                  "layout": LAYOUT_VERSION}
                main[META_TABLE] = meta
                if main != before:
                    self.write_main(main)
            except OSError as exc:
                raise StoreError(str(self.path), f"cannot be written: {exc.strerror or exc}") from None

    @staticmethod
    def _changed_shards(data: _Tables) -> Iterator[tuple[str, dict]]:
        for name in list(dict.keys(data)):
            table = dict.__getitem__(data, name)
            if name.startswith(ROWS_PREFIX) and table is not data.loaded.get(name) and table != data.loaded.get(name):
                yield name, table

    def write_main(self, tables: dict[str, dict], *, keep_backup: bool = True) -> None:
        """Replace the store file with ``tables`` (the caller holds the lock), then the
        backup copy with the same bytes: one of the two always holds the latest state, so
        restoring the backup after damage never loses a committed change."""
        blob = orjson.dumps(tables)
        with atomic_file(self.path) as out:
            out.write(blob)
        if keep_backup:
            with atomic_file(backup_path(self.path)) as out:
                out.write(blob)
        self._main, self._main_version = None, None

    def write_shard(self, name: str, table: dict) -> None:
        """Replace one shard's file (the caller holds the lock)."""
        with atomic_file(self.shard_path(name), durable=self.durable) as out:
            out.write(orjson.dumps(table))
        if not self.durable:
            self._unsynced.append(self.shard_path(name))

    def drop_shard(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.shard_path(name).unlink()

    def close(self) -> None:
        self._main = self._main_version = None
