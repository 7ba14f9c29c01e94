"""Exports on disk: the markdown for a view, where it goes, and a name never used before.

No Textual here; the main screen calls ``export_view`` from a thread worker.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

__all__ = ["write_new_file", "export_directory", "view_markdown", "export_view"]


def write_new_file(directory: Path, stem: str, text: str) -> Path:
    """Write ``text`` to ``directory/stem.md`` or ``stem-2.md``…; never overwrite a file."""
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(1, 1000):
        path = directory / (f"{stem}.md" if number == 1 else f"{stem}-{number}.md")
        try:
            # "x" fails on an existing file, atomically: no check-then-write race.
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
            return path
        except FileExistsError:
            continue
    raise FileExistsError(f"{directory}: too many exports named {stem}")


def export_directory() -> Path:
    """The current directory when writable, else the user's data directory."""
    cwd = Path.cwd()
    if os.access(cwd, os.W_OK):
        return cwd
    from platformdirs import user_data_dir

    return Path(user_data_dir("yanbao")) / "exports"


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-")


def view_markdown(pane: str, subject: Any, marks: Any = None) -> tuple[str, str, str]:
    """(markdown, file stem, what it is) for a pane's view.

    ``subject`` is the digest (pane 1), the WatchlistView (2), the RisksView (3), the
    QuarterComparison (4) or, for the Compare pane's history views (``guidance``,
    ``ratings``), their histories. ``marks``: the reader's star, tags and note on the
    report of pane 1.
    """
    from yanbao.store import export

    if pane == "risks":
        from yanbao.tui.data.risk_tally import risks_markdown

        digest = subject.digest
        stem = f"yanbao-risks-{_slug(digest.date or '') or 'undated'}-{digest.id[:8]}" if digest else "yanbao-risks"
        return risks_markdown(digest, subject.tally), stem, "the risk table"
    if pane == "keypoints":
        stem = f"yanbao-report-{_slug(subject.date or '') or 'undated'}-{subject.id[:8]}"
        return export.report_markdown(subject, marks=marks), stem, "the report"
    if pane == "watchlist":
        return export.watchlist_markdown(subject.digests, subject.watchlist), "yanbao-watchlist", "the watchlist"
    if pane == "guidance":
        return export.guidance_markdown(subject), "yanbao-guidance", "the guidance revisions"
    if pane == "ratings":
        return export.ratings_markdown(subject), "yanbao-ratings", "the ratings and target prices"
    sides = _slug(f"{subject.left_period or ''}-{subject.right_period or ''}")
    return export.comparison_markdown(subject), f"yanbao-compare-{sides}".rstrip("-"), "the comparison"


def export_view(pane: str, subject: Any, marks: Any = None) -> tuple[Path, str]:
    """Write a pane's view as a new markdown file; returns its path and what it holds."""
    text, stem, what = view_markdown(pane, subject, marks)
    return write_new_file(export_directory(), stem, text), what
