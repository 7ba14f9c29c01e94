"""``yanbao ingest --watch``: reports copied into a watched folder are ingested within 2 s; a
partial download is ignored until it is renamed to its report name."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from yanbao.store.db import DigestStore
from yanbao.store.folder_watch import ReportFilter, watch_and_ingest
from yanbao.store.ingest import ingest_paths
from watchfiles import Change

SAMPLES = Path(__file__).resolve().parents[2] / "sample_reports"


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_report_filter_passes_reports_only() -> None:
    keep = ReportFilter()
    assert keep(Change.added, "/in/a.pdf") and keep(Change.modified, "/in/B.TXT")
    assert not keep(Change.deleted, "/in/a.pdf")
    for name in ("a.pdf.part", "a.pdf.crdownload", ".a.pdf", "~$a.txt", "a.docx"):
        assert not keep(Change.added, f"/in/{name}"), name


def test_watcher_ingests_a_copied_pdf_and_waits_for_a_partial_download(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    store = DigestStore(tmp_path / "store.json")
    stop = threading.Event()
    batches = []
    thread = threading.Thread(
        target=watch_and_ingest, args=([inbox], store),
        kwargs=dict(on_batch=batches.append, stop=stop, jobs=1, debounce_ms=200), daemon=True,
    )
    thread.start()
    time.sleep(0.5)  # the watch is set up
    try:
        first = SAMPLES / "km_msft_2025q2.pdf"
        # What ingesting this file costs on this machine right now, measured in the same run:
        # the watcher may add at most 2 s to it (debounce and the settle check).
        started = time.monotonic()
        ingest_paths([first], DigestStore(tmp_path / "direct.json"), jobs=1)
        direct = time.monotonic() - started
        started = time.monotonic()
        shutil.copy(first, inbox / first.name)
        assert _wait_for(lambda: len(store.summaries()) == 1, direct + 10), "never ingested"
        assert time.monotonic() - started <= direct + 2.0

        second = SAMPLES / "ls_2025q1_weekly.pdf"
        partial = inbox / (second.name + ".part")
        shutil.copy(second, partial)
        time.sleep(1.0)
        assert len(store.summaries()) == 1  # the .part file is not a report
        partial.rename(inbox / second.name)
        started = time.monotonic()
        assert _wait_for(lambda: len(store.summaries()) == 2, direct + 10), "renamed download never ingested"
        assert time.monotonic() - started <= direct + 2.0
        assert all(b.failed == 0 for b in batches)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_cli_watch_needs_a_folder(tmp_path: Path) -> None:
    report = tmp_path / "one.txt"
    shutil.copy(SAMPLES / "ls_2025q3_weekly.txt", report)
    done = subprocess.run(
        [sys.executable, "-m", "yanbao.tui.cli", "--store", str(tmp_path / "s.json"), "ingest", "--watch", str(report)],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 2 and "--watch needs a folder" in done.stderr
    assert "1 ok" in done.stdout  # the file itself was still ingested first
