"""Ingest benchmarks: ``yanbao ingest`` on a folder of real PDFs against pdfminer.six,
``--jobs 2`` against ``--jobs 1``, and re-ingest of the unchanged folder against the first.

Every side runs as a fresh process on the same files, so interpreter start-up and imports
count on both sides. The baseline is pdfminer's ``extract_text`` at the layout settings yanbao
uses (the judged figure) and at pdfminer's defaults (reported). Each round runs every side
once, the order turning round by round; figures are medians over rounds. ``--jobs 2`` is
judged against the machine's parallel capacity measured in the same rounds (pdfminer split
over two processes side by side).
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import Figure, median, slowdown, speedup, timed, timed_run

__all__ = ["ingest_figures", "yanbao_command"]


ROOT = Path(__file__).resolve().parent.parent  # the checkout these benchmarks belong to


def yanbao_command() -> list[str]:
    """``yanbao`` as ``python -m yanbao.tui.cli``: the same ``main()`` as the console script, run
    from the checkout being benchmarked rather than whatever copy is installed."""
    return [sys.executable, "-m", "yanbao.tui.cli"]


def isolated_env(folder: Path) -> dict[str, str]:
    """The environment for subprocesses: this checkout first on the path, never the user's
    own store."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["YANBAO_STORE"] = str(folder / "not-used.json")
    return env


def _ingest(folder: Path, store: Path, jobs: int | None, env: dict[str, str]) -> tuple[float, str]:
    argv = yanbao_command() + ["--store", str(store), "ingest", "-q"]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
    took, done = timed_run(argv + [str(folder)], env=env)
    return took, done.stdout.decode(errors="replace").strip().splitlines()[-1]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _parallel_capacity(pdf_folder: Path, env: dict[str, str]) -> float:
    """Wall seconds of the pdfminer baseline split over two processes running side by side."""
    argv = [sys.executable, "-m", "benchmarks.pdfminer_baseline", str(pdf_folder), "--part"]
    start = time.perf_counter()
    procs = [subprocess.Popen(argv + [f"{k}/2"], stdout=subprocess.DEVNULL, env=env) for k in range(2)]
    codes = [p.wait() for p in procs]
    if any(codes):
        raise RuntimeError(f"the split pdfminer baseline failed: exit codes {codes}")
    return time.perf_counter() - start


def _pdfminer(pdf_folder: Path, env: dict[str, str], *, defaults: bool) -> float:
    """Wall seconds of pdfminer's extract_text over the folder in one fresh process."""
    argv = [sys.executable, "-m", "benchmarks.pdfminer_baseline", str(pdf_folder)] + (["--defaults"] if defaults else [])
    return timed_run(argv, env=env)[0]


def _pages(pdf_folder: Path) -> int:
    """Pages in the folder's PDFs (0 when pdfminer cannot say)."""
    from pdfminer.pdfpage import PDFPage

    total = 0
    for path in pdf_folder.glob("*.pdf"):
        try:
            with open(path, "rb") as fh:
                total += sum(1 for _ in PDFPage.get_pages(fh))
        except Exception:  # noqa: BLE001, S112 - a damaged file has no page count to give
            continue
    return total


def _counts(summary: str) -> dict[str, int]:
    return {k: int(v) for v, k in re.findall(r"(\d+) (ok|skipped|failed)", summary)}


def _copy_store(source: Path, target: Path) -> None:
    """A copy of a library: the store file and its folder (``store.json.d``), when it has one."""
    shutil.copyfile(source, target)
    folder = Path(f"{source}.d")
    if folder.is_dir():
        shutil.copytree(folder, f"{target}.d")


def ingest_figures(pdf_folder: Path, work: Path, rounds: int, big_store: Path | None = None) -> list[Figure]:
    """Ingest overhead, parallel speed-up and re-ingest speed-up on the PDFs in ``pdf_folder``
    (and, given ``big_store``, the same ingest into a copy of that big store)."""
    n = len(list(pdf_folder.glob("*.pdf")))
    env = isolated_env(work)
    samples: dict[str, list[float]] = {
        k: [] for k in ("pdfminer", "pdfminer_defaults", "pdfminer2", "jobs1", "jobs2", "first", "again", "into_big")
    }
    cpu: dict[str, list[float]] = {k: [] for k in ("pdfminer", "jobs1", "jobs2")}
    summaries: dict[str, str] = {}

    def pdfminer(_round: int) -> None:
        before = _children_cpu()
        samples["pdfminer"].append(_pdfminer(pdf_folder, env, defaults=False))
        cpu["pdfminer"].append(_children_cpu() - before)

    def ingest(jobs: int, r: int) -> None:
        before = _children_cpu()  # the CLI waits for its workers, so their CPU counts too
        took, summaries[f"jobs{jobs}"] = _ingest(pdf_folder, work / f"jobs{jobs}-{r}.json", jobs, env)
        samples[f"jobs{jobs}"].append(took)
        cpu[f"jobs{jobs}"].append(_children_cpu() - before)

    # Each round runs every side once, in an order that turns round by round, so a machine
    # that gets busier or quieter during the run weighs on every side alike; the figures
    # are the medians over rounds.
    sides = [
        pdfminer,
        lambda r: samples["pdfminer_defaults"].append(_pdfminer(pdf_folder, env, defaults=True)),
        lambda r: samples["pdfminer2"].append(_parallel_capacity(pdf_folder, env)),
        lambda r: ingest(1, r),
        lambda r: ingest(2, r),
    ]
    for r in range(rounds):
        turn = r % len(sides)
        for side in sides[turn:] + sides[:turn]:
            side(r)
        if big_store is not None:
            into = work / f"into-big-{r}.json"
            _copy_store(big_store, into)
            took, summaries["into_big"] = _ingest(pdf_folder, into, 1, env)
            samples["into_big"].append(took)
            for leftover in work.glob(f"into-big-{r}.json*"):
                if leftover.is_dir():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()
        store = work / f"default-{r}.json"
        took, summaries["first"] = _ingest(pdf_folder, store, None, env)
        samples["first"].append(took)
        took, summaries["again"] = _ingest(pdf_folder, store, None, env)
        samples["again"].append(took)
    # Real folders may hold a PDF no engine reads (a scan): every run must store the same
    # files, and the re-ingest must skip every one of them.
    stored = _counts(summaries["first"]).get("ok", 0)
    if not stored or any(_counts(summaries[key]).get("ok") != stored for key in ("jobs1", "jobs2")):
        raise RuntimeError(f"the ingests stored different files: {summaries}")
    if _counts(summaries["again"]).get("skipped") != stored:
        raise RuntimeError(f"re-ingest did not skip all {stored} stored PDFs: {summaries['again']}")

    # In process (no interpreter start-up): the skip by content hash on its own, as the
    # app's ingest dialog runs it; the first ingest is timed the same way for the ratio.
    from yanbao.store.db import DigestStore
    from yanbao.store.ingest import ingest_paths

    with DigestStore(work / "in-process.json") as db:
        first_in, first_report = timed(lambda: ingest_paths([pdf_folder], db))
        again_in, again_report = timed(lambda: ingest_paths([pdf_folder], db))
    if first_report.ok != stored or again_report.skipped != stored:
        raise RuntimeError(f"in-process ingest: {first_report.summary()}, then {again_report.summary()}")
    mid = {k: median(v) for k, v in samples.items() if v}
    cpu_ratio = median(cpu["jobs1"]) / median(cpu["pdfminer"]) if median(cpu["pdfminer"]) else 0.0
    capacity = mid["pdfminer"] / mid["pdfminer2"]
    # With two free cores, --jobs 2 could at best be 2x faster, less the extra CPU it spends.
    cpu_bound = 2 * median(cpu["jobs1"]) / median(cpu["jobs2"]) if median(cpu["jobs2"]) else 0.0
    # --jobs 2 is judged against what the machine can give right now: pdfminer split over two
    # processes, measured in the same rounds. Within 10 % of that passes.
    least = round(0.9 * capacity, 2)
    pages = _pages(pdf_folder)
    files = f"{n} PDFs, {pages} pages" if pages else f"{n} PDFs"
    figures = [
        slowdown("ingest vs pdfminer extract_text, same layout settings (jobs 1)", mid["jobs1"], mid["pdfminer"], "s",
                 1.10,
                 note=f"{files}; yanbao ingest --jobs 1 vs extract_text(laparams=LAParams(boxes_flow=None)), each "
                      f"a fresh process, medians of {rounds} interleaved rounds; CPU time ratio {cpu_ratio:.2f}x",
                 samples=samples["jobs1"], baseline_samples=samples["pdfminer"], cpu_s=cpu["jobs1"],
                 baseline_cpu_s=cpu["pdfminer"]),
        Figure("ingest vs pdfminer extract_text at its defaults (jobs 1)", mid["jobs1"], mid["pdfminer_defaults"],
               "s", mid["jobs1"] / mid["pdfminer_defaults"], "report", None,
               note=f"{files}; extract_text with LAParams() (orders text boxes, which yanbao does not need)",
               details={"samples": samples["jobs1"], "baseline_samples": samples["pdfminer_defaults"]}),
        speedup("ingest --jobs 2 vs --jobs 1", mid["jobs2"], mid["jobs1"], "s", least,
                note=f"{files}; judged against the machine's own parallel capacity now: extract_text split "
                     f"over two processes is {capacity:.2f}x faster than one (target: 90 % of it); --jobs 2 uses "
                     f"{median(cpu['jobs2']) / median(cpu['jobs1']):.2f}x the CPU of --jobs 1 (at most "
                     f"{cpu_bound:.2f}x faster on two free cores)",
                samples=samples["jobs2"], baseline_samples=samples["jobs1"], cpu_s=cpu["jobs2"],
                baseline_cpu_s=cpu["jobs1"],
                capacity=capacity, capacity_samples=samples["pdfminer2"]),
        speedup("re-ingest unchanged folder vs first", again_in, first_in, "s", 100,
                note=f"{files}; ingest_paths in process (the skip by content hash, no interpreter "
                     f"start-up)", first_summary=first_report.summary(), again_summary=again_report.summary()),
        Figure("re-ingest via the yanbao CLI vs first", mid["again"], mid["first"], "s",
               mid["first"] / mid["again"] if mid["again"] else 0.0, "report", None,
               note=f"{files}; yanbao ingest (default jobs) twice, fresh processes: interpreter "
                    f"start-up and imports dominate the re-ingest",
               details={"samples": samples["again"], "baseline_samples": samples["first"]}),
    ]
    if samples["into_big"]:
        figures.append(Figure(
            "ingest into a big store vs an empty one (jobs 1)", mid["into_big"], mid["jobs1"], "s",
            mid["into_big"] / mid["jobs1"], "report", None,
            note=f"{files} into a copy of the big store (what the store's size costs an ingest)",
            details={"samples": samples["into_big"], "summary": summaries.get("into_big")},
        ))
    return figures
