"""The report list stays instant with 10,000 reports: only visible rows are rendered."""

from __future__ import annotations

import time

from textual.app import App, ComposeResult

from yanbao.store.db import DigestSummary
from yanbao.tui.widgets.report_list import ReportList, filter_summaries, sort_summaries

N = 10_000


def summaries(n: int = N) -> list[DigestSummary]:
    """Synthetic rows with Chinese and English brokers and titles."""
    brokers = ["华安证券", "中信证券", "Example Securities", "国泰君安"]
    return [
        DigestSummary(
            id=f"{i:064x}",
            title=f"第{i}号报告：云厂商资本开支 capex review {i}",
            broker=brokers[i % 4],
            date=f"20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            period=f"20{10 + i % 15:02d}Q{1 + i % 4}",
            language="zh",
            companies=["Tencent" if i % 3 else "Microsoft"],
            recommended=[],
            n_metrics=i % 7,
        )
        for i in range(n)
    ]


class ListApp(App[None]):
    """Just the list, to time it alone."""

    def compose(self) -> ComposeResult:
        yield ReportList()


async def time_list(n: int, monkeypatch) -> dict[str, float]:
    """Timings for ``n`` rows: set_rows, first idle, the list's own render time per key
    press (what the widget costs, free of Pilot's waits) and rows ever laid out."""
    spent = {"render": 0.0}
    original = ReportList.render_line

    def timed_render_line(self, y):
        started = time.perf_counter()
        try:
            return original(self, y)
        finally:
            spent["render"] += time.perf_counter() - started

    monkeypatch.setattr(ReportList, "render_line", timed_render_line)
    rows = sort_summaries(summaries(n))
    app = ListApp()
    async with app.run_test(size=(120, 40)) as pilot:
        report_list = app.query_one(ReportList)
        started = time.perf_counter()
        report_list.set_rows(rows)
        set_rows = time.perf_counter() - started
        await pilot.pause()
        first_idle = time.perf_counter() - started
        report_list.focus()
        await pilot.pause()
        spent["render"] = 0.0
        started = time.perf_counter()
        keys = [*(["down"] * 40), "end", "pageup", "home"]
        await pilot.press(*keys)
        per_key = (time.perf_counter() - started) / len(keys)
        assert report_list.cursor == 0
        return {
            "set_rows": set_rows,
            "first_idle": first_idle,
            "per_key": per_key,
            "render_per_key": spent["render"] / len(keys),
            "laid_out": len(report_list._lines),
        }


async def test_ten_thousand_rows_cost_what_a_hundred_do(monkeypatch) -> None:
    """The list's own work per key press does not grow with the row count (measured beside
    a 100-row list in the same run, so a busy machine moves both), and only on-screen rows
    are ever laid out. Absolute timings live in benchmarks/, not here."""
    small = await time_list(100, monkeypatch)
    big = await time_list(N, monkeypatch)
    assert big["laid_out"] < 200, big
    # Generous factors: a loaded CI machine is noisy, but a per-row cost would be 100x.
    assert big["render_per_key"] < max(small["render_per_key"], 0.001) * 10, (small, big)
    assert big["first_idle"] < max(small["first_idle"], 0.05) * 10, (small, big)


def test_sort_and_filter_ten_thousand() -> None:
    rows = summaries()
    by_broker = sort_summaries(rows, "broker", reverse=False)
    filtered = filter_summaries(by_broker, "broker:华安 period:2024 company:tencent")
    assert by_broker[0].broker == "Example Securities"
    assert filtered and all(s.broker == "华安证券" and s.period.startswith("2024") for s in filtered)


async def test_chinese_columns_line_up() -> None:
    """Every row has the same cell width and the period column starts at the same cell."""
    from rich.cells import cell_len

    from yanbao.tui.widgets.report_list import Columns

    columns = Columns.for_width(80)
    lines = [columns.line("2025-05-06", broker, "2025Q1", title) for broker, title in
             [("华安证券", "云厂商资本开支继续走高"), ("Example Securities", "Cloud capex"), ("国泰君安证券股份有限公司", "长标题" * 30)]]
    assert {cell_len(line) for line in lines} == {80}
    starts = {cell_len(line[: line.index("2025Q1")]) for line in lines}
    assert len(starts) == 1


def test_a_search_alone_narrows_without_reading_company_names() -> None:
    """The search's ids narrow the list by id: the rows' company names (one catalog read of
    every report's names the first time) stay unread."""

    class NoNames(DigestSummary):
        @property
        def companies(self) -> list[str]:
            raise AssertionError("company names read")

    rows = [NoNames(id=f"{i:064x}", title=f"报告 {i}", broker="华安证券", date="2025-01-01", period="2025Q1",
                    language="zh", companies=[], recommended=[], n_metrics=0) for i in range(100)]
    wanted = {rows[3].id, rows[50].id}
    assert [s.id for s in filter_summaries(rows, "", wanted)] == [rows[3].id, rows[50].id]
    assert filter_summaries(rows, "  ", set()) == []
