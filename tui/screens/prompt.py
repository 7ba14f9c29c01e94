"""A one-line prompt dialog (search text, company to watch) that returns what was typed."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

__all__ = ["PromptDialog"]


class PromptDialog(ModalScreen[str | None]):
    """Ask for one line of text; dismiss with it (stripped) or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without doing anything"),
    ]

    def __init__(self, title: str, *, placeholder: str = "", value: str = "", hint: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.prompt_title = title
        self.placeholder = placeholder
        self.initial_value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.prompt_title), classes="dialog-title")
            yield Input(value=self.initial_value, placeholder=self.placeholder, id="prompt-input")
            yield Static(Text(self.hint or "Enter to confirm · Esc to cancel", style="dim"), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
