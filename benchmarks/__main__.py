"""``python -m benchmarks [--quick] [--json out.json] [--only ingest,store,app] [--keep]``;
``python -m benchmarks --markdown out.json`` prints a saved run as a markdown table."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent / "out"
SECTIONS = ("ingest", "store", "app")


@dataclass(frozen=True)
class Settings:
    """How big and how often: the full run, or a quick one for development."""

    pdfs: int = 60
    digests: int = 10_000
    small: int = 1_000
    write_batches: int = 8
    ingest_rounds: int = 3
    list_repeats: int = 5
    search_repeats: int = 5
    app_rounds: int = 3
    cursor_moves: int = 60
    small_app: int = 200


QUICK = Settings(pdfs=12, digests=2_000, small=1_000, write_batches=4, ingest_rounds=1, list_repeats=3,
                 search_repeats=3, app_rounds=1, cursor_moves=20, small_app=200)


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _pdf_corpus(n: int) -> Path:
    """A folder of ``n`` generated PDFs, cached under benchmarks/out/ while the templates hold."""
    from benchmarks import corpus

    folder = OUT_DIR / "corpus" / f"pdf-{corpus.corpus_key()}-{n}"
    if len(list(folder.glob("*.pdf"))) != n:
        shutil.rmtree(folder, ignore_errors=True)
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        corpus.write_pdf_reports(tmp, n)
        tmp.rename(folder)
    return folder


def _real_pdfs(source: Path, count: int, work: Path) -> Path:
    """A folder of links to ``count`` PDFs spread over ``source`` (all of them for 0)."""
    files = sorted(source.glob("*.pdf"))
    if not files:
        raise SystemExit(f"--pdfs {source}: no PDF there")
    if 0 < count < len(files):
        step = len(files) / count
        files = [files[int(i * step)] for i in range(count)]
    folder = work / "real-pdfs"
    folder.mkdir()
    for path in files:
        (folder / path.name).symlink_to(path.resolve())
    return folder


def _commit() -> str:
    """The checkout's commit, with "+changes" when the working tree differs from it."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def _print_markdown(path: Path) -> int:
    from benchmarks.report import format_table, read_json

    figures, meta = read_json(path)
    machine = meta.get("machine", {})
    print(format_table(figures, markdown=True))
    print()
    print(f"Machine: {machine.get('nproc')} cores ({machine.get('cpu')}), Python {machine.get('python')}, "
          f"load average {machine.get('load_average')} at the start; run {meta.get('started')} on "
          f"{machine.get('commit', 'unknown')}{' (--quick)' if meta.get('quick') else ''}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes and one round (for development)")
    parser.add_argument("--json", type=Path, default=OUT_DIR / "latest.json", help="where to write the JSON")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: ingest,store,app")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (stores) for inspection")
    parser.add_argument("--markdown", type=Path, metavar="JSON", help="print a saved run as a markdown table")
    parser.add_argument("--pdfs", type=Path, metavar="DIR",
                        help="ingest figures on real PDFs from DIR (the dev corpus, kept outside the repository) "
                        "instead of generated ones; --pdf-count N spreads N of them")
    parser.add_argument("--pdf-count", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    if args.markdown:
        return _print_markdown(args.markdown)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    settings = QUICK if args.quick else Settings()

    from benchmarks import corpus
    from benchmarks.report import format_table, machine_info, timed, write_json

    machine = machine_info()
    machine["commit"] = _commit()
    _say(f"machine: {machine['nproc']} cores, {machine['cpu']}, Python {machine['python']}, "
         f"load {machine['load_average']}")
    work = Path(tempfile.mkdtemp(prefix="yanbao-bench-"))
    figures = []
    meta: dict = {"quick": args.quick, "settings": asdict(settings), "machine": machine,
                  "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "corpus_note": corpus.DIGESTS_NOTE}
    try:
        if sections:
            from benchmarks import store_bench

            need = settings.digests + 2 * settings.write_batches * store_bench.BATCH
            took, digests = timed(lambda: corpus.synthetic_digests(need))
            meta["digest_generation_s"] = round(took, 2)
            _say(f"generated {need:,} synthetic digests in {took:.1f} s ({corpus.DIGESTS_NOTE})")
            big_store = work / "big.json"
            took = store_bench.build_store(big_store, digests[: settings.digests])
            meta["big_store_build_s"] = round(took, 2)
            _say(f"wrote a {settings.digests:,}-digest store in {took:.1f} s")
            if "ingest" in sections:
                from benchmarks.ingest_bench import ingest_figures

                if args.pdfs:
                    folder = _real_pdfs(args.pdfs, args.pdf_count, work)
                    _say(f"{len(list(folder.glob('*.pdf')))} real PDFs from {args.pdfs}")
                else:
                    _say(f"generating {settings.pdfs} PDFs")
                    folder = _pdf_corpus(settings.pdfs)
                _say("ingest: pdfminer baseline, --jobs 1, --jobs 2, into the big store, first and repeated ingest")
                figures += ingest_figures(folder, work, settings.ingest_rounds, big_store)
            if "store" in sections:
                _say("store: batch writes")
                figures.append(store_bench.write_figure(work, digests, settings.small, settings.digests,
                                                        settings.write_batches))
                figures.append(store_bench.size_figure(big_store, settings.digests))
                _say("store: yanbao list")
                figures.append(store_bench.list_figure(work, big_store, settings.digests, settings.list_repeats))
                _say("store: search")
                figures.append(store_bench.search_figure(big_store, digests[: settings.digests],
                                                         settings.search_repeats))
                from benchmarks.compare_bench import compare_figure

                _say("store: compare at scale")
                figures.append(compare_figure())
            if "app" in sections:
                from benchmarks.app_bench import app_figures

                small_store = work / "small.json"
                store_bench.build_store(small_store, digests[: settings.small_app])
                _say("app: first paint, cursor, memory")
                figures += app_figures(work, big_store, small_store, settings.digests, settings.small_app,
                                       settings.app_rounds, settings.cursor_moves)
    finally:
        if args.keep:
            _say(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    meta["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(format_table(figures))
    for fig in figures:
        if fig.note:
            print(f"  {fig.name}: {fig.note}")
    print(f"  note: {corpus.DIGESTS_NOTE}")
    if args.quick:
        print("  note: --quick run (smaller corpus, one round): not the published figures")
    write_json(args.json, figures, meta)
    print(f"wrote {args.json}")
    return 1 if any(f.passed is False for f in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
