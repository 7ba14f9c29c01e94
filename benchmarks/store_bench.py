"""Store benchmarks at library scale: batch writes at 1k vs 10k digests, store size,
``yanbao list`` on a big store vs an empty one, and in-process search."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from benchmarks.ingest_bench import isolated_env, yanbao_command
from benchmarks.report import Figure, absolute, median, slowdown, timed, timed_run
from yanbao.store.db import DigestStore
from yanbao.store.model import Digest
from yanbao.store.storage import library_dir

__all__ = ["SEARCH_QUERIES", "build_store", "list_figure", "search_figure", "size_figure", "write_figure"]

BATCH = 25  # digests per write, as store.ingest stores them
SEARCH_QUERIES = ("腾讯", "capex", "资本开支", "0700.HK", "Alibaba cloud", "行业竞争加剧", "guidance 2025", "zzzz")


def _count(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n:,}"


def build_store(path: Path, digests: Sequence[Digest]) -> float:
    """Write ``digests`` into a new store at ``path`` in one batch; returns the seconds."""
    shutil.rmtree(library_dir(path), ignore_errors=True)
    for old in path.parent.glob(path.name + "*"):
        old.unlink()
    with DigestStore(path) as store:
        took, _ = timed(lambda: store.add_many(digests))
    return took


def _batch_times(store: DigestStore, digests: Sequence[Digest], batches: int) -> list[float]:
    times = []
    for b in range(batches):
        batch = digests[b * BATCH:(b + 1) * BATCH]
        took, _ = timed(lambda batch=batch: store.add_many(batch))
        times.append(took)
    return times


def write_figure(work: Path, digests: Sequence[Digest], small: int, big: int, batches: int) -> Figure:
    """Per-digest cost of adding batches of 25 to a store of ``small`` vs ``big`` digests."""
    need = big + 2 * batches * BATCH
    if len(digests) < need:
        raise ValueError(f"write benchmark needs {need} digests, got {len(digests)}")
    path = work / "writes.json"
    build_store(path, digests[:small])
    extra = digests[big:]
    with DigestStore(path) as store:
        at_small = _batch_times(store, extra[: batches * BATCH], batches)
        store.add_many(digests[small:big])  # grow to `big` in one write
        at_big = _batch_times(store, extra[batches * BATCH:], batches)
        size = _folder_bytes(library_dir(path))
    per_small = median(at_small) / BATCH * 1000
    per_big = median(at_big) / BATCH * 1000
    return slowdown(
        f"store write per digest at {_count(big)} vs {_count(small)}", per_big, per_small, "ms", 1.5,
        note=f"median of {batches} add_many batches of {BATCH}; library {size / 1e6:.0f} MB at the end",
        batch_s_small=at_small, batch_s_big=at_big, file_bytes=size,
    )


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def size_figure(path: Path, n: int) -> Figure:
    """Bytes per digest of the documents of record and of the catalog (information only)."""
    folder = library_dir(path)
    docs = _folder_bytes(folder / "docs")
    catalog = sum(p.stat().st_size for p in folder.glob("catalog.sqlite*"))
    rows = _folder_bytes(folder / "rows")
    return Figure(
        f"library bytes per digest ({n:,} digests)", docs / n, catalog / n, "B",
        docs / catalog if catalog else 0.0, "report", None,
        note=f"baseline column: the catalog (rows, search index, aggregates) per digest; row shards "
             f"{rows / n:.0f} B per digest",
        details={"document_bytes": docs, "catalog_bytes": catalog, "row_bytes": rows, "digests": n},
    )


def list_figure(work: Path, big_store: Path, n: int, repeats: int) -> Figure:
    """``yanbao list`` on the big store vs on an empty store, each a fresh process."""
    env = isolated_env(work)
    empty = work / "empty-list.json"
    big_times, empty_times = [], []
    for _ in range(repeats):
        took, done = timed_run(yanbao_command() + ["--store", str(empty), "list"], env=env)
        empty_times.append(took)
        took, done = timed_run(yanbao_command() + ["--store", str(big_store), "list"], env=env)
        big_times.append(took)
        lines = done.stdout.count(b"\n")
        if lines != n:
            raise RuntimeError(f"yanbao list printed {lines} lines for {n} digests")
    return slowdown(
        f"yanbao list, {n:,} digests vs empty", median(big_times), median(empty_times), "s", 2.0,
        note=f"median of {repeats} runs each", samples=big_times, baseline_samples=empty_times,
    )


def _scan_text(d: Digest) -> str:
    parts = [d.title, d.broker or "", d.recommendation, *d.risks]
    for kp in d.key_points:
        parts.append(kp.heading)
        parts.extend(kp.points)
    for c in d.companies:
        parts += [c.name, c.ticker or "", *c.aliases_seen]
    return "\n".join(parts).casefold()


def search_figure(big_store: Path, digests: Sequence[Digest], repeats: int) -> Figure:
    """Median ``DigestStore.search`` time over the queries vs one plain pass over the same
    digests' text (every query word tested against every digest)."""
    n = len(digests)
    with DigestStore(big_store) as store:
        cold, _ = timed(lambda: store.search(SEARCH_QUERIES[0]))  # opens the catalog
        times, hits = [], {}
        for _ in range(repeats):
            for query in SEARCH_QUERIES:
                took, ids = timed(lambda query=query: store.search(query))
                times.append(took * 1000)
                hits[query] = len(ids)
    texts = [_scan_text(d) for d in digests]
    scans = []
    for _ in range(repeats):
        for query in SEARCH_QUERIES:
            words = query.casefold().split()
            took, _ = timed(lambda words=words: [i for i, t in enumerate(texts) if all(w in t for w in words)])
            scans.append(took * 1000)
    return absolute(
        f"search {n:,} digests (median)", median(times), median(scans), "ms", 50,
        note=f"{len(SEARCH_QUERIES)} queries x {repeats}; baseline: one pass over the digests' "
             f"text; first search (opens the catalog) {cold * 1000:.0f} ms",
        samples_ms=times, scan_ms=scans, cold_ms=cold * 1000, hits=hits,
    )
