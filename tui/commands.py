"""Command palette: the same actions as the keys, findable by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

__all__ = ["YanbaoCommands", "COMMANDS"]

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Show key points (1)", "screen.show_pane('keypoints')", "Sections, recommendation and metrics of the report"),
    ("Show watchlist (2)", "screen.show_pane('watchlist')", "Watched companies across the library"),
    ("Show risks (3)", "screen.show_pane('risks')", "The report's risks and how often each recurs"),
    ("Compare quarters (4)", "screen.show_pane('compare')", "Figure, risk and pick changes between two quarters"),
    ("Search reports (/)", "screen.search", "Titles, key points, companies and risks"),
    ("Filter the list (f)", "screen.filter", "By words, broker:, period:, company:"),
    ("Change sort order (s)", "screen.sort", "Date, broker, period or title"),
    ("Add company to watchlist (w)", "screen.watch", "The company under the cursor, or a typed one"),
    ("Remove company from watchlist (d)", "screen.unwatch", "The highlighted watched company"),
    ("Export current view as markdown (e)", "screen.export", "Written to a new file, never over an old one"),
    ("Ingest reports (i)", "screen.ingest", "A file or a folder, with a progress bar"),
    ("Help: all keys (?)", "app.help", "Every key the app answers to"),
    ("Quit yanbao (q)", "app.quit", "Leave the app"),
)
"""(name, action, help) for every command; actions are the same ones the keys run."""


class YanbaoCommands(Provider):
    """Offers every key's action by name."""

    def _run(self, action: str) -> None:
        self.app.call_later(self.app.run_action, action, self.screen)

    async def discover(self) -> Hits:
        for name, action, help_text in COMMANDS:
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, action, help_text in COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(self._run, action), text=name, help=help_text)
