"""Pane 3, Risks: the selected report's risks and how often each risk recurs in the library."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from yanbao.tui.data.risk_tally import RisksView, RiskTally, bounded, plausible_risk, risk_key
from yanbao.tui.data.wrap import wrap_lines
from yanbao.tui.widgets.paragraphs import Paragraphs, ParagraphsStatic
from yanbao.tui.widgets.safe_text import clean

if TYPE_CHECKING:
    from yanbao.store.model import Digest
    from yanbao.tui.data.library import Library

__all__ = ["RisksPane"]

REPORTS_WIDTH = 7
QUARTERS_WIDTH = 14
"""The value columns keep their width; the risk's wording wraps in what is left."""


class RisksPane(Vertical):
    """The selected report's risks above the library-wide tally."""

    DEFAULT_CSS = """
    RisksPane { padding: 0 1; }
    RisksPane > .section-title { text-style: bold; color: $accent; }
    RisksPane > #risks-report { height: auto; max-height: 10; margin-bottom: 1; overflow-y: auto; }
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
        self._table_width = 0

    def compose(self) -> ComposeResult:
        yield Static(Text("Risks in this report"), classes="section-title")
        yield ParagraphsStatic(Text("Opening the report…", style="dim italic"), id="risks-report")
        yield Static(Text("Across the library"), classes="section-title")
        yield DataTable(id="risks-library", cursor_type="row", zebra_stripes=True)

    @property
    def view(self) -> RisksView:
        """What the pane shows, for the export."""
        return RisksView(self.digest, self.tally)

    def show_report(self, digest: Digest | None) -> None:
        """List one report's risks, marking those that recur elsewhere."""
        self.digest = digest
        target = self.query_one("#risks-report", Static)
        if digest is None:
            target.update(Text("No report selected.", style="dim italic"))
            return
        risks = [r for r in digest.risks if plausible_risk(r)]
        if not risks:
            target.update(Text("This report lists no risks.", style="dim italic"))
            return
        counts = {t.key: t.count for t in self.tally}
        items = []
        for number, risk in enumerate(risks, 1):
            body = Text(bounded(risk))
            others = counts.get(risk_key(risk), 1) - 1
            if others > 0:
                body.append(f"  (in {others} other report{'s' if others > 1 else ''})", style="dim")
            items.append((Text(f"{number}. "), body))
        target.update(Paragraphs(items))

    def set_library(self, library: Library) -> None:
        """Read the library's risk tally (kept by the store at every write) in a worker."""
        self._count(library)

    @work(thread=True, exclusive=True, exit_on_error=False, group="risk-tally")
    def _count(self, library: Library) -> None:
        self.post_message(self.TallyReady(library.risk_tally()))

    def on_risks_pane_tally_ready(self, message: TallyReady) -> None:
        message.stop()
        self.tally = message.tally
        self._fill_table()
        self.show_report(self.digest)

    def on_resize(self, event: events.Resize) -> None:
        if self.tally and self._risk_width() != self._table_width:
            self._fill_table()

    def _quarters_width(self) -> int:
        """Room for every quarter on one line when the pane has it (a third at most)."""
        longest = max((len(", ".join(t.periods)) for t in self.tally), default=QUARTERS_WIDTH)
        return max(QUARTERS_WIDTH, min(longest, self.size.width // 3))

    def _risk_width(self) -> int:
        # Each column has one cell of padding either side; the scrollbar takes two.
        return max(16, self.size.width - 2 - REPORTS_WIDTH - self._quarters_width() - 3 * 2 - 2)

    def _fill_table(self) -> None:
        """Rows whose wording wraps in the risk column; the counts and quarters always show."""
        table = self.query_one("#risks-library", DataTable)
        cursor = table.cursor_row
        width = self._table_width = self._risk_width()
        quarters_width = self._quarters_width()
        table.clear(columns=True)
        table.add_column("Risk", width=width)
        table.add_column("Reports", width=REPORTS_WIDTH)
        table.add_column("Quarters", width=quarters_width)
        for tally in self.tally:
            wording = wrap_lines(clean(tally.wording, one_line=True), width)
            quarters = wrap_lines(", ".join(sorted(tally.periods)) or "—", quarters_width)
            table.add_row(
                Text("\n".join(wording)),
                Text(str(tally.count), justify="right"),
                Text("\n".join(quarters)),
                height=max(len(wording), len(quarters)),
            )
        if self.tally:
            table.move_cursor(row=min(cursor, len(self.tally) - 1))
