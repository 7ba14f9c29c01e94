"""Markdown export: a report digest, the watchlist, a comparison — pure functions to ``str``.

The output is CommonMark plus GFM tables. Report text is untrusted and is escaped so that
it shows exactly what the report said: markdown punctuation gets a backslash, control
characters and terminal escape sequences are dropped, and lines never start a heading,
quote or list by accident. Labels follow the report's language unless ``lang`` says
otherwise.
"""

from __future__ import annotations

from yanbao.store.export.comparison import comparison_markdown, guidance_markdown, ratings_markdown
from yanbao.store.export.markdown import clean_text, escape_markdown
from yanbao.store.export.report import report_markdown
from yanbao.store.export.watchlist import watchlist_markdown

__all__ = [
    "clean_text",
    "comparison_markdown",
    "guidance_markdown",
    "ratings_markdown",
    "escape_markdown",
    "report_markdown",
    "watchlist_markdown",
]
