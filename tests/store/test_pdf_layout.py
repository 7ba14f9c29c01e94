"""Real-report PDF structures, each rebuilt with reportlab in our own words: a page drawn
inside a form XObject, Wind template tags (also split by a stray space), a letter-spaced
report-type line above the title, a title in big type under a small line, stacked field
boxes and an English rating block. And the layout stage fed directly, as a second PDF
engine would feed it."""

from __future__ import annotations

from pathlib import Path

import pytest

from yanbao.store.errors import ReportError
from yanbao.store.layout import Page, TextLine, lay_out
from yanbao.store.parser import parse_file
from yanbao.store.pdf import _creation_date, extract_pdf


def _canvas(path: Path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return canvas.Canvas(str(path), pagesize=A4, invariant=1)


def _draw(c, items) -> None:
    """items: (x, y, size, text)."""
    for x, y, size, text in items:
        c.setFont("STSong-Light" if not text.isascii() else "Helvetica", size)
        c.drawString(x, y, text)


CN_FRONT = [
    (60, 800, 9, "华安证券 | 金融工程专题"),
    (60, 740, 24, "证 券 研 究 报 告"),
    (60, 712, 10, "量化择时系列之三"),
    (60, 680, 20, "均线与通道：一种新的择时框架在"),
    (60, 654, 20, "指数轮动中的应用"),
    (60, 620, 10, "报告日期：2024年3月7日"),
    (60, 590, 10, "投资要点"),
    (60, 570, 10, "⚫ 我们提出一种结合均线与通道的择时方法，回测显示其年化收益较基准提升。"),
    (60, 550, 10, "资料来源：Wind，2020年11月30日"),
    (60, 530, 10, "风险提示：模型失效风险；历史表现不代表未来。"),
    (420, 620, 9, "分析师：陈一鸣"),
    (420, 606, 9, "执业证书编号：S0010520010001"),
    (420, 592, 9, "chenyiming@hazq.com"),
]
TAIL = [
    (60, 780, 10, "分析师声明"),
    (60, 760, 9, "本报告版权归华安证券股份有限公司所有，未经许可不得转载。"),
]


def _cn_report(path: Path, *, in_form: bool) -> Path:
    c = _canvas(path)
    if in_form:
        # The whole page lives in a form XObject, as distribution platforms draw it.
        c.beginForm("page1")
        _draw(c, CN_FRONT)
        c.endForm()
        c.doForm("page1")
    else:
        _draw(c, CN_FRONT)
    c.showPage()
    _draw(c, TAIL)
    c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("in_form", [False, True], ids=["page", "form-xobject"])
def test_chinese_front_page_metadata(tmp_path: Path, in_form: bool) -> None:
    digest = parse_file(_cn_report(tmp_path / "r.pdf", in_form=in_form))
    # the largest type is a letter-spaced report-type line; the title is the next size, wrapped
    assert digest.title == "均线与通道：一种新的择时框架在指数轮动中的应用"
    assert digest.broker == "华安证券"
    assert digest.date == "2024-03-07"


def test_form_xobject_page_is_not_called_textless(tmp_path: Path) -> None:
    pdf = extract_pdf(_cn_report(tmp_path / "r.pdf", in_form=True))
    assert any("投资要点" in line for line in pdf.main)


def test_textless_only_without_any_character(tmp_path: Path) -> None:
    c = _canvas(tmp_path / "scan.pdf")
    c.beginForm("art")
    c.rect(72, 600, 300, 100, fill=1)
    c.endForm()
    c.doForm("art")
    c.showPage()
    c.save()
    with pytest.raises(ReportError, match="no text layer"):
        extract_pdf(tmp_path / "scan.pdf")


def test_wind_tags_mark_the_title_even_split_by_a_space(tmp_path: Path) -> None:
    c = _canvas(tmp_path / "wind.pdf")
    _draw(c, [
        (60, 800, 9, "金融工程 | 专题报告"),
        (60, 750, 26, "金融工程"),
        (60, 700, 6, "[Tabl e_Title] 波动率因子的再构造与检验"),
        (60, 660, 12, "[Table_Date] 2023-05-16"),
        (60, 620, 10, "核心观点"),
        (60, 600, 10, "⚫ 本文重新构造波动率因子并检验其在不同市场环境下的表现。"),
        (60, 300, 9, "本报告由开源证券股份有限公司研究所制作。"),
    ])
    c.showPage()
    c.save()
    digest = parse_file(tmp_path / "wind.pdf")
    assert digest.title == "波动率因子的再构造与检验"
    assert digest.date == "2023-05-16"
    assert digest.broker == "开源证券"


def test_stray_prefix_never_reaches_the_broker(tmp_path: Path) -> None:
    c = _canvas(tmp_path / "p.pdf")
    _draw(c, [
        (60, 760, 18, "市场情绪的度量与应用"),
        (60, 720, 10, "投资要点"),
        (60, 700, 10, "⚫ 情绪指标在极端位置具有反转含义。"),
        (60, 200, 9, "本报告版权归国信证券股份有限公司所有，仅供国信证券客户使用。"),
    ])
    c.showPage()
    c.save()
    assert parse_file(tmp_path / "p.pdf").broker == "国信证券"


def test_unregistered_firm_from_a_strong_pattern_only(tmp_path: Path) -> None:
    c = _canvas(tmp_path / "u.pdf")
    _draw(c, [
        (60, 760, 18, "Harbour lights: a new regime for regional lenders"),
        (60, 720, 10, "Key takeaways"),
        (60, 700, 10, "- Deposit costs have peaked, and margins should widen into 2027."),
        (60, 200, 8, "This report is issued by Saltmarsh Securities Limited. Copyright Saltmarsh Securities."),
    ])
    c.showPage()
    c.save()
    assert parse_file(tmp_path / "u.pdf").broker == "Saltmarsh Securities"


def _english_note(path: Path) -> Path:
    c = _canvas(path)
    _draw(c, [
        (40, 810, 8, "Nomura Global Markets Research | Equity Research"),
        (40, 780, 9, "9 July 2026"),
        (40, 750, 9, "Tencent (700 HK)"),
        (40, 720, 20, "Games steady, ads accelerate; AI capex"),
        (40, 696, 20, "steps up"),
        (40, 660, 10, "Key takeaways"),
        (40, 640, 10, "- Advertising revenue grew faster than we expected in the quarter."),
        (400, 660, 9, "Rating"),
        (400, 646, 9, "BUY (Maintained)"),
        (400, 626, 9, "Price target (Dec-26)"),
        (400, 612, 9, "HK$720.00"),
        (400, 592, 9, "Closing price HK$550.50"),
        (400, 572, 8, "analyst.one@nomura.com"),
    ])
    c.showPage()
    c.save()
    return path


def test_english_rating_block_with_price_target(tmp_path: Path) -> None:
    digest = parse_file(_english_note(tmp_path / "en.pdf"))
    assert digest.broker == "Nomura"
    assert digest.date == "2026-07-09"
    assert digest.title == "Games steady, ads accelerate; AI capex steps up"
    (rating,) = digest.company_ratings
    assert (rating.company, rating.ticker, rating.rating, rating.action) == ("Tencent", "0700.HK", "Buy", "maintain")
    assert (rating.target_price, rating.currency) == (720.0, "HKD")


def test_chinese_stacked_rating_and_target_boxes(tmp_path: Path) -> None:
    c = _canvas(tmp_path / "co.pdf")
    _draw(c, [
        (60, 800, 9, "公司研究 | 证券研究报告    2026.03.19"),
        (60, 760, 20, "腾讯控股：基本面稳健，加大 AI 投入"),
        (60, 720, 10, "投资要点"),
        (60, 700, 10, "⚫ 四季度收入与利润基本符合预期。"),
        (400, 700, 9, "股票代码"), (460, 700, 9, "股票评级"), (520, 700, 9, "目标价"),
        (400, 686, 9, "00700.HK"), (460, 686, 9, "跑赢行业"), (520, 686, 9, "港币 666.00"),
        (60, 200, 9, "资料来源：中金公司研究部"),
    ])
    c.showPage()
    c.save()
    digest = parse_file(tmp_path / "co.pdf")
    assert digest.date == "2026-03-19"
    assert digest.broker == "中金公司"
    (rating,) = digest.company_ratings
    assert (rating.ticker, rating.rating, rating.target_price, rating.currency) == ("0700.HK", "跑赢行业", 666.0, "HKD")


def test_creation_date_when_the_text_has_none(tmp_path: Path) -> None:
    c = _canvas(tmp_path / "nodate.pdf")
    _draw(c, [(60, 760, 18, "没有日期的报告标题示例"), (60, 720, 10, "投资要点"), (60, 700, 10, "⚫ 正文内容。")])
    c.showPage()
    c.save()
    created = _creation_date(tmp_path / "nodate.pdf", None)
    assert created is not None
    assert parse_file(tmp_path / "nodate.pdf").date == created


def test_layout_stage_takes_lines_from_any_engine() -> None:
    """A second engine hands the layout stage plain positioned lines."""
    page = Page(0, 595.0, 842.0, [
        TextLine("证券研究报告", 60, 780, 200, 800, 22.0),
        TextLine("行业景气回升，龙头率先受益", 60, 730, 400, 752, 18.0),
        TextLine("投资要点", 60, 690, 110, 700, 10.0),
        TextLine("需求回暖带动出货量增长，价格企稳。" * 2, 60, 670, 380, 680, 10.0),
        TextLine("分析师：王小川", 420, 690, 540, 699, 9.0),
        TextLine("第 1 页", 280, 20, 320, 30, 9.0),
    ])
    pdf = lay_out([page])
    assert pdf.title == "行业景气回升，龙头率先受益"
    assert "分析师：王小川" in pdf.sidebar
    assert not any("第 1 页" in line for line in pdf.main)


def _two_page_note(path: Path) -> Path:
    """Page 1: the note's takeaways. Page 2: a chapter that also uses bullets, and a figure."""
    c = _canvas(path)
    _draw(c, [
        (40, 810, 8, "Nomura Global Markets Research | Equity Research"),
        (40, 780, 9, "9 July 2026"),
        (40, 720, 20, "Games steady, ads accelerate"),
        (40, 660, 10, "Key takeaways"),
        (40, 640, 10, "- Advertising revenue grew faster than we expected in the quarter, helped by"),
        (40, 626, 10, "  better targeting and more video inventory across the platform."),
        (40, 600, 10, "- Game bookings were steady and the pipeline for the second half looks full,"),
        (40, 586, 10, "  with three large titles due before the end of the year and more in testing."),
        (40, 560, 10, "- We keep our estimates and see the shares as attractive at current levels,"),
        (40, 546, 10, "  given the cash the core business produces while AI investment steps up."),
    ])
    c.showPage()
    _draw(c, [
        (40, 780, 12, "Appendix: model details"),
        (40, 750, 10, "- Segment table methodology follows the company's own reporting lines."),
        (40, 730, 10, "- Tencent revenue rose 13% yoy to Rmb194bn in the quarter."),
    ])
    c.showPage()
    c.save()
    return path


def test_key_points_stop_at_the_end_of_the_summary_page(tmp_path: Path) -> None:
    digest = parse_file(_two_page_note(tmp_path / "two.pdf"))
    texts = " ".join(t for kp in digest.key_points for t in (kp.heading, *kp.points))
    assert "Advertising revenue grew faster" in texts and "attractive at current levels" in texts
    assert "methodology" not in texts and "Rmb194bn" not in texts
    # the chapter's figures are still read
    assert any(m.metric == "revenue_growth_yoy" and m.value == 13 for m in digest.metrics)


def test_pdfminer_engine_reads_the_lines_of_pdfminers_own_pages(tmp_path: Path) -> None:
    """The engine skips drawings (as pdfminer's own extract_text does) and opens the file once
    for pages and CreationDate: the same lines as pdfminer's extract_pages at the same layout
    settings, on a report full of rules, boxes, curves and a chart drawn inside a form."""
    from pdfminer.high_level import extract_pages

    from yanbao.store.pdf import layout_params, lines_of_layout, pdfminer_pages

    path = tmp_path / "drawn.pdf"
    c = _canvas(path)
    c.beginForm("chart")
    for i in range(12):
        c.rect(80 + 22 * i, 300, 14, 10 + 9 * i, fill=1)
        c.drawString(80 + 22 * i, 288, f"Q{i % 4 + 1}")
    c.bezier(80, 300, 150, 420, 250, 380, 340, 460)
    c.endForm()
    c.beginForm("page3")  # a page drawn inside a form, with its rules: read from the form
    c.line(60, 770, 535, 770)
    _draw(c, CN_FRONT)
    c.endForm()
    for page in range(3):
        c.line(60, 770, 535, 770)
        c.setDash(3, 2)
        c.roundRect(400, 560, 150, 120, 8)
        c.setDash()
        c.grid([60, 200, 340], [200, 230, 260])
        if page < 2:
            _draw(c, CN_FRONT if page == 0 else TAIL)
        else:
            c.doForm("page3")
        c.doForm("chart")
        c.showPage()
    c.save()
    created: list[str | None] = []
    mine = [page.lines for page in pdfminer_pages(path, created=created)]
    theirs = [lines_of_layout(layout) for layout in extract_pages(path, laparams=layout_params())]
    assert mine == theirs
    assert [len(lines) for lines in mine[:2]] == [len(CN_FRONT), len(TAIL)]  # a chart's labels stay out
    assert "投资要点" in {line.text for line in mine[2]}  # the form page's text is read
    assert created == [_creation_date(path, None)] and created[0] is not None
    assert extract_pdf(path).created == created[0]


def test_a_summary_heading_at_the_foot_of_the_cover_opens_the_summary_on_the_next_page(tmp_path: Path) -> None:
    c = _canvas(tmp_path / "foot.pdf")
    _draw(c, [
        (60, 800, 9, "华安证券 | 行业研究"),
        (60, 700, 20, "云计算景气延续，算力投入加速"),
        (60, 660, 10, "报告日期：2024年3月7日"),
        *[(60, 620 - 16 * i, 10, f"本页为封面说明文字，介绍报告的范围与数据口径，第{i + 1}行。") for i in range(12)],
        (60, 60, 10, "投资要点"),
    ])
    c.showPage()
    _draw(c, [
        (60, 780, 10, "⚫ 云厂商资本开支维持高位，算力需求持续增长。"),
        (60, 760, 10, "⚫ 国内大模型迭代加快，应用落地提速。"),
    ])
    c.showPage()
    c.save()
    digest = parse_file(tmp_path / "foot.pdf")
    texts = " ".join(t for kp in digest.key_points for t in (kp.heading, *kp.points))
    assert "云厂商资本开支维持高位" in texts and "国内大模型迭代加快" in texts
