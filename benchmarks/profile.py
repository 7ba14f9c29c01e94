"""Profile one hot path with cProfile, on a synthetic library made on the spot.

``python -m benchmarks.profile WHAT [--digests N] [--pdfs N] [--top N] [--sort tottime]``:

- ``list``: ``yanbao list`` in process on a store of N digests;
- ``load``: ``DigestStore.all()`` (every digest decoded, as panes 2-4 need them);
- ``search``: the benchmark's search queries;
- ``write``: one ``add_many`` of 25 digests into the store;
- ``parse``: ``parse_file`` on N generated PDFs (warm process, as a parser worker);
- ``cursor``: the app's key handling while ``down`` is pressed in the list (app thread).

Prints the top functions; ``--out FILE`` keeps the raw profile for ``pstats`` or snakeviz.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

WHATS = ("list", "load", "search", "write", "parse", "cursor")


def _store(work: Path, n: int) -> tuple[Path, list]:
    from benchmarks import corpus
    from benchmarks.store_bench import build_store

    digests = corpus.synthetic_digests(n + 25)
    path = work / "store.json"
    build_store(path, digests[:n])
    return path, digests


def _profiled(fn, out: Path) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        fn()
    finally:
        profiler.disable()
        profiler.dump_stats(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=WHATS)
    parser.add_argument("--digests", type=int, default=10_000, help="store size (default 10,000)")
    parser.add_argument("--pdfs", type=int, default=20, help="PDFs for 'parse' (default 20)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime, ...)")
    parser.add_argument("--out", type=Path, help="keep the raw profile here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="yanbao-profile-") as tmp:
        work = Path(tmp)
        out = args.out or work / "profile.out"
        if args.what == "parse":
            from benchmarks import corpus
            from yanbao.store.parser import parse_file

            files = corpus.write_pdf_reports(work / "pdf", args.pdfs)
            parse_file(files[0])  # warm, as a worker is before its first file
            _profiled(lambda: [parse_file(f) for f in files], out)
        elif args.what == "cursor":
            path, _ = _store(work, args.digests)
            argv_probe = [sys.executable, "-m", "benchmarks.app_probe", str(path), "--moves", "30",
                          "--profile", str(out)]
            done = subprocess.run(argv_probe, capture_output=True, check=True)
            result = json.loads(done.stdout.decode().strip().splitlines()[-1])
            print(f"cursor: app-thread CPU per press {sorted(result['cursor_ms'])[len(result['cursor_ms']) // 2]:.1f} ms "
                  f"(median), unbound key {sorted(result['unbound_key_ms'])[5]:.1f} ms")
        else:
            from yanbao.store.db import DigestStore

            path, digests = _store(work, args.digests)
            store = DigestStore(path)
            if args.what == "list":
                from yanbao.tui.cli import main as yanbao

                def run() -> None:
                    with contextlib.redirect_stdout(io.StringIO()):
                        yanbao(["--store", str(path), "list"])

                _profiled(run, out)
            elif args.what == "load":
                _profiled(store.all, out)
            elif args.what == "search":
                from benchmarks.store_bench import SEARCH_QUERIES

                _profiled(lambda: [store.search(q) for q in SEARCH_QUERIES], out)
            else:  # write
                store.summaries()
                _profiled(lambda: store.add_many(digests[args.digests:]), out)
            store.close()
        pstats.Stats(str(out)).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
