"""``yanbao open ID [--page N]``: a stored report's source file in the system viewer."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from yanbao.store.text_safety import clean_line
from yanbao.tui.cli_common import resolve_report
from yanbao.tui.data.open_source import ENV_VAR, open_source

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore

__all__ = ["add_parser", "run_open"]


def _page(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a page number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("pages count from 1")
    return value


def add_parser(subparsers: Any, parents: tuple[argparse.ArgumentParser, ...] = ()) -> None:
    """Register ``open`` and point it at :func:`run_open`."""
    parser = subparsers.add_parser(
        "open", parents=list(parents), help="open a stored report's source file in the system viewer",
        description=f"Open the source file of a stored report (id or unique prefix) with ${ENV_VAR} "
        "(a command line with {path} and {page}, e.g. 'zathura --page={page} {path}'), else xdg-open / open. "
        "Exit status 1 when the file is gone or no viewer is found.",
    )
    parser.add_argument("id", metavar="ID", help="report id (or a unique prefix of it)")
    parser.add_argument("--page", type=_page, metavar="N", help="the page to open at (default: the first)")
    parser.set_defaults(func=run_open)


def run_open(args: argparse.Namespace, store: DigestStore) -> int:
    """Entry point of ``yanbao open``; returns the exit status."""
    digest = resolve_report(store, args.id)
    pages = digest.source.pages if digest.source.kind == "pdf" else 0
    if args.page is not None and pages and args.page > pages:
        print(f"yanbao open: {clean_line(digest.source.path)} has {digest.source.pages} pages", file=sys.stderr)
        return 2
    outcome = open_source(digest, args.page)
    print(clean_line(outcome.message), file=sys.stdout if outcome.ok else sys.stderr)
    return 0 if outcome.ok else 1
