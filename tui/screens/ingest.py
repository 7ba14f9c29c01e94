"""Dialog that asks for a file or folder, ingests it in a thread and shows progress."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, ProgressBar, Static
from yanbao.tui.widgets.safe_text import clean

if TYPE_CHECKING:
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
    """Ingest a path; dismiss with the IngestReport (None when cancelled before starting)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Close; while ingesting, stop after the files in progress"),
    ]

    class Progress(Message):
        """One file is done (sent from the ingest thread)."""

        def __init__(self, done: int, total: int, result: Any) -> None:
            super().__init__()
            self.done = done
            self.total = total
            self.result = result

    class Note(Message):
        """Word about the batch as a whole, e.g. it waits for another writer (ingest thread)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Finished(Message):
        """The ingest ended with a report, or an error line."""

        def __init__(self, report: Any | None, error: str | None = None) -> None:
            super().__init__()
            self.report = report
            self.error = error

    def __init__(self, library: Library, path: str = "") -> None:
        super().__init__()
        self.library = library
        self.initial_path = path
        self.running = False
        self.report: Any | None = None
        self.cancel = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="ingest-dialog"):
            yield Static(Text("Ingest reports"), classes="dialog-title")
            yield Input(value=self.initial_path, placeholder="a PDF / text file or a folder of them", id="ingest-path")
            yield ProgressBar(total=None, show_eta=False, id="ingest-progress")
            yield Static(Text("Enter to start · Esc to cancel", style="dim"), id="ingest-status")
            with VerticalScroll(id="ingest-log-scroll"):
                yield Static(Text(""), id="ingest-log")

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
        self.running = True
        self.query_one("#ingest-path", Input).disabled = True
        status.update(Text(f"Ingesting {clean(str(path), one_line=True)}…", style="dim"))
        self._lines: list[Text] = []
        self._ingest(str(path))

    @work(thread=True, exclusive=True, exit_on_error=False, group="ingest")
    def _ingest(self, path: str) -> None:
        def progress(done: int, total: int, result: Any) -> None:
            self.post_message(self.Progress(done, total, result))

        try:
            report = self.library.ingest([path], progress=progress, cancel=self.cancel,
                                         note=lambda text: self.post_message(self.Note(text)))
        except Exception as error:  # one line for the user, never a traceback
            self.post_message(self.Finished(None, f"Ingest failed: {clean(error, one_line=True)}"))
            return
        self.post_message(self.Finished(report))

    def on_ingest_dialog_progress(self, message: Progress) -> None:
        message.stop()
        bar = self.query_one("#ingest-progress", ProgressBar)
        bar.update(total=max(message.total, 1), progress=message.done)
        self._lines.append(result_line(message.result))
        log = Text("\n", end="").join(self._lines[-200:])
        self.query_one("#ingest-log", Static).update(log)
        scroll = self.query_one("#ingest-log-scroll", VerticalScroll)
        self.call_after_refresh(scroll.scroll_end, animate=False)

    def on_ingest_dialog_note(self, message: Note) -> None:
        message.stop()
        if self.running and not self.cancel.is_set():
            self.query_one("#ingest-status", Static).update(Text(clean(message.text, one_line=True), style="yellow"))

    def on_ingest_dialog_finished(self, message: Finished) -> None:
        message.stop()
        self.running = False
        status = self.query_one("#ingest-status", Static)
        bar = self.query_one("#ingest-progress", ProgressBar)
        if message.report is None:
            status.update(Text(message.error or "Ingest failed.", style="red"))
            self.report = False  # finished, nothing to return
            return
        self.report = message.report
        results = list(getattr(message.report, "results", []))
        counts = {s: sum(1 for r in results if r.status == s) for s in ("ok", "skipped", "failed")}
        bar.update(total=max(len(results), 1), progress=max(len(results), 1))
        summary = Text(f"Done: {counts['ok']} ok, {counts['skipped']} skipped, {counts['failed']} failed",
                       style="red" if counts["failed"] else "green")
        summary.append(" · Enter or Esc to close", style="dim")
        status.update(summary)
        # Failures first: they are what the user has to act on.
        order = {"failed": 0, "skipped": 1, "ok": 2}
        ranked = sorted(results, key=lambda r: order.get(r.status, 3))
        self.query_one("#ingest-log", Static).update(Text("\n", end="").join(result_line(r) for r in ranked[:500]))
        scroll = self.query_one("#ingest-log-scroll", VerticalScroll)
        self.call_after_refresh(scroll.scroll_home, animate=False)  # after any queued scroll_end
        self.query_one("#ingest-path", Input).disabled = False
        self.query_one("#ingest-path", Input).focus()

    def action_close(self) -> None:
        if self.running:
            self.cancel.set()
            self.query_one("#ingest-status", Static).update(Text("Stopping… files already parsed are kept.", style="yellow"))
            return
        self.dismiss(self.report or None)
