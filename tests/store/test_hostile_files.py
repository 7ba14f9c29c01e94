"""Issue 18, a batch survives any one file: odd names, odd folder entries, odd arguments,
another writer holding the lock. Each case ends in one line per file and a summary."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from filelock import FileLock

from yanbao.store.db import DigestStore
from yanbao.store.ingest import ingest_paths
from yanbao.store.model import Digest
from yanbao.store.report_files import collect_files, path_from_text, path_text
from yanbao.store.storage import AtomicJSONStorage, lock_path
from yanbao.tui.cli import main
from tests.store.unprivileged import NOBODY, cli_without_root

YANBAO = Path(sys.executable).parent / "yanbao"
BAD_NAME = os.fsdecode(b"bad\xff\xfename.pdf")  # not valid UTF-8: Python holds it with surrogates


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def text_report(folder: Path, n: int) -> Path:
    path = folder / f"note{n:02d}.txt"
    path.write_text(f"测试证券 晨会纪要 第{n}期\n投资要点\n1）云业务收入同比增长{n}%。\n风险提示\n行业竞争加剧。\n",
                    encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- names that are not UTF-8 ------------------------------------------------------------------


def test_a_name_that_is_not_utf8_is_stored_with_the_rest(tmp_path: Path, make_pdf, capsys) -> None:
    """0 of 13 were stored before: the store's JSON encoder refused the name, and the batch."""
    folder = tmp_path / "in"
    good = [make_pdf(f"in/good{n}.pdf", n) for n in range(3)] + [text_report(folder, n) for n in range(10)]
    odd = folder / BAD_NAME
    shutil.copy(make_pdf("elsewhere.pdf", 99), odd)
    store = str(tmp_path / "s.json")
    code, out, err = run(capsys, "--store", store, "ingest", str(folder))
    assert (code, err) == (0, ""), out + err
    assert out.strip().endswith("14 ok, 0 skipped, 0 failed")
    db = DigestStore(store)
    assert all(db.has(sha(p)) for p in [*good, odd])
    stored = db.get(sha(odd)).source.path
    assert stored == str(folder / "bad\\xff\\xfename.pdf")  # valid text, every byte kept
    assert path_from_text(stored) == str(odd) and Path(path_from_text(stored)).read_bytes() == odd.read_bytes()
    code, out, _ = run(capsys, "--store", store, "show", sha(odd)[:12], "--json")
    assert code == 0 and json.loads(out)["source"]["path"] == stored
    code, out, _ = run(capsys, "--store", store, "list")
    assert code == 0 and len(out.splitlines()) == 14
    code, out, err = run(capsys, "parse", str(odd))
    assert code == 0 and "bad\\xff\\xfename.pdf" in out, err


def test_path_text_round_trips() -> None:
    for name in ("普通名字.pdf", "a\\xffb.pdf", "plain.txt"):
        assert path_text(name) == name  # valid names are left exactly as they are
    assert path_text(BAD_NAME) == "bad\\xff\\xfename.pdf"
    assert path_from_text("a\\xffb.pdf") == "a\\xffb.pdf"  # no such file: taken literally


def test_one_record_the_store_cannot_encode_never_drops_the_others(tmp_path: Path, make_pdf, monkeypatch) -> None:
    """Whatever the cause (here a lone surrogate in a title, as a broken PDF font map can
    give), the digests written in the same batch are stored and only that file fails."""
    pdfs = [make_pdf(f"b/r{n}.pdf", n) for n in range(5)]
    poisoned = sha(pdfs[2])
    to_dict = Digest.to_dict

    def with_a_surrogate(self: Digest) -> dict:
        data = to_dict(self)
        if self.id == poisoned:
            data["title"] += "\udcff"
        return data

    monkeypatch.setattr(Digest, "to_dict", with_a_surrogate)
    store = DigestStore(tmp_path / "s.json")
    report = ingest_paths([tmp_path / "b"], store, jobs=2)
    by_name = {Path(r.path).name: r for r in report.results}
    assert report.counts == {"ok": 4, "skipped": 0, "failed": 1}, report.results
    assert by_name["r2.pdf"].reason.startswith("could not be stored (")
    assert {s.id for s in DigestStore(tmp_path / "s.json").summaries()} == {sha(p) for p in pdfs} - {poisoned}


# -- folder trees that fight back ----------------------------------------------------------


@pytest.fixture
def hostile_tree(tmp_path: Path, make_pdf) -> Path:
    folder = tmp_path / "tree"
    make_pdf("tree/good.pdf", 1)
    text_report(folder, 2)
    (folder / "sub").mkdir()
    text_report(folder / "sub", 3)
    os.symlink("..", folder / "sub" / "loop")  # a folder loop: never followed
    os.symlink("b.pdf", folder / "a.pdf")  # a link loop with a report's name
    os.symlink("a.pdf", folder / "b.pdf")
    os.symlink("gone.pdf", folder / "dangling.pdf")
    os.mkfifo(folder / "pipe.txt")  # opening it would block for ever
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.pdf"))
    (folder / "zeros.txt").write_bytes(b"\x00" * 4096)
    return folder


def test_walking_a_hostile_tree_never_raises(hostile_tree: Path, tmp_path: Path, capsys) -> None:
    folder = hostile_tree
    store = str(tmp_path / "s.json")
    # The pipe and a loop are named again on their own: still one line each.
    code, out, err = run(capsys, "--store", store, "ingest", str(folder), str(folder / "pipe.txt"), str(folder / "a.pdf"))
    assert "internal error" not in out + err and "Traceback" not in out + err
    skipped = sorted(line for line in out.splitlines() if ": skipped: " in line)
    assert skipped == [
        f"{folder / 'a.pdf'}: skipped: not a regular file (a symlink loop)",
        f"{folder / 'b.pdf'}: skipped: not a regular file (a symlink loop)",
        f"{folder / 'dangling.pdf'}: skipped: not a regular file (a link to nothing)",
        f"{folder / 'pipe.txt'}: skipped: not a regular file (a named pipe)",
        f"{folder / 'sock.pdf'}: skipped: not a regular file (a socket)",
    ]
    # Nothing of the good files is read twice through sub/loop; the NUL file is refused.
    assert err.splitlines() == [f"{folder / 'zeros.txt'}: failed: the file is empty (no readable characters)"]
    assert out.strip().endswith("3 ok, 5 skipped, 1 failed") and code == 1


def test_collect_files_names_each_problem_once(hostile_tree: Path) -> None:
    found = collect_files([hostile_tree, hostile_tree / "pipe.txt", hostile_tree / "sub" / "loop"])
    assert sorted(p.name for p in found.files) == ["good.pdf", "note02.txt", "note03.txt", "zeros.txt"]
    names = [Path(path).name for path, _, _ in found.problems]
    assert len(names) == len(set(names)) == 5


def test_a_folder_that_cannot_be_read_is_an_error(tmp_path: Path) -> None:
    """It was skipped silently (0 ok, 0 skipped, 0 failed, exit 0)."""
    top = Path(tempfile.mkdtemp(prefix="yanbao-perm-"))  # not under root's private tmp_path
    try:
        tree = top / "tree"
        (tree / "locked").mkdir(parents=True)
        text_report(tree, 1)
        text_report(tree / "locked", 2)
        if os.geteuid() == 0:
            for path in (top, tree, tree / "note01.txt"):
                os.chown(path, NOBODY, NOBODY)
        (tree / "locked").chmod(0o000)
        code, out, err = cli_without_root(["--store", str(top / "s.json"), "ingest", str(tree)], tmp_path)
        assert code == 1, out + err
        assert err.splitlines() == [f"{tree / 'locked'}: failed: folder cannot be read (Permission denied)"]
        assert out.strip().endswith("1 ok, 0 skipped, 1 failed")
    finally:
        (top / "tree" / "locked").chmod(0o755)
        shutil.rmtree(top)


# -- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [["ingest", "x", "--timeout", t] for t in ("inf", "-inf", "nan", "-1", "0", "1e400", "1e9", "abc", "")]
    + [["parse", "x", "--timeout", "inf"]]
    + [["ingest", "x", "--jobs", j] for j in ("0", "-3", "100000", "2.5", "")]
    + [["--store", "", "list"], ["--store", " ", "watch", "list"]],
)
def test_absurd_arguments_are_usage_errors(argv: list[str], capsys) -> None:
    """``--timeout inf`` was ``internal error: OverflowError``."""
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "internal error" not in err, err


def test_a_watch_name_that_is_not_utf8_is_a_usage_error(tmp_path: Path, capsys) -> None:
    """It was ``internal error: TypeError: str is not valid UTF-8``."""
    code, out, err = run(capsys, "--store", str(tmp_path / "s.json"), "watch", "add", os.fsdecode(b"\xff\xfe"))
    assert code == 2 and err.count("\n") == 1 and "not valid UTF-8" in err and "internal error" not in err


# -- another writer holds the lock -----------------------------------------------------------


def hold_lock(path: Path, seconds: float, until: threading.Event | None = None) -> threading.Thread:
    """Hold the store's lock from this process (a second lock object: flock makes it count)
    for ``seconds``, counted from ``until`` being set when given."""
    taken = threading.Event()

    def hold() -> None:
        with FileLock(str(lock_path(path))):
            taken.set()
            if until is not None:
                until.wait(60)
            time.sleep(seconds)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    taken.wait(10)
    return thread


def test_ingest_waits_for_another_writer_and_says_so(tmp_path: Path) -> None:
    """2 of 22 were stored and the ingest died with no summary when the lock was held."""
    path = tmp_path / "s.json"
    DigestStore(path).watchlist_add("Tencent")  # the store exists
    (tmp_path / "in").mkdir()
    files = [text_report(tmp_path / "in", n) for n in range(22)]
    noticed = threading.Event()
    holder = hold_lock(path, 1.0, until=noticed)  # released a second after the ingest says it waits
    notes: list[str] = []

    def note(message: str) -> None:
        notes.append(message)
        noticed.set()

    store = DigestStore(storage=AtomicJSONStorage(path, lock_timeout=0.2))
    report = ingest_paths([tmp_path / "in"], store, jobs=2, note=note)
    holder.join()
    assert report.counts == {"ok": 22, "skipped": 0, "failed": 0}
    assert notes and notes[0].startswith("waiting for another yanbao writing this library…")
    assert {s.id for s in DigestStore(path).summaries()} == {sha(p) for p in files}


def test_stopping_while_locked_out_says_what_was_not_stored(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    DigestStore(path).watchlist_add("Tencent")
    (tmp_path / "in").mkdir()
    for n in range(6):
        text_report(tmp_path / "in", n)
    hold_lock(path, 30.0)
    cancel = threading.Event()
    store = DigestStore(storage=AtomicJSONStorage(path, lock_timeout=0.2))
    report = ingest_paths([tmp_path / "in"], store, jobs=2, cancel=cancel, note=lambda _m: cancel.set())
    assert report.cancelled
    assert report.counts["ok"] == 0 and report.counts["failed"] >= 1
    assert {r.reason for r in report.results} == {
        "parsed but not stored: another yanbao was writing this library; run again"
    }


def test_a_lock_held_for_ever_ends_the_batch_with_a_summary(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    DigestStore(path).watchlist_add("Tencent")
    (tmp_path / "in").mkdir()
    for n in range(4):
        text_report(tmp_path / "in", n)
    hold_lock(path, 30.0)
    store = DigestStore(storage=AtomicJSONStorage(path, lock_timeout=0.1))
    report = ingest_paths([tmp_path / "in"], store, jobs=1, lock_patience=1.0)
    assert "held the library for more than 1 s" in report.stop_reason
    assert report.counts["ok"] == 0 and len(report.results) + report.not_done == 4


HOLD_SCRIPT = """
import os, sys, time
from filelock import FileLock
with FileLock(sys.argv[1]):
    print("held", flush=True)
    deadline = time.monotonic() + 60
    while not os.path.exists(sys.argv[2]) and time.monotonic() < deadline:
        time.sleep(0.05)
"""


def test_cli_ingest_waits_with_a_message(tmp_path: Path) -> None:
    """Another process holds the lock until the ingest says it waits; then the ingest
    stores everything and ends as usual."""
    path = tmp_path / "s.json"
    DigestStore(path).watchlist_add("Tencent")
    (tmp_path / "in").mkdir()
    for n in range(3):
        text_report(tmp_path / "in", n)
    release = tmp_path / "release"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_SCRIPT, str(lock_path(path)), str(release)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    ingest = subprocess.Popen([str(YANBAO), "--store", str(path), "ingest", str(tmp_path / "in")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = ingest.stderr.readline()
    release.touch()
    out, err = ingest.communicate(timeout=120)
    holder.wait(timeout=30)
    assert first.startswith("waiting for another yanbao writing this library…"), first + err
    assert ingest.returncode == 0, err
    assert out.strip() == "3 ok, 0 skipped, 0 failed"
