"""The ``yanbao`` command: the app when run alone, headless subcommands otherwise.

Only ``yanbao`` with no subcommand imports Textual; every other command runs on the
headless ``store`` package (plus Rich for tables), so it starts fast. Errors are one line
on stderr with a non-zero exit status; ``--debug`` adds the traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from yanbao.store.errors import ReportError, StoreError
from yanbao.store.text_safety import clean, clean_line, json_text
from yanbao.tui import cli_notes
from yanbao.tui.cli_common import LANG_CHOICES, is_text, labels_lang
from yanbao.tui.cli_ingest import cmd_ingest

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore
    from yanbao.store.model import Digest

__all__ = ["build_parser", "main"]

PROG = "yanbao"
LIST_LIMIT = 100  # a screenful or two: the newest reports are the ones a reader lists


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def _print_json(data: object) -> None:
    sys.stdout.write(json_text(data) + "\n")


def _fail(message: str, code: int = 1) -> int:
    print(f"{PROG}: {clean_line(message)}", file=sys.stderr)
    return code


# -- commands -------------------------------------------------------------------------------


def cmd_app(args: argparse.Namespace) -> int:
    """Open the Textual app on the store (the app seeds an empty store with the samples)."""
    from yanbao.tui.app import YanbaoApp

    YanbaoApp(store_path=args.store, lang=getattr(args, "lang", None)).run()
    return 0


def cmd_parse(args: argparse.Namespace) -> int:
    """Parse one file (in a time- and memory-limited worker) and print its digest."""
    from yanbao.store.ingest import parse_isolated

    digest = parse_isolated(args.file, timeout=args.timeout, password=args.password, debug=args.debug,
                            engine=args.engine)
    if args.json:
        _print_json(digest.to_dict())
    else:
        _print_digest(digest, brief=True, lang=labels_lang(args, digest.language))
    return 0


def cmd_list(args: argparse.Namespace, store: DigestStore) -> int:
    """One line per stored report: id, date, period, broker, title (then star and tags);
    ``--starred``, ``--unread``, ``--tag`` narrow it."""
    wanted = cli_notes.state_filter_of(args)
    state = store.user_state(unread=bool(args.json or args.unread))  # plain rows show marks only
    limit = args.limit if args.limit > 0 else None
    if wanted or limit is None:
        rows = store.summaries()
        if wanted:
            rows = [s for s in rows if wanted.matches(s.id, state)]
        total = len(rows)
        rows = rows if limit is None else rows[:limit]
    else:  # the newest screenfuls, read through the catalog's index: a big library costs no more
        rows, total = store.newest(limit), len(store)
    if len(rows) < total:
        print(f"the newest {len(rows):,} of {total:,} reports; --limit 0 lists every one", file=sys.stderr)
    if args.json:
        _print_json([
            {"id": s.id, "title": s.title, "broker": s.broker, "date": s.date, "period": s.period,
             "language": s.language, "companies": s.companies, "recommended": s.recommended,
             "n_metrics": s.n_metrics, "unread": s.id in state.unread, "starred": state.of(s.id).star,
             "tags": list(state.of(s.id).tags)}
            for s in rows
        ])
        return 0
    from yanbao.tui.widgets.safe_text import fit

    brokers: dict[str | None, str] = {}  # few brokers, many rows: fit each once
    for s in rows:
        if s.broker not in brokers:
            brokers[s.broker] = fit(clean(s.broker or "—", one_line=True), 12)
    def marks(digest_id: str) -> str:
        line = cli_notes.marks_line(state.of(digest_id)) if digest_id in state.marks else ""
        return f"  {line}" if line else ""

    out = "".join(
        f"{s.id[:12]}  {s.date or '—':<10}  {s.period or '—':<6}  {brokers[s.broker]}  {' '.join(s.title.split())}"
        f"{marks(s.id)}\n"
        for s in rows
    )
    if out:
        # One pass strips escapes and controls from every title (newlines were folded above).
        sys.stdout.write(clean(out))
    elif wanted:
        print("no stored report matches", file=sys.stderr)
    else:
        print("no reports stored yet: yanbao ingest PATH...", file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace, store: DigestStore) -> int:
    """Print one stored report (id or unique id prefix)."""
    from yanbao.tui.cli_common import resolve_report

    digest = resolve_report(store, args.id)
    if args.json:
        _print_json(digest.to_dict())
    else:
        _print_digest(digest, brief=False, lang=labels_lang(args, digest.language))
    return 0


def cmd_watch(args: argparse.Namespace, store: DigestStore) -> int:
    """Add, remove or list watched companies."""
    if args.action == "list":
        items = store.watchlist()
        if args.json:
            _print_json([{"name": i.name, "ticker": i.ticker} for i in items])
        elif items:
            for item in items:
                print(clean_line(f"{item.name}  {item.ticker or ''}".rstrip()))
        else:
            print("the watchlist is empty: yanbao watch add NAME", file=sys.stderr)
        return 0
    name = " ".join(args.name or [])
    if not name.strip():
        return _fail(f"watch {args.action}: give a company name", 2)
    if not is_text(name):  # bytes that are not UTF-8 cannot be stored or matched
        return _fail(f"watch {args.action}: the name is not valid UTF-8 text", 2)
    if args.action == "add":
        item = store.watchlist_add(name)
        print(clean_line(f"watching {item.name}" + (f" ({item.ticker})" if item.ticker else "")))
        return 0
    if store.watchlist_remove(name):
        print(clean_line(f"stopped watching {name}"))
        return 0
    return _fail(f"{name} is not on the watchlist")


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check the library; restore the store file's backup or rebuild rows and catalog on request."""
    import time

    from yanbao.store.db import default_store_path
    from yanbao.store.doctor import inspect_store, rebuild, restore_backup
    from yanbao.store.storage import backup_path

    path = Path(args.store) if args.store else default_store_path()
    if args.restore:
        kept = restore_backup(path)
        print(clean_line(f"restored the backup into {path}" + (f"; the replaced file is kept as {kept}" if kept else "")))
        return 0
    if args.rebuild:
        done = rebuild(path)
        for warning in done.warnings:
            print(clean_line(f"  {warning}"))
        print(f"rebuilt from the documents: {done.recovered} reports recovered, {done.lost} lost (quarantined)")
        if done.store_file_recreated:
            print("the store file was damaged with no usable backup: it is kept aside and started again "
                  "(its watchlist is lost)")
        return 0 if not done.lost else 1
    health = inspect_store(path)
    print(clean_line(f"store: {path}" + ("  (read-only)" if health.read_only else "")))
    if not health.exists:
        print("  no store file yet (it is created on the first ingest)")
    elif health.problem:
        print(clean_line(f"  PROBLEM: {health.problem}"))
        print(f"  {health.digests_readable} digests readable in the documents beside it")
    elif health.legacy_digests is not None:
        print(f"  previous layout: {health.legacy_digests} digests; converted on next open (the old file is kept)")
    else:
        print(f"  loads fine: {health.digests_readable} digests, {health.watchlist} watched, schema {health.schema}")
    for bad in health.digests_invalid:
        print(clean_line(f"  damaged digest {bad} (skipped by readers; 'yanbao doctor --rebuild' quarantines it)"))
    for problem in health.index_problems:
        print(clean_line(f"  {problem}; run 'yanbao doctor --rebuild'"))
    if health.pending:
        print("  an interrupted write is finished on next open")
    if health.quarantined:
        print(f"  {health.quarantined} damaged document(s) kept in quarantine")
    if health.backup_exists:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(health.backup_modified or 0))
        if health.backup_problem:
            print(clean_line(f"backup: {backup_path(path)} ({when}) is not usable: {health.backup_problem}"))
        else:
            print(clean_line(f"backup: {backup_path(path)} ({when})"))
    else:
        print("backup: none yet (written with every change of the store file)")
    for tmp in health.stray_temp_files:
        print(clean_line(f"leftover from an interrupted write (safe to delete): {tmp}"))
    if health.problem and health.backup_exists and not health.backup_problem:
        print("run 'yanbao doctor --restore' to put the backup back (the damaged file is kept aside)")
    elif health.problem:
        print("run 'yanbao doctor --rebuild' to start the store file again and keep every readable digest")
    return 0 if health.ok or not health.exists else 1


# -- printing a digest ---------------------------------------------------------------------


def _print_digest(digest: Digest, *, brief: bool, lang: str | None = None) -> None:
    def line(text: str = "") -> None:
        print(clean(text))

    line(digest.title)
    line(" · ".join(x for x in (digest.broker, digest.date, digest.period, digest.language) if x))
    line(f"id {digest.id[:12]}  source {digest.source.path} ({digest.source.kind}, {digest.source.pages} pages)")
    if digest.rating.sector:
        line(f"sector rating: {digest.rating.sector}")
    if digest.analysts:
        line("analysts: " + ", ".join(a.name + (f" ({a.license})" if a.license else "") for a in digest.analysts))
    recommended = [c.name + (f" {c.ticker}" if c.ticker else "") for c in digest.recommended]
    if recommended:
        line("recommended: " + ", ".join(recommended))
    if brief:
        line(f"{len(digest.key_points)} key points, {len(digest.companies)} companies, "
             f"{len(digest.metrics)} figures, {len(digest.risks)} risks")
        for kp in digest.key_points:
            line(f"  • {clean(kp.heading, one_line=True)}")
        return
    if digest.key_points:
        line()
        line("Key points")
        for kp in digest.key_points:
            line(f"  • {clean(kp.heading, one_line=True)}")
            for point in kp.points:
                line(f"      {clean(point, one_line=True)}")
    if digest.recommendation:
        line()
        line("Recommendation")
        line("  " + clean(digest.recommendation, one_line=True))
    if digest.metrics:
        from yanbao.store.units import basis_label, format_value, metric_label

        lang = lang or digest.language
        line()
        line("Figures")
        for m in digest.metrics:
            value = format_value(m.value, m.unit, low=m.low, high=m.high, lang=lang, metric=m.metric) or "—"
            who = " ".join(x for x in (m.company, m.segment) if x)
            when = " ".join(x for x in (m.period, basis_label(m.basis, lang)) if x)
            line(f"  {who} · {metric_label(m.metric, lang)} · {when}: {value}")
    if digest.company_ratings:
        line()
        line("Ratings")
        for r in digest.company_ratings:
            target = f" target {r.target_price:g} {r.currency or ''}".rstrip() if r.target_price is not None else ""
            line(f"  {r.company}: {r.rating}{f' ({r.action})' if r.action else ''}{target}")
    if digest.risks:
        line()
        line("Risks")
        for risk in digest.risks:
            line(f"  • {clean(risk, one_line=True)}")


# -- wiring -----------------------------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    """Options every subcommand accepts (default SUPPRESS so the top level's value stands)."""
    common = _Parser(add_help=False)
    common.add_argument("--store", metavar="PATH", default=argparse.SUPPRESS,
                        help="store file (default: $YANBAO_STORE, else the user data folder)")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show tracebacks for errors")
    return common


OWN_COMMANDS = ("parse", "ingest", "list", "show", "watch", "doctor", *cli_notes.COMMANDS)


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (skipping the global options), if any."""
    tokens = iter(argv)
    for token in tokens:
        if token in ("--store", "--lang"):
            next(tokens, None)
        elif not token.startswith("-"):
            return token
    return None


def _engine_option(p: argparse.ArgumentParser) -> None:
    from yanbao.store.pdf_engines import ENGINES

    p.add_argument("--engine", choices=ENGINES, default="auto",
                   help="PDF engine: pdfminer (the reference), pdfium (yanbao[fast], faster) or auto "
                   "(pdfium only where it reads as well as pdfminer; default)")


def _executor(value: str) -> str:
    """A ``dask://HOST:PORT`` address, checked for its form (argparse: a usage error)."""
    from yanbao.store.cluster import ClusterUnavailable, cluster_address

    try:
        cluster_address(value)
    except ClusterUnavailable as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The ``yanbao`` argument parser. The compare and export commands (and the Rich
    tables they load) are wired in unless ``argv`` names one of the commands defined here,
    which keeps ``yanbao list`` and friends quick to start."""
    parser = _Parser(
        prog=PROG,
        description="yanbao 研报: digests of sell-side research reports. Run without a command to open the app.",
    )
    parser.add_argument("--store", metavar="PATH", default=None,
                        help="store file (default: $YANBAO_STORE, else the user data folder)")
    parser.add_argument("--debug", action="store_true", default=False, help="show tracebacks for errors")
    parser.add_argument("--lang", choices=LANG_CHOICES, default=None,
                        help="label language of app and commands: zh, en or auto (the report's); "
                        "default from settings.json")
    parser.set_defaults(func=None, needs_store=False)
    common = (_common(),)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("parse", parents=common, help="parse one report file and print its digest",
                       description="Parse a PDF or text report and print its digest (nothing is stored).")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true", help="print the digest as JSON (schema 2: docs/digest-schema-2.md)")
    p.add_argument("--password", metavar="P", help="password for an encrypted PDF")
    p.add_argument("--timeout", type=_seconds, default=60.0, metavar="S", help="give up after S seconds (default 60)")
    _engine_option(p)
    p.set_defaults(func=cmd_parse, needs_store=False)

    p = sub.add_parser("ingest", parents=common, help="add report files and folders to the store",
                       description="Ingest .pdf and .txt reports (folders are searched recursively). Files "
                       "already stored are skipped by content. Exit status 1 when any file failed.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--jobs", type=_positive_int, default=None, metavar="N",
                   help="parse N files at once (default: one per CPU core)")
    p.add_argument("--timeout", type=_seconds, default=60.0, metavar="S",
                   help="give up on a file after S seconds (default 60)")
    p.add_argument("--password", metavar="P", help="password for encrypted PDFs")
    p.add_argument("-q", "--quiet", action="store_true", help="print only failures and the summary")
    p.add_argument("--watch", action="store_true",
                   help="then keep watching the folders and ingest reports as they land (Ctrl+C stops)")
    _engine_option(p)
    p.add_argument("--executor", type=_executor, default=None, metavar="dask://HOST:PORT",
                   help="parse on an existing Dask cluster that sees the same paths (needs yanbao[cluster])")
    p.set_defaults(func=cmd_ingest, needs_store=True)

    p = sub.add_parser("list", parents=common, help="list stored reports",
                       description="One line per stored report: id, date, period, broker, title (newest first).")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--starred", action="store_true", help="only starred reports")
    p.add_argument("--unread", action="store_true", help="only reports not yet opened (new)")
    p.add_argument("--tag", action="append", metavar="NAME", help="only reports tagged NAME (repeat for all of several)")
    p.add_argument("--limit", type=int, default=LIST_LIMIT, metavar="N",
                   help=f"the newest N (default {LIST_LIMIT}; 0: all); stderr says how many more there are")
    p.set_defaults(func=cmd_list, needs_store=True)

    p = sub.add_parser("show", parents=common, help="show one stored report",
                       description="Show a stored report by id (a unique prefix is enough).")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print the digest as JSON")
    p.set_defaults(func=cmd_show, needs_store=True)

    p = sub.add_parser("watch", parents=common, help="manage the watchlist",
                       description="yanbao watch add NAME | rm NAME | list. Names, aliases and tickers "
                       "resolve through the company registry; unknown names are kept as given.")
    p.set_defaults(func=None, needs_store=True)
    watch = p.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    for action, text in (("add", "watch a company"), ("rm", "stop watching a company")):
        q = watch.add_parser(action, parents=common, help=text, description=text + ".")
        q.add_argument("name", nargs="+", metavar="NAME")
        q.set_defaults(func=cmd_watch, action=action)
    q = watch.add_parser("list", parents=common, help="list watched companies", description="List watched companies.")
    q.add_argument("--json", action="store_true", help="print JSON")
    q.set_defaults(func=cmd_watch, action="list", name=None)

    p = sub.add_parser("doctor", parents=common, help="check the store; restore its backup",
                       description="Report what is readable in the store and its backup copy. With --restore, "
                       "put the backup back (the replaced file is kept beside it).")
    p.add_argument("--restore", action="store_true", help="restore the store file from its backup (<store>.bak)")
    p.add_argument("--rebuild", action="store_true",
                   help="rebuild rows and catalog from the documents; quarantine damaged ones")
    p.set_defaults(func=cmd_doctor, needs_store=False)
    cli_notes.add_parser(sub, common)

    if argv is not None and _command_in(argv) in OWN_COMMANDS:
        return parser
    from yanbao.tui import cli_compare, cli_export, cli_open, cli_search

    for module in (cli_compare, cli_export, cli_open, cli_search):
        before = set(sub.choices)
        module.add_parser(sub, parents=common)
        for name in set(sub.choices) - before:
            sub.choices[name].set_defaults(needs_store=True)
    return parser


MAX_TIMEOUT_S = 24 * 3600.0  # a day: beyond it a parse is stuck, and timers overflow
MAX_JOBS = 64  # each parser may use up to 2 GiB: more would be a typo, not a plan
LOG_EVERY_S = 10.0  # a library converted on open, with stderr not a terminal: a progress line this often


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and 0 < value <= MAX_TIMEOUT_S):
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {MAX_TIMEOUT_S:g} seconds")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_JOBS}")
    return value


def _open_store(args: argparse.Namespace, progress) -> DigestStore:
    if args.command == "ingest":  # waits for another writer in short steps, saying so
        from yanbao.tui.cli_ingest import open_ingest_store

        return open_ingest_store(args.store, progress=progress)
    from yanbao.store.db import DigestStore

    return DigestStore(args.store, progress=progress)


def _run(args: argparse.Namespace) -> int:
    if args.func is None:
        if args.command is None:
            return cmd_app(args)
        return _fail(f"{args.command}: give an action (see 'yanbao {args.command} --help')", 2)
    if not args.needs_store:
        return args.func(args)

    said = {"what": "", "at": 0.0}

    def converting(done: int, total: int) -> None:
        # A store in the previous layout or schema is converted on first open: say so, with
        # progress. A terminal gets one line redrawn in place; a log gets a line when a
        # conversion starts, one every LOG_EVERY_S seconds while it runs, and the final count.
        tty = sys.stderr.isatty()
        now = time.monotonic()
        first = said["what"] != store.migrating
        if not (tty or first or done >= total or now - said["at"] >= LOG_EVERY_S):
            return
        said["what"], said["at"] = store.migrating, now
        end = "\n" if done >= total or not tty else ""
        prefix = "\r\x1b[2K" if tty else ""
        sys.stderr.write(f"{prefix}converting the library {store.migrating}: {done:,}/{total:,} digests{end}")
        sys.stderr.flush()

    store = _open_store(args, converting)
    try:
        return args.func(args, store)
    finally:
        store.close()
        paged = store.pages_migration
        if paged is not None and paged.total:
            print(paged.summary(), file=sys.stderr)


def _print_traceback() -> None:
    """The current traceback (``--debug``), cleaned: its messages may quote report text."""
    print(clean(traceback.format_exc().rstrip()), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``yanbao`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.store is not None:
        if not args.store.strip():
            parser.error("argument --store: give a file name")
        args.store = os.path.expanduser(args.store)
    if getattr(args, "engine", None):
        from yanbao.store.pdf_engines import EngineUnavailable, resolve_engine

        try:
            resolve_engine(args.engine)
        except EngineUnavailable as exc:  # asked for an engine that is not installed
            return _fail(str(exc), 2)
    try:
        return _run(args)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except BrokenPipeError:
        # `yanbao list | head`: the reader left; stay quiet like other Unix tools.
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), sys.stdout.fileno())
        return 0
    except (StoreError, ReportError, LookupError, ValueError, OSError) as exc:
        if args.debug:
            _print_traceback()
            if getattr(exc, "detail", None):  # the parser worker's own traceback
                print(clean(exc.detail.rstrip()), file=sys.stderr)
        if isinstance(exc, OSError) and exc.filename:
            return _fail(f"{exc.filename}: {exc.strerror or exc}")
        return _fail(str(exc) if str(exc) else type(exc).__name__)
    except Exception as exc:  # noqa: BLE001 - a bug: still no traceback unless asked for
        if args.debug:
            _print_traceback()
            return 1
        return _fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")


if __name__ == "__main__":
    sys.exit(main())
