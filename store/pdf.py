"""Text out of a broker PDF through pdfminer.six's layout analysis.

Text-line positions keep the main column apart from a sidebar (analyst, rating, 相关报告)
and drop page furniture: running headers and footers, page numbers, URLs. Pages are read
lazily, one at a time.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from yanbao.store.errors import ReportError
from yanbao.store.textio import clean_control_chars

__all__ = ["PdfText", "extract_pdf", "is_furniture"]

for _name in ("pdfminer", "pdfminer.pdfpage", "pdfminer.pdfinterp", "pdfminer.converter", "pdfminer.psparser"):
    logging.getLogger(_name).setLevel(logging.ERROR)

# Lines that are page furniture wherever they stand.
_FURNITURE = re.compile(
    r"^\s*(?:"
    r"第\s*\d+\s*页(?:\s*/?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|[-–—]?\s*\d{1,3}\s*[-–—]?|"
    r"Page \d+(?: of \d+)?|"
    r"请务必(?:仔细)?阅读.*|敬请(?:参阅|阅读).*|本报告仅供.*使用.*|"
    r"(?:https?://|www\.)\S+|Please (?:refer to|read) .*(?:disclaimer|disclosures).*"
    r")\s*$",
    re.IGNORECASE,
)
_BAND = 0.075  # top and bottom share of the page where running headers and footers sit


def is_furniture(line: str) -> bool:
    """True for page numbers, "请务必阅读…" lines and bare URLs."""
    return bool(_FURNITURE.match(line))


@dataclass
class PdfText:
    """What a PDF's text layer holds: main-column lines, sidebar lines and header lines."""

    pages: int = 0
    main: list[str] = field(default_factory=list)
    sidebar: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.main)


@dataclass
class _Line:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def _page_lines(page) -> list[_Line]:
    from pdfminer.layout import LTTextContainer, LTTextLine

    lines: list[_Line] = []

    def walk(obj) -> None:
        for child in obj:
            if isinstance(child, LTTextLine):
                text = clean_control_chars(child.get_text()).strip()
                if text:
                    lines.append(_Line(child.x0, child.y0, child.x1, child.y1, text))
            elif isinstance(child, LTTextContainer):
                walk(child)

    walk(page)
    return lines


def _main_span(lines: list[_Line], width: float) -> tuple[float, float]:
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


def _split_page(lines: list[_Line], width: float, height: float) -> tuple[list[_Line], list[_Line], list[_Line]]:
    """Sort a page's lines into (header/footer band, main column, sidebar)."""
    band, body = [], []
    for ln in lines:
        (band if ln.y0 > height * (1 - _BAND) or ln.y1 < height * _BAND else body).append(ln)
    x0, x1 = _main_span(body, width)
    main, side = [], []
    for ln in body:
        outside = ln.x0 >= x1 - 2 or ln.x1 <= x0 + 2
        (side if outside else main).append(ln)
    # A sidebar only exists when it is narrow beside a wide main column; otherwise keep all.
    if side and (x1 - x0) < width * 0.45:
        main, side = body, []
    return band, main, side


def _ordered(lines: list[_Line]) -> list[str]:
    """Lines top to bottom, with a blank line where a gap bigger than a line's height opens."""
    out: list[str] = []
    previous: _Line | None = None
    for ln in sorted(lines, key=lambda ln: (-round(ln.y1, 0), ln.x0)):
        if previous is not None:
            gap = previous.y0 - ln.y1
            if gap > (previous.y1 - previous.y0) * 0.9:
                out.append("")
        out.append(ln.text)
        previous = ln
    return out


def extract_pdf(path: str | Path, *, password: str | None = None) -> PdfText:
    """Read a PDF's text, or raise ReportError with the reason it cannot be read."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.pdfpage import PDFTextExtractionNotAllowed
    from pdfminer.psexceptions import PSException

    where = str(path)
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if not head.strip():
        raise ReportError(where, "the file is empty")
    if b"%PDF-" not in head:
        raise ReportError(where, "not a PDF file (no PDF header)")

    result = PdfText()
    band_counts: Counter[str] = Counter()
    page_bands: list[list[str]] = []
    page_mains: list[list[str]] = []
    chars = 0
    try:
        # Lines are ordered by position here, so pdfminer need not order its text boxes (boxes_flow=None):
        # that hierarchical grouping is the costliest part of its layout analysis.
        for page in extract_pages(path, password=password or "", laparams=LAParams(boxes_flow=None)):
            result.pages += 1
            width, height = page.width, page.height
            band, main, side = _split_page(_page_lines(page), width, height)
            chars += sum(len(ln.text) for ln in main) + sum(len(ln.text) for ln in side)
            band_text = [ln.text for ln in band]
            band_counts.update(set(band_text))
            page_bands.append(band_text)
            page_mains.append(_ordered(main))
            result.sidebar.extend(ln.text for ln in sorted(side, key=lambda ln: (-ln.y1, ln.x0)))
    except PDFPasswordIncorrect:
        if password:
            raise ReportError(where, "the password does not open this encrypted PDF") from None
        raise ReportError(where, "the PDF is encrypted and needs a password (use --password)") from None
    except (PDFEncryptionError, PDFTextExtractionNotAllowed) as exc:
        raise ReportError(where, f"the PDF's encryption is not supported ({exc})") from None
    except (PSException, PDFSyntaxError):
        raise ReportError(where, "the PDF is damaged or truncated") from None
    except RecursionError:
        raise ReportError(where, "could not be read: the PDF nests objects too deeply") from None
    if result.pages == 0:
        raise ReportError(where, "the PDF has no pages")
    if chars == 0:
        raise ReportError(where, "the PDF has no text layer (a scan or images only; OCR is not supported)")
    for lines in page_bands:
        result.headers.extend(t for t in lines if not is_furniture(t))
    for lines in page_mains:
        result.main.extend(t for t in lines if not is_furniture(t))
        result.main.append("")
    return result
