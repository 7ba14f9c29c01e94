"""Paragraphs that wrap Chinese by character and keep a hanging indent (bullets, numbers).

A Rich renderable, so a ``Static`` shows it and measures its height at the widget's own
width: ``Paragraphs([(Text("• "), Text("一段很长的要点……"))])``.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.visual import VisualType
from textual.widgets import Static
from yanbao.tui.data.wrap import wrap_offsets

__all__ = ["Paragraphs", "ParagraphsStatic", "hanging_lines"]


def hanging_lines(prefix: Text, body: Text, width: int) -> list[Text]:
    """``prefix`` then ``body`` wrapped to ``width`` cells; later lines indented under the body."""
    indent = cell_len(prefix.plain)
    room = max(4, width - indent)
    lines: list[Text] = []
    for number, line in enumerate(body.divide(wrap_offsets(body.plain, room))):
        line.rstrip()
        head = prefix.copy() if number == 0 else Text(" " * indent)
        head.append_text(line)
        lines.append(head)
    if not lines:
        lines.append(prefix.copy())
    return lines


class Paragraphs:
    """Items of (prefix, body), each body wrapped under its prefix; a None body is a blank line."""

    def __init__(self, items: Iterable[tuple[Text, Text | None]], *, style: str = "") -> None:
        self.items: Sequence[tuple[Text, Text | None]] = list(items)
        self.style = style

    @property
    def plain(self) -> str:
        """The text without wrapping (for tests and search)."""
        return "\n".join(prefix.plain + (body.plain if body is not None else "") for prefix, body in self.items)

    def lines(self, width: int) -> list[Text]:
        """Every line at ``width`` cells."""
        lines: list[Text] = []
        for prefix, body in self.items:
            lines.extend(hanging_lines(prefix, body if body is not None else Text(), width))
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        for line in self.lines(width):
            yield from line.render(console)
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((cell_len(p.plain) + cell_len(b.plain if b else "") for p, b in self.items), default=0)
        return Measurement(min(8, options.max_width), min(widest, options.max_width))

    def __str__(self) -> str:
        return self.plain


class ParagraphsStatic(Static):
    """A Static that lays out ``Paragraphs`` at its own width (anything else as Static does).

    ``render()`` returns the laid-out ``Text``, so tests and exports read plain text."""

    def __init__(self, content: VisualType | Paragraphs = "", *, id: str | None = None, classes: str | None = None) -> None:
        self._paragraphs: Paragraphs | None = None
        super().__init__("", id=id, classes=classes)
        self.update(content)

    def update(self, content: VisualType | Paragraphs = "", *, layout: bool = True) -> None:
        if isinstance(content, Paragraphs):
            self._paragraphs = content
            super().update("", layout=layout)
            self.refresh(layout=True)
        else:
            self._paragraphs = None
            super().update(content, layout=layout)

    def _width(self) -> int:
        return self.content_region.width or self.size.width or 80

    def render(self):  # type: ignore[override]
        if self._paragraphs is None:
            return super().render()
        return Text("\n", end="").join(self._paragraphs.lines(self._width()))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self._paragraphs is None:
            return super().get_content_height(container, viewport, width)
        return len(self._paragraphs.lines(width))
