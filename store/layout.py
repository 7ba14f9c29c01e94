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

from yanbao.store.textlines import Page, TextLine, reading_order
from yanbao.store.titles import title_of

__all__ = ["TextLine", "Page", "PdfText", "lay_out", "is_furniture", "WIND_TAG"]

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
# The brackets are often lost with the hidden tag's font (Tabl e_Title 指数…, Ta ble_Summary).
WIND_TAG = re.compile(r"\[?\s*T\s*a\s*b\s*l\s*e\s*_\s*([A-Za-z][A-Za-z0-9_]*)\s*\]?\s*", re.IGNORECASE)
# A line that names the kind of report, not the report: 证券研究报告, 金融工程专题研究, 深度报告.
def is_furniture(line: str) -> bool:
    """True for page numbers, "请务必阅读…" lines and bare URLs."""
    return bool(_FURNITURE.match(line))


SUMMARY_PAGE_CHARS = 300


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
    page_texts: list[str] = field(default_factory=list)  # each page's lines, to find where a part came from
    # Where in ``main`` the summary page ends: the first page with a page's worth of main
    # text (a cover holding only a title is not it). None for a one-page report.
    summary_limit: int | None = None

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


def _ordered(lines: list[TextLine]) -> list[str]:
    """Lines top to bottom, with a blank line where a gap bigger than a line's height opens."""
    out: list[str] = []
    previous: TextLine | None = None
    for ln in reading_order(lines):
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


def _stacked_fields(lines: list[TextLine]) -> list[str]:
    """"label value" for each short line with a value right below it (a field box or table
    column: 目标价 over 港币 666.00, Rating over Overweight) or right beside it on its row."""
    out = []
    for ln in lines:
        if len(ln.text) > 14:
            continue
        below = [o for o in lines if o.y1 <= ln.y0 + 1 and o.x0 < ln.x1 and o.x1 > ln.x0 and ln.y0 - o.y1 < 2.5 * max(ln.size, 1)]
        if below:
            nearest = max(below, key=lambda o: o.y1)
            out.append(ln.text + " " + nearest.text)
    # a label and its value on one row, apart: Price target - 12mth (HKD) ........ 800.00
    for ln in lines:
        if len(ln.text) > 40:
            continue
        right = [o for o in lines if o.x0 > ln.x1 and o.x0 - ln.x1 < 200 and abs(o.y0 - ln.y0) < 0.4 * max(ln.size, 1)]
        if right:
            out.append(ln.text + " " + min(right, key=lambda o: o.x0).text)
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
            result.title = title_of(main + side + upper, tagged_title)
        if not result.first_page and clean:
            result.first_page = _ordered(main) + _ordered(side) + _ordered(band)
            result.first_page += _stacked_fields(clean)
        band_text_pages.append([ln.text for ln in band])
        main_pages.append(_ordered(main))
        # main column first, so that its sentences stay contiguous across their lines
        result.page_texts.append("\n".join(main_pages[-1] + [ln.text for ln in reading_order(side + band)]))
        result.sidebar.extend(ln.text for ln in sorted(side, key=lambda ln: (-ln.y1, ln.x0)))
    for lines in band_text_pages:
        result.headers.extend(t for t in lines if not is_furniture(t))
    for lines in main_pages:
        if result.summary_limit is None and result.main and sum(map(len, result.main)) >= SUMMARY_PAGE_CHARS:
            result.summary_limit = len(result.main)
        result.main.extend(t for t in lines if not is_furniture(t))
        result.main.append("")
    return result
