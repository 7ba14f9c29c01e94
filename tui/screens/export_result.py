"""Dialog that says where an export was written."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from yanbao.tui.widgets.safe_text import clean

__all__ = ["ExportResultDialog"]


class ExportResultDialog(ModalScreen[None]):
    """Show the written file's path and size; any of Enter / Esc closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", "Close", tooltip="Close this dialog"),
    ]

    def __init__(self, path: Path, what: str) -> None:
        super().__init__()
        self.path = path
        self.what = what

    def compose(self) -> ComposeResult:
        size = self.path.stat().st_size if self.path.exists() else 0
        body = Text(f"Exported {clean(self.what, one_line=True)} as markdown to\n\n")
        body.append(clean(str(self.path)), style="bold")
        body.append(f"\n\n{size:,} bytes", style="dim")
        with Vertical(classes="dialog"):
            yield Static(Text("Export written"), classes="dialog-title")
            yield Static(body, id="export-path")
            yield Button("OK", id="export-ok", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
