"""store.export: golden markdown for each export, and a markdown parser proving report
text stays text and tables keep their columns.

Regenerate the goldens after a deliberate change with ``YANBAO_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from yanbao.store.compare import compare_quarters, guidance_history, rating_history
from yanbao.store.export import (
    clean_text,
    comparison_markdown,
    escape_markdown,
    report_markdown,
    watchlist_markdown,
)
from yanbao.store.user_state import ReportMarks
from yanbao.store.model import (
    Analyst,
    Company,
    CompanyRating,
    Digest,
    KeyPoint,
    Metric,
    Range,
    Rating,
    Source,
)
from yanbao.store.units import METRIC_LABELS, format_change, format_value, metric_label

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
UPDATE = os.environ.get("YANBAO_UPDATE_GOLDEN") == "1"

NASTY = "注意 *重点* 与 _强调_ | 管道 [链接](http://x.example) #标签 <b>粗</b> `code` ~~删~~ &amp;"
NASTY_LINES = ["# 不是标题", "1. 不是列表", "- 也不是", "+ 还不是", "> 不是引用", "---"]
ANSI = "\x1b[31m红色\x1b[0m\x1b]8;;http://evil.example\x07超链接\x1b]8;;\x07\x07"


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/<name> exactly (or rewrite it when updating)."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with YANBAO_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def q1_report() -> Digest:
    return Digest(
        id="a" * 64,
        source=Source("reports/huaan_2025q1.pdf", "pdf", 6, "a" * 64),
        title="海内外 AI 势头强劲 *关注* 港股互联网",
        broker="华安证券",
        date="2025-05-06",
        period="2025Q1",
        language="zh",
        rating=Rating("增持", ["买入", "增持", "中性", "减持", "卖出"]),
        analysts=[Analyst("金荣", "S0010521080002"), Analyst("王一")],
        key_points=[
            KeyPoint("海外云厂商业绩亮眼", ["1）Azure 本季度收入增长 33%，高于 BBG 预期。", NASTY]),
            KeyPoint("# 标题里的井号", [*NASTY_LINES, ANSI]),
        ],
        recommendation="建议关注 Tencent 与 Alibaba；[关注](javascript:x) <script>alert(1)</script>",
        companies=[
            Company("Tencent", "0700.HK", "recommended", ["腾讯控股", "腾讯"], 3),
            Company("Alibaba", "9988.HK", "recommended", ["阿里巴巴"], 2),
            Company("Kuaishou|快手", "1024.HK", "recommended", ["快手"], 1),
            Company("Microsoft", "MSFT", "mentioned", ["微软"], 2),
        ],
        metrics=[
            Metric(
                "Microsoft",
                "revenue_growth_yoy",
                "2025Q1",
                33.0,
                "%",
                ticker="MSFT",
                segment="Azure",
                fiscal_period="FY25Q3",
                consensus=30.0,
                vs_consensus="above",
                text="Azure 增长 33%",
            ),
            Metric(
                "Microsoft",
                "capex",
                "2025Q1",
                16.7e9,
                "USD",
                ticker="MSFT",
                consensus=16.3e9,
                vs_consensus="above",
            ),
            Metric(
                "Alphabet",
                "operating_margin_change_qoq",
                "2025Q1",
                0.2,
                "pp",
                segment="Google Cloud",
            ),
            Metric("Alphabet", "operating_margin", "2025Q1", 17.8, "%", segment="Google Cloud"),
            Metric(
                "Meta",
                "capex",
                "2025",
                None,
                "USD",
                basis="guidance",
                low=64e9,
                high=72e9,
                previous=Range(None, 60e9, 65e9),
            ),
            Metric("Amazon", "capex_guidance", "2025", 100e9, "USD", basis="consensus"),
            Metric("Tencent", "new_metric_key", "2025Q1", 1.5, "x"),
        ],
        risks=["行业竞争加剧", "全球宏观经济扰动风险", "AI进展不及预期 | 监管*变化*"],
    )


def q2_report() -> Digest:
    return Digest(
        id="b" * 64,
        source=Source("reports/huaan_2025q2.pdf", "pdf", 7, "b" * 64),
        title="Cloud growth re-accelerates",
        broker="华安证券",
        date="2025-08-05",
        period="2025Q2",
        language="en",
        rating=Rating("Overweight"),
        analysts=[Analyst("Jin Rong", "S0010521080002")],
        key_points=[
            KeyPoint(
                "Hyperscalers beat",
                ["Azure grew 39% YoY, above consensus of 35%; Tencent ads +20%."],
            )
        ],
        recommendation="Stay with Tencent and Alibaba; add Meituan.",
        companies=[
            Company("Tencent", "0700.HK", "recommended"),
            Company("Alibaba", "9988.HK", "recommended"),
            Company("Meituan", "3690.HK", "recommended"),
        ],
        metrics=[
            Metric(
                "Microsoft",
                "revenue_growth_yoy",
                "2025Q2",
                39.0,
                "%",
                segment="Azure",
                consensus=35.0,
                vs_consensus="above",
            ),
            Metric("Microsoft", "capex", "2025Q2", 24.2e9, "USD"),
            Metric("Alphabet", "operating_margin", "2025Q2", 20.7, "%", segment="Google Cloud"),
            Metric(
                "Meta",
                "capex",
                "2025",
                None,
                "USD",
                basis="guidance",
                low=66e9,
                high=72e9,
                previous=Range(None, 64e9, 72e9),
            ),
            Metric("Tencent", "ad_revenue_growth_yoy", "2025Q2", 20.0, "%"),
        ],
        risks=["行业竞争加剧风险", "AI 进展不及预期等", "Regulatory change"],
        company_ratings=[
            CompanyRating("Tencent", "买入", "0700.HK", "maintain", 720.0, "HKD", 650.0),
        ],
    )


def other_broker_q1() -> Digest:
    """A second Q1 report disagreeing on the Google Cloud margin (the deliberate conflict)."""
    return Digest(
        id="c" * 64,
        source=Source("reports/citic_2025q1.txt", "text", 1, "c" * 64),
        title="一季度云业务点评",
        broker="中信证券",
        date="2025-05-08",
        period="2025Q1",
        metrics=[
            Metric("Alphabet", "operating_margin", "2025Q1", 17.6, "%", segment="Google Cloud")
        ],
        companies=[Company("Tencent", "0700.HK", "mentioned", ["腾讯"])],
        key_points=[KeyPoint("点评", ["腾讯广告业务稳健。其他内容。"])],
        risks=["宏观经济波动"],
    )


def corpus() -> list[Digest]:
    return [q1_report(), q2_report(), other_broker_q1()]


class WatchItem:
    def __init__(self, name: str, ticker: str | None) -> None:
        self.name, self.ticker = name, ticker


MARKS = ReportMarks(
    star=True, tags=("capex", "AI_infra", "跟踪"),
    note="问管理层：折旧年限？\n> not a quote, *not* emphasis\n\n1. not a list\nsecond paragraph \x1b[31mred",
)
"""A reader's star, tags and note, with markdown punctuation that must stay literal."""


def all_exports() -> dict[str, str]:
    digests = corpus()
    view = compare_quarters(digests, "2025Q1", "2025Q2")
    guidance = guidance_history(digests)
    ratings = rating_history(digests)
    watch = [
        WatchItem("Tencent", "0700.HK"),
        WatchItem("Microsoft", "MSFT"),
        WatchItem("Nvidia", "NVDA"),
    ]
    return {
        "report_zh.md": report_markdown(q1_report()),
        "report_zh_as_en.md": report_markdown(q1_report(), lang="en"),
        "report_en.md": report_markdown(q2_report()),
        "report_minimal.md": report_markdown(other_broker_q1()),
        "report_marked_zh.md": report_markdown(other_broker_q1(), marks=MARKS),
        "report_marked_en.md": report_markdown(other_broker_q1(), lang="en", marks=MARKS),
        "watchlist_zh.md": watchlist_markdown(digests, watch),
        "watchlist_en.md": watchlist_markdown(digests, watch, lang="en"),
        "watchlist_empty.md": watchlist_markdown(digests, []),
        "comparison_zh.md": comparison_markdown(view, guidance, ratings=ratings),
        "comparison_en.md": comparison_markdown(view, guidance, ratings=ratings, lang="en"),
    }


@pytest.mark.parametrize("name", sorted(all_exports()))
def test_golden(name: str) -> None:
    check_golden(name, all_exports()[name])


# ---------------------------------------------------------------- rendered markdown

FORBIDDEN_INLINE = {
    "em_open",
    "strong_open",
    "link_open",
    "image",
    "html_inline",
    "code_inline",
    "s_open",
}
FORBIDDEN_BLOCK = {
    "html_block",
    "blockquote_open",
    "code_block",
    "fence",
    "ordered_list_open",
    "hr",
}


def parse(text: str):
    return MarkdownIt("commonmark").enable("table").parse(text)


def plain_texts(tokens) -> list[str]:
    """The text each inline token shows, markup removed."""
    return [
        "".join(c.content for c in tok.children or [] if c.type in ("text", "text_special"))
        for tok in tokens
        if tok.type == "inline"
    ]


def table_shapes(tokens) -> list[list[int]]:
    """For each table, the cell count of each row (header first)."""
    shapes: list[list[int]] = []
    for tok in tokens:
        if tok.type == "table_open":
            shapes.append([])
        elif tok.type == "tr_open":
            shapes[-1].append(0)
        elif tok.type in ("th_open", "td_open"):
            shapes[-1][-1] += 1
    return shapes


@pytest.mark.parametrize("name", sorted(all_exports()))
def test_renders_without_stray_markup(name: str) -> None:
    text = all_exports()[name]
    tokens = parse(text)
    children = [c for t in tokens if t.type == "inline" for c in t.children or []]
    # the source footer's sha256 is the one code span we write ourselves
    assert all(
        re.fullmatch(r"[0-9a-f]{64}", c.content) for c in children if c.type == "code_inline"
    )
    assert not {c.type for c in children} & (FORBIDDEN_INLINE - {"code_inline"})
    assert not {t.type for t in tokens} & (FORBIDDEN_BLOCK - {"hr"})
    assert sum(t.type == "hr" for t in tokens) == (1 if name.startswith("report") else 0)
    for tok in tokens:  # no list nested inside a list item: no text turned into a list
        if tok.type == "bullet_list_open":
            assert tok.level == 0
    assert "\x1b" not in text and "\x07" not in text


def test_inline_markup_check_is_not_vacuous() -> None:
    """The same text unescaped does produce markup, so the test above would notice."""
    tokens = parse(f"- {NASTY}\n")
    assert {c.type for t in tokens if t.type == "inline" for c in t.children} & FORBIDDEN_INLINE


@pytest.mark.parametrize("name", sorted(all_exports()))
def test_tables_keep_their_columns(name: str) -> None:
    text = all_exports()[name]
    shapes = table_shapes(parse(text))
    assert len(shapes) == text.count("\n| --- |")  # every table we wrote was parsed as one
    for rows in shapes:
        assert len(rows) >= 2 and len(set(rows)) == 1, rows


def test_report_text_shows_exactly() -> None:
    texts = plain_texts(parse(report_markdown(q1_report())))
    assert NASTY in texts
    for line in NASTY_LINES:
        assert line in texts
    assert "红色超链接" in texts
    assert "建议关注 Tencent 与 Alibaba；[关注](javascript:x) <script>alert(1)</script>" in texts
    assert "Kuaishou|快手" in texts  # a pipe inside a table cell stays in its cell
    assert "AI进展不及预期 | 监管*变化*" in texts
    assert "海内外 AI 势头强劲 *关注* 港股互联网" in texts


def test_report_figures_as_a_reader_writes_them() -> None:
    zh = plain_texts(parse(report_markdown(q1_report())))
    en = plain_texts(parse(report_markdown(q1_report(), lang="en")))
    assert {
        "33%",
        "167 亿美元",
        "+0.2pp",
        "640-720 亿美元（前值 600-650 亿美元）",
        "1000 亿美元",
    } <= set(zh)
    assert {
        "33 %",
        "16.7 bn USD",
        "+0.2 pp",
        "64-72 bn USD (previously 60-65 bn USD)",
        "100 bn USD",
    } <= set(en)
    assert {"收入同比增速", "高于预期", "2025Q1（FY25Q3）", "new_metric_key"} <= set(zh)
    assert {"Revenue growth YoY", "above", "Capex"} <= set(en)


def test_comparison_shows_pp_change_and_conflict() -> None:
    text = comparison_markdown(compare_quarters(corpus(), "2025Q1", "2025Q2"), lang="en")
    tokens = parse(text)
    rows = []
    cells: list[str] = []
    for tok in tokens:
        if tok.type == "tr_open":
            cells = []
        elif tok.type == "inline" and cells is not None:
            cells.append(tok.content)
        if tok.type == "tr_close":
            rows.append(cells)
    azure = next(r for r in rows if r[1] == "Azure" and r[2] == "Revenue growth YoY")
    assert azure[4:7] == ["33 %", "39 %", "+6.0 pp"]
    margin = next(r for r in rows if r[1] == "Google Cloud" and r[2] == "Operating margin")
    assert margin[4] == "17.8 % / 17.6 % ⚠" and margin[-1] == "conflict"


def test_every_vocabulary_metric_has_both_labels() -> None:
    vocabulary = [
        "revenue",
        "revenue_growth_yoy",
        "revenue_growth_qoq",
        "revenue_growth_guidance",
        "operating_margin",
        "operating_margin_change_qoq",
        "net_income",
        "eps",
        "capex",
        "capex_incl_leases",
        "capex_growth_yoy",
        "capex_guidance",
        "ad_revenue_growth_yoy",
        "ai_contribution",
        "users",
    ]
    for key in vocabulary:
        assert key in METRIC_LABELS
        assert metric_label(key, "zh") != key and metric_label(key, "en") != key
    assert metric_label("brand_new_key", "en") == "brand_new_key"


@pytest.mark.parametrize(
    "args, kwargs, expected",
    [
        ((16.7e9, "USD"), {"lang": "en"}, "16.7 bn USD"),
        ((16.7e9, "USD"), {}, "167 亿美元"),
        ((33.0, "%"), {"lang": "en"}, "33 %"),
        ((0.2, "pp"), {"lang": "en", "metric": "operating_margin_change_qoq"}, "+0.2 pp"),
        ((-1.5, "pp"), {"lang": "en", "metric": "operating_margin_change_qoq"}, "-1.5 pp"),
        ((16.0, "pp"), {"lang": "en", "metric": "ai_contribution"}, "16 pp"),
        ((None, "USD"), {"low": 64e9, "high": 72e9, "lang": "en"}, "64-72 bn USD"),
        ((None, "%"), {"low": 31, "high": 32}, "31-32%"),
        ((720.0, "HKD"), {}, "720 港元"),
        ((2.94, "USD"), {"lang": "en"}, "2.94 USD"),
        ((1.2e12, "CNY"), {}, "1.2 万亿元"),
        ((350e6, "users"), {"lang": "en"}, "350,000,000 users"),
        ((252e6, "units"), {}, "2.52 亿"),
        ((252e6, "units"), {"lang": "en"}, "252 m units"),
        ((3500.0, "units"), {"lang": "en"}, "3500 units"),
    ],
)
def test_format_value(args, kwargs, expected) -> None:
    assert format_value(*args, **kwargs) == expected


def test_format_change() -> None:
    assert format_change(6.0, "pp", "en") == "+6.0 pp"
    assert format_change(-12.345, "%", "en") == "-12.3 %"
    assert format_change(None, None) == ""


def test_clean_text_strips_escapes_and_controls() -> None:
    assert clean_text(ANSI) == "红色超链接"
    assert clean_text("a\x00b\u202ec\nd") == "abc d"
    assert escape_markdown("1. item") == "1\\. item"


# ---------------------------------------------------------------- yanbao export (CLI)


def run_export_cli(argv: list[str], store=None) -> int:
    """Run ``yanbao export`` against a real in-memory store holding the hand-built corpus."""
    import argparse

    from yanbao.store.db import memory_store
    from yanbao.tui.cli_export import add_parser

    parser = argparse.ArgumentParser(prog="yanbao")
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["export", *argv])
    if store is None:
        store = memory_store()
        store.add_many(corpus())
    return args.func(args, store)


class TestExportCli:
    def test_report_to_stdout_with_id_prefix(self, capsys):
        assert run_export_cli(["aaaaaaaa"]) == 0
        assert capsys.readouterr().out == report_markdown(q1_report())

    def test_lang_override(self, capsys):
        assert run_export_cli(["aaaaaaaa", "--lang", "en"]) == 0
        assert capsys.readouterr().out == report_markdown(q1_report(), lang="en")

    def test_file_never_overwritten_without_force(self, tmp_path, capsys):
        target = tmp_path / "digest.md"
        assert run_export_cli(["aaaaaaaa", "-o", str(target)]) == 0
        assert target.read_text(encoding="utf-8") == report_markdown(q1_report())
        target.write_text("my notes", encoding="utf-8")
        capsys.readouterr()
        assert run_export_cli(["aaaaaaaa", "-o", str(target)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "already exists" in err and str(target) in err
        assert target.read_text(encoding="utf-8") == "my notes"
        assert run_export_cli(["aaaaaaaa", "-o", str(target), "--force"]) == 0
        assert target.read_text(encoding="utf-8") == report_markdown(q1_report())

    def test_missing_folder_is_one_line(self, tmp_path, capsys):
        target = tmp_path / "no" / "such" / "digest.md"
        assert run_export_cli(["aaaaaaaa", "-o", str(target)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "does not exist" in err and not target.exists()

    def test_watchlist_and_compare(self, capsys):
        from yanbao.store.db import memory_store

        store = memory_store()
        store.add_many(corpus())
        store.watchlist_add("Tencent")
        assert run_export_cli(["--watchlist"], store) == 0
        assert "## Tencent" in capsys.readouterr().out
        assert run_export_cli(["--compare", "2025Q1", "2025Q2", "--lang", "en"], store) == 0
        out = capsys.readouterr().out
        assert (
            out.startswith("# Comparison: 2025Q1 → 2025Q2")
            and "+6.0 pp" in out
            and "## Guidance revisions" in out
        )

    @pytest.mark.parametrize(
        "argv, message",
        [
            ([], "give one of"),
            (["zzz"], "no stored report"),
            (["--compare", "2025Q1", "x"], "'X' is not a period"),
        ],
    )
    def test_errors_are_one_line(self, capsys, argv, message):
        assert run_export_cli(argv) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


# ---------------------------------------------------------------- the sample corpus

EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "expected"
SAMPLE_STEMS = sorted(f.stem for f in EXPECTED.glob("*.json"))


def sample_digests() -> dict[str, Digest]:
    """The hand-written expected digests of the bundled sample reports, by file stem."""
    import json

    if not SAMPLE_STEMS:
        pytest.skip("tests/fixtures/expected holds no digests yet")
    return {
        stem: Digest.from_dict(json.loads((EXPECTED / f"{stem}.json").read_text(encoding="utf-8")))
        for stem in SAMPLE_STEMS
    }


def sample_exports() -> dict[str, str]:
    """Every export over the sample digests, keyed by golden file name."""
    from yanbao.store.compare import compare_reports

    digests = sample_digests()
    every = list(digests.values())
    exports = {f"samples/{stem}.md": report_markdown(d) for stem, d in digests.items()}
    watch = [
        WatchItem("Tencent", "0700.HK"),
        WatchItem("Microsoft", "MSFT"),
        WatchItem("Meituan", "3690.HK"),
    ]
    exports["samples/watchlist_zh.md"] = watchlist_markdown(every, watch)
    exports["samples/watchlist_en.md"] = watchlist_markdown(every, watch, lang="en")
    for q1, q2 in (("2025Q1", "2025Q2"), ("2025Q2", "2025Q3")):
        in_view = [d for d in every if d.period in (q1, q2)]
        guidance = [
            h for h in guidance_history(every) if any(s.report_period in (q1, q2) for s in h.steps)
        ]
        view = compare_quarters(every, q1, q2)
        for lang in ("zh", "en"):
            exports[f"samples/compare_{q1}_{q2}_{lang}.md"] = comparison_markdown(
                view, guidance, ratings=rating_history(in_view), lang=lang
            )
    exports["samples/compare_reports_ls_2025q1_2025q2.md"] = comparison_markdown(
        compare_reports(digests["ls_2025q1_weekly"], digests["ls_2025q2_weekly"])
    )
    # The Compare pane's history views, as `e` writes them
    from yanbao.store.export import guidance_markdown, ratings_markdown

    for lang in ("zh", "en"):
        exports[f"samples/guidance_{lang}.md"] = guidance_markdown(guidance_history(every), lang=lang)
        exports[f"samples/ratings_{lang}.md"] = ratings_markdown(rating_history(every), lang=lang)
    exports["samples/ratings_none.md"] = ratings_markdown([], lang="en")
    return exports


SAMPLE_GOLDENS = (
    [f"samples/{s}.md" for s in SAMPLE_STEMS]
    + [
        "samples/watchlist_zh.md",
        "samples/watchlist_en.md",
        "samples/compare_reports_ls_2025q1_2025q2.md",
        "samples/guidance_zh.md",
        "samples/guidance_en.md",
        "samples/ratings_zh.md",
        "samples/ratings_en.md",
        "samples/ratings_none.md",
    ]
    + [
        f"samples/compare_{q1}_{q2}_{lang}.md"
        for q1, q2 in (("2025Q1", "2025Q2"), ("2025Q2", "2025Q3"))
        for lang in ("zh", "en")
    ]
)


@pytest.mark.parametrize("name", SAMPLE_GOLDENS)
def test_sample_golden(name: str) -> None:
    check_golden(name, sample_exports()[name])


def test_sample_exports_render_cleanly() -> None:
    for name, text in sample_exports().items():
        tokens = parse(text)
        children = {c.type for t in tokens if t.type == "inline" for c in t.children or []}
        assert not children & (FORBIDDEN_INLINE - {"code_inline"}), name
        assert not {t.type for t in tokens} & (FORBIDDEN_BLOCK - {"hr"}), name
        shapes = table_shapes(tokens)
        assert len(shapes) == text.count("\n| --- |"), name
        assert all(len(set(rows)) == 1 for rows in shapes), name


def test_sample_report_shows_its_figures_and_source() -> None:
    digests = sample_digests()
    d = digests["ls_2025q1_weekly"]
    texts = plain_texts(parse(report_markdown(d)))
    assert "33%" in texts and "167 亿美元" in texts
    assert d.source.sha256 in report_markdown(d)
    en = plain_texts(parse(report_markdown(digests["km_2025q2_sector"])))
    assert "66-72 bn USD (previously 64-72 bn USD)" in en


# ---------------------------------------------------------------- any text at all

MARKDOWN_ALPHABET = st.sampled_from(
    list("*_`[]()<>|#!&;:-+=.~\\/\"' \t\n1aZ研报")
    + ["http://", "&amp;", "&#35;", "\x1b[1m", "\x00", "    "]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(MARKDOWN_ALPHABET, max_size=30).map("".join))
def test_any_text_renders_as_itself(text: str) -> None:
    """Whatever the report says comes back as exactly its cleaned text, in a bullet and in a cell."""
    expected = clean_text(text)
    md = MarkdownIt("commonmark").enable("table")
    bullet = md.parse(f"- {escape_markdown(text)}\n")
    assert [t.type for t in bullet][:2] == ["bullet_list_open", "list_item_open"]
    assert plain_texts(bullet) == ([expected] if expected else [])
    cell = md.parse(f"| a | b |\n| --- | --- |\n| {escape_markdown(text) or ' '} | x |\n")
    assert table_shapes(cell) == [[2, 2]]
    assert plain_texts(cell)[2:] == [expected, "x"]
