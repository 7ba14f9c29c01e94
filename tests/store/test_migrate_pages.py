"""A library of schema-1 digests gains the pages of schema 2 on open (store.migrate_pages)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import write_pdf
from yanbao.store.db import DigestStore
from yanbao.store.doctor import inspect_store
from yanbao.store.documents import DocumentFiles
from yanbao.store.ingest import ingest_paths
from yanbao.store.migrate_pages import backup_folder
from yanbao.store.model import Digest
from yanbao.store.parser import parse_file
from yanbao.store.storage import META_DOC, META_TABLE, library_dir

REPO = Path(__file__).resolve().parents[2]


def report_pages(n: int) -> list[list[str]]:
    """A three-page report (our own words): summary on page 1, figures on pages 2 and 3."""
    return [
        [f"测试证券 行业深度报告 第{n}期", f"云计算需求持续走强，维持行业增持评级（{n}）", "2025年5月6日", "投资要点",
         f"1）微软Azure收入同比增长{30 + n}%，高于市场预期。", "2）亚马逊AWS收入同比增长17%，增速环比回升。",
         "投资建议", "建议关注腾讯控股、阿里巴巴。"],
        ["一、海外云厂商", f"谷歌云本季度收入同比增长{20 + n}%，运营利润率提升至17.8%。",
         "Meta 资本开支指引上调至640-720亿美元。"],
        ["二、国内互联网", f"腾讯控股本季度收入同比增长{10 + n}%，广告收入同比增长20%。", "阿里云收入同比增长18%。",
         "风险提示", "行业竞争加剧；AI进展不及预期。"],
    ]


def to_schema_1(path: Path) -> None:
    """Turn a library into what the schema-1 code wrote: no pages, schema 1 everywhere."""
    docs = DocumentFiles(library_dir(path) / "docs")
    for digest_id in list(docs.ids()):
        doc = docs.get(digest_id)
        doc["schema"] = 1
        for part in doc["key_points"] + doc["metrics"]:
            part.pop("page", None)
        docs.put_many({digest_id: json.dumps(doc, ensure_ascii=False).encode()})
    docs.sync()
    main = json.loads(path.read_text(encoding="utf-8"))
    main[META_TABLE][META_DOC]["schema"] = 1
    path.write_text(json.dumps(main), encoding="utf-8")


def stored_docs(path: Path) -> dict[str, dict]:
    docs = DocumentFiles(library_dir(path) / "docs")
    return {digest_id: docs.get(digest_id) for digest_id in docs.ids()}


def schema_1_library(tmp_path: Path, make_digest, pdfs: int = 4) -> tuple[Path, list[Path]]:
    """A schema-1 library: ``pdfs`` three-page PDFs, a text report, two digests whose
    source never existed here; the first PDF is then changed, the second deleted."""
    folder = tmp_path / "in"
    folder.mkdir()
    files = [write_pdf(folder / f"r{n}.pdf", report_pages(n)) for n in range(pdfs)]
    (folder / "weekly.txt").write_text("\n".join(report_pages(9)[0]), encoding="utf-8")
    path = tmp_path / "lib" / "store.json"
    path.parent.mkdir()
    store = DigestStore(path)
    report = ingest_paths([folder], store, jobs=2)
    assert [r.status for r in report.results].count("ok") == pdfs + 1
    store.add_many([make_digest(1), make_digest(2)])
    store.close()
    to_schema_1(path)
    write_pdf(files[0], report_pages(50))  # changed since it was ingested
    files[1].unlink()  # gone
    return path, files


def test_schema_1_digests_gain_pages_where_their_source_is_unchanged(tmp_path: Path, make_digest) -> None:
    path, files = schema_1_library(tmp_path, make_digest)
    before = stored_docs(path)
    assert len(before) == 7 and all(doc["schema"] == 1 for doc in before.values())
    seen: list[tuple[int, int]] = []
    store = DigestStore(path, progress=lambda done, total: seen.append((done, total)))
    assert len(store) == 7
    result = store.pages_migration
    assert (result.reparsed, result.kept) == (2, 5)  # r2, r3 | r0 changed, r1 gone, the text, 2 hand-built
    assert seen[0] == (5, 7) and seen[-1] == (7, 7)
    after = stored_docs(path)
    assert after.keys() == before.keys()
    for digest_id, doc in after.items():
        if doc["source"]["path"] in (str(files[2]), str(files[3])):
            assert doc["schema"] == 2
            fresh = parse_file(doc["source"]["path"]).to_dict()
            assert doc == fresh  # what a fresh ingest gives: pages and all
            assert [m["page"] for m in doc["metrics"]][:2] == [1, 1] and {m["page"] for m in doc["metrics"]} == {1, 2, 3}
            assert [k["page"] for k in doc["key_points"]] == [1]
        else:
            assert doc == before[digest_id]  # kept exactly as it was: schema 1, no pages
    assert json.loads(path.read_text())[META_TABLE][META_DOC]["schema"] == 2
    assert not backup_folder(library_dir(path) / "docs").exists()
    kept = store.get(make_digest(1).id)
    assert kept.schema == 1 and kept.metrics[0].page is None and kept.title == make_digest(1).title
    assert inspect_store(path).ok
    again = DigestStore(path)
    assert len(again) == 7 and again.pages_migration is None


def test_a_read_only_schema_1_library_reads_without_migrating(tmp_path: Path, make_digest) -> None:
    path, _ = schema_1_library(tmp_path, make_digest, pdfs=2)
    before = stored_docs(path)
    path.chmod(0o444)
    store = DigestStore(path)
    assert len(store) == len(before) and store.pages_migration is None
    assert all(d.schema == 1 for d in store.all())
    assert stored_docs(path) == before


MIGRATE = textwrap.dedent(
    """
    import sys
    from yanbao.store.db import DigestStore
    store = DigestStore(sys.argv[1], progress=lambda done, total: print(done, total, flush=True))
    len(store)
    print("done", flush=True)
    """
)


@pytest.mark.slow
def test_kill_9_during_the_pages_migration(tmp_path: Path, make_digest) -> None:
    """Each round kills the migrating process at a later moment: the library always opens
    with every digest, doctor says ok, and the next open finishes the migration."""
    path, files = schema_1_library(tmp_path, make_digest, pdfs=10)
    pristine = {p: p.read_bytes() for p in path.parent.rglob("*") if p.is_file()}
    landed = []
    for round_no in range(6):
        for p in [p for p in path.parent.rglob("*") if p.is_file() and p not in pristine]:
            p.unlink()
        for p, data in pristine.items():
            p.write_bytes(data)
        proc = subprocess.Popen([sys.executable, "-c", MIGRATE, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()  # migration under way (its first progress report)
        time.sleep(0.25 * round_no)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        landed.append("done" in out)
        docs = stored_docs(path)
        assert len(docs) == 13, f"round {round_no}"
        assert all(Digest.from_dict(doc) for doc in docs.values())
        assert inspect_store(path).ok, f"round {round_no}"
        meta = (json.loads(path.read_text()).get(META_TABLE) or {}).get(META_DOC) or {}
        committed = meta.get("schema") == 2  # killed after the commit, before it printed "done"
        store = DigestStore(path)  # finishes the job
        assert len(store) == 13
        assert landed[-1] or committed or store.pages_migration is not None  # killed before its commit: finished now
        assert sum(1 for doc in stored_docs(path).values() if doc["schema"] == 2) == 8  # r2…r9
        assert not backup_folder(library_dir(path) / "docs").exists()
        store.close()
    assert sum(landed) < 6  # kills landed mid-migration


def test_the_cli_says_what_the_migration_did(tmp_path: Path, make_digest, capsys) -> None:
    from yanbao.tui.cli import main

    path, _ = schema_1_library(tmp_path, make_digest, pdfs=3)
    assert main(["--store", str(path), "list"]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 6
    # not a terminal: a line when it starts and the final count (and one every 10 s between)
    assert err.splitlines()[:2] == [
        "converting the library to digest schema 2 (pages of key points and figures): 5/6 digests",
        "converting the library to digest schema 2 (pages of key points and figures): 6/6 digests",
    ]
    assert "1 digest read again from their PDFs (they have pages now); 5 digests kept as they were" in err
    assert main(["--store", str(path), "list"]) == 0
    assert capsys.readouterr().err == ""


def test_stop_ends_the_migration_between_digests_and_the_next_open_finishes(tmp_path: Path, make_digest) -> None:
    """``stop`` (the app closing) ends the migration like a kill: schema 1 stays, nothing lost."""
    from yanbao.store.migrate_pages import PagesStopped

    path, _ = schema_1_library(tmp_path, make_digest, pdfs=5)
    ticks: list[int] = []
    store = DigestStore(path, progress=lambda done, total: ticks.append(done), stop=lambda: len(ticks) >= 2)
    with pytest.raises(PagesStopped):
        len(store)
    assert json.loads(path.read_text())[META_TABLE][META_DOC]["schema"] == 1
    assert ticks == [5, 6]  # stopped after the first re-parsed digest
    again = DigestStore(path)
    assert len(again) == 8 and again.pages_migration.reparsed == 2  # the first was done already
    assert {d.schema for d in again.all()} == {1, 2} and inspect_store(path).ok


def test_the_cli_logs_a_line_per_tick_when_ticks_are_far_apart(tmp_path: Path, make_digest, capsys,
                                                               monkeypatch) -> None:
    """A long conversion into a log: a line every LOG_EVERY_S (here every tick), not only the end."""
    from yanbao.tui import cli

    monkeypatch.setattr(cli, "LOG_EVERY_S", 0.0)
    path, _ = schema_1_library(tmp_path, make_digest, pdfs=4)
    assert cli.main(["--store", str(path), "list"]) == 0
    counts = [line.rsplit(": ", 1)[1] for line in capsys.readouterr().err.splitlines() if line.startswith("converting")]
    assert counts == ["5/7 digests", "6/7 digests", "7/7 digests"]


def test_a_reader_does_not_wait_while_another_process_migrates(tmp_path: Path, make_digest) -> None:
    """While the lock is held (a migration under way elsewhere) a reader reads schema 1."""
    from yanbao.store.storage import AtomicJSONStorage

    path, _ = schema_1_library(tmp_path, make_digest, pdfs=3)
    with AtomicJSONStorage(path).locked():
        reader = DigestStore(path)
        assert len(reader) == 6 and reader.pages_migration is None
        assert {d.schema for d in reader.all()} == {1}
    later = DigestStore(path)
    assert len(later) == 6 and later.pages_migration.reparsed == 1
