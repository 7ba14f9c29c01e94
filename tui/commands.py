"""Command palette: the same actions as the keys, findable by name."""

from __future__ import annotations

from functools import partial
from typing import Any, Sequence

from textual.command import DiscoveryHit, Hit, Hits, Provider
from yanbao.tui.data.jump_index import JumpIndex, JumpTarget
from yanbao.tui.widgets.safe_text import clean

__all__ = ["YanbaoCommands", "JumpCommands", "COMMANDS", "jump_index"]

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Show key points (1)", "screen.show_pane('keypoints')", "Sections, recommendation and metrics of the report"),
    ("Show watchlist (2)", "screen.show_pane('watchlist')", "Watched companies across the library"),
    ("Show risks (3)", "screen.show_pane('risks')", "The report's risks and how often each recurs"),
    ("Compare quarters (4)", "screen.show_pane('compare')", "Figure, risk and pick changes between two quarters"),
    ("Search reports (/)", "screen.search", "Titles, key points, companies and risks"),
    ("Filter the list (f)", "screen.filter", "By words, broker:, period:, company:"),
    ("Change sort order (s)", "screen.sort", "Date, broker, period or title"),
    ("Reverse the sort (S)", "screen.reverse_sort", "Newest or oldest first, A→Z or Z→A"),
    ("Copy what is under the cursor (y)", "screen.copy", "A figure with its sentence, a risk, a key point, or the digest as markdown"),
    ("Add company to watchlist (w)", "screen.watch", "The company under the cursor, or a typed one"),
    ("Remove company from watchlist (d)", "screen.unwatch", "The highlighted watched company"),
    ("Export current view as markdown (e)", "screen.export", "Written to a new file, never over an old one"),
    ("Ingest reports (i)", "screen.ingest", "A file or a folder, with a progress bar"),
    ("Watch a folder for new reports", "screen.watch_folder", "Ingest what lands in a folder while the app runs (remembered)"),
    ("Stop watching the folder", "screen.unwatch_folder", "New files there are no longer ingested"),
    ("Open the source file (o)", "screen.open_source", "In the system viewer, at the page of the highlighted figure or key point"),
    ("Star or unstar the report (*)", "screen.star", "Starred reports: filter with 'starred'"),
    ("Edit the report's tags (t)", "screen.tags", "Completes the tags in use; filter with tag:NAME"),
    ("Write a note on the report (n)", "screen.note", "Several lines, any script; Ctrl+S saves"),
    ("Next unread report (u)", "screen.next_unread", "Jump to the next new report in the list"),
    ("Mark read / unread (m)", "screen.toggle_read", "Opening a report marks it read; this toggles it"),
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


_index: tuple[Sequence[Any], JumpIndex] | None = None


def jump_index(summaries: Sequence[Any]) -> JumpIndex:
    """The jump index of this list of summaries, built once per list (a new list comes
    with every store load or ingest)."""
    global _index
    if _index is None or _index[0] is not summaries:
        _index = (summaries, JumpIndex(summaries))
    return _index[1]


class JumpCommands(Provider):
    """Jump to any report (by title, broker, period, company or ticker it names) or company."""

    def _index(self) -> JumpIndex | None:
        summaries = getattr(self.screen, "summaries", None)
        return jump_index(summaries) if summaries else None

    def _go(self, target: JumpTarget) -> None:
        if target.kind == "report":
            self.app.call_later(self.screen.open_report, target.key)
        else:
            self.app.call_later(self.screen.open_company, target.key)

    def _hit_text(self, target: JumpTarget) -> str:
        prefix = "Company: " if target.kind == "company" else "Report: "
        return prefix + clean(target.label, one_line=True)

    async def discover(self) -> Hits:
        index = self._index()
        if index is None:
            return
        for target in index.companies[:10]:
            yield DiscoveryHit(self._hit_text(target), partial(self._go, target), help=clean(target.help, one_line=True))

    async def search(self, query: str) -> Hits:
        index = self._index()
        if index is None:
            return
        matcher = self.matcher(query)
        for rank, target in enumerate(index.search(query)):
            text = self._hit_text(target)
            # Found by substring; the fuzzy score only orders hits and may be 0 for a
            # ticker or a company the title does not spell, so each keeps a small floor.
            score = max(matcher.match(text), 0.5 - rank / 1000)
            yield Hit(score, matcher.highlight(text), partial(self._go, target), text=text,
                      help=clean(target.help, one_line=True))
