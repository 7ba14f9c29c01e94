"""The bar between the report list and the panes: drag it to give either more room."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

__all__ = ["Splitter"]


class Splitter(Widget):
    """A one-cell bar; dragging it posts ``Moved`` with the list's new share (percent)."""

    DEFAULT_CSS = """
    Splitter { width: 1; height: 1fr; color: $panel-lighten-2; }
    Splitter:hover, Splitter.-dragging { color: $accent; }
    """

    class Moved(Message):
        """The bar was dragged: the list should take ``share`` percent."""

        def __init__(self, share: int, *, done: bool) -> None:
            super().__init__()
            self.share = share
            self.done = done  # the button was released: remember it

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.vertical = False  # True when the list sits above the panes (a horizontal bar)

    def render(self) -> Text:
        if self.vertical:
            return Text("━" * self.size.width)
        return Text("\n".join("┃" for _ in range(self.size.height)))

    def _share(self, event: events.MouseEvent) -> int:
        parent = self.parent
        if parent is None:
            return 50
        region = parent.content_region
        if self.vertical:
            share = (event.screen_y - region.y) * 100 / max(1, region.height)
        else:
            share = (event.screen_x - region.x) * 100 / max(1, region.width)
        return max(10, min(90, round(share)))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        event.stop()
        self.capture_mouse()
        self.add_class("-dragging")

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.has_class("-dragging"):
            event.stop()
            self.post_message(self.Moved(self._share(event), done=False))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self.has_class("-dragging"):
            event.stop()
            self.release_mouse()
            self.remove_class("-dragging")
            self.post_message(self.Moved(self._share(event), done=True))
