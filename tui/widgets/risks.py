"""Pane 3, Risks: the selected report's risks and how often each risk recurs in the library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from yanbao.tui.data.risk_tally import RiskTally, risk_key
from yanbao.tui.widgets.safe_text import clean, safe

if TYPE_CHECKING:
    from yanbao.store.model import Digest
    from yanbao.tui.data.library import Library

__all__ = ["RisksPane"]

class RisksPane(Vertical):
    """The selected report's risks above the library-wide tally."""

    DEFAULT_CSS = """
    RisksPane { padding: 0 1; }
    RisksPane > .section-title { text-style: bold; color: $accent; }
    RisksPane > #risks-report { height: auto; max-height: 10; margin-bottom: 1; }
    RisksPane > DataTable { height: 1fr; }
    """

    class TallyReady(Message):
        """The library tally was computed in the worker."""

        def __init__(self, tally: list[RiskTally]) -> None:
            super().__init__()
            self.tally = tally

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.digest: Digest | None = None
        self.tally: list[RiskTally] = []

    def compose(self) -> ComposeResult:
        yield Static(Text("Risks in this report"), classes="section-title")
        yield Static(Text("Select a report in the list.", style="dim italic"), id="risks-report")
        yield Static(Text("Across the library"), classes="section-title")
        table: DataTable[Any] = DataTable(id="risks-library", cursor_type="row", zebra_stripes=True)
        table.add_columns("Risk", "Reports", "Quarters")
        yield table

    def show_report(self, digest: Digest | None) -> None:
        """List one report's risks, marking those that recur elsewhere."""
        self.digest = digest
        target = self.query_one("#risks-report", Static)
        if digest is None:
            target.update(Text("Select a report in the list.", style="dim italic"))
            return
        if not digest.risks:
            target.update(Text("This report lists no risks.", style="dim italic"))
            return
        counts = {t.key: t.count for t in self.tally}
        text = Text(end="")
        for number, risk in enumerate(digest.risks, 1):
            if number > 1:
                text.append("\n")
            text.append(f"{number}. ")
            text.append(clean(risk, one_line=True))
            others = counts.get(risk_key(risk), 1) - 1
            if others > 0:
                text.append(f"  (in {others} other report{'s' if others > 1 else ''})", style="dim")
        target.update(text)

    def set_library(self, library: Library) -> None:
        """Read the library's risk tally (kept by the store at every write) in a worker."""
        self._count(library)

    @work(thread=True, exclusive=True, exit_on_error=False, group="risk-tally")
    def _count(self, library: Library) -> None:
        self.post_message(self.TallyReady(library.risk_tally()))

    def on_risks_pane_tally_ready(self, message: TallyReady) -> None:
        message.stop()
        self.tally = message.tally
        table = self.query_one("#risks-library", DataTable)
        table.clear()
        for tally in self.tally:
            table.add_row(
                safe(tally.wording, one_line=True),
                Text(str(tally.count), justify="right"),
                Text(", ".join(sorted(tally.periods)) or "—"),
            )
        self.show_report(self.digest)
