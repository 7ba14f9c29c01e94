"""The app's watched folder: reports that land there are ingested while the app runs.

The setting ``watch_folder`` (settings.json, or the palette's "Watch a folder for new
reports") names the folder. Once the store is open, a thread worker ingests what is in it
and not stored yet, then watches it (``Library.watch_folder`` → ``store.folder_watch``, the
same watcher as ``yanbao ingest --watch``: debounced, partial downloads skipped, one line
per file that fails). Each batch comes back as a ``Batch`` message for the screen to say
and to reload the list. Nothing is drawn: the notices and the list say what landed.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.widget import Widget

if TYPE_CHECKING:
    from yanbao.tui.data.library import Library

__all__ = ["FolderWatcher"]


class FolderWatcher(Widget):
    """Runs the watch of one folder behind the app; ``start`` another to switch."""

    DEFAULT_CSS = "FolderWatcher { display: none; }"

    class Batch(Message):
        """Files from the watched folder were ingested; ``report`` is the IngestReport."""

        def __init__(self, folder: str, report: Any) -> None:
            super().__init__()
            self.folder = folder
            self.report = report

    class Failed(Message):
        """The folder could not be watched (gone, unreadable)."""

        def __init__(self, folder: str, reason: str) -> None:
            super().__init__()
            self.folder = folder
            self.reason = reason

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self.folder: str = ""
        self._stop = threading.Event()

    @property
    def watching(self) -> bool:
        """True while a folder is watched."""
        return bool(self.folder) and not self._stop.is_set()

    def start(self, folder: str) -> str | None:
        """Watch ``folder`` (instead of the one watched before); a line saying why not, or None."""
        path = Path(folder).expanduser()
        if not path.is_dir():
            return f"{folder} is not a folder"
        self.stop()
        self.folder = str(path)
        self._stop = threading.Event()
        self._watch(self.folder, self._stop)
        return None

    def stop(self) -> None:
        """Stop watching (a batch being stored finishes first)."""
        self._stop.set()
        self.folder = ""

    @work(thread=True, exclusive=False, exit_on_error=False, group="folder-watch")
    def _watch(self, folder: str, stop: threading.Event) -> None:
        try:
            self.library.watch_folder(folder, lambda report: self.post_message(self.Batch(folder, report)), stop)
        except Exception as error:  # the folder went away, a store error: one line, no traceback
            if not stop.is_set():
                self.post_message(self.Failed(folder, str(error) or type(error).__name__))

    def on_unmount(self) -> None:
        self._stop.set()
