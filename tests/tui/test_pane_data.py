"""The pure helpers behind the panes: risk tally, company detail, previous report."""

from __future__ import annotations

from snapshot_app import fixture_digests

from yanbao.store.db import WatchItem
from yanbao.store.compare import previous_report
from yanbao.tui.data.risk_tally import risk_tally
from yanbao.tui.data.company_detail import company_detail


def test_risk_tally_merges_wording_and_keeps_odd_risks() -> None:
    tally = {t.wording: t for t in risk_tally(fixture_digests(injection=True))}
    competition = next(t for w, t in tally.items() if w.startswith("行业竞争加剧"))
    assert competition.count == 3 and competition.periods == {"2025Q1", "2025Q2"}
    assert "[/]" in tally and tally["[/]"].count == 1  # all punctuation, still listed
    counts = [t.count for t in tally.values()]
    assert counts == sorted(counts, reverse=True)


def test_company_detail_reports_newest_first_with_figures_by_quarter() -> None:
    detail = company_detail(fixture_digests(), WatchItem("Microsoft", "MSFT"))
    dates = [d.date for d, _ in detail.reports]
    assert dates == ["2025-08-05", "2025-05-20", "2025-05-06", "2025-02-10"]
    assert detail.periods == ["2024Q4", "2025Q1", "2025Q2"]
    azure = detail.figures[("Azure", "revenue_growth_yoy", "actual")]
    assert azure == {"2024Q4": "31%", "2025Q1": "33%", "2025Q2": "39%"}


def test_company_detail_marks_picks() -> None:
    detail = company_detail(fixture_digests(), WatchItem("Tencent", "0700.HK"))
    assert len(detail.reports) == 3 and all(recommended for _, recommended in detail.reports)


def test_previous_report_is_same_broker_and_earlier() -> None:
    digests = {d.id[:2]: d for d in fixture_digests()}
    assert previous_report(list(digests.values()), digests["b2"]) is digests["a1"]
    assert previous_report(list(digests.values()), digests["a1"]) is None
    assert previous_report(list(digests.values()), digests["c3"]) is None


def test_write_new_file_never_overwrites(tmp_path) -> None:
    from yanbao.tui.data.export_file import write_new_file

    existing = tmp_path / "yanbao-watchlist.md"
    existing.write_text("keep me", encoding="utf-8")
    first = write_new_file(tmp_path, "yanbao-watchlist", "# one")
    second = write_new_file(tmp_path, "yanbao-watchlist", "# two")
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert (first.name, second.name) == ("yanbao-watchlist-2.md", "yanbao-watchlist-3.md")
    assert second.read_text(encoding="utf-8") == "# two"


def test_comparison_export_is_named_after_its_quarters(tmp_path, monkeypatch) -> None:
    from yanbao.store.compare import compare_quarters
    from yanbao.tui.data.export_file import export_view

    monkeypatch.chdir(tmp_path)
    path, what = export_view("compare", compare_quarters(fixture_digests(), "2025Q1", "2025Q2"))
    assert path == tmp_path / "yanbao-compare-2025Q1-2025Q2.md" and what == "the comparison"
    assert "2025Q1" in path.read_text(encoding="utf-8")


def test_shift_quarter_crosses_years() -> None:
    from yanbao.store.periods import shift_quarter

    assert shift_quarter("2025Q1", -1) == "2024Q4"
    assert shift_quarter("2024Q4", 1) == "2025Q1"
    assert shift_quarter("2025", 1) is None


def _library(tmp_path, **options):
    from snapshot_app import make_store

    from yanbao.tui.data.library import Library

    library = Library(make_store(tmp_path / "store.json", **options))
    library.open(seed=False)
    return library


def test_quarter_digests_give_the_same_comparison_as_the_whole_library(tmp_path) -> None:
    """Reading only the two quarters and their neighbours loses no figure, guidance, risk or
    pick (a quarter's guidance is given a quarter earlier), on the bundled samples."""
    from yanbao.store.compare import compare_quarters

    from yanbao.tui.data.library import report_periods

    library = _library(tmp_path, corpus=True)
    everything = fixture_digests(corpus=True)
    quarters = [p for p in report_periods(library.summaries()) if "Q" in p]
    assert len(quarters) >= 4
    for left, right in zip(quarters, quarters[1:]):
        wanted = compare_quarters(everything, left, right)
        assert compare_quarters(library.quarter_digests(left, right), left, right) == wanted, (left, right)
    library.close()


def test_stream_digests_yields_every_digest_newest_first(tmp_path) -> None:
    library = _library(tmp_path)
    streamed = [d.id for d in library.stream_digests()]
    assert streamed == [s.id for s in library.summaries()]
    library.close()


def test_digests_naming_finds_by_name_or_ticker(tmp_path) -> None:
    library = _library(tmp_path)
    by_item = library.digests_naming(WatchItem("Microsoft", "MSFT"))
    dates = [d.date for d in by_item]
    assert dates == ["2025-08-05", "2025-05-20", "2025-05-06", "2025-02-10"]
    view = library.watchlist_view([WatchItem("Microsoft", "MSFT"), WatchItem("Tencent", "0700.HK")])
    assert {d.id for d in by_item} <= {d.id for d in view.digests} and len(view.watchlist) == 2
    library.close()


def test_risk_tally_groups_one_risk_said_in_two_languages() -> None:
    """The bilingual lexicon makes "Returns on AI capex fall short" and "AI投入回报不及预期" one
    row, named by the concept, in the library's risk table."""
    english, chinese = fixture_digests()[:2]
    english.risks, chinese.risks = ["Returns on AI capex fall short"], ["AI投入回报不及预期", "一个只出现一次的风险"]
    tally = risk_tally([english, chinese])
    assert [(t.wording, t.count) for t in tally] == [("AI 投入回报不及预期", 2), ("一个只出现一次的风险", 1)]
