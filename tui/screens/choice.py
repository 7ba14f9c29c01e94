"""A dialog that offers a few answers to one question and returns the one chosen."""

from __future__ import annotations

from typing import ClassVar, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from yanbao.tui.widgets.safe_text import safe

__all__ = ["ChoiceDialog"]


class ChoiceDialog(ModalScreen[str | None]):
    """Ask ``question``; dismiss with the value of the chosen answer, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without doing anything"),
    ]

    def __init__(self, title: str, question: str, answers: Sequence[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.dialog_title = title
        self.question = question
        self.answers = list(answers)  # (label shown, value returned)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.dialog_title), classes="dialog-title")
            yield Static(safe(self.question), id="choice-question")
            yield OptionList(*(Option(safe(label, one_line=True)) for label, _ in self.answers), id="choice-answers")
            yield Static(Text("↑↓ and Enter to choose · Esc to cancel", style="dim"), classes="dialog-hint")

    @property
    def values(self) -> list[str]:
        """The values the answers return, in order."""
        return [value for _, value in self.answers]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.answers[event.option_index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
