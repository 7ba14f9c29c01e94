"""The ``yanbao`` CLI on a temp store: help, ingest, list, show, watch, doctor, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from yanbao.store.db import DigestStore
from yanbao.tui.cli import main

YANBAO = Path(sys.executable).parent / "yanbao"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [[], ["parse"], ["ingest"], ["list"], ["show"], ["watch"], ["watch", "add"], ["watch", "rm"],
     ["watch", "list"], ["doctor"], ["compare"], ["export"], ["search"]],
)
def test_help_everywhere(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: yanbao")
    if argv and argv[0] not in ("watch",):
        assert "--store" in out


def test_ingest_list_show_and_same_file_twice(tmp_path: Path, make_pdf, capsys) -> None:
    store = str(tmp_path / "s.json")
    a = make_pdf("r/a.pdf", 1)
    make_pdf("r/b.pdf", 2)
    code, out, err = run(capsys, "--store", store, "ingest", str(tmp_path / "r"), "--jobs", "2")
    assert code == 0 and out.strip().endswith("2 ok, 0 skipped, 0 failed") and err == ""
    code, out, err = run(capsys, "ingest", str(a), "--store", store)  # --store after the command too
    assert code == 0
    assert f"{a}: skipped: already in the store" in out and "0 ok, 1 skipped, 0 failed" in out
    assert len(DigestStore(store)) == 2

    code, out, _ = run(capsys, "--store", store, "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    code, out, _ = run(capsys, "--store", store, "list", "--json")
    rows = json.loads(out)
    assert {r["id"][:12] for r in rows} == {line.split()[0] for line in lines}
    assert {"id", "title", "broker", "date", "period"} <= set(rows[0])

    prefix = rows[0]["id"][:8]
    code, out, _ = run(capsys, "--store", store, "show", prefix)
    assert code == 0 and rows[0]["title"] in out
    code, out, _ = run(capsys, "--store", store, "show", prefix, "--json")
    assert json.loads(out)["id"] == rows[0]["id"]
    code, _, err = run(capsys, "--store", store, "show", "ffffffffffff")
    assert code == 1 and err.count("\n") == 1 and "no stored report" in err


def test_watch_add_list_rm(tmp_path: Path, capsys) -> None:
    store = str(tmp_path / "s.json")
    assert run(capsys, "--store", store, "watch", "add", "Foo", "Robotics")[0] == 0
    code, out, _ = run(capsys, "--store", store, "watch", "list", "--json")
    assert code == 0 and json.loads(out) == [{"name": "Foo Robotics", "ticker": None}]
    assert run(capsys, "--store", store, "watch", "rm", "foo robotics")[0] == 0
    code, _, err = run(capsys, "--store", store, "watch", "rm", "foo robotics")
    assert code == 1 and "not on the watchlist" in err
    code, out, _ = run(capsys, "--store", store, "watch", "list", "--json")
    assert json.loads(out) == []


def test_env_var_chooses_the_store(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YANBAO_STORE", str(tmp_path / "env.json"))
    assert run(capsys, "watch", "add", "Bar")[0] == 0
    assert (tmp_path / "env.json").exists()


def test_damaged_store_one_line_error_then_doctor_restores(tmp_path: Path, make_digest, capsys) -> None:
    path = tmp_path / "s.json"
    store = DigestStore(path)
    store.add(make_digest(1))
    store.watchlist_add("Foo")  # the store file and its backup hold the watchlist
    store.add(make_digest(2))  # documents of record live beside the store file
    path.write_bytes(path.read_bytes()[:30])
    code, out, err = run(capsys, "--store", str(path), "list")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and str(path) in err and "Traceback" not in err and "yanbao doctor" in err
    code, out, _ = run(capsys, "--store", str(path), "doctor")
    assert code == 1 and "PROBLEM" in out and "2 digests" in out and "--restore" in out
    code, out, _ = run(capsys, "--store", str(path), "doctor", "--restore")
    assert code == 0 and "restored" in out
    code, out, _ = run(capsys, "--store", str(path), "list")
    assert code == 0 and len(out.splitlines()) == 2  # both digests: the store file never held them
    assert run(capsys, "--store", str(path), "watch", "list")[1].strip().startswith("Foo")  # nothing newer lost


def test_parse_prints_json_or_summary(make_pdf, tmp_path: Path, capsys) -> None:
    pdf = make_pdf("a.pdf", 4)
    code, out, _ = run(capsys, "parse", str(pdf), "--json")
    digest = json.loads(out)
    assert code == 0 and digest["schema"] == 2 and digest["source"]["path"] == str(pdf)
    code, out, _ = run(capsys, "parse", str(pdf))
    assert code == 0 and digest["title"] in out and "key points" in out
    bad = tmp_path / "bad.pdf"
    bad.write_text("plain words, not a PDF")
    code, out, err = run(capsys, "parse", str(bad))
    assert code == 1 and out == "" and err.count("\n") == 1 and str(bad) in err


def test_usage_errors_are_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["ingest", "--jobs", "0", "x"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--jobs" in err


def test_installed_console_script(tmp_path: Path, make_pdf) -> None:
    pdf = make_pdf("a.pdf", 5)
    store = str(tmp_path / "s.json")
    first = subprocess.run([str(YANBAO), "--store", store, "ingest", str(pdf)], capture_output=True, text=True, check=False)
    assert first.returncode == 0, first.stderr
    listing = subprocess.run([str(YANBAO), "--store", store, "list"], capture_output=True, text=True, check=False)
    assert listing.returncode == 0 and len(listing.stdout.splitlines()) == 1


def test_an_old_layout_store_converts_with_progress_and_keeps_its_file(tmp_path: Path, make_digest, capsys) -> None:
    from benchmarks.legacy_store import write_legacy_store

    path = tmp_path / "old.json"
    write_legacy_store(path, [make_digest(n).to_dict() for n in range(3)])
    code, out, err = run(capsys, "--store", str(path), "list")
    assert code == 0 and len(out.splitlines()) == 3
    assert "converting the library to the new layout: 3/3 digests" in err
    assert path.with_name("old.json.v1").exists()
    code, out, err = run(capsys, "--store", str(path), "list")
    assert code == 0 and err == ""


def test_a_read_only_store_says_so_in_one_line(tmp_path: Path, make_digest, capsys) -> None:
    path = tmp_path / "ro.json"
    DigestStore(path).add(make_digest(1))
    path.chmod(0o444)
    try:
        code, out, err = run(capsys, "--store", str(path), "watch", "add", "Foo")
        assert code == 1 and err.count("\n") == 1 and "read-only" in err
        assert run(capsys, "--store", str(path), "list")[0] == 0
    finally:
        path.chmod(0o644)


def test_list_shows_the_newest_screenfuls_and_says_how_many_more(tmp_path: Path, make_digest, capsys) -> None:
    path = tmp_path / "s.json"
    with DigestStore(path) as store:
        store.add_many(make_digest(n) for n in range(1, 106))
        newest = [s.id[:12] for s in store.summaries()]
    code, out, err = run(capsys, "--store", str(path), "list")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == newest[:100]
    assert "the newest 100 of 105 reports" in err and err.count("\n") == 1
    code, out, err = run(capsys, "--store", str(path), "list", "--limit", "0")
    assert len(out.splitlines()) == 105 and err == ""
    code, out, err = run(capsys, "--store", str(path), "list", "--json", "--limit", "3")
    assert [d["id"][:12] for d in json.loads(out)] == newest[:3]
