"""Run the app headless on one store and print timings as JSON (one process per store).

``python -m benchmarks.app_probe STORE [--moves N] [--size 160x50]`` prints
``{"first_paint_s", "listed_s", "settled_s", "cursor_ms": [...], "rows", "maxrss_mb", ...}``:

- first paint: from building ``YanbaoApp`` (imports excluded: they are the same for every
  store) until the report list shows rows and is painted (a big library's newest rows,
  listed while every row is read); listed: until every row is listed;
- settled: until no worker runs any more (loading digests for the panes, the panes' own
  counting and comparing; a big library may defer loading until a pane needs it);
- cursor: once settled, ``down`` pressed ``N`` times in the report list, each press
  timed until the app is idle again (key handled, panes updated, screen painted) as CPU
  time of the app's thread (``thread_time``); wall time also counts the idle polling
  that decides "idle" (20 ms sleeps). ``unbound_key_ms``: the same for a key nothing
  handles (the floor: any key, plus the measuring);
- search (``--search WORDS``): from Enter in the search prompt until the list shows the
  first screen of matches with their count (``search_first_screen_s``) and until it lists
  every match (``search_all_s``);
- panes (``--panes``): panes 2, 3, 4 (each of its modes in turn) and 1 shown in turn, each
  until settled;
- maxrss: the peak resident memory of this process (VmHWM, else ``getrusage``) after the cursor moves
  (``maxrss_list_mb``) and at the end (``maxrss_mb``, after the panes when visited).

Seeding an empty store with the bundled samples is switched off, so "empty" stays empty, and
the app starts from default settings (a file of the probe's own), never a saved place.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time


def _no_seed() -> None:
    import yanbao.store.bundled

    yanbao.store.bundled.seed_if_empty = lambda store, **options: None  # the benchmark measures an empty store


def _status(app) -> str:
    """What the app's status line says (for a timeout message)."""
    try:
        return str(app.screen.query_one("#list-status").render())
    except Exception as exc:  # noqa: BLE001 - only for a timeout message: any failure says "no status"
        return f"no status ({type(exc).__name__})"


async def _probe(store_path: str, moves: int, size: tuple[int, int], timeout: float,
                 profile: str | None = None, panes: bool = False, search: str = "") -> dict:
    from yanbao.tui.app import YanbaoApp
    from yanbao.tui.screens.main import MainScreen
    from yanbao.tui.widgets.report_list import ReportList

    start = time.perf_counter()
    app = YanbaoApp(store_path=store_path)
    out: dict = {}
    async with app.run_test(size=size) as pilot:
        deadline = start + timeout

        def main_screen() -> MainScreen | None:
            return app.screen if isinstance(app.screen, MainScreen) else None

        # First paint: the list shows rows (a big library's newest, while every row is read).
        while (screen := main_screen()) is None or not (screen.loaded or screen.browser.report_list.rows):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the store did not open: {_status(app)}")
            await asyncio.sleep(0.002)
        # The "store opened" handler has run (the list has its rows): paint now. Not
        # pilot.pause(): it waits for the whole process to idle, workers included, so it
        # would also wait for a library that loads in the background.
        screen._on_timer_update()
        out["first_paint_s"] = time.perf_counter() - start
        out["first_rows"] = len(screen.browser.report_list.rows)
        while not screen.loaded:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the list was not read: {_status(app)}")
            await asyncio.sleep(0.002)
        screen._on_timer_update()
        out["listed_s"] = time.perf_counter() - start
        report_list = screen.query_one(ReportList)
        out["rows"] = len(report_list.rows)
        # Loading digests for the panes and the panes' own counting run in workers.
        await _settle(app, pilot, deadline)
        out["settled_s"] = time.perf_counter() - start
        out["library_loaded_at_start"] = screen.library_ready
        cpu_ms, wall_ms, floor_ms = [], [], []
        if moves and report_list.rows:
            report_list.focus()
            await pilot.pause()
            for _ in range(10):  # an unbound key: what handling any key (and measuring) costs
                c0 = time.thread_time()
                await _press(app, "x")
                floor_ms.append((time.thread_time() - c0) * 1000)
            profiler = None
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            for _ in range(moves):
                t0, c0 = time.perf_counter(), time.thread_time()
                await _press(app, "down")
                cpu_ms.append((time.thread_time() - c0) * 1000)
                wall_ms.append((time.perf_counter() - t0) * 1000)
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(profile)
            out["cursor_at"] = report_list.cursor
        out["maxrss_list_mb"] = _maxrss_mb()
        if search:
            out.update(await _search(app, pilot, screen, search, deadline))
        if panes:
            # Visit panes 2-4 (they need every digest), then back to 1.
            t0 = time.perf_counter()
            for key in ("2", "3", "4", "1"):
                await pilot.press(key)
                await _settle(app, pilot, deadline)
                out.setdefault("maxrss_after_pane_mb", {})[key] = _maxrss_mb()
                if key == "4":  # and each of pane 4's history views, of every company
                    from textual.widgets import Select

                    for mode in ("guidance", "ratings", "quarters"):
                        t1 = time.perf_counter()
                        app.screen.query_one("#compare-mode", Select).value = mode
                        await _settle(app, pilot, deadline)
                        out.setdefault("pane_4_modes", {})[mode] = {"settled_s": time.perf_counter() - t1,
                                                                    "maxrss_mb": _maxrss_mb()}
            out["panes_s"] = time.perf_counter() - t0
            out["library_loaded_after_panes"] = screen.library_ready
        out["cursor_ms"] = cpu_ms
        out["cursor_wall_ms"] = wall_ms
        out["unbound_key_ms"] = floor_ms
    out["maxrss_mb"] = _maxrss_mb()
    return out


async def _search(app, pilot, screen, words: str, deadline: float) -> dict:
    """Seconds from Enter in the search prompt to the first screen of matches, and to all."""
    from textual.widgets import Input

    browser = screen.browser
    await pilot.press("slash")
    app.screen.query_one(Input).value = words
    start = time.perf_counter()
    # Not awaited: pressing waits until the process idles, which is after the whole search.
    pressing = asyncio.ensure_future(app._press_keys(["enter"]))
    out: dict = {}
    while "search_all_s" not in out:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the search did not end: {_status(app)}")
        if browser.search_query == words:
            screen._on_timer_update()
            out.setdefault("search_first_screen_s", time.perf_counter() - start)
            if browser.search_count is None:
                out["search_all_s"] = time.perf_counter() - start
                out["search_rows"] = len(browser.report_list.rows)
        await asyncio.sleep(0.002)
    await pressing
    await _settle(app, pilot, deadline)
    out["maxrss_search_mb"] = _maxrss_mb()
    return out


def _maxrss_mb() -> float:
    """Peak resident memory of this process in MB.

    ``/proc/self/status`` VmHWM where there is one: Linux's ``ru_maxrss`` survives exec, so a
    probe started by a big benchmark process would report its parent's peak instead.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _press(app, key: str) -> None:
    """Press ``key`` and wait until the app has handled it and painted the result.

    Not ``Pilot.press``/``pause``: they wait by posting a callback to every widget on the
    screen, which costs about 10 ms of the app thread's CPU per press here, more than the
    key itself once the panes are quick.
    """
    from textual._wait import wait_for_idle

    await app._press_keys([key])  # sends the key, then waits until the process is idle
    app.screen._on_timer_update()  # paint now, as the screen's refresh timer would
    await wait_for_idle(0)  # messages the key caused (the panes following the cursor)
    app.screen._on_timer_update()


async def _settle(app, pilot, deadline: float) -> None:
    """Wait until no worker has run for three pauses in a row."""
    quiet = 0
    while quiet < 3:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the app's workers did not finish: {_status(app)}")
        await pilot.pause()
        if any(worker.is_running for worker in app.workers):
            quiet = 0
            await asyncio.sleep(0.01)
        else:
            quiet += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.app_probe")
    parser.add_argument("store")
    parser.add_argument("--moves", type=int, default=0)
    parser.add_argument("--size", default="160x50")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the cursor moves into FILE")
    parser.add_argument("--panes", action="store_true", help="visit panes 2-4 after the cursor moves")
    parser.add_argument("--search", default="", metavar="WORDS", help="search WORDS after the cursor moves")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.split("x"))
    _no_seed()
    # Default settings in a file of the probe's own: a place saved by the user (or an earlier
    # probe) would otherwise be restored, e.g. pane 4 filled at start.
    settings = tempfile.TemporaryDirectory(prefix="yanbao-probe-")
    os.environ["YANBAO_CONFIG"] = os.path.join(settings.name, "settings.json")
    result = asyncio.run(_probe(args.store, args.moves, (width, height), args.timeout, args.profile, args.panes,
                                args.search))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
