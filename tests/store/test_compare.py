"""store.compare over hand-built digests: changes, conflicts, guidance, risks, picks, ratings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yanbao.store.compare import (
    compare_quarters,
    compare_reports,
    figure_matrix,
    guidance_history,
    normalise_risk,
    previous_report,
    rating_history,
    series,
)
from yanbao.store.model import Company, CompanyRating, Digest, Metric, Range, Source


def make_digest(
    ident: str,
    date: str | None,
    period: str | None,
    *,
    broker: str = "华安证券",
    metrics: list[Metric] | None = None,
    risks: list[str] | None = None,
    picks: list[tuple[str, str | None]] | None = None,
    ratings: list[CompanyRating] | None = None,
) -> Digest:
    """A minimal digest with the parts a comparison reads."""
    return Digest(
        id=ident,
        source=Source(f"{ident}.pdf", "pdf", 5, ident * 4),
        title=f"report {ident}",
        broker=broker,
        date=date,
        period=period,
        metrics=metrics or [],
        risks=risks or [],
        companies=[Company(name, ticker, "recommended") for name, ticker in (picks or [])],
        company_ratings=ratings or [],
    )


def azure(period: str, value: float, **kw) -> Metric:
    return Metric(
        "Microsoft", "revenue_growth_yoy", period, value, "%", ticker="MSFT", segment="Azure", **kw
    )


def meta_capex(low: float, high: float, previous: Range | None = None) -> Metric:
    return Metric(
        "Meta",
        "capex",
        "2025",
        None,
        "USD",
        ticker="META",
        basis="guidance",
        low=low * 1e9,
        high=high * 1e9,
        previous=previous,
    )


@pytest.fixture
def quarters() -> list[Digest]:
    """Two quarters of reports: Q1 from two brokers, Q2 from one."""
    q1 = make_digest(
        "q1a",
        "2025-05-06",
        "2025Q1",
        metrics=[
            azure("2025Q1", 33, consensus=30, vs_consensus="above"),
            Metric(
                "Microsoft",
                "capex",
                "2025Q1",
                16.7e9,
                "USD",
                segment=None,
                consensus=16.3e9,
                vs_consensus="above",
            ),
            Metric("Alphabet", "operating_margin", "2025Q1", 17.8, "%", segment="Google Cloud"),
            meta_capex(64, 72, previous=Range(None, 60e9, 65e9)),
        ],
        risks=["行业竞争加剧", "全球宏观经济扰动风险", "AI进展不及预期"],
        picks=[("腾讯控股", "0700.HK"), ("阿里巴巴", "9988.HK"), ("快手", "1024.HK")],
    )
    q1b = make_digest(
        "q1b",
        "2025-05-08",
        "2025Q1",
        broker="中信证券",
        metrics=[
            azure("2025Q1", 33),
            Metric("Alphabet", "operating_margin", "2025Q1", 17.6, "%", segment="Google Cloud"),
        ],
        risks=["AI 进展不及预期的风险"],
    )
    q2 = make_digest(
        "q2a",
        "2025-08-05",
        "2025Q2",
        metrics=[
            azure("2025Q2", 39, consensus=35, vs_consensus="above"),
            Metric("Microsoft", "capex", "2025Q2", 24.2e9, "USD", vs_consensus="above"),
            Metric("Alphabet", "operating_margin", "2025Q2", 20.7, "%", segment="Google Cloud"),
            meta_capex(66, 72, previous=Range(None, 64e9, 72e9)),
        ],
        risks=["行业竞争加剧风险", "AI进展不及预期等", "监管政策变化风险"],
        picks=[("腾讯控股", "0700.HK"), ("阿里巴巴", "9988.HK"), ("美团", "3690.HK")],
    )
    return [q2, q1b, q1]


class TestQuarterComparison:
    def test_azure_growth_change_in_pp(self, quarters):
        """33 % in 2025Q1 against 39 % in 2025Q2 is +6.0 pp, with each side's consensus flag."""
        view = compare_quarters(quarters, "2025Q1", "2025Q2")
        row = view.find("Microsoft", "Azure", "revenue_growth_yoy")
        assert row is not None
        assert (row.left.value, row.right.value) == (33, 39)
        assert row.change == pytest.approx(6.0)
        assert row.change_unit == "pp"
        assert (row.left_vs_consensus, row.right_vs_consensus) == ("above", "above")
        assert not row.conflict
        assert row.left.source_ids == ["q1a", "q1b"]

    def test_money_changes_in_percent(self, quarters):
        row = compare_quarters(quarters, "2025Q1", "2025Q2").find("Microsoft", None, "capex")
        assert row.change == pytest.approx((24.2 - 16.7) / 16.7 * 100)
        assert row.change_unit == "%"

    def test_conflicting_reports_keep_both_values_and_flag(self, quarters):
        """Google Cloud margin: 17.8 % from one broker, 17.6 % from another."""
        matrix = figure_matrix(quarters)
        cell = matrix.cell("Alphabet", "Google Cloud", "operating_margin", "2025Q1")
        assert cell.conflict
        assert sorted(o.value for o in cell.observations) == [17.6, 17.8]
        assert {o.digest_id for o in cell.distinct} == {"q1a", "q1b"}
        assert [(r.metric, c.period) for r, c in matrix.conflicts] == [
            ("operating_margin", "2025Q1")
        ]
        row = compare_quarters(quarters, "2025Q1", "2025Q2").find(
            "Alphabet", "Google Cloud", "operating_margin"
        )
        assert row.conflict

    def test_agreeing_reports_are_no_conflict(self, quarters):
        cell = figure_matrix(quarters).cell("Microsoft", "Azure", "revenue_growth_yoy", "2025Q1")
        assert not cell.conflict and cell.value == 33 and len(cell.observations) == 2

    def test_annual_guidance_as_each_quarter_gave_it(self, quarters):
        row = compare_quarters(quarters, "2025Q1", "2025Q2").find("Meta", None, "capex", "guidance")
        assert row.target_period == "2025"
        assert (row.left.low, row.left.high) == (64e9, 72e9)
        assert (row.right.low, row.right.high) == (66e9, 72e9)
        assert row.change == pytest.approx((69 - 68) / 68 * 100)  # midpoints 68 -> 69 bn

    def test_company_and_metric_filters(self, quarters):
        view = compare_quarters(quarters, "2025Q1", "2025Q2", company="Microsoft", metric="capex")
        assert [(r.company, r.metric) for r in view.rows] == [("Microsoft", "capex")]

    def test_risks_matched_across_wording(self, quarters):
        risks = compare_quarters(quarters, "2025Q1", "2025Q2").risks
        assert risks.new == ["监管政策变化风险"]
        assert risks.recurring == ["行业竞争加剧风险", "AI进展不及预期等"]
        assert risks.dropped == ["全球宏观经济扰动风险"]

    def test_picks_diff(self, quarters):
        picks = compare_quarters(quarters, "2025Q1", "2025Q2").picks
        assert [p.ticker for p in picks.added] == ["3690.HK"]
        assert [p.ticker for p in picks.dropped] == ["1024.HK"]
        assert sorted(p.ticker for p in picks.kept) == ["0700.HK", "9988.HK"]

    def test_json_round_trip(self, quarters):
        data = compare_quarters(quarters, "2025Q1", "2025Q2").to_dict()
        text = json.dumps(data, ensure_ascii=False)
        assert json.loads(text)["rows"][0]["left"]["source_ids"]

    def test_series_in_period_order(self, quarters):
        assert series(quarters, "Microsoft", "Azure", "revenue_growth_yoy") == [
            ("2025Q1", 33),
            ("2025Q2", 39),
        ]


class TestCompareReports:
    def test_two_reports_directly(self, quarters):
        by_id = {d.id: d for d in quarters}
        view = compare_reports(by_id["q1a"], by_id["q2a"])
        row = view.find("Microsoft", "Azure", "revenue_growth_yoy")
        assert row.change == pytest.approx(6.0)
        assert row.left.source_ids == ["q1a"]
        assert view.risks.dropped == ["全球宏观经济扰动风险"]
        assert [p.ticker for p in view.picks.added] == ["3690.HK"]


class TestGuidanceHistory:
    def meta_digests(self) -> list[Digest]:
        return [
            make_digest(
                "m3",
                "2025-10-30",
                "2025Q3",
                metrics=[meta_capex(70, 72, previous=Range(None, 66e9, 72e9))],
            ),
            make_digest(
                "m1",
                "2025-05-01",
                "2025Q1",
                metrics=[meta_capex(64, 72, previous=Range(None, 60e9, 65e9))],
            ),
            make_digest("m2", "2025-07-31", "2025Q2", metrics=[meta_capex(66, 72)]),
            make_digest(
                "m2b", "2025-08-02", "2025Q2", broker="中信证券", metrics=[meta_capex(66, 72)]
            ),
        ]

    def test_meta_capex_revisions_in_order(self):
        [history] = guidance_history(self.meta_digests(), company="Meta")
        assert (history.company, history.metric, history.period) == ("Meta", "capex", "2025")
        assert [(s.low / 1e9, s.high / 1e9) for s in history.steps] == [
            (60, 65),
            (64, 72),
            (66, 72),
            (70, 72),
        ]
        assert history.moves == ["initial", "raise", "narrow", "narrow"]
        assert [s.direction for s in history.steps] == [None, "up", "up", "up"]
        assert history.steps[0].quoted and history.steps[0].digest_id == "m1"
        assert history.steps[2].confirmed_by == ["m2b"]
        assert history.steps[1].change == pytest.approx((68 - 62.5) / 62.5 * 100)

    def test_previous_gives_both_steps(self):
        one = [
            make_digest(
                "m1",
                "2025-05-01",
                "2025Q1",
                metrics=[meta_capex(64, 72, previous=Range(None, 60e9, 65e9))],
            )
        ]
        [history] = guidance_history(one)
        assert history.moves == ["initial", "raise"]

    def test_cut_widen_reiterate(self):
        def g(ident, date, low, high):
            return make_digest(
                ident,
                date,
                None,
                metrics=[
                    Metric(
                        "Alphabet",
                        "capex",
                        "2025",
                        None,
                        "USD",
                        basis="guidance",
                        low=low,
                        high=high,
                    )
                ],
            )

        digests = [
            g("a", "2025-01-01", 75, 75),
            g("b", "2025-04-01", 75, 75),
            g("c", "2025-07-01", 70, 80),
            g("d", "2025-10-01", 60, 65),
        ]
        [history] = guidance_history(digests)
        assert history.moves == ["initial", "reiterate", "widen", "cut"]

    def test_other_companies_filtered_out(self):
        assert guidance_history(self.meta_digests(), company="Microsoft") == []


class TestRisksNormalised:
    @pytest.mark.parametrize(
        "a, b",
        [
            ("行业竞争加剧", "行业竞争加剧风险"),
            ("行业竞争加剧", "行业竞争加剧的风险"),
            ("行业竞争加剧", "行业竞争加剧等风险。"),
            ("AI进展不及预期", "AI 进展不及预期"),
            ("Rising competition", "rising competition risk"),
            ("行业竞争加剧", "1）行业竞争加剧；"),
        ],
    )
    def test_same_risk(self, a, b):
        assert normalise_risk(a) == normalise_risk(b)

    @pytest.mark.parametrize(
        "a, b",
        [
            ("行业竞争加剧", "行业竞争放缓"),
            ("全球宏观经济扰动", "国内宏观经济扰动"),
            ("AI进展不及预期", "AI应用进展不及预期"),
        ],
    )
    def test_different_risks_never_merge(self, a, b):
        assert normalise_risk(a) != normalise_risk(b)


class TestRatingHistory:
    def test_target_price_change_and_actions(self):
        def r(ident, date, rating, action, tp, prev=None):
            return make_digest(
                ident,
                date,
                None,
                ratings=[CompanyRating("Tencent", rating, "0700.HK", action, tp, "HKD", prev)],
            )

        digests = [
            r("c", "2025-08-14", "买入", "maintain", 720.0, 650.0),
            r("a", "2025-03-20", "增持", "initiate", 600.0),
            r("b", "2025-05-15", "买入", "upgrade", 650.0),
        ]
        [history] = rating_history(digests, company="Tencent")
        assert [e.digest_id for e in history.entries] == ["a", "b", "c"]
        assert [e.action for e in history.entries] == ["initiate", "upgrade", "maintain"]
        assert history.entries[0].target_change_pct is None
        assert history.entries[1].target_change_pct == pytest.approx(650 / 600 * 100 - 100)
        assert history.entries[2].target_change_pct == pytest.approx(720 / 650 * 100 - 100)


# ---------------------------------------------------------------- yanbao compare (CLI)


def run_cli(argv: list[str], digests: list[Digest]) -> int:
    """Run ``yanbao compare`` against a real in-memory store holding ``digests``."""
    import argparse

    from yanbao.store.db import memory_store
    from yanbao.tui.cli_compare import add_parser

    parser = argparse.ArgumentParser(prog="yanbao")
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["compare", *argv])
    store = memory_store()
    store.add_many(digests)
    return args.func(args, store)


class TestCompareCli:
    def test_quarters_table(self, quarters, capsys):
        assert run_cli(["2025q1", "2025Q2"], quarters) == 0
        out = capsys.readouterr().out
        assert "Azure" in out and "+6.0 pp" in out and "33 %" in out and "39 %" in out
        assert "⚠ conflict" in out
        assert "New risks: 监管政策变化风险" in out
        assert "Picks dropped: 快手 (1024.HK)" in out or "Picks dropped: Kuaishou (1024.HK)" in out

    def test_quarters_json(self, quarters, capsys):
        assert (
            run_cli(
                [
                    "2025Q1",
                    "2025Q2",
                    "--company",
                    "Microsoft",
                    "--metric",
                    "revenue_growth_yoy",
                    "--json",
                ],
                quarters,
            )
            == 0
        )
        data = json.loads(capsys.readouterr().out)
        [row] = data["rows"]
        assert (row["left"]["value"], row["right"]["value"], row["change"], row["change_unit"]) == (
            33,
            39,
            6,
            "pp",
        )

    def test_guidance(self, quarters, capsys):
        assert run_cli(["--guidance", "--company", "Meta"], quarters) == 0
        out = capsys.readouterr().out
        assert "60-65 bn USD" in out and "64-72 bn USD" in out and "narrow" in out

    def test_reports(self, quarters, capsys):
        assert run_cli(["--reports", "q1a", "q2a", "--json"], quarters) == 0
        assert json.loads(capsys.readouterr().out)["right"]["report_ids"] == ["q2a"]

    @pytest.mark.parametrize(
        "argv, message",
        [
            (["2025Q1"], "give two quarters"),
            (["2025Q1", "Q2"], "'Q2' is not a period"),
            (["2031Q1", "2031Q2"], "nothing stored for 2031Q1 or 2031Q2"),
            (["--reports", "q1a", "zzz"], "no stored report has an id starting with 'zzz'"),
        ],
    )
    def test_errors_are_one_line(self, quarters, capsys, argv, message):
        assert run_cli(argv, quarters) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1

    def test_up_and_down_colours(self):
        from yanbao.tui.cli_compare import _change_text

        assert _change_text(6.0, "pp", "en").style == "green"
        assert _change_text(-3.0, "%", "en").style == "red"


def test_core_and_cli_modules_do_not_load_textual():
    """store.compare/export load neither textual nor rich; the CLI modules no textual."""
    import subprocess
    import sys

    code = (
        "import sys, store.compare, store.export, store.units\n"
        "assert not any(m.split('.')[0] in ('textual', 'rich') for m in sys.modules), 'store loaded UI'\n"
        "import yanbao.tui.cli_compare, tui.cli_export\n"
        "assert not any(m.split('.')[0] == 'textual' for m in sys.modules), 'cli loaded textual'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- the sample corpus

EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "expected"


def sample_digests() -> dict[str, Digest]:
    """The hand-written expected digests of the bundled sample reports, by file stem."""
    files = sorted(EXPECTED.glob("*.json"))
    if not files:
        pytest.skip("tests/fixtures/expected holds no digests yet")
    return {f.stem: Digest.from_dict(json.loads(f.read_text(encoding="utf-8"))) for f in files}


class TestSampleCorpus:
    def test_azure_growth_2025q1_vs_2025q2(self):
        digests = sample_digests()
        view = compare_quarters(digests.values(), "2025Q1", "2025Q2")
        row = view.find("Microsoft", "Azure", "revenue_growth_yoy")
        assert (row.left.value, row.right.value) == (33.0, 39.0)
        assert row.change == pytest.approx(6.0) and row.change_unit == "pp"
        assert (row.left_vs_consensus, row.right_vs_consensus) == ("above", "above")
        assert not row.conflict
        assert set(row.left.source_ids) == {
            digests["ls_2025q1_weekly"].id,
            digests["qh_2025q1_industry"].id,
        }
        # Kestrelmoor, 岚山 and 启衡 industry notes all give 39 %
        assert {
            digests[s].id for s in ("km_2025q2_sector", "ls_2025q2_weekly", "qh_2025q2_industry")
        } <= set(row.right.source_ids)

    def test_meta_2025_capex_guidance_history(self):
        [history] = [
            h
            for h in guidance_history(sample_digests().values(), company="Meta")
            if h.period == "2025"
        ]
        assert history.metric == "capex" and history.unit == "USD"
        assert [(s.low / 1e9, s.high / 1e9) for s in history.steps] == [
            (60, 65),
            (64, 72),
            (66, 72),
            (70, 72),
        ]
        assert history.moves == ["initial", "raise", "narrow", "narrow"]
        dates = [s.date for s in history.steps]
        assert dates == sorted(dates) and dates[0] == "2025-02-24"
        # 启衡's 2025Q1 note says the same as 岚山's that season: one step, confirmed twice
        assert len(history.steps[1].confirmed_by) == 1

    def test_alphabet_2025_capex_guidance_history(self):
        [history] = [
            h
            for h in guidance_history(sample_digests().values(), company="谷歌")
            if h.period == "2025"
        ]
        assert history.moves == ["initial", "reiterate", "raise", "raise"]
        assert [s.value or s.high for s in history.steps][-1] == 93e9

    def test_risks_and_picks_between_one_brokers_quarters(self):
        digests = sample_digests()
        view = compare_reports(digests["ls_2025q1_weekly"], digests["ls_2025q2_weekly"])
        assert view.risks.new == ["外卖等本地生活领域补贴竞争超预期"]
        assert view.risks.dropped == ["美国关税政策不确定性"]
        # 行业竞争加剧 (Q1) and 行业竞争加剧风险 (Q2) are one risk
        assert sorted(view.risks.recurring) == sorted(
            ["行业竞争加剧风险", "AI商业化进展不及预期", "全球宏观经济扰动风险"]
        )
        assert [p.name for p in view.picks.added] == ["Bilibili"]
        assert sorted(p.name for p in view.picks.dropped) == ["Meituan", "Trip.com"]
        assert len(view.picks.kept) == 5

    def test_risks_and_picks_between_quarters(self):
        view = compare_quarters(sample_digests().values(), "2025Q2", "2025Q3")
        assert (
            "全球宏观经济扰动" in view.risks.recurring
            or "全球宏观经济扰动风险" in view.risks.recurring
        )
        # Supply of compute, said four ways in two languages, is one concept: Q2's "Capacity
        # constraints delay Azure revenue" makes each of Q3's wordings recurring, not new.
        assert {
            "AI算力供给受限",
            "海外芯片供应受限",
            "Power and data-centre supply constraints",
        } <= set(view.risks.recurring)
        assert view.risks.new == ["A less favourable AI partnership structure"]
        assert "外卖补贴竞争超预期" in view.risks.dropped
        # Baidu joins the sector lists; Microsoft stays the pick of Kestrelmoor's company notes
        assert [p.name for p in view.picks.added] == ["Baidu"]
        assert "Microsoft" in [p.name for p in view.picks.kept]
        assert [p.name for p in view.picks.dropped] == []

    def test_deliberate_conflict_is_flagged(self):
        digests = sample_digests()
        matrix = figure_matrix(digests.values())
        conflicts = [(r.key, c.period) for r, c in matrix.conflicts]
        assert (("Amazon", "AWS", "revenue_growth_yoy", "actual"), "2025Q2") in conflicts
        cell = matrix.cell("Amazon", "AWS", "revenue_growth_yoy", "2025Q2")
        assert sorted({o.value for o in cell.observations}) == [17.5, 18.0]
        assert cell.value == 17.5  # two reports of three say 17.5 %
        by_value = {o.value: o.broker for o in cell.distinct}
        assert by_value[18.0] == "启衡证券"
        assert (
            compare_quarters(digests.values(), "2025Q1", "2025Q2")
            .find("Amazon", "AWS", "revenue_growth_yoy")
            .conflict
        )

    def test_tencent_target_price_history(self):
        [history] = rating_history(sample_digests().values(), company="0700.HK")
        assert [(e.target_price, e.action) for e in history.entries] == [
            (650.0, "maintain"),
            (720.0, "maintain"),
        ]
        assert [round(e.target_change_pct, 1) for e in history.entries] == [8.3, 10.8]


def test_compare_reports_without_periods_uses_their_figures_quarter():
    a = make_digest("a", "2025-05-01", None, metrics=[azure("2025Q1", 33), azure("2024Q4", 31)])
    a.metrics.append(Metric("Microsoft", "capex", "2025Q1", 16.7e9, "USD"))
    b = make_digest("b", "2025-08-01", None, metrics=[azure("2025Q2", 39)])
    view = compare_reports(a, b)
    assert (view.left_period, view.right_period) == ("2025Q1", "2025Q2")
    assert view.find("Microsoft", "Azure", "revenue_growth_yoy").change == pytest.approx(6.0)


def test_previous_report_is_the_same_brokers_earlier_quarter():
    digests = sample_digests()
    by_id = {d.id: stem for stem, d in digests.items()}
    earlier = previous_report(digests.values(), digests["ls_2025q2_weekly"])
    assert by_id[earlier.id] == "ls_2025q1_weekly"
    # a company note follows the same company's note, not the broker's sector notes
    earlier = previous_report(digests.values(), digests["qh_tencent_2025q3"])
    assert by_id[earlier.id] == "qh_tencent_2025q2"
    assert previous_report(digests.values(), digests["ls_2024q4_weekly"]) is None


def test_cli_compare_one_report_with_its_predecessor(capsys):
    digests = list(sample_digests().values())
    latest = next(d for d in digests if d.broker == "岚山证券" and d.period == "2025Q2")
    assert run_cli(["--reports", latest.id[:10], "--json"], digests) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["left"]["period"], data["right"]["period"]) == ("2025Q1", "2025Q2")


class TestParsedSamples:
    """End to end: the bundled sample reports through the real parser, then compared."""

    @pytest.fixture(scope="class")
    def parsed(self) -> list[Digest]:
        from yanbao.store.bundled import bundled_sample_paths
        from yanbao.store.parser import parse_file

        return [parse_file(path) for path in bundled_sample_paths()]

    def test_azure_growth(self, parsed):
        row = compare_quarters(parsed, "2025Q1", "2025Q2").find(
            "Microsoft", "Azure", "revenue_growth_yoy"
        )
        assert (row.left.value, row.right.value, row.change, row.change_unit) == (33, 39, 6, "pp")

    def test_meta_guidance(self, parsed):
        [history] = [h for h in guidance_history(parsed, company="Meta") if h.period == "2025"]
        assert [(s.low / 1e9, s.high / 1e9) for s in history.steps] == [
            (60, 65),
            (64, 72),
            (66, 72),
            (70, 72),
        ]
        assert history.moves == ["initial", "raise", "narrow", "narrow"]

    def test_conflict(self, parsed):
        conflicts = [(r.key, c.period) for r, c in figure_matrix(parsed).conflicts]
        assert (("Amazon", "AWS", "revenue_growth_yoy", "actual"), "2025Q2") in conflicts


def test_a_risk_of_punctuation_only_is_kept_in_the_diff(make_digest) -> None:
    """normalise_risk("[/]") is empty; the risk must still show as new, not vanish."""
    from yanbao.store.compare import compare_reports

    a, b = make_digest(1), make_digest(2)
    a.risks, b.risks = ["行业竞争加剧"], ["行业竞争加剧风险", "[/]"]
    diff = compare_reports(a, b).risks
    assert diff.new == ["[/]"] and diff.recurring == ["行业竞争加剧风险"]


def test_a_risk_said_in_two_languages_recurs():
    """Kestrelmoor says "Returns on AI capex fall short", 启衡 says "AI投入回报不及预期": one
    risk across languages, recurring rather than new on one side and dropped on the other."""
    english = make_digest("en", "2025-05-01", "2025Q1", broker="Kestrelmoor", risks=["Returns on AI capex fall short"])
    chinese = make_digest("zh", "2025-08-01", "2025Q2", broker="启衡证券", risks=["AI投入回报不及预期", "一个全新的风险"])
    diff = compare_quarters([english, chinese], "2025Q1", "2025Q2").risks
    assert diff.recurring == ["AI投入回报不及预期"]
    assert diff.new == ["一个全新的风险"] and diff.dropped == []
