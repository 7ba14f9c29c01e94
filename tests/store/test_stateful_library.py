"""A library under a random mix of what users and accidents do to it (issue 18): ingests
through the real CLI in a subprocess (some killed with SIGKILL mid-run), watchlist
changes, tags and notes. After every step the library opens, ``yanbao doctor`` says it is
fine, and nothing committed is lost: every digest an ingest acknowledged or that was ever
seen stored, the watchlist, every tag and note."""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import report_lines, write_pdf
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from yanbao.store.db import DigestStore
from yanbao.tui.cli import main

YANBAO = Path(sys.executable).parent / "yanbao"
COMPANIES = ["腾讯控股", "Tencent", "Microsoft", "MSFT", "阿里巴巴", "某未知公司"]
TAGS = ["capex", "Capex", "AI", "跟踪", "ＡＩ"]
_numbers = itertools.count(1)  # every report made in a run says something of its own


def cli(*argv: str) -> tuple[int, str]:
    """The CLI in this process (quick for the small writes); exit status and stdout."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue(), err.getvalue()
    return code, out.getvalue()


class LibraryMachine(RuleBasedStateMachine):
    """The model: what must be in the library whatever happened since."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="yanbao-stateful-"))
        self.store = str(self.folder / "store.json")
        self.seen: set[str] = set()  # every digest ever found stored (committed)
        self.acknowledged: set[str] = set()  # every file an ingest reported done
        self.watched: set[str] = set()
        self.tags: dict[str, set[str]] = {}  # digest id -> casefolded tags
        self.notes: dict[str, str] = {}
        self.inboxes = 0

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _inbox(self, texts: int, pdfs: int) -> tuple[Path, set[str]]:
        """A new folder of distinct small reports (our own words); their digest ids."""
        self.inboxes += 1
        inbox = self.folder / f"inbox{self.inboxes:02d}"
        inbox.mkdir()
        for _ in range(texts):
            n = next(_numbers)
            (inbox / f"r{n}.txt").write_text("\n".join(report_lines(n)) + "\n", encoding="utf-8")
        for _ in range(pdfs):
            n = next(_numbers)
            write_pdf(inbox / f"r{n}.pdf", [report_lines(n)])
        return inbox, {hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()}

    # -- rules ------------------------------------------------------------------------------

    @rule(texts=st.integers(1, 4), pdfs=st.integers(0, 1))
    def ingest(self, texts: int, pdfs: int) -> None:
        inbox, ids = self._inbox(texts, pdfs)
        done = subprocess.run([str(YANBAO), "--store", self.store, "ingest", str(inbox), "--jobs", "1"],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip().endswith(f"{len(ids)} ok, 0 skipped, 0 failed"), done.stdout
        self.acknowledged |= ids

    @rule(data=st.data())
    @precondition(lambda self: self.inboxes > 0)
    def ingest_again(self, data: st.DataObject) -> None:
        """The same folder again: every file is already stored, nothing changes."""
        inbox = self.folder / f"inbox{data.draw(st.integers(1, self.inboxes)):02d}"
        done = subprocess.run([str(YANBAO), "--store", self.store, "ingest", str(inbox), "--jobs", "1", "-q"],
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0 and " 0 failed" in done.stdout, done.stdout + done.stderr

    @rule(delay=st.floats(0.2, 3.0))
    def ingest_killed(self, delay: float) -> None:
        """An ingest of a bigger folder, killed with SIGKILL after ``delay`` seconds."""
        inbox, ids = self._inbox(40, 0)
        proc = subprocess.Popen([str(YANBAO), "--store", self.store, "ingest", str(inbox), "--jobs", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        if proc.returncode == 0:  # it finished first: every file acknowledged
            assert out.strip().endswith(f"{len(ids)} ok, 0 skipped, 0 failed"), out
            self.acknowledged |= ids

    @rule(name=st.sampled_from(COMPANIES))
    def watch_add(self, name: str) -> None:
        code, _ = cli("--store", self.store, "watch", "add", name)
        assert code == 0
        canonical = DigestStore._resolve(name).name
        if canonical.casefold() not in {w.casefold() for w in self.watched}:
            self.watched.add(canonical)

    @rule(name=st.sampled_from(COMPANIES))
    def watch_remove(self, name: str) -> None:
        canonical = DigestStore._resolve(name).name
        code, _ = cli("--store", self.store, "watch", "rm", name)
        was = {w for w in self.watched if w.casefold() == canonical.casefold()}
        assert code == (0 if was else 1)
        self.watched -= was

    @rule(data=st.data(), tag=st.sampled_from(TAGS), remove=st.booleans())
    @precondition(lambda self: self.seen)
    def tag(self, data: st.DataObject, tag: str, remove: bool) -> None:
        digest_id = data.draw(st.sampled_from(sorted(self.seen)))
        code, _ = cli("--store", self.store, "tag", digest_id[:16], tag, *(["--remove"] if remove else []))
        assert code == 0
        key = "ai" if tag == "ＡＩ" else tag.casefold()  # full-width folds to AI
        tags = self.tags.setdefault(digest_id, set())
        (tags.discard if remove else tags.add)(key)

    @rule(data=st.data(), text=st.sampled_from(["问管理层：折旧年限\n第二行", "capex up", ""]))
    @precondition(lambda self: self.seen)
    def note(self, data: st.DataObject, text: str) -> None:
        digest_id = data.draw(st.sampled_from(sorted(self.seen)))
        code, _ = cli("--store", self.store, "note", digest_id[:16], *([text] if text else ["--clear"]))
        assert code == 0
        self.notes[digest_id] = text

    # -- what must hold after every step ------------------------------------------------------

    @invariant()
    def nothing_committed_is_lost(self) -> None:
        with DigestStore(self.store) as store:  # opens: finishes a killed writer's job
            stored = {row.id for row in store.summaries()}
            assert self.acknowledged <= stored, f"lost acknowledged {sorted(self.acknowledged - stored)[:2]}"
            assert self.seen <= stored, f"lost committed {sorted(self.seen - stored)[:2]}"
            self.seen |= stored
            assert {w.name for w in store.watchlist()} == self.watched
            for digest_id, tags in self.tags.items():
                assert {t.casefold() for t in store.marks(digest_id).tags} == tags
            for digest_id, note in self.notes.items():
                assert store.marks(digest_id).note == note
            assert len(store.all()) == len(stored)  # every listed report reads back
        code, out = cli("--store", self.store, "doctor")
        assert code == 0, out
        if Path(self.store).exists():
            assert "loads fine" in out and f"{len(self.seen)} digests" in out, out


@pytest.mark.slow
def test_library_under_random_ingests_kills_watch_and_tags() -> None:
    run_state_machine_as_test(LibraryMachine, settings=settings(
        max_examples=3, stateful_step_count=10, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]))
