"""Parsing on an existing Dask distributed cluster (``yanbao ingest --executor dask://HOST:PORT``).

Parsing is a pure function of a file, so a bulk backfill can fan out: ``ClusterPool`` has the
same face as ``store.workers.WorkerPool`` (``fill``, ``wait_some``, ``busy`` …), so
``store.ingest`` keeps its one writer, its hashing and skipping of stored files, its per-file
reasons and its summary; only where ``parse_one`` runs changes. Results stream back as they
finish (``distributed.as_completed``).

The cluster's workers read the files themselves: they must see the same paths as this
machine (a shared or mounted folder; paths are sent absolute), and have yanbao installed
(with ``yanbao[fast]`` for the pdfium engine). A file a worker cannot find fails with a
reason that says so. Time limits are kept here (a file not back in time fails; Dask cannot
stop a running task, so its thread stays busy until the parse ends); memory limits are the
cluster's own (``distributed``'s worker memory limit), not ``--memory-limit``.
"""

from __future__ import annotations

import time
from collections import deque
from pathlib import Path
from typing import Any

from yanbao.store.workers import Job, ParseOutcome, one_line, parse_one

__all__ = ["ClusterPool", "ClusterUnavailable", "cluster_address", "CONNECT_TIMEOUT_S"]

CONNECT_TIMEOUT_S = 10.0
_POLL_S = 0.02  # how often wait_some looks for finished futures


class ClusterUnavailable(Exception):
    """The cluster cannot be used (bad address, no scheduler there, ``distributed`` missing);
    the message is one line saying which."""


def cluster_address(executor: str) -> str:
    """``tcp://HOST:PORT`` for ``dask://HOST:PORT`` (also accepted: ``tcp://``, ``tls://``)."""
    text = executor.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or scheme not in ("dask", "tcp", "tls") or not rest:
        raise ClusterUnavailable(f"--executor wants dask://HOST:PORT, not {executor!r}")
    host, colon, port = rest.rstrip("/").rpartition(":")
    if not colon or not host or not port.isdigit():
        raise ClusterUnavailable(f"--executor wants dask://HOST:PORT (a host and a port number), not {executor!r}")
    return f"{'tcp' if scheme == 'dask' else scheme}://{host}:{port}"


class ClusterPool:
    """Files parsed as tasks on a Dask cluster, up to two per worker thread in flight."""

    def __init__(self, executor: str, timeout: float, password: str | None, debug: bool, engine: str,
                 *, connect_timeout: float | None = None) -> None:
        address = cluster_address(executor)
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise ClusterUnavailable("--executor needs Dask distributed: pip install 'yanbao[cluster]'") from None
        try:
            self._client = Client(address, timeout=connect_timeout or CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address} ({one_line(exc) or type(exc).__name__})") from None
        try:
            threads = sum(self._client.nthreads().values())
            self._done = as_completed(loop=self._client.loop)
        except Exception:
            self._client.close()
            raise
        self.jobs = max(1, threads)
        self.timeout, self.password, self.debug, self.engine = timeout, password, debug, engine
        self.start_problem = ""
        self._running: dict[Any, tuple[Job, float]] = {}  # future → (job, deadline)

    @property
    def workers(self) -> list[Any]:
        """The files in flight (the local pool's workers stand for the same thing)."""
        return list(self._running)

    @property
    def busy(self) -> bool:
        return bool(self._running)

    @property
    def broken(self) -> bool:
        """True once the scheduler is gone: the batch stops with ``start_problem``."""
        if self._client.status in ("closed", "closing", "failed"):
            self.start_problem = "the Dask cluster went away"
            return True
        return False

    def take_back(self) -> list[Job]:
        """Files to hand out again: none (a task lost with its worker is retried by Dask)."""
        return []

    def fill(self, queue: deque[Job]) -> None:
        """Submit queued files while fewer than two per worker thread are in flight."""
        while queue and len(self._running) < 2 * self.jobs:
            job = queue.popleft()
            # Deadline: its own time plus that of a file queued ahead of it on the same thread.
            deadline = time.monotonic() + 2 * self.timeout
            future = self._client.submit(parse_one, str(Path(job[0]).absolute()), self.password, None,
                                         self.debug, self.engine, pure=False)
            self._running[future] = (job, deadline)
            self._done.add(future)

    def wait_some(self, max_wait: float | None = None) -> list[ParseOutcome]:
        """Finished files, waiting up to ``max_wait`` seconds (or a deadline) for the first."""
        until = time.monotonic() + (max_wait if max_wait is not None else self.timeout)
        until = min([until] + [deadline for _, deadline in self._running.values()])
        while not self._done.has_ready() and time.monotonic() < until:
            time.sleep(_POLL_S)
        finished = [self._outcome(future) for future in self._done.next_batch(block=False)
                    if future in self._running] if self._done.has_ready() else []
        now = time.monotonic()
        for future, (job, deadline) in list(self._running.items()):
            if now >= deadline:
                del self._running[future]
                future.cancel()
                finished.append(ParseOutcome(str(job[0]), None, f"timed out after {self.timeout:g} s on the cluster"))
        return finished

    def _outcome(self, future: Any) -> ParseOutcome:
        job, _ = self._running.pop(future)
        where = str(job[0])
        try:
            status, payload, detail = future.result()
        except Exception as exc:  # noqa: BLE001 - a worker lost, a result that cannot be unpickled
            return ParseOutcome(where, None, f"the cluster could not parse it: {type(exc).__name__}: {one_line(exc)}".rstrip(": "))
        if status == "ok":
            return ParseOutcome(where, payload)
        if payload == "no such file":
            payload = "no such file on the cluster's worker (the cluster must see the same paths as this machine)"
        return ParseOutcome(where, None, payload, detail)

    def close(self) -> None:
        """Cancel what is still in flight and disconnect (the cluster itself keeps running)."""
        if self._running:
            self._client.cancel(list(self._running))
            self._running.clear()
        self._client.close()
