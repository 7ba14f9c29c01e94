"""Run the app headless on one store and print timings as JSON (one process per store).

``python -m benchmarks.app_probe STORE [--moves N] [--size 160x50]`` prints
``{"first_paint_s", "library_s", "settled_s", "cursor_ms": [...], "rows", "maxrss_mb", ...}``:

- first paint: from building ``YanbaoApp`` (imports excluded: they are the same for every
  store) until the main screen has handled "store opened", filled the report list and
  processed one refresh;
- library: until every digest is loaded for the panes (the app's second worker step);
- settled: until no worker runs any more (the panes' own counting and comparing);
- cursor: once settled, ``down`` pressed ``N`` times in the report list, each press
  timed until the app is idle again (key handled, panes updated, screen rendered) as
  CPU time of the app's thread (``thread_time``): wall time includes the test harness's
  own idle polling (about 60 ms a press even for an app that does nothing), CPU time
  does not. ``unbound_key_ms``: the same for a key nothing handles (the harness floor);
- maxrss: the peak resident memory of this process at the end (``getrusage``).

Seeding an empty store with the bundled samples is switched off, so "empty" stays empty.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time


def _no_seed() -> None:
    import store.bundled

    store.bundled.seed_if_empty = lambda store, **options: None  # the benchmark measures an empty store


async def _probe(store_path: str, moves: int, size: tuple[int, int], timeout: float,
                 profile: str | None = None) -> dict:
    from tui.app import YanbaoApp
    from tui.screens.main import MainScreen
    from tui.widgets.report_list import ReportList

    start = time.perf_counter()
    app = YanbaoApp(store_path=store_path)
    out: dict = {}
    async with app.run_test(size=size) as pilot:
        deadline = start + timeout

        def main_screen() -> MainScreen | None:
            return app.screen if isinstance(app.screen, MainScreen) else None

        while (screen := main_screen()) is None or not screen.loaded:
            if time.perf_counter() > deadline:
                raise TimeoutError("the store did not open")
            await asyncio.sleep(0.002)
        await pilot.pause()
        out["first_paint_s"] = time.perf_counter() - start
        report_list = screen.query_one(ReportList)
        out["rows"] = len(report_list.rows)
        while screen.snapshot is None:
            if time.perf_counter() > deadline:
                raise TimeoutError("the library did not load")
            await asyncio.sleep(0.005)
        await pilot.pause()
        out["library_s"] = time.perf_counter() - start
        # Panes count and compare the library in workers of their own: wait for quiet.
        quiet = 0
        while quiet < 3:
            if time.perf_counter() > deadline:
                raise TimeoutError("the app's workers did not finish")
            await pilot.pause()
            if any(worker.is_running for worker in app.workers):
                quiet = 0
                await asyncio.sleep(0.01)
            else:
                quiet += 1
        out["settled_s"] = time.perf_counter() - start
        cpu_ms, wall_ms, floor_ms = [], [], []
        if moves and report_list.rows:
            report_list.focus()
            await pilot.pause()
            for _ in range(10):  # an unbound key: what the test harness itself costs
                c0 = time.thread_time()
                await pilot.press("x")
                await pilot.pause()
                floor_ms.append((time.thread_time() - c0) * 1000)
            profiler = None
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            for _ in range(moves):
                t0, c0 = time.perf_counter(), time.thread_time()
                await pilot.press("down")
                await pilot.pause()
                cpu_ms.append((time.thread_time() - c0) * 1000)
                wall_ms.append((time.perf_counter() - t0) * 1000)
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(profile)
            out["cursor_at"] = report_list.cursor
        out["cursor_ms"] = cpu_ms
        out["cursor_wall_ms"] = wall_ms
        out["unbound_key_ms"] = floor_ms
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_probe")
    parser.add_argument("store")
    parser.add_argument("--moves", type=int, default=0)
    parser.add_argument("--size", default="160x50")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the cursor moves into FILE")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.split("x"))
    _no_seed()
    result = asyncio.run(_probe(args.store, args.moves, (width, height), args.timeout, args.profile))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
