"""Reading a store in the previous layout (layout 1), for migration and ``doctor``.

Layout 1 kept everything in the store file (tables ``meta``, ``watchlist``, ``digests``),
plus ``<store>.journal`` (digests appended since the file was last written whole: a JSON
head ``[generation, id, row, text]``, a tab, the digest JSON, a newline) and
``<store>.index`` (list rows with each digest's byte range in the store file). This module
only reads them: digests come out one at a time, as their stored bytes, so a 10,000-digest
store migrates without holding the library in memory when its index is usable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from yanbao.store.errors import StoreError
from yanbao.store.storage import META_DOC, META_TABLE, decode_store

__all__ = ["DIGESTS_TABLE", "LegacyStore", "is_legacy", "journal_path", "legacy_index_path", "read_journal"]

DIGESTS_TABLE = "digests"
INDEX_FORMAT = 4
_GENERATION_RE = re.compile(rb'"generation":"([0-9a-f]{32})"')


def journal_path(path: Path) -> Path:
    """Layout 1's journal beside the store file."""
    return path.with_name(path.name + ".journal")


def legacy_index_path(path: Path) -> Path:
    """Layout 1's index beside the store file."""
    return path.with_name(path.name + ".index")


def is_legacy(tables: dict[str, Any] | None) -> bool:
    """True for store-file tables in layout 1 (digests inside the store file)."""
    if not tables:
        return False
    meta = tables.get(META_TABLE, {}).get(META_DOC) or {}
    return DIGESTS_TABLE in tables or (isinstance(meta, dict) and meta.get("layout", 1) == 1 and "generation" in meta)


def read_journal(raw: bytes) -> Iterator[tuple[str, str, bytes]]:
    """(generation, digest id, digest bytes) for each whole journal line that parses."""
    end = raw.rfind(b"\n") + 1  # the part after the last newline is unfinished
    pos = 0
    while pos < end:
        stop = raw.index(b"\n", pos)
        tab = raw.find(b"\t", pos, stop)
        if tab > 0:
            try:
                generation, digest_id, _, _ = orjson.loads(raw[pos:tab])
            except (orjson.JSONDecodeError, ValueError, TypeError):
                generation = digest_id = None
            if isinstance(generation, str) and isinstance(digest_id, str):
                yield generation, digest_id, raw[tab + 1:stop]
        pos = stop + 1


@dataclass
class LegacyStore:
    """A layout-1 store: its small tables and its digests (as stored bytes)."""

    path: Path
    tables: dict[str, dict[str, Any]]  # every table but the digests
    spans: dict[str, tuple[int, int]] | None  # id -> byte range in the store file (from the index)
    decoded: dict[str, Any] | None  # the digests table, when the index could not be used
    journal: dict[str, bytes]  # id -> digest bytes from the journal (later lines win)

    @classmethod
    def open(cls, path: Path) -> LegacyStore:
        """Read a layout-1 store; StoreError when its file is damaged."""
        generation, spans, tables = _index_spans(path)
        decoded = None
        if spans is None or tables is None:
            data = decode_store(path.read_bytes(), path)
            decoded = data.pop(DIGESTS_TABLE, {})
            tables = data
            meta = tables.get(META_TABLE, {}).get(META_DOC) or {}
            generation = meta.get("generation") if isinstance(meta, dict) else None
        journal: dict[str, bytes] = {}
        try:
            raw = journal_path(path).read_bytes()
        except OSError:
            raw = b""
        for line_generation, digest_id, blob in read_journal(raw):
            if line_generation == generation:
                journal[digest_id] = blob
        return cls(path, tables, spans, decoded, journal)

    def ids(self) -> list[str]:
        found = dict.fromkeys(self.spans if self.spans is not None else (self.decoded or {}))
        found.update(dict.fromkeys(self.journal))
        return list(found)

    def digests(self) -> Iterator[tuple[str, bytes]]:
        """(id, digest JSON bytes) for every digest, one at a time."""
        handle = open(self.path, "rb") if self.spans is not None else None
        try:
            for digest_id in self.ids():
                blob = self.journal.get(digest_id)
                if blob is None and handle is not None:
                    offset, length = self.spans[digest_id]
                    handle.seek(offset)
                    blob = handle.read(length)
                elif blob is None:
                    blob = orjson.dumps((self.decoded or {})[digest_id])
                yield digest_id, blob
        finally:
            if handle is not None:
                handle.close()


def _index_spans(path: Path) -> tuple[str | None, dict[str, tuple[int, int]] | None, dict | None]:
    """The generation, digest byte ranges and small tables from a layout-1 index that
    matches the store file; Nones when there is no usable index."""
    try:
        with open(legacy_index_path(path), "rb") as handle:
            header = orjson.loads(handle.readline())
            rows = orjson.loads(handle.read(header["rows_bytes"]))
        with open(path, "rb") as store:
            start = store.read(256)
        found = _GENERATION_RE.search(start)
        if (header.get("format") != INDEX_FORMAT or header.get("size") != path.stat().st_size
                or found is None or header.get("generation") != found.group(1).decode()):
            return None, None, None
        spans = {r[0]: (int(r[7]), int(r[8])) for r in rows}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None, None, None
    # The small tables: the store file up to its digests table, closed as an object.
    with open(path, "rb") as store:
        first = min((o for o, _ in spans.values()), default=None)
        raw = store.read() if first is None else store.read(first)
    cut = raw.find(b',"digests":{')
    if cut < 0:
        return None, None, None
    try:
        tables = decode_store(raw[:cut] + b"}", path)
    except StoreError:
        return None, None, None
    return header["generation"], spans, tables
