"""Smoke test for the benchmark harness (``python -m benchmarks``), so it cannot rot.

Runs the corpus generator for a handful of reports and one small benchmark end to end;
the real benchmark (10,000 digests, dozens of PDFs) is ``make bench``, not part of the tests.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import corpus
from benchmarks.report import format_table, write_json
from benchmarks.store_bench import build_store, search_figure, write_figure
from yanbao.store.model import Digest
from yanbao.store.parser import parse_file


def test_corpus_makes_distinct_reports_that_parse(tmp_path: Path) -> None:
    texts = corpus.write_text_reports(tmp_path / "txt", 4, seed=7)
    pdfs = corpus.write_pdf_reports(tmp_path / "pdf", 2, seed=7)
    assert len({p.read_bytes() for p in texts}) == 4
    assert all(p.read_bytes().startswith(b"%PDF-") for p in pdfs)
    for path in texts[:2] + pdfs:
        digest = parse_file(path)
        assert digest.title and digest.key_points, path.name
    # The same seed gives the same reports (the cached PDF corpus relies on it).
    again = corpus.write_text_reports(tmp_path / "again", 4, seed=7)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in texts]


def test_synthetic_digests_are_valid_and_varied() -> None:
    digests = corpus.synthetic_digests(40, seed=3)
    assert len({d.id for d in digests}) == 40
    assert len({d.title for d in digests}) > 20
    assert len({c.name for d in digests for c in d.companies}) > 20
    for digest in digests:
        assert Digest.from_dict(digest.to_dict()) == digest


def test_one_small_benchmark_end_to_end(tmp_path: Path) -> None:
    digests = corpus.synthetic_digests(80, seed=5)
    store_path = tmp_path / "store.json"
    build_store(store_path, digests[:30])
    search = search_figure(store_path, digests[:30], repeats=1)
    assert search.unit == "ms" and search.measured > 0 and search.baseline > 0
    # 30 digests are searched well inside the 50 ms limit: a FAIL here is a real regression.
    assert set(search.details["hits"]) and search.verdict == "pass", search
    writes = write_figure(tmp_path, digests, small=10, big=30, batches=1)
    assert writes.name == "store write per digest at 30 vs 10" and writes.ratio > 0
    table = format_table([search, writes])
    assert "search 30 digests (median)" in table and "verdict" in table.splitlines()[0]
    out = tmp_path / "out.json"
    write_json(out, [search, writes], {"quick": True})
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [f["name"] for f in doc["figures"]] == [search.name, writes.name]


def test_real_sized_digests_are_valid_and_sized_like_real_ones() -> None:
    import statistics

    import orjson

    from benchmarks.real_sized import real_sized_docs

    docs = list(real_sized_docs(200, seed=1))
    assert len({d["id"] for d in docs}) == 200 and len({d["broker"] for d in docs}) > 20
    for doc in docs[:20]:
        Digest.from_dict(doc)
    sizes = [len(orjson.dumps(d)) / 1024 for d in docs]
    assert 35 < statistics.median(sizes) < 45 and 40 < statistics.mean(sizes) < 60
    assert min(len(d["metrics"]) for d in docs) >= 100


def test_scale_benchmark_end_to_end(tmp_path: Path, capsys) -> None:
    from benchmarks import scale_bench

    assert scale_bench.main(["--big", "60", "--small", "20", "--migrate", "15", "--rounds", "1",
                             "--work", str(tmp_path)]) == 0
    figures = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    names = " | ".join(f["name"] for f in figures)
    assert "yanbao list" in names and "search first" in names and "panes 2-4" in names
    migration = figures[-1]
    assert migration["lost"] == 0 and migration["after"] == 15 and migration["old_file_kept"]


def test_the_judge_fails_what_misses_its_target() -> None:
    """Each kind of target can say FAIL: a slowdown over its ratio, a speed-up under it, an
    absolute figure over its limit (and pass on the right side of each)."""
    from benchmarks.report import absolute, slowdown, speedup

    assert slowdown("x", 1.2, 1.0, "s", 1.10).verdict == "FAIL"
    assert slowdown("x", 1.05, 1.0, "s", 1.10).verdict == "pass"
    assert speedup("x", 1.0, 1.5, "s", 1.7).verdict == "FAIL"
    assert speedup("x", 1.0, 1.8, "s", 1.7).verdict == "pass"
    assert absolute("x", 60.0, 10.0, "ms", 50.0).verdict == "FAIL"
    assert absolute("x", 16.0, 10.0, "ms", 16.0, strict=True).verdict == "FAIL"
    assert absolute("x", 12.0, 10.0, "ms", 50.0).verdict == "pass"
