"""Pages per second of each PDF engine on real PDFs: ``python -m benchmarks.engine_speed DIR…``.

Both engines read the same files (text layer and layout stage: ``store.pdf.extract_pdf``, what
ingest pays per PDF) in one process, in interleaved rounds (pdfminer then pdfium, then the
other way round), so a busy machine slows both alike; the figures are the medians over
rounds, and the ratio is the median of each round's ratio. ``--files N`` takes every k-th
of the sorted files (N in all) to keep a round short; ``--rounds R`` (default 3).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from yanbao.store.errors import ReportError
from yanbao.store.pdf import extract_pdf
from yanbao.store.pdf_engines import resolve_engine

__all__ = ["main", "pages_per_second"]


def pages_per_second(files: list[Path], engine: str) -> tuple[float, float, int]:
    """(pages a wall second, pages a CPU second, pages read) for one pass over ``files``;
    unreadable files are left out. CPU seconds barely move with the machine's load."""
    pages, started, cpu = 0, time.perf_counter(), time.process_time()
    for path in files:
        try:
            pages += extract_pdf(path, engine=engine).pages
        except ReportError:
            continue
    return pages / (time.perf_counter() - started), pages / (time.process_time() - cpu), pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engine_speed")
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--files", type=int, default=0, help="spread N files over the folders (0: all)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    resolve_engine("pdfium")  # says how to install it when it is missing
    files = sorted(p for folder in args.folders for p in folder.rglob("*.pdf"))
    if args.files and len(files) > args.files:
        step = len(files) / args.files
        files = [files[int(i * step)] for i in range(args.files)]
    rates: dict[str, list[float]] = {"pdfminer": [], "pdfium": []}
    cpu_rates: dict[str, list[float]] = {"pdfminer": [], "pdfium": []}
    ratios: list[float] = []
    pages = 0
    for round_ in range(args.rounds):
        order = ("pdfminer", "pdfium") if round_ % 2 == 0 else ("pdfium", "pdfminer")
        this: dict[str, float] = {}
        for engine in order:
            this[engine], on_cpu, pages = pages_per_second(files, engine)
            rates[engine].append(this[engine])
            cpu_rates[engine].append(on_cpu)
        ratios.append(this["pdfium"] / this["pdfminer"])
        print(f"round {round_ + 1}: pdfminer {this['pdfminer']:.1f} pages/s, pdfium {this['pdfium']:.1f} pages/s "
              f"({ratios[-1]:.1f}x); per CPU second {cpu_rates['pdfminer'][-1]:.1f} and "
              f"{cpu_rates['pdfium'][-1]:.1f}", flush=True)
    print(f"{len(files)} files, {pages} pages, {args.rounds} interleaved rounds (medians): "
          f"pdfminer {statistics.median(rates['pdfminer']):.1f} pages/s, "
          f"pdfium {statistics.median(rates['pdfium']):.1f} pages/s, "
          f"pdfium/pdfminer {statistics.median(ratios):.1f}x; per CPU second pdfminer "
          f"{statistics.median(cpu_rates['pdfminer']):.1f}, pdfium {statistics.median(cpu_rates['pdfium']):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
