"""The help screen: every key the app answers to, read from the BINDINGS themselves."""

from __future__ import annotations

from typing import ClassVar, Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

__all__ = ["HelpScreen", "binding_rows"]

INTRO = (
    "yanbao shows digests of sell-side research reports. The report list holds every "
    "report, newest first; the panes show the highlighted one (1, 3) and the whole library (2, 3, 4)."
)

FILTER_HELP = (
    "Filter (f): words match title, broker, period or company; "
    "broker:NAME, period:2025Q1 and company:NAME match one column. Esc clears filter and search."
)


def _key_label(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    names = {"slash": "/", "question_mark": "?", "escape": "Esc", "enter": "Enter", "tab": "Tab",
             "up": "↑", "down": "↓", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
             "ctrl+p": "Ctrl+P", "shift+tab": "Shift+Tab"}
    return " / ".join(names.get(k.strip(), k.strip()) for k in binding.key.split(","))


def binding_rows(groups: Iterable[tuple[str, Iterable[BindingType]]]) -> list[tuple[str, str, str, str]]:
    """(group, keys, description, tooltip) for every Binding in the groups."""
    rows = []
    for group, bindings in groups:
        for binding in bindings:
            if isinstance(binding, Binding):
                rows.append((group, _key_label(binding), binding.description, binding.tooltip))
    return rows


class HelpScreen(ModalScreen[None]):
    """A modal list of keys grouped by where they work."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close", tooltip="Close the help"),
    ]

    def __init__(self, groups: list[tuple[str, Iterable[BindingType]]]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=True, header_style="bold", pad_edge=False)
        table.add_column("Where", style="dim", no_wrap=True)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Does")
        for group, keys, description, tooltip in binding_rows(self.groups):
            table.add_row(group, keys, tooltip or description)
        table.add_row("Panes", "Tab / Shift+Tab", "Move focus between the list and the pane's widgets")
        table.add_row("Watchlist", "Enter", "On one of the company's reports: open it in Key points")
        table.add_row("Compare", "Enter", "On a picker: choose two quarters, or a report vs its broker's previous")
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static(Text("yanbao — keys"), classes="dialog-title")
            yield Static(Text(INTRO))
            yield Static(table)
            yield Static(Text(FILTER_HELP, style="dim"))
            yield Static(Text("Esc or ? closes this help.", style="dim"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
