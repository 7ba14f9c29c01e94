"""Write a store in the previous layout (layout 1: every digest inside the store file, a
journal and an index beside it), byte for byte as yanbao wrote it, to measure and test
migration. Streams digests to the file: a 10,000-digest store is never held whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path

import orjson

__all__ = ["write_legacy_store"]


def write_legacy_store(path: Path, docs: Iterable[Mapping], *, watchlist: Mapping[str, dict] | None = None,
                       journal: Iterable[Mapping] = (), with_index: bool = True) -> int:
    """Write ``docs`` (digest dicts) as a layout-1 store at ``path`` and ``journal`` as
    lines of its journal; returns how many digests the store holds in all."""
    generation = uuid.uuid4().hex
    head = {"meta": {"store": {"schema": 1, "generation": generation}}, "watchlist": dict(watchlist or {})}
    rows = []
    ids: set[str] = set()
    with open(path, "wb") as out:
        body = orjson.dumps(head)
        opening = body[:-1] + b',"digests":{'
        out.write(opening)
        offset = len(opening)
        for n, doc in enumerate(docs):
            key = (b"," if n else b"") + orjson.dumps(doc["id"]) + b":"
            blob = orjson.dumps(doc)
            out.write(key + blob)
            offset += len(key)
            rows.append([doc["id"], doc["title"], doc.get("broker"), doc.get("date"), doc.get("period"),
                         doc.get("language", "zh"), len(doc.get("metrics") or []), offset, len(blob)])
            offset += len(blob)
            ids.add(doc["id"])
        out.write(b"}}")
        size = out.tell()
    if with_index:
        rows_blob = orjson.dumps(rows)
        empty = orjson.dumps([""] * len(rows))
        with open(path.with_name(path.name + ".index"), "wb") as out:
            out.write(orjson.dumps({"format": 4, "generation": generation, "size": size,
                                    "rows_bytes": len(rows_blob), "details_bytes": [len(empty)] * 3,
                                    "texts_bytes": len(empty), "head": head}) + b"\n")
            out.write(rows_blob + empty * 4)
    lines = []
    for doc in journal:
        ids.add(doc["id"])
        lines.append(orjson.dumps([generation, doc["id"], [[], []], ""]) + b"\t" + orjson.dumps(doc) + b"\n")
    if lines:
        path.with_name(path.name + ".journal").write_bytes(b"".join(lines))
    return len(ids)
