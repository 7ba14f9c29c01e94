"""A TinyDB storage that cannot leave a half-written store behind, and stays fast at scale.

TinyDB's own ``JSONStorage`` writes in place and truncates, so a kill during a write can
leave a file that no longer parses. ``AtomicJSONStorage`` streams the whole state to a
temporary file, fsyncs it and moves it into place with ``os.replace``, then fsyncs the
folder. A reader sees either the old file or the new one, never a mix.

Rewriting an 84 MB store for every batch of 25 digests is not linear, so digests that are
added or replaced are appended to ``<store>.journal`` instead (one line each: a JSON head
naming the store ``generation``, the id, the index row and the search text, then a tab and
the digest JSON; fsynced before the add returns). Readers replay it on top of the store. It
is folded in by the usual atomic rewrite once it grows past max(4 MB, 25% of the store), or
whenever another table changes or a digest is removed. A kill can only leave an unfinished
last line, which readers skip and the next writer cuts off; lines of another generation
(left by a kill between a rewrite and the journal's move) are skipped too.

The previous good copy: on every whole rewrite the old store file becomes ``<store>.bak``
(a hard link) and the old journal ``<store>.bak.journal``; together they hold the state just
before that rewrite. Appends do not touch the store file, so they do not refresh the backup;
``store.doctor`` restores the backup with both journals replayed on top.

The store file is plain TinyDB JSON (tables ``meta``, ``watchlist``, ``digests``). Beside
it, ``<store>.index`` holds what the report list and search need, one line each: the list's
columns with the byte range of each digest, the company names per digest, and the search
texts. Opening a 10,000-digest store decodes only the first; the others are read from the
same file (kept open) on first use, and a digest is read on demand from its byte range. The
index names the store generation it belongs to; a missing or stale index is rebuilt from a
full parse. During writes, digests that did not change are copied byte for byte.

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
import threading
import uuid
import weakref
from collections.abc import Container, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from filelock import FileLock, Timeout
from tinydb.storages import Storage

from yanbao.store.errors import StoreError
from yanbao.store.index import DIGESTS_TABLE, IndexRow, Snapshot, index_row, snapshot_of
from yanbao.store.model import SCHEMA_VERSION

__all__ = [
    "AtomicJSONStorage",
    "atomic_file",
    "backup_path",
    "check_layout",
    "decode_store",
    "backup_journal_path",
    "index_path",
    "journal_path",
    "lock_path",
    "read_journal",
]

LOCK_TIMEOUT_S = 30.0
META_TABLE = "meta"
META_DOC = "store"
INDEX_FORMAT = 4
JOURNAL_MIN_BYTES = 4 * 1024 * 1024  # fold the journal into the store beyond this...
JOURNAL_SHARE = 0.25  # ...or beyond this share of the store file, whichever is larger
_GENERATION_RE = re.compile(rb'"generation":"([0-9a-f]{32})"')

# (device, inode, mtime_ns, ctime_ns, size): changes whenever os.replace puts a new file in.
FileVersion = tuple[int, int, int, int, int]


def backup_path(path: Path) -> Path:
    """Where the previous good copy of the store at ``path`` is kept."""
    return path.with_name(path.name + ".bak")


def journal_path(path: Path) -> Path:
    """Digests added or replaced since the store file was last written whole."""
    return path.with_name(path.name + ".journal")


def backup_journal_path(path: Path) -> Path:
    """The journal that goes with the backup copy (``<store>.bak.journal``)."""
    return path.with_name(path.name + ".bak.journal")


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


def _backup_current(path: Path, known_good: FileVersion | None) -> bool:
    """Make the current store file the backup, but only if it is the copy we validated."""
    if known_good is None:
        return False
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    if _version_of(st) != known_good:
        return False  # not the file we validated: never let it replace a good backup
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
    return True


JournalEntry = tuple[str, str, list, str, int, int]
"""(generation, digest id, [list columns, details], search text, digest offset, digest length)."""


def read_journal(raw: bytes, start: int = 0) -> tuple[list[JournalEntry], int]:
    """The whole lines of journal bytes ``raw`` (read from offset ``start``) and where the
    last whole line ends; an unfinished last line and lines that do not parse are skipped."""
    entries: list[JournalEntry] = []
    pos = 0
    end = raw.rfind(b"\n") + 1  # the part after the last newline is unfinished
    while pos < end:
        stop = raw.index(b"\n", pos)
        tab = raw.find(b"\t", pos, stop)
        if tab > 0:
            try:
                generation, digest_id, row, text = orjson.loads(raw[pos:tab])
                if (isinstance(digest_id, str) and isinstance(row, list) and len(row) == 2
                        and len(row[0]) == 7 and len(row[1]) == 3 and all(isinstance(x, str) for x in row[1])):
                    entries.append((generation, digest_id, row, text, start + tab + 1, stop - tab - 1))
            except (orjson.JSONDecodeError, ValueError, TypeError):
                pass
        pos = stop + 1
    return entries, start + end


class _IndexTail:
    """The index file's details and texts, read on first use from the file as it was when
    the rows were read (kept open: the index is only ever replaced, never rewritten)."""

    def __init__(self, path: Path, at: int, lengths: Sequence[int]) -> None:
        self._fd = os.open(path, os.O_RDONLY)
        self._closer = weakref.finalize(self, os.close, self._fd)
        self._spans = []  # companies, recommended, company keys, texts
        for length in lengths:
            self._spans.append((at, length))
            at += length
        self._lock = threading.Lock()
        self._parts: list[Any] = [None] * len(self._spans)

    def _part(self, k: int) -> Any:
        part = self._parts[k]
        if part is None:
            with self._lock:
                part = self._parts[k]
                if part is None:
                    offset, length = self._spans[k]
                    raw = os.pread(self._fd, length, offset)
                    if len(raw) != length:
                        raise StoreError("index", "is shorter than its header says")
                    part = self._parts[k] = orjson.loads(raw)
                    if all(p is not None for p in self._parts):
                        self._closer()
        return part

    def column(self, k: int) -> list[str]:
        """Detail ``k`` of every index row (0 companies, 1 recommended, 2 company keys)."""
        return self._part(k)

    def texts(self) -> list[str]:
        """The search text per index row."""
        return self._part(3)


def _row_from(columns: list[Any], details: Sequence[str]) -> IndexRow:
    """A row from stored list columns and details (joined names)."""
    return IndexRow.lazy(columns, (details[0], details[1], details[2]), -1)


class _Stored:
    """Placeholder for a digest left as bytes in the store file or the journal (copied,
    not decoded, when the store is rewritten)."""

    __slots__ = ("in_journal", "length", "number", "offset")

    def __init__(self, offset: int, length: int, number: int, in_journal: bool) -> None:
        self.offset, self.length, self.number, self.in_journal = offset, length, number, in_journal

    # TinyDB treats documents as mappings only when it builds Documents for reads, which
    # DigestStore never does on this table; these make accidental use fail loudly.
    def __iter__(self) -> Iterator[str]:
        raise TypeError("stored digest placeholder is not a document")


class AtomicJSONStorage(Storage):
    """TinyDB storage in one JSON file plus a journal, written atomically, with a backup
    and an index.

    ``read()`` gives TinyDB the state for a read-modify-write: ``meta`` and ``watchlist``
    decoded, digests as placeholders for their bytes. ``snapshot()`` is the fast read path;
    ``append_digests`` the fast write path. ``version`` changes whenever the data may have.
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
        self._generation: str | None = None
        self._head: dict[str, dict[str, Any]] = {}  # meta + watchlist
        self._rows: list[IndexRow] = []  # the store's rows (index order), then the journal's
        self._raw: list[list[Any]] = []  # the index's list columns + [offset, length] per store row
        self._ids: dict[str, int] | None = None  # id -> row number, built on first use
        self._tail: _IndexTail | None = None
        self._texts: list[str] | None = None
        self._decoded: dict[str, dict] | None = None  # full data when no usable index
        self._snapshot: Snapshot | None = None
        self._reset_journal()

    def _reset_journal(self) -> None:
        self._journal_pos = 0  # bytes of the journal replayed (whole lines only)
        self._journal_id: tuple[int, int] | None = None  # (device, inode) of the journal replayed
        self._jspans: dict[str, tuple[int, int, int]] = {}  # id -> (offset, length, row number)
        self._jtexts: dict[int, str] = {}  # row number -> search text, for journal rows

    # -- locking ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store's file lock (re-entrant) for a read-modify-write or an append."""
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
        """Load the file again when it changed since we last looked, and replay new journal
        lines (two ``stat`` calls when nothing changed)."""
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
        if current != self._file_version:
            self._reset()
            self.version += 1
            if not self._load_index(current):
                self._load_full(current)
        self._refresh_journal()

    def _refresh_journal(self) -> None:
        if self._decoded is not None or self._generation is None:
            return  # a full parse already merged the journal
        try:
            st = os.stat(journal_path(self.path))
        except FileNotFoundError:
            if self._journal_id is not None:  # moved away by a rewrite: start again
                self._reload()
            return
        ident = (st.st_dev, st.st_ino)
        if self._journal_id is not None and (ident != self._journal_id or st.st_size < self._journal_pos):
            self._reload()
            self._refresh_journal()
            return
        if st.st_size > self._journal_pos:
            self._replay_journal()

    def _reload(self) -> None:
        self._reset()
        self.version += 1
        self.refresh()

    def _replay_journal(self) -> None:
        try:
            with open(journal_path(self.path), "rb") as handle:
                st = os.fstat(handle.fileno())
                handle.seek(self._journal_pos)
                raw = handle.read()
        except FileNotFoundError:
            return
        ident = (st.st_dev, st.st_ino)
        if self._journal_id is not None and ident != self._journal_id:
            self._reload()
            return
        entries, end = read_journal(raw, self._journal_pos)
        applied = False
        for generation, digest_id, (columns, details), text, offset, length in entries:
            if generation != self._generation:
                continue  # left over from before the store was last written whole
            self._apply(digest_id, _row_from(columns, details), text, offset, length)
            applied = True
        self._journal_pos = end
        self._journal_id = ident
        if applied:
            self._snapshot = None
            self.version += 1

    def _id_map(self) -> dict[str, int]:
        if self._ids is None:
            self._ids = {row.id: i for i, row in enumerate(self._rows)}
        return self._ids

    def _apply(self, digest_id: str, row: IndexRow, text: str, offset: int, length: int) -> None:
        ids = self._id_map()
        number = ids.get(digest_id)
        if number is None:
            number = ids[digest_id] = len(self._rows)
            self._rows.append(row)
            if self._texts is not None:
                self._texts.append(text)
        else:
            self._rows[number] = row
            if self._texts is not None:
                self._texts[number] = text
        self._jtexts[number] = text
        self._jspans[digest_id] = (offset, length, number)

    def _load_index(self, current: FileVersion) -> bool:
        tail: _IndexTail | None = None
        try:
            with open(index_path(self.path), "rb") as handle:
                header = orjson.loads(handle.readline())
                rows_at = handle.tell()
                raw = orjson.loads(handle.read(header["rows_bytes"]))
            with open(self.path, "rb") as store:
                found = _GENERATION_RE.search(store.read(256))
            if (
                header.get("format") != INDEX_FORMAT
                or header.get("size") != current[4]
                or found is None
                or header.get("generation") != found.group(1).decode()
            ):
                return False
            head_tables = check_layout(header["head"], self.path)
            lengths = [*header["details_bytes"], header["texts_bytes"]]
            if len(lengths) != 4 or not all(isinstance(n, int) for n in lengths):
                raise ValueError("bad index header")
            tail = _IndexTail(index_path(self.path), rows_at + header["rows_bytes"], lengths)
            rows = [IndexRow.lazy(r, tail, i) for i, r in enumerate(raw)]
            if any(len(r) != 9 for r in raw):
                raise ValueError("index row of the wrong width")
        except (OSError, ValueError, KeyError, TypeError, IndexError, StoreError):
            return False  # no usable index: the caller parses the store itself
        self._head = head_tables
        self._rows = rows
        self._raw = raw
        self._tail = tail
        self._generation = header["generation"]
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
        generation = (self._head.get(META_TABLE, {}).get(META_DOC) or {}).get("generation")
        self._decoded = dict(data.get(DIGESTS_TABLE, {}))
        self._file_version = current
        # Rewrite in our own layout so the next open can use the index; skipped quietly
        # when the store cannot be written (read-only copy): reads still work from memory.
        try:
            with self.locked():
                if _version_of(os.stat(self.path)) != current:
                    return
                if self._load_index(current):  # a writer finished its index meanwhile
                    self._decoded = None
                    return
                self._decoded.update(self._journal_docs(generation))
                self._write_file(self._full_data(), keep_backup=False)
        except (StoreError, OSError):
            self._decoded.update(self._journal_docs(generation))

    def _journal_docs(self, generation: str | None) -> dict[str, dict]:
        """Digests the journal adds to the store of ``generation`` (decoded)."""
        try:
            raw = journal_path(self.path).read_bytes()
        except OSError:
            return {}
        docs: dict[str, dict] = {}
        for entry_generation, digest_id, _, _, offset, length in read_journal(raw)[0]:
            if generation is not None and entry_generation == generation:
                with contextlib.suppress(orjson.JSONDecodeError):
                    docs[digest_id] = orjson.loads(raw[offset:offset + length])
        return docs

    def _full_data(self) -> dict[str, dict[str, Any]]:
        data: dict[str, dict[str, Any]] = {k: dict(v) for k, v in self._head.items()}
        if self._decoded is not None:
            data[DIGESTS_TABLE] = dict(self._decoded)
            return data
        digests: dict[str, Any] = {}
        n_stored = len(self._raw)
        for number, row in enumerate(self._rows):
            jspan = self._jspans.get(row.id)
            if jspan is not None:
                digests[row.id] = _Stored(jspan[0], jspan[1], number, True)
            elif number < n_stored:
                columns = self._raw[number]
                digests[row.id] = _Stored(columns[7], columns[8], number, False)
        data[DIGESTS_TABLE] = digests
        return data

    def _load_texts(self) -> list[str]:
        if self._texts is None:
            texts = list(self._tail.texts()) if self._tail is not None else []
            texts += [""] * (len(self._rows) - len(texts))
            for number, text in self._jtexts.items():
                texts[number] = text
            self._texts = texts
        return self._texts

    def _read_journal_span(self, digest_id: str, jspan: tuple[int, int, int]) -> dict | None:
        try:
            with open(journal_path(self.path), "rb") as handle:
                st = os.fstat(handle.fileno())
                if (st.st_dev, st.st_ino) != self._journal_id or st.st_size < jspan[0] + jspan[1]:
                    raise FileNotFoundError
                handle.seek(jspan[0])
                raw = handle.read(jspan[1])
        except FileNotFoundError:  # folded into the store meanwhile: read the new state
            self.refresh()
            return self.snapshot().load(digest_id)
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise StoreError(str(journal_path(self.path)), f"digest {digest_id[:12]} is damaged; run 'yanbao doctor'") from None

    def _read_span(self, digest_id: str, version: FileVersion | None) -> dict | None:
        jspan = self._jspans.get(digest_id)
        if jspan is not None:
            return self._read_journal_span(digest_id, jspan)
        number = self._id_map().get(digest_id)
        if number is None or number >= len(self._raw):
            return None
        offset, length = self._raw[number][7:9]
        with open(self.path, "rb") as handle:
            if _version_of(os.fstat(handle.fileno())) != version:
                # Replaced since this snapshot: read through the current version instead.
                self.refresh()
                return self.snapshot().load(digest_id)
            handle.seek(offset)
            raw = handle.read(length)
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise StoreError(str(self.path), f"digest {digest_id[:12]} is damaged; run 'yanbao doctor'") from None

    def snapshot(self) -> Snapshot:
        """The current digests for readers (cached until the store or journal changes)."""
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
                    # The index is written newest first; the journal only disturbs what follows
                    # the first store row it replaced.
                    min([len(self._raw), *(n for _, _, n in self._jspans.values())]),
                )
        return self._snapshot

    def known_ids(self) -> Container[str]:
        """Ids stored now (as of the last ``refresh``): cheap membership tests."""
        return self._decoded if self._decoded is not None else self._id_map()

    # -- TinyDB interface -------------------------------------------------------------------

    def read(self) -> dict[str, dict[str, Any]] | None:
        """The state for a TinyDB read-modify-write (digests as byte placeholders)."""
        self.refresh()
        if self._file_version is None:
            return None
        return self._full_data()

    def _journal_changed(self) -> bool:
        """True when whole lines were appended to (or the journal replaced) since we replayed it."""
        try:
            with open(journal_path(self.path), "rb") as handle:
                st = os.fstat(handle.fileno())
                if self._journal_id is None or (st.st_dev, st.st_ino) != self._journal_id:
                    return True
                handle.seek(self._journal_pos)
                return b"\n" in handle.read()
        except FileNotFoundError:
            return self._journal_id is not None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        """Store ``data``: new and replaced digests go to the journal when nothing else
        changed, else the store file is replaced atomically. Never replaces a bad file."""
        check_layout({k: v for k, v in data.items() if k != DIGESTS_TABLE}, self.path)
        with self.locked():
            if self.path.exists():
                try:
                    current = _version_of(os.stat(self.path))
                except OSError:
                    current = None
                if current != self._file_version or (self._decoded is None and self._journal_changed()):
                    # Changed under us (or never read): never write over a file we have not validated.
                    raise StoreError(str(self.path), "changed while being written; try again")
            try:
                if not self._append(data):
                    self._write_file(data, keep_backup=True)
            except OSError as exc:
                self._reset()
                self.version += 1
                raise StoreError(str(self.path), f"cannot be written: {exc.strerror or exc}") from None

    def _append(self, data: Mapping[str, Mapping[str, Any]]) -> bool:
        """Append new and replaced digests when nothing else changed; False when the store
        must be written whole (other tables changed, a digest removed, journal too big)."""
        if self._decoded is not None or self._generation is None:
            return False
        if any(data.get(k, {}) != v for k, v in self._head.items()) or any(
            k not in self._head for k in data if k != DIGESTS_TABLE
        ):
            return False
        digests = data.get(DIGESTS_TABLE, {})
        if any(row.id not in digests for row in self._rows):
            return False
        return self.append_digests({k: d for k, d in digests.items() if not isinstance(d, _Stored)})

    def append_digests(self, docs: Mapping[str, dict]) -> bool:
        """Add or replace digests by appending them to the journal; the caller holds the
        lock and has called ``refresh``. False when the store must be written whole instead
        (no store yet, no usable index, or the journal is due to be folded in)."""
        if self._decoded is not None or self._file_version is None or self._generation is None:
            return False
        lines = []
        for digest_id, doc in docs.items():
            row, text = index_row(doc)
            head = orjson.dumps([self._generation, digest_id, [row.columns(), row.details()], text])
            lines.append((digest_id, row, text, head, orjson.dumps(doc)))
        if not lines:
            return True
        size = sum(len(head) + len(blob) + 2 for *_, head, blob in lines)
        if self._journal_pos + size > max(JOURNAL_MIN_BYTES, JOURNAL_SHARE * self._file_version[4]):
            return False
        path = journal_path(self.path)
        created = not path.exists()
        with open(path, "ab") as out:
            if out.tell() != self._journal_pos:
                out.truncate(self._journal_pos)  # an unfinished line left by a killed writer
                out.seek(self._journal_pos)
            pos = self._journal_pos
            spans = []
            for _, _, _, head, blob in lines:
                spans.append((pos + len(head) + 1, len(blob)))
                pos += len(head) + len(blob) + 2
            out.write(b"".join(head + b"\t" + blob + b"\n" for *_, head, blob in lines))
            out.flush()
            os.fsync(out.fileno())
            st = os.fstat(out.fileno())
        if created:
            _fsync_dir(self.path.parent)
        for (digest_id, row, text, _, _), (offset, length) in zip(lines, spans):
            self._apply(digest_id, row, text, offset, length)
        self._journal_pos = pos
        self._journal_id = (st.st_dev, st.st_ino)
        self._snapshot = None
        self.version += 1
        return True

    def _write_file(self, data: Mapping[str, Mapping[str, Any]], *, keep_backup: bool) -> None:
        generation = uuid.uuid4().hex
        meta = dict(data.get(META_TABLE, {}))
        meta[META_DOC] = {**(meta.get(META_DOC) or {"schema": SCHEMA_VERSION}), "generation": generation}
        head = {META_TABLE: meta}
        head.update({k: dict(v) for k, v in data.items() if k not in (META_TABLE, DIGESTS_TABLE)})
        digests = data.get(DIGESTS_TABLE, {})
        raw_rows: list[list[Any]] = []
        details: list[list[Any]] = []
        texts: list[str] = []
        needs_store = any(isinstance(d, _Stored) and not d.in_journal for d in digests.values())
        needs_journal = any(isinstance(d, _Stored) and d.in_journal for d in digests.values())
        backed_up = False
        with contextlib.ExitStack() as stack:
            source = stack.enter_context(open(self.path, "rb")) if needs_store else None
            journal = stack.enter_context(open(journal_path(self.path), "rb")) if needs_journal else None
            if source is not None and _version_of(os.fstat(source.fileno())) != self._file_version:
                raise StoreError(str(self.path), "changed while being written; try again")
            prior_texts = self._load_texts() if needs_store or needs_journal else []
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
                        origin = journal if doc.in_journal else source
                        origin.seek(doc.offset)
                        blob = origin.read(doc.length)
                        row, text = self._rows[doc.number], prior_texts[doc.number]
                    else:
                        blob = orjson.dumps(doc)
                        row, text = index_row(doc)
                    out.write(blob)
                    raw_rows.append([*row.columns(), offset, len(blob)])
                    details.append(row.details())
                    texts.append(text)
                    offset += len(blob)
                out.write(b"}}")
                if keep_backup:
                    backed_up = _backup_current(self.path, self._file_version)
        # The index lists rows newest first, so readers rarely need to reorder them.
        order = sorted(range(len(raw_rows)), key=lambda i: (raw_rows[i][3] or "", raw_rows[i][1], raw_rows[i][0]),
                       reverse=True)
        rows_blob = orjson.dumps([raw_rows[i] for i in order])
        details_blobs = [orjson.dumps([details[i][k] for i in order]) for k in range(3)]
        texts_blob = orjson.dumps([texts[i] for i in order])
        new_version = _version_of(os.stat(self.path))
        with atomic_file(index_path(self.path)) as out:
            out.write(orjson.dumps({"format": INDEX_FORMAT, "generation": generation, "size": new_version[4],
                                    "rows_bytes": len(rows_blob), "details_bytes": [len(b) for b in details_blobs],
                                    "texts_bytes": len(texts_blob), "head": head}))
            out.write(b"\n")
            out.write(rows_blob)
            for blob in details_blobs:
                out.write(blob)
            out.write(texts_blob)
        # Everything the journal held is in the store now. It goes with the backup it
        # belongs to; a kill before this leaves lines of the old generation, which are skipped.
        journal_file = journal_path(self.path)
        if backed_up:
            try:
                os.replace(journal_file, backup_journal_path(self.path))
            except FileNotFoundError:  # no journal: the backup is complete on its own
                with contextlib.suppress(FileNotFoundError):
                    backup_journal_path(self.path).unlink()
        else:
            with contextlib.suppress(FileNotFoundError):
                journal_file.unlink()
        _fsync_dir(self.path.parent)
        self._reset()
        self._generation = generation
        self._head = head
        self._raw = [raw_rows[i] for i in order]
        self._rows = [_row_from(r, details[i]) for r, i in zip(self._raw, order)]
        self._texts = [texts[i] for i in order]
        self._file_version = new_version
        self.version += 1

    def close(self) -> None:
        self._reset()
