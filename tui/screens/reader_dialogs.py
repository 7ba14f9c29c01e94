"""The reader's two small editors: tags (an Input completing from the tags in use) and a
note (a multi-line TextArea). Each returns its result through ``dismiss``; None cancels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static, TextArea

__all__ = ["LastWordSuggester", "NoteEditor", "TagEditor"]


class LastWordSuggester(SuggestFromList):
    """Completes the word being typed (the last one) from the tags in use, case-insensitively,
    keeping the words before it exactly as typed."""

    def __init__(self, suggestions: Iterable[str]) -> None:
        # Case-sensitive as far as Textual knows: the value reaches us as typed, and we match
        # the last word's casefold ourselves.
        super().__init__(suggestions, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, word = value.rpartition(" ")
        if not word:
            return None
        typed = {w.casefold() for w in head.split()}
        key = word.casefold()
        for tag in self._suggestions:
            if tag.casefold().startswith(key) and tag.casefold() not in typed and len(tag) > len(word):
                return f"{head} {tag}" if head else tag
        return None


class TagEditor(ModalScreen[list[str] | None]):
    """Edit a report's tags as words separated by spaces; dismiss with the list (possibly
    empty: every tag removed) or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without changing the tags"),
    ]

    def __init__(self, title: str, tags: Iterable[str], known: Iterable[str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.editor_title = title
        self.tags = list(tags)
        self.known = list(known)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.editor_title), classes="dialog-title")
            value = " ".join(self.tags) + (" " if self.tags else "")
            yield Input(value=value, placeholder="capex AI 跟踪 …", suggester=LastWordSuggester(self.known),
                        id="tag-input")
            yield Static(Text("Words separated by spaces · → accepts a suggestion · Enter saves · Esc cancels",
                              style="dim"), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.split())

    def action_cancel(self) -> None:
        self.dismiss(None)


class NoteEditor(ModalScreen[str | None]):
    """Write a note on a report: several lines, any script; Ctrl+S saves, Esc cancels."""

    DEFAULT_CSS = """
    NoteEditor > .dialog { width: 80%; max-width: 100; height: auto; }
    NoteEditor #note-text { height: 12; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the note (an empty note removes it)", priority=True),
        Binding("escape", "cancel", "Cancel", tooltip="Close without saving", priority=True),
    ]

    def __init__(self, title: str, note: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.editor_title = title
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.editor_title), classes="dialog-title")
            yield TextArea(self.note, soft_wrap=True, tab_behavior="indent", id="note-text")
            yield Static(Text("Ctrl+S saves · Esc cancels · an empty note is removed", style="dim"),
                         classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
