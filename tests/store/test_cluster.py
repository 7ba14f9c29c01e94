"""``yanbao ingest --executor dask://HOST:PORT``: parsing on a Dask cluster, one writer here."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import report_lines, write_pdf
from yanbao.store import cluster
from yanbao.tui.cli import main

distributed = pytest.importorskip("distributed")

SAMPLES = Path(__file__).resolve().parents[2] / "sample_reports"


@pytest.fixture(scope="module")
def scheduler() -> str:
    """A light local cluster: one worker, two threads, in this process."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=":0") as local:  # any free port
        yield local.scheduler_address.replace("tcp://", "dask://")


def _stored(store: str, capsys: pytest.CaptureFixture[str]) -> dict[str, dict]:
    """Every stored digest, by id, as ``yanbao show --json`` gives it."""
    capsys.readouterr()
    assert main(["--store", store, "list", "--json"]) == 0
    digests = {}
    for row in json.loads(capsys.readouterr().out):
        assert main(["--store", store, "show", "--json", row["id"]]) == 0
        digests[row["id"]] = json.loads(capsys.readouterr().out)
    return digests


@pytest.mark.slow
def test_cluster_ingest_stores_what_a_local_ingest_stores(scheduler: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for sample in sorted(SAMPLES.glob("*.pdf"))[:4] + sorted(SAMPLES.glob("*.txt"))[:2]:
        shutil.copy(sample, inbox / sample.name)
    (inbox / "truncated.pdf").write_bytes((SAMPLES / "km_2024q4_sector.pdf").read_bytes()[:3000])
    local, remote = str(tmp_path / "local.json"), str(tmp_path / "remote.json")

    assert main(["--store", local, "ingest", "--jobs", "1", str(inbox)]) == 1  # the truncated file fails
    local_out = capsys.readouterr()
    assert main(["--store", remote, "ingest", "--executor", scheduler, str(inbox)]) == 1
    remote_out = capsys.readouterr()
    # the same per-file reasons and summary, through the same writer
    assert remote_out.err == local_out.err and "truncated.pdf" in remote_out.err
    assert remote_out.out == local_out.out
    stored = _stored(remote, capsys)
    assert len(stored) == 6 and stored == _stored(local, capsys)

    # stored files are skipped by content before anything is sent to the cluster
    assert main(["--store", remote, "ingest", "--executor", scheduler, str(inbox)]) == 1
    again = capsys.readouterr()
    assert again.out.count("already in the store") == 6


def test_a_file_the_cluster_cannot_see_says_so(scheduler: str, tmp_path: Path) -> None:
    from yanbao.store.workers import ParseOutcome

    pool = cluster.ClusterPool(scheduler, 60.0, None, False, "pdfminer")
    try:
        report = write_pdf(tmp_path / "r.pdf", [report_lines(1)])
        report.rename(tmp_path / "moved.pdf")  # hashed here, gone when the worker looks
        from collections import deque

        pool.fill(deque([(report, "")]))
        outcomes: list[ParseOutcome] = []
        while pool.busy:
            outcomes += pool.wait_some(1.0)
    finally:
        pool.close()
    assert [o.reason for o in outcomes] == [
        "no such file on the cluster's worker (the cluster must see the same paths as this machine)"]


@pytest.mark.parametrize("address", ["dask://nohost", "http://127.0.0.1:8786", "dask://:8786"])
def test_a_malformed_address_is_a_usage_error(address: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--store", str(tmp_path / "s.json"), "ingest", "--executor", address, str(tmp_path)])
    assert caught.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "dask://HOST:PORT" in err[0]


def test_no_scheduler_at_the_address_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    with socket.socket() as free:  # a port nobody listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    report = write_pdf(tmp_path / "r.pdf", [report_lines(1)])
    code = main(["--store", str(tmp_path / "s.json"), "ingest", "--executor", f"dask://127.0.0.1:{port}", str(report)])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"yanbao ingest: cannot reach the Dask scheduler at tcp://127.0.0.1:{port}")
