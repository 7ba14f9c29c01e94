"""``o`` opens a report's source in the system viewer at the highlighted figure's page."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

from conftest import settle
from textual.widgets import DataTable

from tests.conftest import write_pdf
from yanbao.store.db import DigestStore
from yanbao.store.parser import parse_file
from yanbao.tui.app import YanbaoApp
from yanbao.tui.data.open_source import open_source, source_page, viewer_command
from yanbao.tui.widgets.compare import ComparePane
from yanbao.tui.widgets.key_points import KeyPointsPane
from yanbao.tui.widgets.report_list import ReportList
from yanbao.tui.widgets.watchlist import WatchlistPane

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_reports" / "km_msft_2025q3.pdf"
SIZE = (120, 40)
# A viewer that writes its arguments to a file: what the app asked it to open.
RECORDER = "import json, sys; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))"


def three_pages(path: Path) -> Path:
    """A report (our own words) whose figures stand on pages 2 and 3."""
    return write_pdf(path, [
        ["测试证券 行业深度报告", "云计算需求持续走强，维持行业增持评级", "2025年5月6日", "投资要点",
         "1）微软Azure收入同比增长33%，高于市场预期。", "投资建议", "建议关注腾讯控股、阿里巴巴。"],
        ["一、海外云厂商", "谷歌云本季度收入同比增长28%，运营利润率提升至17.8%。"],
        ["二、国内互联网", "腾讯控股本季度收入同比增长13%，广告收入同比增长20%。", "风险提示", "行业竞争加剧。"],
    ])


def two_quarters(tmp_path: Path) -> tuple[Path, Path]:
    """Two notes on Tencent (our own words): 2025Q1's figures on page 2, 2025Q2's on page 3."""
    first = write_pdf(tmp_path / "q1.pdf", [
        ["测试证券 公司点评", "腾讯控股：一季度广告收入加速增长", "2025年5月14日", "投资要点",
         "1）2025年一季度业绩稳健，维持买入评级。"],
        ["一、业绩回顾", "腾讯控股2025年一季度收入同比增长13%，广告收入同比增长20%。", "风险提示", "行业竞争加剧。"],
    ])
    second = write_pdf(tmp_path / "q2.pdf", [
        ["测试证券 公司点评", "腾讯控股：二季度云业务提速", "2025年8月14日", "投资要点",
         "1）2025年二季度业绩超预期，维持买入评级。"],
        ["一、展望", "我们预计下半年增速维持。"],
        ["二、业绩回顾", "腾讯控股2025年二季度收入同比增长15%，广告收入同比增长19%。", "风险提示", "行业竞争加剧。"],
    ])
    return first, second


def two_quarters_library(tmp_path: Path, monkeypatch, watch: str | None = None) -> tuple[Path, Path]:
    """A library of ``two_quarters`` at tmp_path/store.json (``watch`` watched) and a
    recording viewer: the 2025Q2 note's path and the file the viewer writes."""
    env, out = recorder_env(tmp_path)
    monkeypatch.setenv("YANBAO_OPEN", env)
    first, second = two_quarters(tmp_path)
    store = DigestStore(tmp_path / "store.json")
    store.add_many([parse_file(first), parse_file(second)])
    if watch:
        store.watchlist_add(watch)
    store.close()
    return second, out


async def open_at(pilot, table_id: str, row: int, out: Path) -> list[str]:
    """Focus the table ``table_id``, put its cursor on ``row``, press ``o``: what the viewer got."""
    table = pilot.app.screen.query_one(table_id, DataTable)
    table.focus()
    table.move_cursor(row=row)
    await pilot.pause()
    await pilot.press("o")
    argv = recorded(out)
    await settle(pilot)
    return argv


def recorder_env(tmp_path: Path) -> tuple[str, Path]:
    """A ``$YANBAO_OPEN`` running the recorder, and the file it writes."""
    script = tmp_path / "viewer.py"
    script.write_text(RECORDER, encoding="utf-8")
    out = tmp_path / "viewer-args.json"
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {shlex.quote(str(out))} {{page}} {{path}}", out


def recorded(out: Path, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if out.exists() and out.stat().st_size:
            return json.loads(out.read_text(encoding="utf-8"))
        time.sleep(0.05)
    raise AssertionError("the viewer was not run")


class TestOpenKey:
    """The key, in the app: the configured opener runs with the right page."""

    async def _open_metric(self, tmp_path: Path, monkeypatch, source: Path, wanted_page: int) -> list[str]:
        env, out = recorder_env(tmp_path)
        monkeypatch.setenv("YANBAO_OPEN", env)
        store_path = tmp_path / "store.json"
        store = DigestStore(store_path)
        digest = parse_file(source)
        store.add_many([digest, parse_file(SAMPLE if source != SAMPLE else three_pages(tmp_path / "other.pdf"))])
        store.close()
        row = next(i for i, m in enumerate(digest.metrics) if m.page == wanted_page)
        app = YanbaoApp(store_path=store_path)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            index = [s.id for s in app.screen.query_one(ReportList).rows].index(digest.id)
            await pilot.press(*["j"] * index)
            await settle(pilot)
            assert app.screen.digest.id == digest.id
            table = app.screen.query_one("#kp-metrics", DataTable)
            table.focus()
            await pilot.pause()
            table.move_cursor(row=row)
            await pilot.pause()
            assert app.screen.query_one(KeyPointsPane).metric_under_cursor.page == wanted_page
            await pilot.press("o")
            argv = recorded(out)
            await settle(pilot)
            messages = [n.message for n in app._notifications]
            assert f"Opened page {wanted_page} of {source.name}" in messages
        return argv

    async def test_o_on_a_metric_of_a_sample_pdf(self, tmp_path: Path, monkeypatch) -> None:
        """A bundled sample's figure (page 1): the opener gets page 1 and the sample's path."""
        assert await self._open_metric(tmp_path, monkeypatch, SAMPLE, 1) == ["1", str(SAMPLE)]

    async def test_o_on_a_figure_on_page_3(self, tmp_path: Path, monkeypatch) -> None:
        """A figure on the third page of a report: the opener gets page 3."""
        pdf = three_pages(tmp_path / "deep.pdf")
        assert await self._open_metric(tmp_path, monkeypatch, pdf, 3) == ["3", str(pdf)]

    async def test_o_in_compare_opens_the_report_stating_the_newer_value(self, tmp_path: Path, monkeypatch) -> None:
        """Compare's figures come from the catalog, without pages: ``o`` on one opens the
        report that states its newer value, at that figure's page (not the list's report
        at page 1)."""
        second, out = two_quarters_library(tmp_path, monkeypatch)
        app = YanbaoApp(store_path=tmp_path / "store.json")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("4")
            await settle(pilot)
            pane = app.screen.query_one(ComparePane)
            assert pane.quarters == ("2025Q1", "2025Q2")
            index = next(i for i, row in enumerate(pane._rows)
                         if row.company == "Tencent" and row.metric == "revenue_growth_yoy")
            assert await open_at(pilot, "#compare-table", index, out) == ["3", str(second)]
            assert "Opened page 3 of q2.pdf" in [n.message for n in app._notifications]

    async def test_o_with_the_list_focused_opens_the_first_page(self, tmp_path: Path, monkeypatch) -> None:
        """Nothing with a page highlighted (the report list has focus): page 1."""
        env, out = recorder_env(tmp_path)
        monkeypatch.setenv("YANBAO_OPEN", env)
        pdf = three_pages(tmp_path / "deep.pdf")
        store = DigestStore(tmp_path / "store.json")
        store.add(parse_file(pdf))
        store.close()
        app = YanbaoApp(store_path=tmp_path / "store.json")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("o")
            assert recorded(out) == ["1", str(pdf)]

    async def test_o_says_when_the_source_is_gone(self, tmp_path: Path, monkeypatch) -> None:
        """A report whose file was deleted: a warning naming it, no viewer run."""
        env, out = recorder_env(tmp_path)
        monkeypatch.setenv("YANBAO_OPEN", env)
        pdf = three_pages(tmp_path / "deep.pdf")
        store = DigestStore(tmp_path / "store.json")
        store.add(parse_file(pdf))
        store.close()
        pdf.unlink()
        app = YanbaoApp(store_path=tmp_path / "store.json")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot)
            await pilot.press("o")
            await settle(pilot)
            assert f"The source file is gone: {pdf}" in [n.message for n in app._notifications]
        assert not out.exists()


class TestOpenSource:
    """The data layer: which command, which page, which message."""

    def test_the_template_is_split_without_a_shell(self, tmp_path: Path) -> None:
        command = viewer_command("/r/a b.pdf", 7, {"YANBAO_OPEN": "zathura --page={page} '{path}'; rm -rf ~"})
        assert command.argv == ["zathura", "--page=7", "/r/a b.pdf;", "rm", "-rf", "~"] and command.at_page

    def test_without_a_path_placeholder_the_path_goes_last(self) -> None:
        command = viewer_command("/r/a.pdf", None, {"YANBAO_OPEN": "evince"})
        assert command.argv == ["evince", "/r/a.pdf"] and not command.at_page

    def test_the_system_opener_when_no_template(self, tmp_path: Path) -> None:
        opener = tmp_path / "xdg-open"
        opener.write_text("#!/bin/sh\n", encoding="utf-8")
        opener.chmod(0o755)
        assert viewer_command("/r/a.pdf", 3, {"PATH": str(tmp_path)}, "linux").argv == [str(opener), "/r/a.pdf"]
        assert viewer_command("/r/a.pdf", 3, {"PATH": str(tmp_path)}, "darwin") is None  # no `open` there

    def test_messages(self, tmp_path: Path, make_digest) -> None:
        pdf = three_pages(tmp_path / "deep.pdf")
        digest = parse_file(pdf)
        ran: list[list[str]] = []
        env = {"YANBAO_OPEN": "viewer {page} {path}"}
        assert open_source(digest, 2, env=env, launch=ran.append).message == "Opened page 2 of deep.pdf"
        assert ran == [["viewer", "2", str(pdf)]]
        none = open_source(digest, 2, env={"PATH": str(tmp_path / "empty")}, launch=ran.append)
        assert not none.ok and none.message.startswith("No viewer found: set $YANBAO_OPEN")
        opener = tmp_path / "bin" / "xdg-open"
        opener.parent.mkdir()
        opener.write_text("#!/bin/sh\n", encoding="utf-8")
        opener.chmod(0o755)
        system = open_source(digest, 2, env={"PATH": str(opener.parent)}, launch=ran.append)
        assert system.ok and "the figure is on page 2" in system.message
        bad = open_source(digest, 2, env={"YANBAO_OPEN": "viewer '{path}"}, launch=ran.append)
        assert not bad.ok and "cannot be read as a command line" in bad.message

        def refuse(argv: list[str]) -> None:
            raise FileNotFoundError(2, "No such file or directory")

        failed = open_source(digest, 2, env={"YANBAO_OPEN": "no-such-viewer {path}"}, launch=refuse)
        assert not failed.ok and failed.message == "The viewer could not start (no-such-viewer: No such file or directory)"
        gone = make_digest(1)
        assert open_source(gone, env=env, launch=ran.append).message == f"The source file is gone: {gone.source.path}"
        assert source_page(digest, digest.metrics[-1]) == 3 and source_page(digest, None) is None

    def test_a_text_report_opens_without_a_page(self, tmp_path: Path) -> None:
        text = tmp_path / "weekly.txt"
        text.write_text("测试证券 周报\n投资要点\n1）微软Azure收入同比增长33%。\n", encoding="utf-8")
        digest = parse_file(text)
        ran: list[list[str]] = []
        outcome = open_source(digest, 4, env={"YANBAO_OPEN": "viewer {page} {path}"}, launch=ran.append)
        assert outcome.message == "Opened weekly.txt" and ran == [["viewer", "1", str(text)]]

    def test_the_real_launch_is_detached_and_silent(self, tmp_path: Path) -> None:
        """The viewer runs in its own session with no terminal: what it prints goes nowhere."""
        out = tmp_path / "probe.json"
        probe = tmp_path / "probe.py"
        probe.write_text(
            "import json, os, sys\n"
            "print('noise on stdout'); print('noise on stderr', file=sys.stderr)\n"
            f"open({str(out)!r}, 'w').write(json.dumps([os.getsid(0) == os.getpid(), os.isatty(0), os.isatty(1)]))\n",
            encoding="utf-8")
        pdf = three_pages(tmp_path / "deep.pdf")
        outcome = open_source(parse_file(pdf), 1, env={"YANBAO_OPEN": f"{shlex.quote(sys.executable)} {shlex.quote(str(probe))}"})
        assert outcome.ok
        assert recorded(out) == [True, False, False]


class TestOpenCommand:
    """``yanbao open ID [--page N]`` does the same from the shell."""

    def test_open_by_id_prefix_at_a_page(self, tmp_path: Path, monkeypatch, capsys) -> None:
        from yanbao.tui.cli import main

        env, out = recorder_env(tmp_path)
        monkeypatch.setenv("YANBAO_OPEN", env)
        pdf = three_pages(tmp_path / "deep.pdf")
        store = tmp_path / "store.json"
        assert main(["--store", str(store), "ingest", "-q", str(pdf)]) == 0
        digest_id = parse_file(pdf).id
        capsys.readouterr()
        assert main(["--store", str(store), "open", digest_id[:10], "--page", "2"]) == 0
        assert recorded(out) == ["2", str(pdf)]
        assert capsys.readouterr().out.strip() == "Opened page 2 of deep.pdf"
        assert main(["--store", str(store), "open", digest_id[:10], "--page", "9"]) == 2
        assert "has 3 pages" in capsys.readouterr().err
        pdf.unlink()
        assert main(["--store", str(store), "open", digest_id[:10]]) == 1
        assert capsys.readouterr().err.strip() == f"The source file is gone: {pdf}"


async def test_o_on_a_watchlist_figure_opens_the_report_stating_its_latest_value(tmp_path: Path, monkeypatch) -> None:
    """The Watchlist's figures table: ``o`` on a figure opens the report stating its latest
    quarter's value, at that figure's page (it opened the list's report at page 1)."""
    second, out = two_quarters_library(tmp_path, monkeypatch, watch="Tencent")
    app = YanbaoApp(store_path=tmp_path / "store.json")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        pane = app.screen.query_one(WatchlistPane)
        assert pane._detail is not None and pane._detail.periods[-1] == "2025Q2"
        index = next(i for i, figure in enumerate(pane._figure_keys) if figure[1] == "revenue_growth_yoy")
        assert await open_at(pilot, "#watch-figures", index, out) == ["3", str(second)]
        assert "Opened page 3 of q2.pdf" in [n.message for n in app._notifications]
