"""``yanbao search QUERY``: the reports matching every word of a query, newest first, each
with a line of its text showing why it matched (the same search and snippet as the app's).

Words naming a concept of the bilingual lexicon match it in either language (``capex
guidance`` finds 资本开支指引). No textual here.
"""

from __future__ import annotations

import argparse
import sys
from itertools import islice
from typing import TYPE_CHECKING, Any

from yanbao.store.index import search_parts
from yanbao.store.search import match_snippet, query_groups
from yanbao.store.text_safety import clean, json_text
from yanbao.store.user_state import split_state_terms

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore

__all__ = ["add_parser", "run_search"]

MARK = "\x1b[1;7m", "\x1b[0m"  # the match, on a terminal: bold reverse


def add_parser(subparsers: Any, parents: tuple[argparse.ArgumentParser, ...] = ()) -> None:
    """Register ``search`` and point it at :func:`run_search`."""
    parser = subparsers.add_parser(
        "search", parents=list(parents), help="search stored reports; show why each matched",
        description="Reports matching every word of QUERY (titles, key points, companies, risks, "
        "your notes and tags), newest first, each with the words it matched in context. "
        "starred, unread and tag:NAME narrow it to your marks.",
    )
    parser.add_argument("query", nargs="+", metavar="WORD")
    parser.add_argument("--limit", type=int, default=50, metavar="N", help="at most N reports (default 50; 0: all)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_search)


def run_search(args: argparse.Namespace, store: DigestStore) -> int:
    """Entry point of ``yanbao search``; returns the exit status (1 when nothing matched)."""
    query = " ".join(args.query)
    groups = query_groups(split_state_terms(query)[0])
    # The reader's marks narrow it (``starred``, ``unread``, ``tag:NAME``); notes match too.
    ids = iter(store.search_marked(query))
    found = list(islice(ids, args.limit) if args.limit > 0 else ids)
    marks = MARK if sys.stdout.isatty() and not args.json else ("", "")
    rows = []
    for digest_id in found:
        digest = store.get(digest_id)
        if digest is None:
            continue
        texts = (clean(text, one_line=True) for text in search_parts(digest.to_dict()))
        snippet = match_snippet(texts, groups)
        rows.append((digest, snippet))
    if args.json:
        sys.stdout.write(json_text([
            {"id": d.id, "title": d.title, "broker": d.broker, "date": d.date,
             "match": s.text if s else None, "spans": s.spans if s else []}
            for d, s in rows
        ]) + "\n")
    else:
        for digest, snippet in rows:
            title = clean(digest.title, one_line=True)
            print(f"{digest.id[:12]}  {digest.date or '—':<10}  {clean(digest.broker or '—', one_line=True)}  {title}")
            if snippet is not None:
                print("    " + _marked(snippet.text, snippet.spans, marks))
    if not rows:
        print(f"no report matches “{clean(query, one_line=True)}”", file=sys.stderr)
        return 1
    return 0


def _marked(text: str, spans: list[tuple[int, int]], marks: tuple[str, str]) -> str:
    out, at = [], 0
    for start, end in spans:
        out += [text[at:start], marks[0], text[start:end], marks[1]]
        at = end
    return "".join(out) + text[at:]
