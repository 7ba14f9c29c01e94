"""Ingest benchmarks: ``yanbao ingest`` on a folder of real PDFs against pdfminer.six,
``--jobs 2`` against ``--jobs 1``, and re-ingest of the unchanged folder against the first.

Every side runs as a fresh process on the same files, so interpreter start-up and imports
count on both sides; each round runs the sides one after another and the fastest round of
each side is kept (the machine is shared: the minimum is the least disturbed run).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from benchmarks.report import Figure, slowdown, speedup, timed, timed_run

__all__ = ["ingest_figures", "yanbao_command"]


def yanbao_command() -> list[str]:
    """The installed ``yanbao`` console script beside this Python, else ``python -m tui.cli``."""
    script = Path(sys.executable).with_name("yanbao")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "tui.cli"]


def isolated_env(folder: Path) -> dict[str, str]:
    """The environment for subprocesses: never the user's own store."""
    env = dict(os.environ)
    env["YANBAO_STORE"] = str(folder / "not-used.json")
    return env


def _ingest(folder: Path, store: Path, jobs: int | None, env: dict[str, str]) -> tuple[float, str]:
    argv = yanbao_command() + ["--store", str(store), "ingest", "-q"]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
    took, done = timed_run(argv + [str(folder)], env=env)
    return took, done.stdout.decode(errors="replace").strip().splitlines()[-1]


def _counts(summary: str) -> dict[str, int]:
    return {k: int(v) for v, k in re.findall(r"(\d+) (ok|skipped|failed)", summary)}


def ingest_figures(pdf_folder: Path, work: Path, rounds: int) -> list[Figure]:
    """Ingest overhead, parallel speed-up and re-ingest speed-up on the PDFs in ``pdf_folder``."""
    n = len(list(pdf_folder.glob("*.pdf")))
    env = isolated_env(work)
    samples: dict[str, list[float]] = {"pdfminer": [], "jobs1": [], "jobs2": [], "first": [], "again": []}
    summaries: dict[str, str] = {}
    for r in range(rounds):
        took, _ = timed_run([sys.executable, "-m", "benchmarks.pdfminer_baseline", str(pdf_folder)], env=env)
        samples["pdfminer"].append(took)
        for jobs in (1, 2):
            took, summaries[f"jobs{jobs}"] = _ingest(pdf_folder, work / f"jobs{jobs}-{r}.json", jobs, env)
            samples[f"jobs{jobs}"].append(took)
        store = work / f"default-{r}.json"
        took, summaries["first"] = _ingest(pdf_folder, store, None, env)
        samples["first"].append(took)
        took, summaries["again"] = _ingest(pdf_folder, store, None, env)
        samples["again"].append(took)
    for key in ("jobs1", "jobs2", "first"):
        if _counts(summaries[key]).get("ok") != n:
            raise RuntimeError(f"ingest ({key}) did not store all {n} PDFs: {summaries[key]}")
    if _counts(summaries["again"]).get("skipped") != n:
        raise RuntimeError(f"re-ingest did not skip all {n} PDFs: {summaries['again']}")

    # In-process re-ingest (no interpreter start-up): what the app's ingest dialog sees.
    from store.db import DigestStore
    from store.ingest import ingest_paths

    with DigestStore(work / f"default-{rounds - 1}.json") as db:
        in_process, report = timed(lambda: ingest_paths([pdf_folder], db))
    best = {k: min(v) for k, v in samples.items()}
    files = f"{n} PDFs"
    return [
        slowdown("ingest vs pdfminer extract_text (jobs 1)", best["jobs1"], best["pdfminer"], "s", 1.10,
                 note=f"{files}; yanbao ingest --jobs 1 vs extract_text, each a fresh process",
                 samples=samples["jobs1"], baseline_samples=samples["pdfminer"]),
        speedup("ingest --jobs 2 vs --jobs 1", best["jobs2"], best["jobs1"], "s", 1.7,
                note=files, samples=samples["jobs2"], baseline_samples=samples["jobs1"]),
        speedup("re-ingest unchanged folder vs first", best["again"], best["first"], "s", 100,
                note=f"{files}; yanbao ingest (default jobs) twice; in-process re-ingest "
                     f"{in_process * 1000:.0f} ms ({report.summary()})",
                samples=samples["again"], baseline_samples=samples["first"], in_process_s=in_process),
    ]
