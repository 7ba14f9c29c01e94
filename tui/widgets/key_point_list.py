"""The report's key points with a cursor: one key point (its heading and sub-points) at a time.

``o`` opens the source at the highlighted key point's page and ``y`` copies it. Each key
point wraps by character where it is Chinese, with its sub-points hanging under it; the
highlight covers every line of it, at any width. The list sits in the Key points pane's
scroll area and moves it: ``j`` reads on through a key point taller than the pane before
it steps to the next one, and past the last it scrolls on to the recommendation and
metrics, so the whole pane reads with one key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget
from yanbao.tui.widgets.paragraphs import Paragraphs, ParagraphsStatic, hanging_lines
from yanbao.tui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from yanbao.store.model import Digest, KeyPoint

__all__ = ["KeyPointList", "key_point_items", "key_point_plain", "NO_KEY_POINTS"]

NO_KEY_POINTS = "No key points were found in this report."


def key_point_items(number: int, point: KeyPoint) -> list[tuple[Text, Text | None]]:
    """``1. heading`` then ``   • sub-point`` lines: one key point as paragraph items."""
    items: list[tuple[Text, Text | None]] = [(Text(f"{number}. ", style="bold"), safe(point.heading, "bold", one_line=True))]
    items.extend((Text("   • "), safe(sub, one_line=True)) for sub in point.points)
    return items


def key_point_plain(point: KeyPoint) -> str:
    """One key point as plain text: its heading, then ``• sub-point`` lines."""
    lines = [clean(point.heading, one_line=True)] if clean(point.heading, one_line=True) else []
    lines.extend(f"• {clean(sub, one_line=True)}" for sub in point.points if clean(sub, one_line=True))
    return "\n".join(lines)


class KeyPointList(ParagraphsStatic, can_focus=True):
    """The key points of one digest; the cursor is on one of them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False, tooltip="Previous key point (or the rest of a long one)"),
        Binding("down", "cursor_down", "Down", show=False, tooltip="Next key point (or the rest of a long one)"),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-point-list--cursor"}

    DEFAULT_CSS = """
    KeyPointList { height: auto; }
    KeyPointList:focus > .key-point-list--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    """

    cursor: reactive[int] = reactive(0, init=False)
    """Index of the highlighted key point."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(Text(""), id=id, classes=classes)
        self.points: list[KeyPoint] = []
        self._digest_id: str | None = None
        self._blocks_cache: tuple[int, list[list[Text]]] | None = None

    # -- content -----------------------------------------------------------------------------
    def show(self, digest: Digest | None) -> None:
        """The key points of ``digest`` (None: nothing); another report starts at its first."""
        same = digest is not None and digest.id == self._digest_id
        self._digest_id = digest.id if digest is not None else None
        self.points = list(digest.key_points) if digest is not None else []
        self._blocks_cache = None
        if digest is None:
            self.update(Text(""))
        elif not self.points:
            self.update(Paragraphs([(Text(), Text(NO_KEY_POINTS, style="dim italic"))]))
        else:
            items = [item for number, point in enumerate(self.points, 1) for item in key_point_items(number, point)]
            self.update(Paragraphs(items))
        self.set_reactive(KeyPointList.cursor, min(self.cursor, len(self.points) - 1) if same and self.points else 0)

    @property
    def highlighted(self) -> KeyPoint | None:
        """The key point under the cursor."""
        return self.points[self.cursor] if 0 <= self.cursor < len(self.points) else None

    def _blocks(self, width: int) -> list[list[Text]]:
        """Each key point's lines at ``width`` cells."""
        if self._blocks_cache is None or self._blocks_cache[0] != width:
            blocks = [
                [line for prefix, body in key_point_items(number, point)
                 for line in hanging_lines(prefix, body if body is not None else Text(), width)]
                for number, point in enumerate(self.points, 1)
            ]
            self._blocks_cache = (width, blocks)
        return self._blocks_cache[1]

    def span(self, index: int) -> tuple[int, int]:
        """(first line, line count) of key point ``index`` in the widget."""
        blocks = self._blocks(self._width())
        start = sum(len(block) for block in blocks[:index])
        return start, len(blocks[index]) if 0 <= index < len(blocks) else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.points:
            return super().get_content_height(container, viewport, width)
        return sum(len(block) for block in self._blocks(width))

    def render(self):  # type: ignore[override]
        if not self.points:
            return super().render()
        width = self._width()
        style = self.get_component_rich_style("key-point-list--cursor", partial=True) if self.has_focus else None
        lines: list[Text] = []
        for index, block in enumerate(self._blocks(width)):
            for line in block:
                if style is not None and index == self.cursor:
                    line = line.copy()
                    line.append(" " * max(0, width - cell_len(line.plain)))
                    line.stylize(style)
                lines.append(line)
        return Text("\n", end="").join(lines)

    # -- the cursor and the pane's scroll ------------------------------------------------------
    def _scroller(self) -> Widget | None:
        parent = self.parent
        return parent if isinstance(parent, Widget) and parent.is_scrollable else None

    def _window(self) -> tuple[Widget, int, int, int] | None:
        """(the scroll area, the list's first line in it, the area's first and last shown line)."""
        scroller = self._scroller()
        if scroller is None:
            return None
        window = scroller.scrollable_content_region.at_offset(scroller.scroll_offset)
        top = self.virtual_region.y + (self.content_region.y - self.region.y)
        return scroller, top, window.y, window.bottom

    def _step(self) -> int:
        """How far one key moves through a key point taller than the pane: half the pane."""
        scroller = self._scroller()
        return max(1, (scroller.scrollable_content_region.height if scroller else 2) // 2)

    def _scroll_by(self, lines: int) -> None:
        scroller = self._scroller()
        if scroller is not None and lines:
            scroller.scroll_relative(y=lines, animate=False, immediate=True)

    def _show_cursor(self) -> None:
        """Scroll the pane the least that shows the highlighted key point; one taller than
        the pane shows from its first line."""
        found = self._window()
        if found is None or not self.points:
            return
        scroller, top, view_top, view_bottom = found
        start, count = self.span(self.cursor)
        first, end = top + start, top + start + count
        if end - first > view_bottom - view_top or first < view_top:
            self._scroll_by(first - view_top)
        elif end > view_bottom:
            self._scroll_by(end - view_bottom)

    def watch_cursor(self) -> None:
        self.refresh()
        self._show_cursor()

    def action_cursor_down(self) -> None:
        """The rest of a key point taller than the pane, else the next key point; after the
        last one, the rest of the pane."""
        found = self._window()
        if found is not None and self.points:
            _, top, _, view_bottom = found
            start, count = self.span(self.cursor)
            hidden = top + start + count - view_bottom
            if hidden > 0:
                self._scroll_by(min(hidden, self._step()))
                return
        if self.cursor < len(self.points) - 1:
            self.cursor += 1
        else:
            self._scroll_by(self._step())

    def action_cursor_up(self) -> None:
        """The start of a key point scrolled above the pane, else the previous key point."""
        found = self._window()
        if found is not None and self.points:
            _, top, view_top, _ = found
            start, _ = self.span(self.cursor)
            hidden = view_top - (top + start)
            if hidden > 0:
                self._scroll_by(-min(hidden, self._step()))
                return
        if self.cursor > 0:
            self.cursor -= 1
        else:
            self._scroll_by(-self._step())

    def action_first(self) -> None:
        if self.points:
            self.cursor = 0
            self._show_cursor()

    def action_last(self) -> None:
        if self.points:
            self.cursor = len(self.points) - 1
            self._show_cursor()

    def move_half(self, down: bool) -> None:
        """Ctrl+d / Ctrl+u: half a pane down or up; the cursor goes to the key point then at
        the top of the pane."""
        self._scroll_by(self._step() if down else -self._step())
        found = self._window()
        if found is None or not self.points:
            return
        _, top, view_top, _ = found
        line = max(0, view_top - top)
        for index in range(len(self.points)):
            start, count = self.span(index)
            if start + count > line:
                self.set_reactive(KeyPointList.cursor, index)
                self.refresh()
                return
        self.set_reactive(KeyPointList.cursor, len(self.points) - 1)
        self.refresh()

    def action_page_down(self) -> None:
        scroller = self._scroller()
        if scroller is not None:
            scroller.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        scroller = self._scroller()
        if scroller is not None:
            scroller.scroll_page_up(animate=False)

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on the key point under it."""
        line = event.y - (self.content_region.y - self.region.y)
        for index in range(len(self.points)):
            start, count = self.span(index)
            if start <= line < start + count:
                self.cursor = index
                return

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
