"""``yanbao tag``, ``yanbao note``, ``yanbao star`` and ``yanbao read``: the reader's own
marks on a report from the shell (the app's ``t``, ``n``, ``*`` and ``m``).

Reports are named as ``yanbao show`` names them (an id or a unique prefix). Everything
written goes to the store file's small tables (``store.user_state``).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yanbao.store.text_safety import clean, clean_line
from yanbao.tui.cli_common import is_text, resolve_report

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore
    from yanbao.store.model import Digest
    from yanbao.store.user_state import ReportMarks

__all__ = ["COMMANDS", "add_parser", "marks_line", "state_filter_of"]

COMMANDS = ("tag", "note", "star", "read")


def marks_line(marks: ReportMarks) -> str:
    """Star and tags on one line, e.g. ``★ #capex #AI`` ("" for none)."""
    parts = (["★"] if marks.star else []) + [f"#{t}" for t in marks.tags]
    return " ".join(parts)


def _name(digest: Digest) -> str:
    return clean_line(f"{digest.id[:12]} {' '.join(digest.title.split())}")


def cmd_tag(args: argparse.Namespace, store: DigestStore) -> int:
    digest = resolve_report(store, args.id)
    tags = [t for t in args.tags if t.strip()]
    if not all(is_text(t) for t in tags):
        raise ValueError("tag: a tag is not valid UTF-8 text")
    if not tags:
        marks = store.marks(digest.id)
    elif args.remove:
        marks = store.remove_tags(digest.id, tags)
    else:
        marks = store.add_tags(digest.id, tags)
    shown = " ".join(f"#{t}" for t in marks.tags) or "no tags"
    print(clean_line(f"{_name(digest)}: {shown}"))
    return 0


def cmd_star(args: argparse.Namespace, store: DigestStore) -> int:
    digest = resolve_report(store, args.id)
    store.set_star(digest.id, not args.off)
    print(clean_line(f"{_name(digest)}: {'unstarred' if args.off else 'starred ★'}"))
    return 0


def cmd_read(args: argparse.Namespace, store: DigestStore) -> int:
    digest = resolve_report(store, args.id)
    store.mark_read(digest.id, not args.unread)
    print(clean_line(f"{_name(digest)}: marked {'unread' if args.unread else 'read'}"))
    return 0


def _edit(text: str) -> str:
    """The note after the user's editor ($VISUAL, $EDITOR, else vi) had it."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="yanbao-note-") as folder:
        path = Path(folder) / "note.md"
        path.write_text(text, encoding="utf-8")
        try:
            done = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError as exc:
            raise ValueError(f"note: cannot run the editor {editor!r}: {exc.strerror or exc}") from None
        if done.returncode != 0:
            raise ValueError(f"note: the editor {editor!r} exited with status {done.returncode}; the note is unchanged")
        return path.read_text(encoding="utf-8", errors="replace")


def cmd_note(args: argparse.Namespace, store: DigestStore) -> int:
    digest = resolve_report(store, args.id)
    if args.clear:
        new: str | None = ""
    elif args.edit:
        new = _edit(store.marks(digest.id).note)
    elif args.text == ["-"] or (not args.text and not sys.stdin.isatty()):
        # A pipe gives the note; an empty one (a script's closed stdin) changes nothing.
        new = sys.stdin.read()
        if not new.strip() and args.text != ["-"]:
            new = None
    elif args.text:
        new = " ".join(args.text)
    else:
        new = None  # just show it
    if new is not None:
        if not is_text(new):
            raise ValueError("note: the text is not valid UTF-8")
        note = store.set_note(digest.id, new).note
        print(clean_line(f"{_name(digest)}: " + (f"note saved ({len(note)} characters)" if note else "note removed")))
        return 0
    note = store.marks(digest.id).note
    if note:
        sys.stdout.write(clean(note) + "\n")
    else:
        print(clean_line(f"{_name(digest)}: no note (yanbao note ID TEXT, or -e to edit)"), file=sys.stderr)
    return 0


def state_filter_of(args: argparse.Namespace) -> Any:
    """The ``list`` options ``--starred``, ``--unread``, ``--tag`` as a StateFilter."""
    from yanbao.store.user_state import StateFilter, normalise_tag

    tags = tuple(normalise_tag(t) for t in (args.tag or []))
    if any(not t for t in tags):
        raise ValueError("list --tag: give a tag name")
    return StateFilter(bool(args.starred), bool(args.unread), tags)


def add_parser(sub: Any, parents: tuple[argparse.ArgumentParser, ...] = ()) -> None:
    """Register ``tag``, ``note``, ``star`` and ``read``."""
    p = sub.add_parser("tag", parents=list(parents), help="tag a report (or list its tags)",
                       description="Add tags to a report (a unique id prefix is enough); --remove takes them "
                       "off; with no TAG, print its tags. Tags match case-insensitively and keep the case typed.")
    p.add_argument("id", metavar="ID")
    p.add_argument("tags", nargs="*", metavar="TAG")
    p.add_argument("--remove", "-r", action="store_true", help="remove the tags instead")
    p.set_defaults(func=cmd_tag, needs_store=True)

    p = sub.add_parser("note", parents=list(parents), help="write a note on a report (or print it)",
                       description="Set a report's note: the TEXT given, '-' (or a pipe) for standard input, "
                       "or -e to edit it in $VISUAL/$EDITOR. With nothing, print the note.")
    p.add_argument("id", metavar="ID")
    p.add_argument("text", nargs="*", metavar="TEXT")
    p.add_argument("-e", "--edit", action="store_true", help="edit the note in $VISUAL or $EDITOR")
    p.add_argument("--clear", action="store_true", help="remove the note")
    p.set_defaults(func=cmd_note, needs_store=True)

    p = sub.add_parser("star", parents=list(parents), help="star a report",
                       description="Star a report (a unique id prefix is enough); --off removes the star.")
    p.add_argument("id", metavar="ID")
    p.add_argument("--off", action="store_true", help="remove the star")
    p.set_defaults(func=cmd_star, needs_store=True)

    p = sub.add_parser("read", parents=list(parents), help="mark a report read (or unread)",
                       description="Mark a report read, as opening it in the app does; --unread marks it new again.")
    p.add_argument("id", metavar="ID")
    p.add_argument("--unread", action="store_true", help="mark it unread")
    p.set_defaults(func=cmd_read, needs_store=True)
