"""Pilot tests: the key points have a cursor; ``o`` opens at its page, ``y`` copies it (issue 15)."""

from __future__ import annotations

from pathlib import Path

from conftest import record_notices, settle
from rich.cells import cell_len
from rich.text import Text
from test_open_source import recorded, recorder_env
from textual.widgets import DataTable

from tests.conftest import write_pdf
from yanbao.store.db import DigestStore
from yanbao.store.model import KeyPoint
from yanbao.store.parser import parse_file
from yanbao.tui.app import YanbaoApp
from yanbao.tui.widgets.key_point_list import KeyPointList
from yanbao.tui.widgets.key_points import KeyPointsPane
from yanbao.tui.widgets.report_list import ReportList

SIZE = (120, 40)
LONG = ("国内互联网公司加大AI投入，腾讯控股本季度收入同比增长13%，广告收入同比增长20%，"
        "云业务收入同比增长15%，资本开支继续上修，算力租赁价格企稳，行业竞争趋于理性。") * 8


def three_key_points(path: Path) -> Path:
    """A report (our own words) with one key point per page; the second has a sub-point."""
    return write_pdf(path, [
        ["测试证券 行业深度报告", "云计算需求持续走强，维持行业增持评级", "2025年5月6日", "投资要点",
         "● 海外云厂商资本开支继续上修。", "微软Azure收入同比增长33%，高于市场预期。"],
        ["● 国内互联网公司加大AI投入。", "1）腾讯控股本季度收入同比增长13%，广告收入同比增长20%。"],
        ["● 算力租赁价格企稳。", "行业竞争趋于理性，维持行业增持评级。", "风险提示", "行业竞争加剧。"],
    ])


def store_of(tmp_path: Path, *digests) -> Path:
    path = tmp_path / "store.json"
    store = DigestStore(path)
    store.add_many(list(digests))
    store.mark_all_read()
    store.close()
    return path


def cursor_lines(widget: KeyPointList) -> list[int]:
    """The rendered lines that carry the cursor's background (and only those)."""
    style = widget.get_component_rich_style("key-point-list--cursor", partial=True)
    rendered: Text = widget.render()
    highlighted = []
    for number, line in enumerate(rendered.split("\n")):
        if any(span.style == style for span in line.spans):
            highlighted.append(number)
    return highlighted


class TestKeyPointCursor:
    """Focus, keys, highlight and the page of each key point."""

    async def test_o_opens_the_second_key_point_s_page_and_y_copies_it(self, tmp_path: Path, monkeypatch) -> None:
        env, out = recorder_env(tmp_path)
        monkeypatch.setenv("YANBAO_OPEN", env)
        pdf = three_key_points(tmp_path / "three.pdf")
        digest = parse_file(pdf)
        assert [k.page for k in digest.key_points] == [1, 2, 3]
        app = YanbaoApp(store_path=store_of(tmp_path, digest))
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            copied: list[str] = []
            app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
            await pilot.press("1")
            points = app.screen.query_one(KeyPointList)
            assert app.focused is points and points.cursor == 0
            await pilot.press("j")
            assert points.cursor == 1 and points.highlighted.page == 2
            await pilot.press("o")
            assert recorded(out) == ["2", str(pdf)]
            await settle(pilot)
            assert "Opened page 2 of three.pdf" in [message for _, message in said]
            await pilot.press("y")
            second = digest.key_points[1]
            assert copied == [f"{second.heading}\n• {second.points[0]}"]
            assert "Copied key point 2" in [message for _, message in said]

    async def test_o_on_a_key_point_whose_page_is_unknown_says_so(self, tmp_path: Path, monkeypatch) -> None:
        """A schema-1 digest (kept without pages): page 1, and the notice says why."""
        env, out = recorder_env(tmp_path)
        monkeypatch.setenv("YANBAO_OPEN", env)
        pdf = three_key_points(tmp_path / "three.pdf")
        digest = parse_file(pdf)
        for point in digest.key_points:
            point.page = None
        app = YanbaoApp(store_path=store_of(tmp_path, digest))
        said = record_notices(app)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("1", "j", "o")
            assert recorded(out) == ["1", str(pdf)]
            await settle(pilot)
            assert "Opened page 1 of three.pdf (the key point's page is not recorded)" in [m for _, m in said]

    async def test_keys_move_the_cursor_and_the_highlight_follows(self, tmp_path: Path) -> None:
        pdf = three_key_points(tmp_path / "three.pdf")
        app = YanbaoApp(store_path=store_of(tmp_path, parse_file(pdf)))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            points = app.screen.query_one(KeyPointList)
            assert cursor_lines(points) == []  # no highlight until the list has focus
            await pilot.press("1")
            assert cursor_lines(points) == [0]
            await pilot.press("down")
            first, count = points.span(1)
            assert points.cursor == 1 and cursor_lines(points) == list(range(first, first + count)) and count == 2
            await pilot.press("j", "j")  # stays on the last
            assert points.cursor == 2
            await pilot.press("k", "up", "up")
            assert points.cursor == 0
            await pilot.press("G")
            assert points.cursor == 2
            await pilot.press("g")
            assert points.cursor == 0
            await pilot.press("tab")  # on to the metrics table: the key point's highlight goes
            assert isinstance(app.focused, DataTable) and cursor_lines(points) == []

    async def test_a_click_puts_the_cursor_on_a_key_point(self, tmp_path: Path) -> None:
        pdf = three_key_points(tmp_path / "three.pdf")
        app = YanbaoApp(store_path=store_of(tmp_path, parse_file(pdf)))
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            points = app.screen.query_one(KeyPointList)
            start, _ = points.span(2)
            await pilot.click(KeyPointList, offset=(4, start))
            await pilot.pause()
            assert app.focused is points and points.cursor == 2

    async def test_a_long_cjk_key_point_is_highlighted_whole_and_read_through(self, tmp_path: Path, make_digest) -> None:
        """At 80x24 a key point of six hundred characters wraps to many lines: every one is
        highlighted, at most the pane's width; j reads through it before the next one."""
        digest = make_digest(1, key_points=[KeyPoint("云业务加速", [LONG]), KeyPoint("估值", ["维持增持评级。"])])
        app = YanbaoApp(store_path=store_of(tmp_path, digest))
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("1")
            await settle(pilot)
            points = app.screen.query_one(KeyPointList)
            pane = app.screen.query_one(KeyPointsPane)
            start, count = points.span(0)
            view = pane.scrollable_content_region.height
            assert count > view  # taller than the pane
            assert cursor_lines(points) == list(range(start, start + count))
            width = points.content_region.width
            assert all(cell_len(line) <= width for line in str(points.render()).split("\n"))
            presses = 0
            while points.cursor == 0:
                await pilot.press("j")
                await pilot.pause()
                presses += 1
                assert presses < 20
            assert presses > 1  # the rest of the long key point came first
            await pilot.press("k")
            await pilot.pause()
            assert points.cursor == 0
