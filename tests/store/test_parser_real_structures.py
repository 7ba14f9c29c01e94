"""Structures of real broker reports, reproduced in our own words: a report flattened to one
line, sections that end at the analyst block or a contents page, headings that wrap, and
sector-level figures. (The brokers' texts stay outside the repository.)"""

from __future__ import annotations

import re

from yanbao.store import metrics as metric_reader
from yanbao.store.flat_text import is_flattened, unflatten
from yanbao.store.model import Digest, Source
from yanbao.store.parser import parse_text
from yanbao.store.units import METRIC_LABELS

SOURCE = Source(path="structures.txt", kind="text", pages=1, sha256="e" * 64)

# What must never show in key points, recommendation or risks.
BOILERPLATE = re.compile(r"分析师|执业|登记编码|免责|声明|评级说明|资料来源|证券代码|@|Table_|目录|\.{4,}")

CHAPTER = (
    "二、行业跟踪我们观察到下游客户的备货节奏明显加快，渠道库存回到正常水平，订单能见度延伸到下个季度。"
    "展望后市，新品周期与国产替代共同推动行业成长，龙头厂商的份额有望继续提升。"
)
FLAT = (
    "www.example-sec.cn证券研究报告请务必阅读正文最后的示例证券股份公司免责声明[Table_Research]行业动态报告"
    "●电子2026年05月08日[Table_Main]景气回升，关注龙头——5月动态报告电子行业推荐维持评级"
    "核心观点电子行业业绩回暖，关注面板与被动元件。"
    "2026年前三季度电子行业整体归母净利润为812.50亿元，同比增长21.40%，第三季度归母净利润同比增长18.20%。"
    "面板：价格企稳回升，行业毛利率为15.6%。"
    "投资建议：维持“推荐”评级。重点推荐星河科技（301998.SZ）、远山电子（688998.SH）。"
    "核心组合证券代码证券简称月涨幅(%)301998.SZ星河科技12.3445.671,234.56688998.SH远山电子-3.2133.33"
    "资料来源：Wind，示例证券研究院整理"
    "风险提示：下游需求不及预期，原材料价格上涨，行业竞争加剧的风险。"
    "分析师张三：010-12345678：zhangsan@example-sec.cn分析师登记编码：S0000000000001"
    "行业动态报告/电子行业请务必阅读正文最后的示例证券股份公司免责声明。2"
    "目录一、行业回顾........................3风险提示........................9"
    "一、行业回顾2026年1-9月，全球智能手机出货量同比下降3.5%；国内手机市场规模为4,560亿元，同比增长6.8%。"
    + CHAPTER * 14
    + "风险提示下游需求不及预期，原材料价格上涨，行业竞争加剧的风险。"
    "分析师承诺本人承诺，以勤勉的执业态度，独立、客观地出具本报告。评级说明推荐：未来6个月内行业指数表现强于基准指数10%以上。"
)


def parse(text: str) -> Digest:
    digest = parse_text(text, SOURCE)
    assert Digest.from_dict(digest.to_dict()) == digest
    return digest


def summary_texts(digest: Digest) -> list[str]:
    return [t for kp in digest.key_points for t in (kp.heading, *kp.points)] + [digest.recommendation, *digest.risks]


class TestFlattenedReport:
    """A whole report on one line, no line breaks: read as a reader would."""

    def test_it_is_recognised_and_broken_into_lines(self) -> None:
        assert is_flattened(FLAT)
        lines = unflatten(FLAT)
        assert "核心观点" in lines and "风险提示" in lines
        assert not any("......" in line for line in lines)  # contents entries dropped

    def test_sector_rating_risks_and_picks(self) -> None:
        digest = parse(FLAT)
        assert digest.rating.sector == "推荐"
        assert digest.risks == ["下游需求不及预期", "原材料价格上涨", "行业竞争加剧的风险"]
        picks = {(c.name, c.ticker) for c in digest.companies if c.role == "recommended"}
        assert picks == {("星河科技", "301998.SZ"), ("远山电子", "688998.SH")}

    def test_key_points_are_the_summary_without_boilerplate(self) -> None:
        digest = parse(FLAT)
        assert digest.key_points and digest.key_points[0].heading.startswith("电子行业业绩回暖")
        texts = summary_texts(digest)
        assert not [t for t in texts if BOILERPLATE.search(t)]
        assert not any("下游客户的备货节奏" in t for t in texts)  # the chapters are not the summary

    def test_sector_level_figures(self) -> None:
        digest = parse(FLAT)
        got = {(m.company, m.segment, m.metric, m.period, m.fiscal_period, m.value, m.unit) for m in digest.metrics}
        assert (None, "电子", "net_income", "2026Q3", "2026Q1-Q3", 81_250_000_000, "CNY") in got
        assert (None, "电子", "net_income_growth_yoy", "2026Q3", "2026Q1-Q3", 21.4, "%") in got
        assert (None, "面板", "gross_margin", None, None, 15.6, "%") in {g[:3] + (None, None) + g[5:] for g in got}
        # figures in the chapters after the summary count too
        assert any(m.metric == "market_size" and m.value == 456_000_000_000 and m.segment == "手机" for m in digest.metrics)
        assert any(m.metric == "shipments_growth_yoy" and m.value == -3.5 for m in digest.metrics)

    def test_counts_of_goods_are_figures(self) -> None:
        text = (
            "某某证券 行业周报 2026年3月2日\n智能终端行业周报\n核心观点：\n"
            "2025年全球智能手机出货量达到2.52亿部，同比增长3.5%；国内智能手机销量1,200万部。\n"
            "行业共覆盖12个细分领域，合作伙伴300家。\n风险提示：需求不及预期。\n"
        )
        got = {(m.metric, m.period, m.value, m.unit) for m in parse(text).metrics}
        assert ("shipments", "2025", 252_000_000, "units") in got
        assert any(g[0] == "sales_volume" and g[2:] == (12_000_000, "units") for g in got)
        assert not [g for g in got if g[3] == "units" and g[0] not in ("shipments", "sales_volume")]


class TestSectionsEndWhereTheyEnd:
    """Risks and key points stop at the analyst block, a contents page or the next heading."""

    def test_risks_stop_at_the_analyst_block(self) -> None:
        text = (
            "行业周报\n主要观点：\n⚫ 行业景气回升\n需求改善，订单饱满。\n⚫ 风险提示\n需求不及预期；竞争加剧。\n"
            "分析师：张三 执业证书编号：S0000000000001\n邮箱：zhangsan@example-sec.cn\n"
        )
        digest = parse(text)
        assert digest.risks == ["需求不及预期", "竞争加剧"]
        assert not [t for t in summary_texts(digest) if BOILERPLATE.search(t)]

    def test_running_risks_stop_before_the_chapters(self) -> None:
        text = (
            "行业深度\n投资要点：\n⚫ 龙头份额提升\n集中度继续提高。\n风险提示：下游需求不及预期，技术迭代不及预期。\n"
            "目录\n1. 行业回顾\n我们回顾了过去十年行业的发展历程，行业规模持续扩大。\n"
        )
        digest = parse(text)
        assert digest.risks == ["下游需求不及预期", "技术迭代不及预期"]
        assert not any("行业回顾" in t or "发展历程" in t for t in summary_texts(digest))

    def test_a_heading_whose_text_wraps_is_one_heading(self) -> None:
        text = "行业专题\n主要观点：\n⚫ 模型表现稳健\n样本外收益稳定。\n风险提示：市场风格切换导致模型失效；历史\n回测不代表未来表现。\n"
        digest = parse(text)
        assert digest.risks == ["市场风格切换导致模型失效", "历史回测不代表未来表现"]

    def test_a_bullet_heading_wrapped_onto_a_short_line(self) -> None:
        text = "行业周报\n主要观点：\n⚫ 云厂商资本开支继续\n上修\n1）海外云厂商上调全年指引；\n2）国内云厂商加快投入。\n"
        digest = parse(text)
        assert digest.key_points[0].heading == "云厂商资本开支继续上修"
        assert len(digest.key_points[0].points) == 2


def test_every_metric_key_the_reader_makes_has_a_label() -> None:
    keys = set()
    for base in metric_reader._RATIOS:
        keys |= {base, f"{base}_change_yoy", f"{base}_change_qoq"}
    for base in metric_reader._OWN_KEYS:
        keys |= {base, f"{base}_growth_yoy", f"{base}_growth_qoq", f"{base}_cagr", f"{base}_share"}
    assert keys <= METRIC_LABELS.keys()


def test_a_report_without_summary_structure_keeps_its_key_point_before_the_contents() -> None:
    """No summary heading and no bullets: the key point is the opening text, up to the
    contents page, not the whole report."""
    text = (
        "量化专题报告\n\n本文提出一种新的择时方法，在样本外的表现依然稳定。\n\n"
        "资料来源：示例数据库\n\n我们发现了三个结构性规律，并据此构建了组合。\n\n"
        "1. 引言 ........................................ 3\n\n2. 模型构建 .................................... 5\n\n"
        "1. 引言\n\n长期以来，择时一直是投资者关心的问题，本章回顾了已有的研究。\n"
    )
    digest = parse(text)
    points = [p for kp in digest.key_points for p in (kp.heading, *kp.points)]
    assert any("新的择时方法" in p for p in points) and any("三个结构性规律" in p for p in points)
    assert not [p for p in points if "......" in p or "回顾了已有的研究" in p or "资料来源" in p]


def test_rating_definitions_and_spaced_source_lines_stay_out_of_key_points() -> None:
    """A bare "X证券投资评级" heading opens the rating definitions; a letter-spaced source
    line (数 据来源 ：) is table furniture."""
    text = (
        "量化专题报告\n主要观点：\n⚫ 策略在震荡市中表现稳定\n样本外收益与样本内接近。\n"
        "数 据来源 ： 示例数据库\n⚫ 交易成本影响有限\n换手率较低。\n"
        "示例证券投资评级\n类别 级别 定义\n买入 预计6个月内股价表现优于市场指数20%以上\n"
    )
    digest = parse(text)
    points = [p for kp in digest.key_points for p in (kp.heading, *kp.points)]
    assert points and not [p for p in points if "据来源" in p or "评级" in p or "优于市场指数" in p]


def test_a_contents_index_heading_ends_the_summary() -> None:
    text = "量化专题\n主要观点：\n⚫ 趋势线择时有效\n延迟更低。\n目录索引\n一、 引言\n本章介绍研究背景。\n"
    digest = parse(text)
    points = [p for kp in digest.key_points for p in (kp.heading, *kp.points)]
    assert points and not [p for p in points if "目录" in p or "研究背景" in p]


def test_a_flattened_cover_date_glued_to_the_running_header_is_read() -> None:
    """A flattened report whose cover date sits between an analyst's phone number and the
    running header, right before the contents page: unflattening keeps only what follows
    the last contents entry, and the date goes with the contents; it is read from the raw cover."""
    header = "示例国际主题研究星河行业展望：在变化中寻找机会2026-05-08"
    page = (
        "我们认为，下游需求复苏节奏分化，龙头厂商的份额有望继续提升。"
        "智能手机出货量同比下降3.5%，国内市场规模为4,560亿元。"
    ) * 6
    text = (
        "示例国际研究主题研究|科技行业本研究报告由示例国际控股有限公司分析师编制。"
        "星河行业展望：在变化中寻找机会核心观点行业景气度回升，关注龙头公司。"
        "李四科技分析师lisi@example-intl.com(852)12345678"
        "2026年5月8日" + header + "2目录行业回顾..........................3风险提示..........................9"
        + "".join(page + header + str(n) for n in range(3, 12))
    )
    assert is_flattened(text)
    assert parse(text).date == "2026-05-08"


def _chart_page(path, text_lines: list[str], axis: list[str], after: list[str]):
    """A page of summary text, a chart's axis labels (small, spaced like a y axis) and more text."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), invariant=1)
    y = 780
    for line in text_lines:
        c.setFont("STSong-Light", 11)
        c.drawString(72, y, line)
        y -= 18
    y -= 30
    for label in axis:
        c.setFont("STSong-Light", 7)
        c.drawString(90, y, label)
        y -= 28
    y -= 30
    for line in after:
        c.setFont("STSong-Light", 11)
        c.drawString(72, y, line)
        y -= 18
    c.showPage()
    c.save()
    return path


def test_chart_axis_labels_inside_the_summary_are_not_key_points(tmp_path) -> None:
    """A chart drawn on a summary page leaves its axis labels as lines of their own
    (0.06, -0.02, a label run into dot leaders): they are not key points."""
    from yanbao.store.parser import parse_file

    path = _chart_page(
        tmp_path / "axis.pdf",
        ["示例证券研究报告", "量化择时系列：一个示例指标的构建",
         "■ 指标构造：以最高价与最低价的回归斜率刻画支撑与阻力的相对强度。",
         "我们以回归的斜率作为代理指标，斜率越大，支撑越强。"],
        ["0.06", "0.05", "-0.02", "..-0.03..........."],
        ["■ 测试结果：样本外年化收益 11.1%，最大回撤 13.7%。"],
    )
    texts = summary_texts(parse_file(path))
    assert any("回归斜率" in t for t in texts) and any("样本外" in t for t in texts)
    assert not any(re.fullmatch(r"[\W\d_]*", t) for t in texts if t), texts


class TestUnstructuredStudies:
    """A study or paper with no summary heading and no bullets: its key point is its opening,
    not its whole text, and the figures after the opening are still read."""

    PARAGRAPH = (
        "本文讨论一种基于成交量与价格共振的择时方法，先介绍指标的构造，再讨论参数的选择与稳健性，"
        "最后给出在多个宽基指数上的回测表现，并与常见的均线方法作比较，说明其优点与局限。"
    )

    def study(self) -> str:
        body = "\n\n".join(f"{self.PARAGRAPH}第{i}节。" for i in range(1, 41))
        return (
            "某某证券 2026年3月2日\n量价共振择时方法研究\n\n" + body
            + "\n\n电子行业整体营收达到920.42亿元，同比增长29.09%。\n"
        )

    def test_key_points_are_the_opening(self) -> None:
        digest = parse(self.study())
        text = "".join(t for kp in digest.key_points for t in (kp.heading, *kp.points))
        assert self.PARAGRAPH in text
        assert len(text) <= 2000
        assert "第40节" not in text

    def test_figures_after_the_opening_are_still_read(self) -> None:
        digest = parse(self.study())
        assert any(m.metric == "revenue" and m.value == 92_042_000_000 for m in digest.metrics)

    def test_one_long_paragraph_is_cut_at_a_sentence(self) -> None:
        text = "某某证券 2026年3月2日\n量价共振择时方法研究\n\n" + "".join(
            f"{self.PARAGRAPH}第{i}节。" for i in range(1, 41)) + "电子行业整体营收达到920.42亿元，同比增长29.09%。\n"
        digest = parse(text)
        points = [t for kp in digest.key_points for t in kp.points]
        assert points and len("".join(points)) <= 1600 and points[-1].endswith("。")
        assert any(m.metric == "revenue" and m.value == 92_042_000_000 for m in digest.metrics)


def test_contact_lines_glued_into_the_summary_are_not_key_points() -> None:
    text = (
        "某某证券 公司研究 2026年3月2日\n星河科技：业绩稳健\n主要观点：\n"
        "⚫ 收入增长稳健\n公司四季度收入同比增长12%，毛利率提升。\n"
        "互联网SAC 执证编号：S0000521010001 SFC CE Ref：ABC123 someone.analyst@example-sec.cn\n"
        "⚫ 维持买入评级\n我们维持买入评级。\n"
    )
    texts = summary_texts(parse(text))
    assert texts and not [t for t in texts if "S0000521010001" in t or "@" in t]
