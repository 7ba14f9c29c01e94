"""yanbao's Textual app: a thin shell around the main screen."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from yanbao.tui.commands import JumpCommands, YanbaoCommands
from yanbao.tui.data.library import Library
from yanbao.tui.screens.help import HelpScreen
from yanbao.tui.screens.main import MainScreen
from yanbao.tui.widgets.report_list import ReportList

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
