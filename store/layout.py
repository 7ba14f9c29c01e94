"""The layout stage: from positioned text lines to a report's reading text.

Engine-neutral: any PDF engine that yields ``Page``s of ``TextLine``s (text, box, font size)
feeds it; ``store.pdf`` is the pdfminer.six engine, the reference. Line positions keep the
main column apart from a sidebar (analyst, rating, 相关报告), drop page furniture (running
headers and footers, page numbers, URLs) and find the title: the largest type on page 1.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["TextLine", "Page", "PdfText", "lay_out", "is_furniture", "WIND_TAG", "REPORT_TYPE_LINE"]

# Lines that are page furniture wherever they stand.
_FURNITURE = re.compile(
    r"^\s*(?:"
    r"第\s*\d+\s*页(?:\s*/?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|[-–—]?\s*\d{1,3}\s*[-–—]?|"
    r"Page\s*\d+(?:\s*of\s*\d+)?|"
    r"请务必(?:仔细)?阅读.*|敬请(?:参阅|阅读).*|本报告仅供.*使用.*|"
    r"(?:https?://|www\.)\S+|Please (?:refer to|read) .*(?:disclaimer|disclosures).*"
    r")\s*$",
    re.IGNORECASE,
)
_BAND = 0.075  # top and bottom share of the page where running headers and footers sit
# Wind template tags ([Table_Title], [Table_Date] …), also with a stray space inside (Tabl e_Title).
WIND_TAG = re.compile(r"\[\s*T\s*a\s*b\s*l\s*e\s*_\s*([A-Za-z0-9_ ]*?)\s*\]\s*", re.IGNORECASE)
# A line that names the kind of report, not the report: 证券研究报告, 金融工程专题研究, 深度报告.
REPORT_TYPE_LINE = re.compile(
    r"^(?:[\u4e00-\u9fa5]{0,6}(?:研究报告|专题研究|专题报告|深度报告|深度研究|点评报告|研究|报告|周报|月报|日报|"
    r"季报|年报|点评|专题|策略|动态|跟踪|简报|快报|评论|模板)|金融工程|量化研究|固定收益|宏观经济|"
    r"Equity Research|Research Report|Company (?:Note|Update|Report)|Industry (?:Note|Update|Report)|"
    r"Sector (?:Note|Update)|Flash Note|Research Note|Asia Pacific Equity Research|Global Research)$",
    re.IGNORECASE,
)
_RATING_ONLY = re.compile(
    r"^(?:买入|增持|中性|减持|卖出|推荐|谨慎推荐|强烈推荐|优于大市|跑赢行业|同步大市|Buy|Sell|Hold|Neutral|"
    r"Overweight|Underweight|Outperform|Underperform|Equal[- ]weight)\b",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(r"^[\d\s./年月日:\-–]+$|^\d{1,2}\s+[A-Za-z]+\s+\d{4}$|^[A-Za-z]+\s+\d{1,2},?\s+\d{4}$")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def is_furniture(line: str) -> bool:
    """True for page numbers, "请务必阅读…" lines and bare URLs."""
    return bool(_FURNITURE.match(line))


@dataclass(frozen=True)
class TextLine:
    """One line of text as an engine placed it: PDF points, origin bottom left."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float  # font size in points (the largest on the line)


@dataclass
class Page:
    """One page's lines and size."""

    number: int
    width: float
    height: float
    lines: list[TextLine] = field(default_factory=list)


@dataclass
class PdfText:
    """What a PDF's text layer holds: main-column lines, sidebar lines and header lines,
    the title the layout shows and the file's creation date."""

    pages: int = 0
    main: list[str] = field(default_factory=list)
    sidebar: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    title: str | None = None
    created: str | None = None  # YYYY-MM-DD from the document information, when it has one
    chars: int = 0
    first_page: list[str] = field(default_factory=list)  # page 1 in reading order, stacked fields joined

    @property
    def text(self) -> str:
        return "\n".join(self.main)


def _main_span(lines: list[TextLine], width: float) -> tuple[float, float]:
    """The x-range of the main text column: the left edge holding most of the characters."""
    by_left: Counter[int] = Counter()
    for ln in lines:
        by_left[int(ln.x0 // 24)] += len(ln.text)
    if not by_left:
        return 0.0, width
    left_bucket = by_left.most_common(1)[0][0]
    column = [ln for ln in lines if int(ln.x0 // 24) == left_bucket]
    x0 = min(ln.x0 for ln in column)
    widths = sorted(ln.x1 for ln in column)
    x1 = widths[int(len(widths) * 0.9)] if widths else width
    return x0, x1


def _split_page(page: Page) -> tuple[list[TextLine], list[TextLine], list[TextLine]]:
    """Sort a page's lines into (header/footer band, main column, sidebar)."""
    band, body = [], []
    top, bottom = page.height * (1 - _BAND), page.height * _BAND
    for ln in page.lines:
        (band if ln.y0 > top or ln.y1 < bottom else body).append(ln)
    x0, x1 = _main_span(body, page.width)
    main, side = [], []
    for ln in body:
        outside = ln.x0 >= x1 - 2 or ln.x1 <= x0 + 2
        (side if outside else main).append(ln)
    # A sidebar only exists when it is narrow beside a wide main column; otherwise keep all.
    if side and (x1 - x0) < page.width * 0.45:
        main, side = body, []
    return band, main, side


def _reading_order(lines: list[TextLine]) -> list[TextLine]:
    return sorted(lines, key=lambda ln: (-round(ln.y1, 0), ln.x0))


def _ordered(lines: list[TextLine]) -> list[str]:
    """Lines top to bottom, with a blank line where a gap bigger than a line's height opens."""
    out: list[str] = []
    previous: TextLine | None = None
    for ln in _reading_order(lines):
        if previous is not None:
            gap = previous.y0 - ln.y1
            if gap > (previous.y1 - previous.y0) * 0.9:
                out.append("")
        out.append(ln.text)
        previous = ln
    return out


def _untagged(line: TextLine) -> tuple[TextLine, str | None]:
    """The line without Wind tags, and the name of the first tag it carried (title, date…)."""
    m = WIND_TAG.search(line.text)
    if not m:
        return line, None
    text = WIND_TAG.sub("", line.text).strip()
    tag = m.group(1).replace(" ", "").lower()
    return TextLine(text, line.x0, line.y0, line.x1, line.y1, line.size), tag


_FIELD_LINE = re.compile(
    r"^(?:分析师|研究助理|联系人|执业证书|证书编号|邮箱|电话|报告日期|发布日期|日期|证券代码|股票代码|投资评级|"
    r"行业评级|评级|目标价|当前价|收盘价|Analysts?|Date|Rating|Price target|Target price|Ticker|Tel|Email)\s*[:：]",
    re.IGNORECASE,
)
_FIRM_ONLY = re.compile(r"^[\u4e00-\u9fa5]{2,6}(?:证券|國際|国际|公司)(?:股份有限公司|有限责任公司|有限公司|研究所|研究院|研究部)?$")


def _can_be_title(text: str) -> bool:
    """Whether a line could be (part of) a title: not furniture, a date, a report-type word,
    a rating, a field line or a firm's name alone."""
    stripped = text.strip()
    squeezed = re.sub(r"\s+", "", stripped)
    if len(squeezed) < 4 or is_furniture(stripped) or _DATE_ONLY.match(stripped):
        return False
    if REPORT_TYPE_LINE.match(squeezed) or REPORT_TYPE_LINE.match(stripped) or _RATING_ONLY.match(squeezed):
        return False
    if _FIELD_LINE.match(stripped) or _FIRM_ONLY.match(squeezed):
        return False
    return not re.fullmatch(r"[\d\s.,%()（）/+\-–]+", squeezed)


def _join_title(parts: list[str]) -> str:
    out = ""
    for part in parts:
        part = part.strip()
        if out and re.search(r"[A-Za-z0-9,:;)]$", out) and re.match(r"[A-Za-z0-9(]", part):
            out += " " + part
        else:
            out += part
    return out


def _title_of(lines: list[TextLine], tagged: list[TextLine]) -> str | None:
    """Page 1's title: the Wind-tagged title, else the largest type that can be a title,
    joined with the lines of the same size right below it (a title that wraps)."""
    if tagged:
        return _join_title([ln.text for ln in _reading_order(tagged)])
    candidates = [ln for ln in lines if _can_be_title(ln.text)]
    if not candidates:
        return None
    biggest = max(ln.size for ln in candidates)
    if biggest <= 0:
        return None
    first = min((ln for ln in candidates if ln.size >= biggest - 0.5), key=lambda ln: (-ln.y1, ln.x0))
    parts, last = [first], first
    for ln in _reading_order(lines):
        if ln.y1 >= last.y1 or ln is first:
            continue
        close = last.y0 - ln.y1 < max(last.size, ln.size) * 1.2
        if close and abs(ln.size - first.size) <= 0.5 and ln.x0 < last.x1 and ln.x1 > last.x0 and not _FIELD_LINE.match(ln.text) and not _DATE_ONLY.match(ln.text):
            parts.append(ln)
            last = ln
        elif ln.y1 < last.y0 - max(last.size, 1) * 1.2:
            break
    return _join_title([ln.text for ln in parts])


def _stacked_fields(lines: list[TextLine]) -> list[str]:
    """"label value" for each short line with a value right below it (a field box or table
    column: 目标价 over 港币 666.00, Rating over Overweight)."""
    out = []
    for ln in lines:
        if len(ln.text) > 14:
            continue
        below = [o for o in lines if o.y1 <= ln.y0 + 1 and o.x0 < ln.x1 and o.x1 > ln.x0 and ln.y0 - o.y1 < 2.5 * max(ln.size, 1)]
        if below:
            nearest = max(below, key=lambda o: o.y1)
            out.append(ln.text + " " + nearest.text)
    return out


def lay_out(pages: Iterable[Page]) -> PdfText:
    """Read pages of positioned lines into main text, sidebar, headers and title."""
    result = PdfText()
    band_text_pages: list[list[str]] = []
    main_pages: list[list[str]] = []
    for page in pages:
        result.pages += 1
        tagged_title: list[TextLine] = []
        clean: list[TextLine] = []
        for ln in page.lines:
            ln, tag = _untagged(ln)
            if tag == "title" and ln.text:
                tagged_title.append(ln)
            if ln.text:
                clean.append(ln)
        page = Page(page.number, page.width, page.height, clean)
        band, main, side = _split_page(page)
        result.chars += sum(len(ln.text) for ln in clean)
        if result.title is None and (main or side):
            # a title may reach into the top band, never into the running header above it
            upper = [ln for ln in band if page.height / 2 < ln.y0 < page.height * (1 - _BAND / 2)]
            result.title = _title_of(main + upper, tagged_title)
        if not result.first_page and clean:
            result.first_page = _ordered(main) + _ordered(side) + _ordered(band)
            result.first_page += _stacked_fields(clean)
        band_text_pages.append([ln.text for ln in band])
        main_pages.append(_ordered(main))
        result.sidebar.extend(ln.text for ln in sorted(side, key=lambda ln: (-ln.y1, ln.x0)))
    for lines in band_text_pages:
        result.headers.extend(t for t in lines if not is_furniture(t))
    for lines in main_pages:
        result.main.extend(t for t in lines if not is_furniture(t))
        result.main.append("")
    return result
