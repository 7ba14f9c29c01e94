"""yanbao's Textual app: a thin shell around the main screen."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from yanbao.tui.commands import JumpCommands, YanbaoCommands
from yanbao.tui.data.library import Library
from yanbao.tui.screens.help import HelpScreen
from yanbao.tui.screens.main import MainScreen
from yanbao.tui.widgets.report_list import ReportList

WORKER_THREADS = 32  # the panes' and the search's thread workers (``on_mount``)

__all__ = ["YanbaoApp"]


class YanbaoApp(App[None]):
    """Browse digests of research reports: list, key points, watchlist, risks, compare."""

    TITLE = "yanbao 研报"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {YanbaoCommands, JumpCommands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", tooltip="Quit yanbao", id="quit"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Show every key", id="help"),
    ]

    def __init__(self, store_path: str | Path | None = None, *, lang: str | None = None) -> None:
        super().__init__()
        self.library = Library(store_path)
        self.lang = lang  # --lang: zh, en or auto; None follows settings.json

    def on_mount(self) -> None:
        # Textual runs thread workers on the loop's default executor: min(32, CPUs + 4)
        # threads, 6 on two cores. Panes' readings take seconds at 100,000 reports (a
        # company's figures, a comparison's count), and a search queued behind six of them.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="yanbao-worker"))
        self.push_screen(MainScreen(self.library))

    def action_help(self) -> None:
        """Show the help screen with every key."""
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(
            HelpScreen(
                [
                    ("App", self.BINDINGS),
                    ("App", [Binding("ctrl+p", "command_palette", "Commands", tooltip="Command palette: every action by name")]),
                    ("Main", MainScreen.BINDINGS),
                    ("List", ReportList.BINDINGS),
                ]
            )
        )

    async def action_quit(self) -> None:
        """Quit, remembering where the user was (the main screen's last second too)."""
        for screen in self.screen_stack:
            keeper = getattr(screen, "keeper", None)
            if keeper is not None:
                keeper.checkpoint()
        self.exit()

    def on_unmount(self) -> None:
        self.library.close()
