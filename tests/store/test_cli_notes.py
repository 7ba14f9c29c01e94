"""``yanbao tag / note / star / read`` and ``list --starred/--unread/--tag`` on a real store."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
from pathlib import Path

import pytest
from yanbao.store.db import DigestStore
from yanbao.tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def library(tmp_path: Path, make_pdf, capsys) -> tuple[str, list[str]]:
    """A store with three ingested PDFs; (store path, their ids newest first)."""
    store = str(tmp_path / "s.json")
    for n in range(3):
        make_pdf(f"r/{n}.pdf", n)
    code, _, _ = run(capsys, "--store", store, "ingest", str(tmp_path / "r"), "--jobs", "1")
    assert code == 0
    _, out, _ = run(capsys, "--store", store, "list", "--json")
    return store, [r["id"] for r in json.loads(out)]


def test_tag_star_note_and_list_filters(library, capsys, monkeypatch) -> None:
    store, (a, b, c) = library
    code, out, err = run(capsys, "--store", store, "tag", a[:8], "Capex", "#AI")
    assert code == 0 and out.strip().endswith("#Capex #AI") and err == ""
    assert run(capsys, "--store", store, "tag", b[:8], "capex")[0] == 0
    assert run(capsys, "--store", store, "star", b[:10])[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("第一行\n第二行 with *stars*\n"))
    code, out, _ = run(capsys, "--store", store, "note", c[:8], "-")
    assert code == 0 and "note saved" in out

    _, out, _ = run(capsys, "--store", store, "list", "--tag", "CAPEX")
    assert {line.split()[0] for line in out.splitlines()} == {a[:12], b[:12]}
    _, out, _ = run(capsys, "--store", store, "list", "--tag", "capex", "--starred")
    assert [line.split()[0] for line in out.splitlines()] == [b[:12]]
    assert "★ #capex" in out
    _, out, _ = run(capsys, "--store", store, "list", "--unread")
    assert len(out.splitlines()) == 3  # nothing opened yet
    assert run(capsys, "--store", store, "read", a[:8])[0] == 0
    _, out, _ = run(capsys, "--store", store, "list", "--unread", "--json")
    assert {r["id"] for r in json.loads(out)} == {b, c}
    assert run(capsys, "--store", store, "read", a[:8], "--unread")[0] == 0
    _, out, _ = run(capsys, "--store", store, "list", "--unread", "--json")
    assert len(json.loads(out)) == 3

    code, out, _ = run(capsys, "--store", store, "note", c[:8])
    assert code == 0 and out == "第一行\n第二行 with *stars*\n"
    code, out, _ = run(capsys, "--store", store, "export", c[:8])
    assert "## 我的笔记" in out and "第二行 with \\*stars\\*" in out
    code, out, _ = run(capsys, "--store", store, "tag", a[:8], "capex", "--remove")
    assert code == 0 and out.strip().endswith("#AI")
    code, out, _ = run(capsys, "--store", store, "star", b[:8], "--off")
    _, out, err = run(capsys, "--store", store, "list", "--starred")
    assert out == "" and err.strip() == "no stored report matches"


def test_errors_are_one_line_with_exit_codes(library, capsys) -> None:
    store, (a, *_) = library
    code, out, err = run(capsys, "--store", store, "tag", "ffffffffff", "x")
    assert code == 1 and out == "" and err == "yanbao: no stored report has an id starting with 'ffffffffff'\n"
    code, _, err = run(capsys, "--store", store, "star", "")
    assert code == 1 and "matches 3 reports" in err and len(err.splitlines()) == 1
    with pytest.raises(SystemExit) as exit_:
        main(["--store", store, "note"])
    assert exit_.value.code == 2
    capsys.readouterr()
    code, _, err = run(capsys, "--store", store, "list", "--tag", "#")
    assert code == 1 and err == "yanbao: list --tag: give a tag name\n"
    code, _, err = run(capsys, "--store", store, "note", a[:8], "-e")
    assert code in (0, 1) and "Traceback" not in err  # no editor here: one line, never a traceback


def test_note_editor_and_piped_empty_stdin(library, capsys, monkeypatch, tmp_path: Path) -> None:
    store, (a, *_) = library
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\np.write_text(p.read_text() + '编辑器里写的\\n')\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    assert run(capsys, "--store", store, "note", a[:8], "先写一句")[0] == 0
    assert run(capsys, "--store", store, "note", a[:8], "-e")[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a script's empty stdin changes nothing
    code, out, _ = run(capsys, "--store", store, "note", a[:8])
    assert code == 0 and out == "先写一句编辑器里写的\n"
    code, out, _ = run(capsys, "--store", store, "note", a[:8], "--clear")
    assert "note removed" in out
    monkeypatch.setenv("VISUAL", "false")
    code, _, err = run(capsys, "--store", store, "note", a[:8], "-e")
    assert code == 1 and "exited with status 1; the note is unchanged" in err


def test_marks_survive_re_ingest_and_doctor_restore(library, tmp_path: Path, capsys) -> None:
    """Issue 15's must-show: a tagged, starred, annotated report keeps all three after
    re-ingest and after ``doctor --restore``."""
    store, (a, *_) = library
    run(capsys, "--store", store, "tag", a[:8], "capex", "跟踪")
    run(capsys, "--store", store, "star", a[:8])
    run(capsys, "--store", store, "note", a[:8], "问管理层：折旧年限？")

    def marks() -> tuple:
        with DigestStore(store) as s:
            m = s.marks(a)
            return m.star, m.tags, m.note

    expected = (True, ("capex", "跟踪"), "问管理层：折旧年限？")
    source = next(p for p in (tmp_path / "r").iterdir() if hashlib.sha256(p.read_bytes()).hexdigest() == a)
    copy = tmp_path / "again" / "renamed copy.pdf"
    copy.parent.mkdir()
    shutil.copy(source, copy)
    for path in (source, copy):  # the same file again, under its own and another name
        code, out, _ = run(capsys, "--store", store, "ingest", str(path))
        assert code == 0 and "already in the store" in out
    assert marks() == expected
    with DigestStore(store) as s:  # dropped and ingested anew: parsed again, same id
        digest_id = s.find_ids(a[:12])[0]
        assert s.remove(digest_id)
    code, out, _ = run(capsys, "--store", store, "ingest", str(copy))
    assert code == 0 and "1 ok" in out
    assert marks() == expected

    Path(store).write_bytes(b'{"meta": {"store": ')  # the store file torn
    code, out, _ = run(capsys, "--store", store, "doctor")
    assert code == 1 and "PROBLEM" in out
    code, out, _ = run(capsys, "--store", store, "doctor", "--restore")
    assert code == 0 and "restored the backup" in out
    code, out, _ = run(capsys, "--store", store, "doctor")
    assert code == 0 and "loads fine: 3 digests" in out
    assert marks() == expected
    _, out, _ = run(capsys, "--store", store, "list", "--tag", "跟踪", "--starred")
    assert [line.split()[0] for line in out.splitlines()] == [a[:12]]


def test_search_takes_the_readers_marks(library, capsys) -> None:
    store, (a, b, c) = library
    run(capsys, "--store", store, "tag", a[:8], "capex")
    run(capsys, "--store", store, "star", b[:8])
    run(capsys, "--store", store, "note", c[:8], "追问折旧政策")
    code, out, _ = run(capsys, "--store", store, "search", "tag:capex")
    assert code == 0 and [line.split()[0] for line in out.splitlines() if not line.startswith(" ")] == [a[:12]]
    code, out, _ = run(capsys, "--store", store, "search", "微软", "starred")
    assert code == 0 and [line.split()[0] for line in out.splitlines() if not line.startswith(" ")] == [b[:12]]
    code, out, _ = run(capsys, "--store", store, "search", "折旧政策")
    assert code == 0 and out.split()[0] == c[:12]
    code, _, err = run(capsys, "--store", store, "search", "unread", "tag:nothing")
    assert code == 1 and "no report matches" in err
