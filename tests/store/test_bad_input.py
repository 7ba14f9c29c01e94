"""Issue 9: a corpus of broken, encrypted, scanned and huge files, built at test time.

Each bad file gets one line naming it and the reason; the batch goes on; good files in the
same batch are stored; the exit status is 1; no traceback or pdfminer noise reaches the user.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from yanbao.store.db import DigestStore
from yanbao.store.model import KeyPoint
from yanbao.tui.cli import main

PASSWORD = "s3cret"

# file name -> words its one-line reason must contain
EXPECTED_FAILURES = {
    "truncated.pdf": "truncated",
    "not-a-pdf.pdf": "not a PDF",
    "empty.pdf": "empty",
    "empty.txt": "empty",
    "encrypted.pdf": "password",
    "scan.pdf": "no text layer",
    "latin1.txt": "encoding not recognised",
}


@pytest.fixture
def corpus(tmp_path: Path, make_pdf) -> Path:
    """Good and bad files side by side in one folder."""
    folder = tmp_path / "inbox"
    good = make_pdf("inbox/good-1.pdf", 1)
    make_pdf("inbox/good-2.pdf", 2, pages=3)
    (folder / "good-3.txt").write_text(
        "测试证券 晨会纪要\n云业务收入同比增长28%\n投资要点\n1）海外云厂商资本开支继续上调。\n风险提示\n行业竞争加剧。\n",
        encoding="utf-8",
    )
    whole = good.read_bytes()
    (folder / "truncated.pdf").write_bytes(whole[: len(whole) // 2])
    (folder / "not-a-pdf.pdf").write_text("Quarterly notes, saved with the wrong extension.\n")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "empty.txt").write_bytes(b"")
    make_pdf("inbox/encrypted.pdf", 3, user_password=PASSWORD)
    make_pdf("inbox/scan.pdf", 4, image_only=True, pages=2)
    (folder / "latin1.txt").write_bytes(
        ("Résumé des marchés : la croissance du cloud dépasse les attentes. " * 40).encode("latin-1")
    )
    line = "云业务收入同比增长33%，高于市场预期；资本开支指引上调。"
    (folder / "one-line-5mb.txt").write_text(line * (5 * 1024 * 1024 // len(line.encode())), encoding="utf-8")
    make_pdf("inbox/long-500-pages.pdf", 5, pages=500)
    return folder


@pytest.mark.slow
def test_bad_input_corpus(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_path = tmp_path / "store.json"
    code = main(["--store", str(store_path), "ingest", str(corpus), "--jobs", "2"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in out + err
    failed_lines = err.splitlines()
    assert len(failed_lines) == len(EXPECTED_FAILURES), err  # one line each, no pdfminer noise
    for name, words in EXPECTED_FAILURES.items():
        (line,) = [ln for ln in failed_lines if ln.startswith(f"{corpus / name}: failed: ")]
        assert words in line, line
    good = ["good-1.pdf", "good-2.pdf", "good-3.txt", "one-line-5mb.txt", "long-500-pages.pdf"]
    assert out.strip().endswith(f"{len(good)} ok, 0 skipped, {len(EXPECTED_FAILURES)} failed")
    store = DigestStore(store_path)
    for name in good:
        sha = hashlib.sha256((corpus / name).read_bytes()).hexdigest()
        assert store.has(sha), name
    assert store.get(hashlib.sha256((corpus / "long-500-pages.pdf").read_bytes()).hexdigest()).source.pages == 500

    # The password opens the encrypted file; everything else is skipped by hash or fails again.
    code = main(["--store", str(store_path), "ingest", str(corpus / "encrypted.pdf"), "--password", PASSWORD])
    out, err = capsys.readouterr()
    assert code == 0 and out.strip() == "1 ok, 0 skipped, 0 failed", out + err
    code = main(["--store", str(store_path), "ingest", str(corpus / "encrypted.pdf"), str(corpus / "scan.pdf")])
    out, err = capsys.readouterr()
    assert code == 1 and "1 skipped" in out and "scan.pdf: failed:" in err


def test_timeout_is_reported_per_file(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--store", str(tmp_path / "s.json"), "ingest", str(corpus / "long-500-pages.pdf"),
                 str(corpus / "empty.txt"), "--timeout", "0.5"])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"{corpus / 'long-500-pages.pdf'}: failed: timed out after 0.5 s" in err.splitlines()
    assert out.strip().endswith("0 ok, 0 skipped, 2 failed")


MARKUP = "[bold red]红[/] [link=https://x.example]l[/link] [@click=app.quit]quit[/] [图表1]"
ESCAPES = "\x1b[31mred\x1b[0m \x1b]8;;https://x.example\x07osc\x1b]8;;\x07 bell\x07 \x9b2J"


def test_markup_and_escapes_show_literally_in_list_and_show(tmp_path: Path, make_digest, capsys) -> None:
    store_path = tmp_path / "s.json"
    digest = make_digest(1, title=f"{MARKUP} {ESCAPES}", broker="[b]券商[/b]\x1b[2J",
                         key_points=[KeyPoint(MARKUP, [ESCAPES, "[type=x, v={'a[0]'}]"])], risks=[MARKUP + ESCAPES])
    DigestStore(store_path).add(digest)
    for argv in (["list"], ["show", digest.id[:10]], ["watch", "list"]):
        assert main(["--store", str(store_path), *argv]) == 0
        out, _ = capsys.readouterr()
        assert not any(ch in out for ch in "\x1b\x07\x9b"), (argv, out)
        if argv[0] != "watch":
            assert "[bold red]红[/]" in out and "[@click=app.quit]quit[/]" in out and "[图表1]" in out
    assert main(["--store", str(store_path), "show", digest.id[:10], "--json"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out)["title"] == digest.title  # JSON keeps the text exactly (escaped by JSON)
    assert not any(ch in out for ch in "\x1b\x07\x9b")
