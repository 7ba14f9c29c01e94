"""The ingest that runs behind the app: a status line above the footer and its worker.

The batch is the store's own (``Library.ingest`` → ``store.ingest.ingest_paths``) run in a
thread worker; its progress callback posts messages here, and this widget passes them on
to whoever listens (the ingest dialog while it is open). The app stays usable meanwhile;
``stop`` sets the batch's cancel event: files already parsed are stored, the rest are not.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.message import Message
from textual.message_pump import MessagePump
from textual.widgets import Static
from yanbao.tui.data.ingest_progress import IngestProgress
from yanbao.tui.widgets.safe_text import clean

if TYPE_CHECKING:
    from yanbao.tui.data.library import Library

__all__ = ["IngestRunner"]

LANDED_EVERY = 2.0
"""Seconds between refreshes of the report list while reports land."""


class IngestRunner(Static):
    """One line saying how the background ingest goes; hidden when none ran."""

    DEFAULT_CSS = """
    IngestRunner { height: 1; padding: 0 1; background: $panel; display: none; }
    IngestRunner.-active { display: block; }
    IngestRunner.-failed { color: $text-error; }
    """

    class Progress(Message):
        """One file settled (or a note about the batch); ``run`` holds the whole state."""

        def __init__(self, run: IngestProgress, result: Any | None = None) -> None:
            super().__init__()
            self.run = run
            self.result = result

    class Finished(Message):
        """The batch ended; ``run.report`` (or ``run.error``) says how."""

        def __init__(self, run: IngestProgress) -> None:
            super().__init__()
            self.run = run

    class Landed(Message):
        """New reports are in the store: the list should be read again."""

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id)
        self.library = library
        self.run: IngestProgress | None = None
        self.listeners: set[MessagePump] = set()
        self._cancel = threading.Event()
        self._last_landed = 0.0
        self.unseen = False  # a batch ended while no dialog showed it: `i` shows its results

    @property
    def running(self) -> bool:
        """True while a batch runs."""
        return self.run is not None and self.run.running

    def start(self, path: str) -> IngestProgress:
        """Ingest ``path`` in the background (one batch at a time)."""
        if self.running:
            assert self.run is not None
            return self.run
        self.run = IngestProgress(path)
        self._cancel = threading.Event()
        self._last_landed = self.run.started
        self.unseen = False
        self.add_class("-active")
        self.remove_class("-failed")
        self._show()
        self._ingest(self.run, self._cancel)
        self.screen.refresh_bindings()  # x (stop) shows in the footer while it runs
        return self.run

    def stop(self) -> bool:
        """Stop the running batch after the files in progress; False when none runs."""
        if not self.running:
            return False
        assert self.run is not None
        self.run.stopping = True
        self._cancel.set()
        self._show()
        self._tell(self.run)
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="ingest")
    def _ingest(self, run: IngestProgress, cancel: threading.Event) -> None:
        def progress(done: int, total: int, result: Any) -> None:
            run.record(done, total, result)
            self.post_message(self.Progress(run, result))

        def note(text: str) -> None:
            run.note = text
            self.post_message(self.Progress(run))

        try:
            run.report = self.library.ingest([run.path], progress=progress, cancel=cancel, note=note)
        except Exception as error:  # one line for the user, never a traceback
            run.error = f"Ingest failed: {clean(error, one_line=True)}"
        self.post_message(self.Finished(run))

    def _show(self) -> None:
        if self.run is not None:
            line = self.run.status_line()
            if self.running and not self.run.stopping:
                line += " · x stops"
            self.update(Text(clean(line, one_line=True)))

    def _tell(self, run: IngestProgress, result: Any | None = None, *, finished: bool = False) -> bool:
        """Pass word on to the listeners (a message each); False when none listens."""
        told = False
        for listener in list(self.listeners):
            if listener.is_attached:
                listener.post_message(self.Finished(run) if finished else self.Progress(run, result))
                told = True
        return told

    def on_ingest_runner_progress(self, message: Progress) -> None:
        message.stop()
        self._show()
        self._tell(message.run, message.result)
        result = message.result
        if result is not None and getattr(result, "status", None) == "ok":
            now = message.run.clock()
            if now - self._last_landed >= LANDED_EVERY:
                self._last_landed = now
                self.post_message(self.Landed())

    def on_ingest_runner_finished(self, message: Finished) -> None:
        message.stop()
        self._show()
        run = message.run
        self.set_class(run.error is not None or run.count("failed") > 0, "-failed")
        self.screen.refresh_bindings()
        if not self._tell(run, finished=True):  # no dialog open: say it, failures first
            self.unseen = True
            failed = [r for r in run.results if getattr(r, "status", None) == "failed"]
            lines = [run.summary()] + [f"{_name(r)}: {clean(r.reason, one_line=True)}" for r in failed[:3]]
            if len(failed) > 3:
                lines.append(f"… and {len(failed) - 3} more (i shows every file)")
            elif failed:
                lines.append("(i shows every file)")
            self.notify("\n".join(lines), title="Ingest", markup=False, timeout=10,
                        severity="warning" if failed or run.error else "information")
        if run.report is not None and run.report.ok:
            self.post_message(self.Landed())


def _name(result: Any) -> str:
    from pathlib import Path

    return clean(Path(str(result.path)).name, one_line=True)
