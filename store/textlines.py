"""What a PDF engine hands the layout stage: positioned lines of text, page by page.

Engine-neutral: pdfminer.six (``store.pdf``) makes them today; any other engine that can say
where each line stands and how big its type is can feed ``store.layout`` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TextLine", "Page", "reading_order"]


@dataclass(frozen=True)
class TextLine:
    """One line of text as an engine placed it: PDF points, origin bottom left."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float  # font size in points (the largest on the line)


@dataclass
class Page:
    """One page's lines and size."""

    number: int
    width: float
    height: float
    lines: list[TextLine] = field(default_factory=list)


def reading_order(lines: list[TextLine]) -> list[TextLine]:
    """Top to bottom, then left to right."""
    return sorted(lines, key=lambda ln: (-round(ln.y1, 0), ln.x0))
