"""Which page of a PDF a key point or a figure came from (schema 2 of the digest).

The parser rejoins lines, drops furniture and reads sentences across page breaks, so a
digest's text is not a slice of one page's lines. Instead of carrying positions through
every stage, the finished digest is located in the pages afterwards: each page's text is
reduced to its letters (no whitespace, NFKC), and a window of the part's own letters is
looked up in them. The first page holding it wins (a figure quoted in the summary and in a
later chapter is the summary's). A part found nowhere keeps ``page`` None: unknown.

Pages are 1-based, as a PDF viewer counts them (pdfminer's page boundaries).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence

from yanbao.store.model import Digest

__all__ = ["PageFinder", "assign_pages"]

_SPACE = re.compile(r"\s+")
_WINDOW = 16  # letters looked up: long enough to be unique in a report, short enough to
# stay inside one line of the source where the parser rejoined or cleaned around it
_MIN_WINDOW = 6  # a shorter part (a bare heading like 投资建议) is too common to place


def _letters(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


class PageFinder:
    """The pages of one PDF, ready for looking text up; ``page_of`` gives a 1-based page."""

    def __init__(self, pages: Sequence[str]) -> None:
        parts = [_letters(page) for page in pages]
        self._starts: list[int] = []
        offset = 0
        for part in parts:
            self._starts.append(offset)
            offset += len(part)
        self._text = "".join(parts)

    def page_of(self, text: str) -> int | None:
        """The first page where ``text`` (or, failing its opening, a later window of it) stands."""
        letters = _letters(text)
        if len(letters) < _MIN_WINDOW or not self._text:
            return None
        # The opening first; then windows further in, for a part whose first letters the
        # parser changed (a bullet dropped, a number rejoined).
        step = max(_WINDOW, len(letters) // 4)
        for start in range(0, max(1, len(letters) - _MIN_WINDOW + 1), step):
            at = self._text.find(letters[start : start + _WINDOW])
            if at >= 0:
                return bisect.bisect_right(self._starts, at)
        return None


def assign_pages(digest: Digest, pages: Sequence[str]) -> Digest:
    """Set the page of each key point (where its heading, else its first point, stands)
    and each metric (where its sentence stands) from the PDF's page texts, in place."""
    finder = PageFinder(pages)
    for kp in digest.key_points:
        for text in (kp.heading, *kp.points):
            kp.page = finder.page_of(text)
            if kp.page is not None:
                break
    found: dict[str, int | None] = {}
    for metric in digest.metrics:
        if metric.text not in found:
            found[metric.text] = finder.page_of(metric.text)
        metric.page = found[metric.text]
    return digest
