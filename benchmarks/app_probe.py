"""Run the app headless on one store and print timings as JSON (one process per store).

``python -m benchmarks.app_probe STORE [--moves N] [--size 160x50]`` prints
``{"first_paint_s", "library_s", "cursor_ms": [...], "rows", "maxrss_mb"}``:

- first paint: from building ``YanbaoApp`` (imports excluded: they are the same for every
  store) until the main screen has handled "store opened", filled the report list and
  processed one refresh;
- library: until every digest is loaded for the panes (the app's second worker step);
- cursor: once the library is loaded, ``down`` pressed ``N`` times in the report list,
  each press timed until the app is idle again (key handled, panes updated);
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


async def _probe(store_path: str, moves: int, size: tuple[int, int], timeout: float) -> dict:
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
        times = []
        if moves and report_list.rows:
            report_list.focus()
            await pilot.pause()
            for _ in range(moves):
                t0 = time.perf_counter()
                await pilot.press("down")
                await pilot.pause()
                times.append((time.perf_counter() - t0) * 1000)
            out["cursor_at"] = report_list.cursor
        out["cursor_ms"] = times
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_probe")
    parser.add_argument("store")
    parser.add_argument("--moves", type=int, default=0)
    parser.add_argument("--size", default="160x50")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.split("x"))
    _no_seed()
    result = asyncio.run(_probe(args.store, args.moves, (width, height), args.timeout))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
