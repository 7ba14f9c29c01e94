"""Pilot tests: y copies what is under the cursor and says what it copied (issue 15)."""

from __future__ import annotations

from conftest import record_notices, settle
from textual.widgets import DataTable

from yanbao.store.export import report_markdown
from yanbao.tui.data.figure_text import format_metric_value
from yanbao.tui.widgets.report_list import ReportList

SIZE = (120, 40)


def capture(app) -> list[str]:
    """Every text the app puts on the clipboard, in order."""
    copied: list[str] = []
    app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
    return copied


def notes(said) -> list[str]:
    return [message for _, message in said]


class TestCopy:
    """y on the list, a metric, a compared figure, a risk, the key points."""

    async def test_list_copies_the_digest_as_the_export_writes_it(self, app_factory) -> None:
        app = app_factory()
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            copied = capture(app)
            await pilot.press("y")
            digest = app.screen.digest
            assert digest is not None and app.screen.query_one(ReportList).highlighted.id == digest.id
            assert copied == [report_markdown(digest)]
            assert any(n.startswith("Copied the digest of “") and n.endswith("as markdown") for n in notes(said))

    async def test_metric_copies_the_figure_with_its_sentence(self, app_factory) -> None:
        app = app_factory()
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            copied = capture(app)
            table = app.screen.query_one("#kp-metrics", DataTable)
            table.focus()
            await pilot.press("j")
            await settle(pilot)
            metric = app.screen.digest.metrics[table.cursor_row]
            await pilot.press("y")
            first, sentence = copied[-1].split("\n")
            assert metric.text and sentence == " ".join(metric.text.split())
            assert first.startswith(metric.company)
            assert first.endswith(": " + format_metric_value(metric, app.screen.lang))
            assert any(n.startswith("Copied the figure ") and n.endswith("with its sentence") for n in notes(said))

    async def test_risk_and_compared_figure(self, app_factory) -> None:
        app = app_factory()
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            copied = capture(app)
            await pilot.press("3")
            await settle(pilot)
            tally = app.screen.query_one("#risks-pane").tally[0]
            await pilot.press("y")
            assert copied[-1].startswith(" ".join(tally.wording.split())) and f"in {tally.count} report" in copied[-1]
            assert "Copied the risk" in notes(said)
            await pilot.press("4")
            await settle(pilot)
            pane = app.screen.query_one("#compare-pane")
            row = pane.highlighted_row
            assert row is not None
            await pilot.press("y")
            lines = copied[-1].split("\n")
            assert "→" in lines[0] and any(line.startswith("From ") for line in lines[1:])
            assert any(n.endswith("with its sources") for n in notes(said))

    async def test_key_point_and_nothing(self, app_factory) -> None:
        """The key points copy the highlighted key point; the filter box has nothing to copy."""
        app = app_factory()
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            copied = capture(app)
            await pilot.press("1", "y")
            digest = app.screen.digest
            first_point = " ".join(digest.key_points[0].points[0].split())
            assert copied[-1].split("\n")[0] == " ".join(digest.key_points[0].heading.split())
            assert f"• {first_point}" in copied[-1].split("\n")
            assert "Copied key point 1" in notes(said)
            await pilot.press("escape", "f")
            await pilot.press("y")  # typed into the filter box: nothing copied
            assert len(copied) == 1
