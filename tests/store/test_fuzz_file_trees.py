"""Issue 18: fuzz over hostile folder trees — names that are not UTF-8 or hold escapes,
symlink loops and links to nothing, named pipes, unreadable folders and files, contents
from empty to NUL bytes to broken PDFs. ``ingest`` and ``parse`` never print ``internal
error``, every line is clean, and the summary adds up."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import report_lines, write_pdf
from tests.store.unprivileged import cli_without_root, give_to_nobody

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")
SUMMARY = re.compile(r"^(\d+) ok, (\d+) skipped, (\d+) failed$")

NAME_PARTS = [b"a", b"report", b"\xe7\xa0\x94\xe6\x8a\xa5", b" ", b"-", b"\xff", b"\xfe\x80", b"\x1b[31m",
              b"\x1b]0;t\x07", b"\xc2\x9b2J", b"\n", b"\t", b"..", b"[b]", b"%"]
SUFFIXES = [b".pdf", b".txt", b".PDF", b".Txt", b"", b".docx"]


@st.composite
def names(draw) -> bytes:
    stem = b"".join(draw(st.lists(st.sampled_from(NAME_PARTS), min_size=1, max_size=6)))
    name = (b"." if draw(st.booleans()) and draw(st.booleans()) else b"") + stem + draw(st.sampled_from(SUFFIXES))
    return name[:200] if name not in (b".", b"..") else b"x.txt"


_PDF: bytes | None = None


def _pdf_bytes() -> bytes:
    global _PDF
    if _PDF is None:
        folder = Path(tempfile.mkdtemp())
        _PDF = write_pdf(folder / "r.pdf", [report_lines(7)]).read_bytes()
        shutil.rmtree(folder)
    return _PDF


@st.composite
def contents(draw) -> bytes:
    kind = draw(st.sampled_from(["empty", "nul", "random", "report", "pdf", "cut pdf", "pdf header"]))
    if kind == "empty":
        return b""
    if kind == "nul":
        return b"\x00" * draw(st.integers(1, 5000))
    if kind == "random":
        return draw(st.binary(min_size=1, max_size=2000))
    if kind == "report":
        noise = draw(st.text(max_size=40))
        return "\n".join([*report_lines(draw(st.integers(0, 99))), noise]).encode("utf-8", "surrogatepass")
    pdf = _pdf_bytes()
    if kind == "pdf":
        return pdf
    if kind == "cut pdf":
        return pdf[: draw(st.integers(1, len(pdf) - 1))]
    return b"%PDF-1.4\n" + draw(st.binary(max_size=500))


ENTRY = st.tuples(
    st.sampled_from(["dir", "file", "file", "file", "link", "fifo"]),
    st.integers(0, 20),  # which folder it goes in (modulo the folders so far)
    names(),
    contents(),
    st.integers(0, 20),  # link target: another entry (modulo), or one of the odd ones
    st.sampled_from([None, None, None, 0o000, 0o200, 0o500, 0o644]),
)


def build(root: Path, entries: list) -> list[Path]:
    """Make the tree; return every entry made (folders included)."""
    root_b = os.fsencode(root)
    folders = [root_b]
    made: list[bytes] = []
    modes: list[tuple[bytes, int]] = []
    for kind, where, name, data, target, mode in entries:
        path = os.path.join(folders[where % len(folders)], name)
        if os.path.lexists(path):
            continue
        if kind == "dir":
            os.mkdir(path)
            folders.append(path)
        elif kind == "file":
            with open(path, "wb") as out:
                out.write(data)
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            odd = [b"..", b".", b"nowhere.pdf", root_b, path]  # up, here, dangling, top, itself
            pool = made + odd
            os.symlink(pool[target % len(pool)], path)
        made.append(path)
        if mode is not None and kind != "link":
            modes.append((path, mode))
    give_to_nobody(root, *(Path(os.fsdecode(p)) for p in made))
    for path, mode in modes:  # last: a folder made unreadable first could not be filled
        os.chmod(path, mode)
    return [Path(os.fsdecode(p)) for p in made]


def check_output(code: int, out: str, err: str, *, summary: bool) -> None:
    assert code in (0, 1), (code, out, err)
    assert "internal error" not in out + err and "Traceback" not in out + err, err
    assert not UNSAFE.search(out) and not UNSAFE.search(err), (out, err)
    if summary:
        lines = out.splitlines()
        counts = SUMMARY.match(lines[-1])
        assert counts, out
        skipped = [ln for ln in lines[:-1] if ": skipped: " in ln]
        failed = [ln for ln in err.splitlines() if ": failed: " in ln]
        assert len(skipped) == len(lines) - 1 == int(counts[2]), out
        assert len(failed) == len(err.splitlines()) == int(counts[3]), err
        assert code == (1 if failed else 0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ENTRY, max_size=14), st.lists(st.integers(0, 20), max_size=3))
def test_hostile_trees_never_break_ingest(entries: list, named: list[int]) -> None:
    top = Path(tempfile.mkdtemp(prefix="yanbao-fuzz-"))
    try:
        root = top / "tree"
        root.mkdir()
        made = build(root, entries)
        give_to_nobody(top)
        given = [str(root)] + [str(made[i % len(made)]) for i in named if made]
        code, out, err = cli_without_root(["--store", str(top / "s.json"), "ingest", *given], top)
        check_output(code, out, err, summary=True)
        for path in made[:2]:
            code, out, err = cli_without_root(["parse", str(path)], top)
            check_output(code, out, err, summary=False)
    finally:
        for folder, dirs, _files in os.walk(top):
            for d in dirs:
                if not os.path.islink(os.path.join(folder, d)):
                    os.chmod(os.path.join(folder, d), 0o700)
        shutil.rmtree(top, ignore_errors=True)
