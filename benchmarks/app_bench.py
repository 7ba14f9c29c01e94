"""App benchmarks: first paint with a big store vs an empty one, cursor moves in the big
list, peak memory. Each run is a fresh process (``benchmarks.app_probe``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.ingest_bench import isolated_env
from benchmarks.report import Figure, absolute, median, slowdown, timed_run

__all__ = ["app_figures"]


def _probe(store: Path, work: Path, moves: int, panes: bool = False) -> dict:
    argv = [sys.executable, "-m", "benchmarks.app_probe", str(store), "--moves", str(moves)]
    if panes:
        argv.append("--panes")
    _, done = timed_run(argv, env=isolated_env(work), timeout=900)
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def app_figures(work: Path, big_store: Path, small_store: Path, n: int, small_n: int,
                rounds: int, moves: int) -> list[Figure]:
    """First paint (big vs empty), cursor median (big list; baseline a small list) and peak memory."""
    empty = work / "empty-app.json"
    big_runs, empty_runs = [], []
    for r in range(rounds):
        # Only the last round moves the cursor and opens the panes; all rounds time first paint.
        last = r == rounds - 1
        empty_runs.append(_probe(empty, work, 0))
        big_runs.append(_probe(big_store, work, moves if last else 0, panes=last))
        if big_runs[-1]["rows"] != n:
            raise RuntimeError(f"the app listed {big_runs[-1]['rows']} rows for {n} digests")
    small_run = _probe(small_store, work, moves)
    big_paint = median([run["first_paint_s"] for run in big_runs])
    empty_paint = median([run["first_paint_s"] for run in empty_runs])
    cursor = big_runs[-1]["cursor_ms"]
    floor = median(big_runs[-1].get("unbound_key_ms", []))
    wall = median(big_runs[-1].get("cursor_wall_ms", []))
    return [
        slowdown(f"app first paint, {n:,} digests vs empty", big_paint, empty_paint, "s", 1.5,
                 note=f"headless run_test, median of {rounds} (imports excluded); idle "
                      f"{big_runs[-1]['settled_s']:.1f} s after start; panes 2-4 then took "
                      f"{big_runs[-1].get('panes_s', 0):.1f} s (they read the digests they show)",
                 runs=big_runs, baseline_runs=empty_runs),
        absolute(f"cursor move in {n:,}-row list (median)", median(cursor), median(small_run["cursor_ms"]),
                 "ms", 16, strict=True,
                 note=f"app-thread CPU per press of down, {len(cursor)} presses once the app is idle "
                      f"(settled {big_runs[-1]['settled_s']:.1f} s after start), until handled and painted; "
                      f"baseline: a {small_n}-row list; an unbound key costs {floor:.1f} ms; wall time "
                      f"per press incl. idle polling {wall:.0f} ms",
                 samples_ms=cursor, baseline_samples_ms=small_run["cursor_ms"],
                 wall_ms=big_runs[-1].get("cursor_wall_ms"), unbound_key_ms=big_runs[-1].get("unbound_key_ms")),
        absolute(f"peak memory, app with {n:,} digests", big_runs[-1]["maxrss_mb"],
                 median([run["maxrss_mb"] for run in empty_runs]), "MB", 300, strict=True,
                 note=f"maxrss of the app process after moving the cursor and showing panes 2-4 (which "
                      f"read the digests they show); {big_runs[-1]['maxrss_list_mb']:.0f} MB before the panes; "
                      f"baseline: empty store",
                 list_only_mb=big_runs[-1]["maxrss_list_mb"]),
    ]
