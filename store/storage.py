"""A TinyDB storage that cannot leave a half-written store behind, and opens fast at scale.

TinyDB's own ``JSONStorage`` writes in place and truncates, so a kill during a write can
leave a file that no longer parses. ``AtomicJSONStorage`` streams the whole state to a
temporary file, fsyncs it, keeps the previous good file as ``<store>.bak`` (a hard link)
and moves the new file into place with ``os.replace``, then fsyncs the folder. A reader
sees either the old file or the new one, never a mix.

The store file is plain TinyDB JSON (tables ``meta``, ``watchlist``, ``digests``). Beside
it, ``<store>.index`` holds what the report list and search need (one summary row, the byte
range and the search text of each digest) so opening a 10,000-digest store does not parse
every digest, and a digest is read on demand from its byte range. The index names the
store ``generation`` (a random token in the store's meta) it belongs to; a missing or stale
index is rebuilt from a full parse. During writes, digests that did not change are copied
byte for byte from the old file instead of being decoded.

A file that is not valid JSON, is not laid out like a store, or was written by a newer
yanbao is refused with a :class:`~store.errors.StoreError` naming it and is never
overwritten (``store.doctor`` reports on such a file and restores the backup).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from filelock import FileLock, Timeout
from tinydb.storages import Storage

from store.errors import StoreError
from store.index import DIGESTS_TABLE, IndexRow, Snapshot, index_row, newest_first, snapshot_of
from store.model import SCHEMA_VERSION

__all__ = [
    "AtomicJSONStorage",
    "atomic_file",
    "backup_path",
    "check_layout",
    "decode_store",
    "index_path",
    "lock_path",
]

LOCK_TIMEOUT_S = 30.0
META_TABLE = "meta"
META_DOC = "store"
INDEX_FORMAT = 1
_GENERATION_RE = re.compile(rb'"generation":"([0-9a-f]{32})"')

# (device, inode, mtime_ns, ctime_ns, size): changes whenever os.replace puts a new file in.
FileVersion = tuple[int, int, int, int, int]


def backup_path(path: Path) -> Path:
    """Where the previous good copy of the store at ``path`` is kept."""
    return path.with_name(path.name + ".bak")


def lock_path(path: Path) -> Path:
    """The lock file guarding read-modify-write of the store at ``path``."""
    return path.with_name(path.name + ".lock")


def index_path(path: Path) -> Path:
    """The summary/search index kept beside the store at ``path``."""
    return path.with_name(path.name + ".index")


def _version_of(st: os.stat_result) -> FileVersion:
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)


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
        if schema > SCHEMA_VERSION:
            raise StoreError(
                str(path),
                f"was written by a newer yanbao (store schema {schema}, "
                f"this version reads up to {SCHEMA_VERSION}); upgrade yanbao to open it",
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


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not every platform lets a folder be opened.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """Yield a temp file beside ``path``; on success fsync it and ``os.replace`` it in."""
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
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(folder)


def _backup_current(path: Path, known_good: FileVersion | None) -> None:
    """Make the current store file the backup, but only if it is the copy we validated."""
    if known_good is None:
        return
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if _version_of(st) != known_good:
        return  # not the file we validated: never let it replace a good backup
    bak = backup_path(path)
    bak_tmp = bak.with_name(f".{bak.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        bak_tmp.unlink()
    try:
        # A hard link is instant even for a large store; the store is only ever replaced,
        # never written in place, so the link keeps the old bytes.
        os.link(path, bak_tmp)
    except OSError:
        shutil.copyfile(path, bak_tmp)
        with open(bak_tmp, "rb+") as handle:
            os.fsync(handle.fileno())
    os.replace(bak_tmp, bak)


class _Stored:
    """Placeholder for a digest left as bytes in the current file (copied, not decoded)."""

    __slots__ = ("length", "offset", "row", "text_index")

    def __init__(self, offset: int, length: int, row: IndexRow, text_index: int) -> None:
        self.offset, self.length, self.row, self.text_index = offset, length, row, text_index

    # TinyDB treats documents as mappings only when it builds Documents for reads, which
    # DigestStore never does on this table; these make accidental use fail loudly.
    def __iter__(self) -> Iterator[str]:
        raise TypeError("stored digest placeholder is not a document")


class AtomicJSONStorage(Storage):
    """TinyDB storage in one JSON file, written atomically, with a backup and an index.

    ``read()`` gives TinyDB the state for a read-modify-write: ``meta`` and ``watchlist``
    decoded, digests as placeholders for their bytes. ``snapshot()`` is the fast read path.
    ``version`` changes whenever the data may have.
    """

    def __init__(self, path: str | os.PathLike[str], *, lock_timeout: float = LOCK_TIMEOUT_S) -> None:
        super().__init__()
        self.path = Path(path)
        self.version = 0
        self._lock = FileLock(str(lock_path(self.path)), timeout=lock_timeout)
        self._lock_timeout = lock_timeout
        self._reset()

    def _reset(self) -> None:
        self._file_version: FileVersion | None = None
        self._head: dict[str, dict[str, Any]] = {}  # meta + watchlist
        self._rows: list[IndexRow] = []
        self._spans: dict[str, tuple[int, int, int]] = {}  # id -> (offset, length, row number)
        self._texts_raw: bytes | None = None
        self._texts: list[str] | None = None
        self._decoded: dict[str, dict] | None = None  # full data when no usable index
        self._snapshot: Snapshot | None = None

    # -- locking ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's file lock (re-entrant) for a read-modify-write."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except Timeout:
            raise StoreError(
                str(self.path),
                f"is locked by another yanbao process (waited {self._lock_timeout:g} s)",
            ) from None
        except OSError as exc:
            raise StoreError(str(self.path), f"cannot be locked: {exc.strerror or exc}") from None
        try:
            yield
        finally:
            self._lock.release()

    # -- loading ----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Load the file again when it changed since we last looked (one ``stat`` if not)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            if self._file_version is not None or self._rows or self._decoded:
                self.version += 1
            self._reset()
            return
        except OSError as exc:
            raise StoreError(str(self.path), f"cannot be read: {exc.strerror or exc}") from None
        if self.path.is_dir():
            raise StoreError(str(self.path), "is a folder, not a store file")
        current = _version_of(st)
        if current == self._file_version:
            return
        self._reset()
        self.version += 1
        if not self._load_index(current):
            self._load_full(current)

    def _load_index(self, current: FileVersion) -> bool:
        try:
            with open(index_path(self.path), "rb") as handle:
                header_line = handle.readline()
                rows_line = handle.readline()
                texts_line = handle.read()
            header = orjson.loads(header_line)
            with open(self.path, "rb") as store:
                head = store.read(256)
            found = _GENERATION_RE.search(head)
            if (
                header.get("format") != INDEX_FORMAT
                or header.get("size") != current[4]
                or found is None
                or header.get("generation") != found.group(1).decode()
            ):
                return False
            head_tables = check_layout(header["head"], self.path)
            rows = orjson.loads(rows_line)
            index_rows = [IndexRow._make(r[:-2]) for r in rows]
            spans = {r[0]: (r[-2], r[-1], i) for i, r in enumerate(rows)}
        except (OSError, ValueError, KeyError, TypeError, IndexError, StoreError):
            return False  # no usable index: the caller parses the store itself
        self._head = head_tables
        self._rows = index_rows
        self._spans = spans
        self._texts_raw = texts_line
        self._file_version = current
        return True

    def _load_full(self, current: FileVersion) -> None:
        try:
            raw = self.path.read_bytes()
        except OSError as exc:
            raise StoreError(str(self.path), f"cannot be read: {exc.strerror or exc}") from None
        data = decode_store(raw, self.path)
        del raw
        self._head = {k: v for k, v in data.items() if k != DIGESTS_TABLE}
        self._decoded = dict(data.get(DIGESTS_TABLE, {}))
        self._file_version = current
        # Rewrite in our own layout so the next open can use the index; skipped quietly
        # when the store cannot be written (read-only copy): reads still work from memory.
        try:
            with self.locked():
                if _version_of(os.stat(self.path)) == current:
                    self._write_file(self._full_data(), keep_backup=False)
        except (StoreError, OSError):
            pass

    def _full_data(self) -> dict[str, dict[str, Any]]:
        data: dict[str, dict[str, Any]] = {k: dict(v) for k, v in self._head.items()}
        if self._decoded is not None:
            data[DIGESTS_TABLE] = dict(self._decoded)
        else:
            data[DIGESTS_TABLE] = {
                digest_id: _Stored(off, length, self._rows[i], i)
                for digest_id, (off, length, i) in self._spans.items()
            }
        return data

    def _load_texts(self) -> list[str]:
        if self._texts is None:
            self._texts = orjson.loads(self._texts_raw) if self._texts_raw else []
            self._texts_raw = None
        return self._texts

    def _read_span(self, digest_id: str, version: FileVersion | None) -> dict | None:
        span = self._spans.get(digest_id)
        if span is None:
            return None
        with open(self.path, "rb") as handle:
            if _version_of(os.fstat(handle.fileno())) != version:
                # Replaced since this snapshot: read through the current version instead.
                self.refresh()
                return self.snapshot().load(digest_id)
            handle.seek(span[0])
            raw = handle.read(span[1])
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise StoreError(str(self.path), f"digest {digest_id[:12]} is damaged; run 'yanbao doctor'") from None

    def snapshot(self) -> Snapshot:
        """The current digests for readers (cached until the file changes)."""
        self.refresh()
        if self._snapshot is None:
            if self._decoded is not None or self._file_version is None:
                self._snapshot = snapshot_of(self._full_data() if self._file_version else None)
            else:
                version = self._file_version
                self._snapshot = Snapshot(
                    list(self._rows),
                    lambda digest_id: self._read_span(digest_id, version),
                    self._load_texts,
                    dict(self._head.get("watchlist", {})),
                )
        return self._snapshot

    # -- TinyDB interface -------------------------------------------------------------------

    def read(self) -> dict[str, dict[str, Any]] | None:
        """The state for a TinyDB read-modify-write (digests as byte placeholders)."""
        self.refresh()
        if self._file_version is None:
            return None
        return self._full_data()

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Replace the store file with ``data`` atomically; refuse to replace a bad file."""
        check_layout({k: v for k, v in data.items() if k != DIGESTS_TABLE}, self.path)
        if self.path.exists():
            try:
                current = _version_of(os.stat(self.path))
            except OSError:
                current = None
            if current != self._file_version:
                # Changed under us (or never read): never write over a file we have not validated.
                raise StoreError(str(self.path), "changed while being written; try again")
        try:
            self._write_file(data, keep_backup=True)
        except OSError as exc:
            self._reset()
            self.version += 1
            raise StoreError(str(self.path), f"cannot be written: {exc.strerror or exc}") from None

    def _write_file(self, data: Mapping[str, Mapping[str, Any]], *, keep_backup: bool) -> None:
        generation = uuid.uuid4().hex
        meta = dict(data.get(META_TABLE, {}))
        meta[META_DOC] = {**(meta.get(META_DOC) or {"schema": SCHEMA_VERSION}), "generation": generation}
        head = {META_TABLE: meta}
        head.update({k: dict(v) for k, v in data.items() if k not in (META_TABLE, DIGESTS_TABLE)})
        digests = data.get(DIGESTS_TABLE, {})
        rows: list[list] = []
        texts: list[str] = []
        needs_old_file = any(isinstance(d, _Stored) for d in digests.values())
        with contextlib.ExitStack() as stack:
            source = stack.enter_context(open(self.path, "rb")) if needs_old_file else None
            if source is not None and _version_of(os.fstat(source.fileno())) != self._file_version:
                raise StoreError(str(self.path), "changed while being written; try again")
            prior_texts = self._load_texts() if source is not None else []
            with atomic_file(self.path) as out:
                # meta first: the generation sits in the first bytes, where the index looks.
                body = orjson.dumps(head)
                out.write(body[:-1] + b',"digests":{')
                offset = len(body) - 1 + len(b',"digests":{')
                for n, (digest_id, doc) in enumerate(digests.items()):
                    key = (b"," if n else b"") + orjson.dumps(digest_id) + b":"
                    out.write(key)
                    offset += len(key)
                    if isinstance(doc, _Stored):
                        source.seek(doc.offset)
                        blob = source.read(doc.length)
                        row, text = doc.row, prior_texts[doc.text_index]
                    else:
                        blob = orjson.dumps(doc)
                        row, text = index_row(doc)
                    out.write(blob)
                    rows.append([*row, offset, len(blob)])
                    texts.append(text)
                    offset += len(blob)
                out.write(b"}}")
                if keep_backup:
                    _backup_current(self.path, self._file_version)
        # The index lists rows newest first, so readers rarely need to reorder them.
        order = sorted(range(len(rows)), key=lambda i: newest_first(IndexRow._make(rows[i][:-2])), reverse=True)
        rows = [rows[i] for i in order]
        texts = [texts[i] for i in order]
        new_version = _version_of(os.stat(self.path))
        with atomic_file(index_path(self.path)) as out:
            out.write(orjson.dumps({"format": INDEX_FORMAT, "generation": generation,
                                    "size": new_version[4], "head": head}))
            out.write(b"\n")
            out.write(orjson.dumps(rows))
            out.write(b"\n")
            out.write(orjson.dumps(texts))
        self._reset()
        self._head = head
        self._rows = [IndexRow._make(r[:-2]) for r in rows]
        self._spans = {r[0]: (r[-2], r[-1], i) for i, r in enumerate(rows)}
        self._texts = texts
        self._file_version = new_version
        self.version += 1

    def close(self) -> None:
        self._reset()
