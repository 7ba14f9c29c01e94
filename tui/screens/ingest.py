"""Dialog that asks for a file or folder and shows how its ingest goes.

The ingest itself runs behind the app (``widgets.ingest_runner``): Esc hides the dialog
and the batch goes on, ``i`` shows it again, ``x`` stops it keeping what landed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, ProgressBar, Static
from yanbao.tui.widgets.ingest_runner import IngestRunner
from yanbao.tui.widgets.safe_text import clean

if TYPE_CHECKING:
    from yanbao.tui.data.ingest_progress import IngestProgress
    from yanbao.tui.data.library import Library

__all__ = ["IngestDialog", "result_line"]

_STATUS_STYLE = {"ok": "green", "skipped": "yellow", "failed": "red"}


def result_line(result: Any) -> Text:
    """``ok  report.pdf`` or ``failed  bad.pdf: reason`` for one file."""
    status = str(getattr(result, "status", "?"))
    line = Text(f"{status:<7} ", style=_STATUS_STYLE.get(status, ""))
    line.append(clean(Path(str(result.path)).name, one_line=True))
    reason = getattr(result, "reason", None)
    if reason:
        line.append(f": {clean(reason, one_line=True)}", style="dim")
    return line


class IngestDialog(ModalScreen[Any]):
    """Ingest a path; dismiss with the IngestReport (None when closed before it ended:
    the batch then goes on behind the app)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Close; while ingesting, the ingest goes on behind the app"),
        Binding("x", "stop", "Stop", tooltip="Stop the ingest: files already parsed are stored, the rest are not"),
    ]

    def __init__(self, library: Library, path: str = "", *, runner: IngestRunner) -> None:
        super().__init__()
        self.library = library
        self.initial_path = path
        self.runner = runner
        self.report: Any | None = None

    @property
    def running(self) -> bool:
        """True while the batch this dialog shows is running."""
        return self.runner.running

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="ingest-dialog"):
            yield Static(Text("Ingest reports"), classes="dialog-title")
            yield Input(value=self.initial_path, placeholder="a PDF / text file or a folder of them", id="ingest-path")
            yield ProgressBar(total=None, show_eta=False, id="ingest-progress")
            yield Static(Text("Enter to start · Esc to cancel", style="dim"), id="ingest-status")
            with VerticalScroll(id="ingest-log-scroll"):
                yield Static(Text(""), id="ingest-log")

    def on_mount(self) -> None:
        self.runner.listeners.add(self)
        run = self.runner.run
        if run is not None and (run.running or self.runner.unseen):
            path = self.query_one("#ingest-path", Input)
            path.value = run.path
            if run.running:  # shown again while it runs: the progress so far
                path.disabled = True
                self._show_progress(run)
            else:  # it ended behind the app: its results
                self._show_finished(run)

    def on_unmount(self) -> None:
        self.runner.listeners.discard(self)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.running or self.report is not None:
            self.action_close()
            return
        raw = event.value.strip()
        if not raw:
            return
        path = Path(raw).expanduser()
        status = self.query_one("#ingest-status", Static)
        if not path.exists():
            status.update(Text(f"{clean(raw, one_line=True)}: no such file or folder", style="red"))
            return
        self.query_one("#ingest-path", Input).disabled = True
        status.update(Text(f"Ingesting {clean(str(path), one_line=True)}…", style="dim"))
        self.query_one("#ingest-log", Static).update(Text(""))
        self.runner.start(str(path))

    def _show_progress(self, run: IngestProgress) -> None:
        bar = self.query_one("#ingest-progress", ProgressBar)
        if run.total:
            bar.update(total=max(run.total, 1), progress=run.done)
        status = Text(clean(run.status_line(), one_line=True), style="yellow" if run.stopping else "")
        if run.note and not run.stopping:
            status = Text(clean(run.note, one_line=True), style="yellow")
        elif not run.stopping:
            status.append(" · Esc: go on behind the app · x stops", style="dim")
        self.query_one("#ingest-status", Static).update(status)
        log = Text("\n", end="").join(result_line(r) for r in run.results[-200:])
        self.query_one("#ingest-log", Static).update(log)
        scroll = self.query_one("#ingest-log-scroll", VerticalScroll)
        self.call_after_refresh(scroll.scroll_end, animate=False)

    def on_ingest_runner_progress(self, message: IngestRunner.Progress) -> None:
        message.stop()
        self._show_progress(message.run)

    def on_ingest_runner_finished(self, message: IngestRunner.Finished) -> None:
        message.stop()
        self._show_finished(message.run)

    def _show_finished(self, run: IngestProgress) -> None:
        self.runner.unseen = False
        status = self.query_one("#ingest-status", Static)
        bar = self.query_one("#ingest-progress", ProgressBar)
        self.query_one("#ingest-path", Input).disabled = False
        if run.report is None:
            status.update(Text(run.error or "Ingest failed.", style="red"))
            self.report = False  # finished, nothing to return
            return
        self.report = run.report
        results = list(run.report.results)
        failed = run.report.failed
        bar.update(total=max(run.report.total, 1), progress=len(results) if run.report.total else 1)
        summary = Text(run.summary(), style="red" if failed else "yellow" if run.report.not_done else "green")
        summary.append(" · Enter or Esc to close", style="dim")
        status.update(summary)
        # Failures first: they are what the user has to act on.
        order = {"failed": 0, "skipped": 1, "ok": 2}
        ranked = sorted(results, key=lambda r: order.get(r.status, 3))
        self.query_one("#ingest-log", Static).update(Text("\n", end="").join(result_line(r) for r in ranked[:500]))
        scroll = self.query_one("#ingest-log-scroll", VerticalScroll)
        self.call_after_refresh(scroll.scroll_home, animate=False)  # after any queued scroll_end
        self.query_one("#ingest-path", Input).focus()

    def action_stop(self) -> None:
        """x: stop the running ingest, keeping what landed."""
        self.runner.stop()

    def action_close(self) -> None:
        if self.running:  # the batch goes on behind the app
            self.notify("The ingest goes on behind the app: i shows it, x stops it", title="Ingest", timeout=4)
            self.dismiss(None)
            return
        self.dismiss(self.report or None)
