"""Documents of record: each digest's body is its own small JSON file, written once.

A library keeps its digests in ``<store>.d/docs/<shard>/<id>.json`` (the shard is the
first two characters of a hash of the id, so no folder holds more than a few hundred files
at 100,000 digests). A document is written to a temporary file and moved into place with
``os.replace`` (a reader sees the old document or the new one, never a mix); ``sync``
then makes a whole batch durable at once.
It is read only when a report is shown. ``MemoryDocuments`` keeps the same contract in
memory (tests, previews).

A document that no longer parses is moved to ``<store>.d/quarantine/`` by
``quarantine`` (named by ``yanbao doctor``, skipped by readers) instead of failing the
library.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Protocol

import orjson

__all__ = ["DocumentDamaged", "DocumentFiles", "Documents", "MemoryDocuments", "encode_document", "fsync_dir",
           "fsync_files"]

_SAFE_NAME = re.compile(r"[0-9A-Za-z_-][0-9A-Za-z_.-]{0,199}")


class DocumentDamaged(ValueError):
    """A stored document that does not parse (reported by doctor, skipped by readers)."""

    def __init__(self, digest_id: str, where: str, reason: str) -> None:
        super().__init__(f"digest {digest_id[:12]} ({where}) is damaged: {reason}")
        self.digest_id, self.where, self.reason = digest_id, where, reason


def encode_document(doc: Mapping) -> bytes:
    """A digest dict as the bytes of its document (TypeError when it cannot be JSON)."""
    return orjson.dumps(doc)


def fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable; not every platform lets a folder be opened."""
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


def fsync_files(paths: Iterable[Path]) -> None:
    """Make files written without an fsync durable, with their folders: after a batch, a
    few threads fsync them together (the disk merges the flushes; unlike ``syncfs``, the
    cost never depends on what other programs have written)."""
    paths = list(dict.fromkeys(paths))
    if not paths:
        return

    def one(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):  # replaced again meanwhile: that copy was synced
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    folders = list(dict.fromkeys(p.parent for p in paths))
    if len(paths) < 4:
        for path in paths:
            one(path)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, paths))
    for folder in folders:
        fsync_dir(folder)


class Documents(Protocol):
    """Where digests' bodies are kept, by id."""

    def put_many(self, blobs: Mapping[str, bytes]) -> None:
        """Store each document (already encoded), each atomically; durable after ``sync``."""
        ...

    def sync(self) -> None:
        """Make every document written so far durable."""
        ...

    def get(self, digest_id: str) -> dict | None:
        """The decoded document, None when absent; DocumentDamaged when it does not parse."""
        ...

    def size(self, digest_id: str) -> int | None:
        """The stored document's size in bytes, None when absent."""
        ...

    def added(self, digest_id: str) -> float | None:
        """When the document was stored (epoch seconds), None when absent."""
        ...

    def remove(self, digest_id: str) -> None:
        """Delete a document (nothing when absent)."""
        ...

    def ids(self) -> Iterator[str]:
        """Every stored id (any order)."""
        ...

    def quarantine(self, digest_id: str) -> Path | None:
        """Move a damaged document aside; where it went (None in memory)."""
        ...


class DocumentFiles:
    """Documents as files in sharded folders under ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.quarantine_folder = folder.parent / "quarantine"
        self._unsynced: list[Path] = []  # written since the last ``sync``

    @staticmethod
    def file_name(digest_id: str) -> str:
        """The id itself when it is a safe file name (sha256 hex always is), else its hex form."""
        if _SAFE_NAME.fullmatch(digest_id):
            return f"{digest_id}.json"
        return f"~{digest_id.encode('utf-8', 'surrogatepass').hex()}.json"

    @staticmethod
    def id_of(file_name: str) -> str | None:
        if not file_name.endswith(".json") or file_name.startswith("."):
            return None
        stem = file_name[:-5]
        if stem.startswith("~"):
            try:
                return bytes.fromhex(stem[1:]).decode("utf-8", "surrogatepass")
            except ValueError:
                return None
        return stem

    def path_of(self, digest_id: str) -> Path:
        """Where the document of ``digest_id`` lives."""
        shard = hashlib.blake2b(digest_id.encode("utf-8", "surrogatepass"), digest_size=1).hexdigest()
        return self.folder / shard / self.file_name(digest_id)

    def put_many(self, blobs: Mapping[str, bytes]) -> None:
        for digest_id, blob in blobs.items():
            target = self.path_of(digest_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(blob)
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            self._unsynced.append(target)

    def sync(self) -> None:
        written, self._unsynced = self._unsynced, []
        fsync_files(written)

    def read_bytes(self, digest_id: str) -> bytes | None:
        """The stored bytes of one document, None when absent."""
        try:
            return self.path_of(digest_id).read_bytes()
        except FileNotFoundError:
            return None

    def get(self, digest_id: str) -> dict | None:
        raw = self.read_bytes(digest_id)
        if raw is None:
            return None
        return _decode(digest_id, raw, str(self.path_of(digest_id)))

    def size(self, digest_id: str) -> int | None:
        try:
            return self.path_of(digest_id).stat().st_size
        except FileNotFoundError:
            return None

    def added(self, digest_id: str) -> float | None:
        try:  # written once and never rewritten: its time is when the report came in
            return self.path_of(digest_id).stat().st_mtime
        except FileNotFoundError:
            return None

    def remove(self, digest_id: str) -> None:
        path = self.path_of(digest_id)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
            fsync_dir(path.parent)

    def ids(self) -> Iterator[str]:
        try:
            shards = sorted(os.scandir(self.folder), key=lambda e: e.name)
        except FileNotFoundError:
            return
        for shard in shards:
            if not shard.is_dir(follow_symlinks=False):
                continue
            for entry in os.scandir(shard.path):
                digest_id = self.id_of(entry.name)
                if digest_id is not None and entry.is_file(follow_symlinks=False):
                    yield digest_id

    def quarantine(self, digest_id: str) -> Path | None:
        path = self.path_of(digest_id)
        if not path.exists():
            return None
        self.quarantine_folder.mkdir(parents=True, exist_ok=True)
        target = self.quarantine_folder / path.name
        os.replace(path, target)
        fsync_dir(path.parent)
        fsync_dir(self.quarantine_folder)
        return target


class MemoryDocuments:
    """Documents kept in memory as their encoded bytes (a copy, as a file would be)."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._added: dict[str, float] = {}

    def put_many(self, blobs: Mapping[str, bytes]) -> None:
        now = time.time()
        for digest_id in blobs:
            self._added.setdefault(digest_id, now)
        self._blobs.update(blobs)

    def sync(self) -> None:
        pass

    def get(self, digest_id: str) -> dict | None:
        raw = self._blobs.get(digest_id)
        return None if raw is None else _decode(digest_id, raw, "memory")

    def size(self, digest_id: str) -> int | None:
        raw = self._blobs.get(digest_id)
        return None if raw is None else len(raw)

    def added(self, digest_id: str) -> float | None:
        return self._added.get(digest_id) if digest_id in self._blobs else None

    def remove(self, digest_id: str) -> None:
        self._blobs.pop(digest_id, None)
        self._added.pop(digest_id, None)

    def ids(self) -> Iterator[str]:
        yield from list(self._blobs)

    def quarantine(self, digest_id: str) -> Path | None:
        self._blobs.pop(digest_id, None)
        return None


def _decode(digest_id: str, raw: bytes, where: str) -> dict:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise DocumentDamaged(digest_id, where, f"not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise DocumentDamaged(digest_id, where, "not a digest object")
    return doc
