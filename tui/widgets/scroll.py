"""A scroll area that takes focus only when there is something to scroll."""

from __future__ import annotations

from textual.containers import VerticalScroll

__all__ = ["ScrollWhenNeeded"]


class ScrollWhenNeeded(VerticalScroll):
    """Tab passes it by while its content fits: a stop there would do nothing."""

    def allow_focus(self) -> bool:
        return self.can_focus and self.max_scroll_y > 0
