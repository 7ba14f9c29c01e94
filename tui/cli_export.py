"""``yanbao export``: a report, the watchlist or a two-quarter comparison as markdown.

Writes to stdout, or to ``-o FILE`` — never over an existing file unless ``--force``.
No textual here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yanbao.store.compare import compare_quarters, guidance_history, rating_history
from yanbao.store.export import comparison_markdown, report_markdown, watchlist_markdown
from yanbao.store.model import PERIOD_RE
from yanbao.store.text_safety import clean_line
from yanbao.tui.cli_common import LANG_CHOICES, labels_lang, resolve_report

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore

__all__ = ["add_parser", "run_export", "write_output"]



def add_parser(subparsers: Any, parents: tuple[argparse.ArgumentParser, ...] = ()) -> None:
    """Register ``export`` and point it at :func:`run_export`."""
    parser = subparsers.add_parser(
        "export",
        parents=list(parents),
        help="export a report, the watchlist or a comparison as markdown",
        description="Export markdown: yanbao export ID | --watchlist | --compare Q1 Q2. "
        "Prints to stdout unless -o FILE is given; an existing FILE is kept unless --force.",
    )
    parser.add_argument("id", nargs="?", metavar="ID", help="report id (or a unique prefix of it)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--watchlist", action="store_true", help="the watched companies")
    mode.add_argument("--compare", nargs=2, metavar=("Q1", "Q2"), help="two quarters side by side")
    parser.add_argument("--company", help="with --compare: only this company")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--lang", choices=LANG_CHOICES, default=argparse.SUPPRESS,
        help="label language (default: --lang or settings, else the report's, else zh)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    parser.set_defaults(func=run_export)


def _fail(message: str) -> int:
    print(f"yanbao export: {clean_line(message)}", file=sys.stderr)
    return 1


def run_export(args: argparse.Namespace, store: DigestStore) -> int:
    """Entry point of ``yanbao export``; returns the exit status."""
    chosen = sum(bool(x) for x in (args.id, args.watchlist, args.compare))
    if chosen != 1:
        return _fail("give one of: a report ID, --watchlist, or --compare Q1 Q2")
    if args.id:
        try:
            digest = resolve_report(store, args.id)
        except LookupError as error:
            return _fail(str(error))
        text = report_markdown(digest, lang=labels_lang(args, digest.language), marks=store.marks(digest.id))
    elif args.watchlist:
        text = watchlist_markdown(store.all(), store.watchlist(), lang=labels_lang(args))
    else:
        q1, q2 = (q.strip().upper() for q in args.compare)
        bad = [q for q in (q1, q2) if not PERIOD_RE.fullmatch(q)]
        if bad:
            return _fail(f"{bad[0]!r} is not a period like 2025Q1 or 2025")
        digests = store.all()
        comparison = compare_quarters(digests, q1, q2, company=args.company)
        if not comparison.rows and not comparison.left_ids and not comparison.right_ids:
            return _fail(f"nothing stored for {q1} or {q2}")
        in_view = [d for d in digests if d.period in (q1, q2)]
        guidance = [
            h
            for h in guidance_history(digests, company=args.company)
            if any(s.report_period in (q1, q2) for s in h.steps)
        ]
        ratings = rating_history(in_view, company=args.company)
        text = comparison_markdown(comparison, guidance, ratings=ratings, lang=labels_lang(args))
    if not args.output:
        _write_stdout(text)
        return 0
    try:
        path = write_output(Path(args.output), text, force=args.force)
    except (
        FileExistsError,
        FileNotFoundError,
        IsADirectoryError,
        PermissionError,
        OSError,
    ) as error:
        return _fail(str(error))
    print(clean_line(f"Wrote {path}"), file=sys.stderr)
    return 0


def write_output(path: Path, text: str, *, force: bool = False) -> Path:
    """Write ``text`` to ``path``; errors carry one line naming the file and the reason."""
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a folder; give a file name")
    if not path.parent.exists():
        raise FileNotFoundError(f"{path}: folder {path.parent} does not exist")
    if path.exists() and not force:
        raise FileExistsError(f"{path}: already exists; use --force to overwrite")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise OSError(f"{path}: {error.strerror or error}") from None
    return path


def _write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:  # a terminal that is not UTF-8: send the bytes as they are
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
