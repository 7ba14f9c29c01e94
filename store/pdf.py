"""Text out of a broker PDF: pdfminer.six as the engine, ``store.layout`` for the reading.

pdfminer's layout analysis groups characters into lines, also inside form XObjects (many
broker templates and distribution platforms draw each page inside one: pdfminer returns it
as an ``LTFigure``). Each line goes to the layout stage with its box and font size. Pages
are read lazily, one at a time. A PDF is text-less only when no character exists anywhere.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from yanbao.store.errors import ReportError
from yanbao.store.layout import Page, PdfText, TextLine, is_furniture, lay_out
from yanbao.store.textio import clean_control_chars

__all__ = ["PdfText", "extract_pdf", "is_furniture", "pdfminer_pages", "lines_of_layout", "layout_params", "creation_date_of"]

for _name in ("pdfminer", "pdfminer.pdfpage", "pdfminer.pdfinterp", "pdfminer.converter", "pdfminer.psparser"):
    logging.getLogger(_name).setLevel(logging.ERROR)

_PDF_DATE = re.compile(rb"D?:?(\d{4})(\d{2})(\d{2})")


def layout_params():
    """pdfminer's layout settings for every engine.

    Lines are ordered by position in the layout stage, so pdfminer need not order its text
    boxes (boxes_flow=None): that hierarchical grouping is the costliest part of its analysis."""
    from pdfminer.layout import LAParams

    return LAParams(boxes_flow=None)


def lines_of_layout(layout) -> list[TextLine]:
    """Every text line on an analysed pdfminer page, those inside figures (form XObjects)
    included when the page's text lives there. Also reads the PDFium engine's pages, which
    are built of the same objects (``store.pdf_pdfium``)."""
    from pdfminer.layout import LAParams, LTChar, LTFigure, LTTextContainer, LTTextLine

    lines: list[TextLine] = []
    figures: list = []

    def walk(obj) -> None:
        for child in obj:
            if isinstance(child, LTTextLine):
                text = clean_control_chars(child.get_text()).strip()
                if text:
                    size = max((c.size for c in child if isinstance(c, LTChar)), default=child.height)
                    lines.append(TextLine(text, child.x0, child.y0, child.x1, child.y1, round(size, 1)))
            elif isinstance(child, LTFigure):
                figures.append(child)
            elif isinstance(child, LTTextContainer):
                walk(child)

    def chars_in(obj) -> int:
        return sum(1 if isinstance(c, LTChar) else chars_in(c) if isinstance(c, LTFigure) else 0 for c in obj)

    walk(layout)
    # Characters inside figures are not grouped by pdfminer (as in its extract_text): a chart's
    # labels stay out. When the figures hold more characters than the page's own text, the
    # page is drawn inside them: group those characters into lines and read them.
    if figures and sum(chars_in(f) for f in figures) > sum(len(ln.text) for ln in lines):
        inside = LAParams(boxes_flow=None, all_texts=True)
        for figure in figures:
            figure.analyze(inside)
        walk_figures, figures[:] = list(figures), []
        for figure in walk_figures:
            walk(figure)
            while figures:  # nested forms
                nested = figures.pop()
                walk(nested)
    return lines


_TEXT_DEVICE: list = []


def _text_device_class():
    """pdfminer's page aggregator without drawings and images (made once, on first use).

    pdfminer's own ``extract_text`` (``TextConverter``) skips them too: lines, rectangles,
    curves and images never hold a character, and building their layout objects costs
    about a sixth of a page's reading on real reports (charts and tables are drawn)."""
    if not _TEXT_DEVICE:
        from pdfminer.converter import PDFPageAggregator

        class TextAggregator(PDFPageAggregator):
            def paint_path(self, gstate, stroke, fill, evenodd, path) -> None:  # noqa: ARG002 - no text in a drawing
                return None

            def render_image(self, name, stream) -> None:  # noqa: ARG002 - no text in an image
                return None

        _TEXT_DEVICE.append(TextAggregator)
    return _TEXT_DEVICE[0]


def pdfminer_pages(path: str | Path, *, password: str | None = None,
                   created: list[str | None] | None = None) -> Iterator[Page]:
    """The pdfminer.six engine: each page's text lines, with boxes and font sizes.

    As ``pdfminer.high_level.extract_pages`` at ``layout_params()``, over one open of the
    file that also gives the document's ``CreationDate`` (appended to ``created``, when given)."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    with open(path, "rb") as fh:
        document = PDFDocument(PDFParser(fh), password=password or "")
        if created is not None:
            created.append(_document_date(document))
        resources = PDFResourceManager(caching=True)
        device = _text_device_class()(resources, laparams=layout_params())
        interpreter = PDFPageInterpreter(resources, device)
        for number, page in enumerate(PDFPage.create_pages(document)):
            interpreter.process_page(page)
            layout = device.get_result()
            yield Page(number, layout.width, layout.height, lines_of_layout(layout))


def creation_date_of(raw: bytes | str) -> str | None:
    """A PDF date string (``D:20200721…``) as YYYY-MM-DD, or None when it is no date."""
    m = _PDF_DATE.match(raw.encode("latin-1", "replace") if isinstance(raw, str) else raw)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if 1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def _document_date(document) -> str | None:
    """An open pdfminer document's CreationDate as YYYY-MM-DD, or None."""
    from pdfminer.pdftypes import resolve1

    try:
        for info in document.info:
            raw = resolve1(info.get("CreationDate"))
            date = creation_date_of(raw) if isinstance(raw, bytes) else None
            if date:
                return date
    except Exception:  # the date is a hint; a PDF that hides it still has its text
        return None
    return None


def _creation_date(path: str | Path, password: str | None) -> str | None:
    """The document information's CreationDate as YYYY-MM-DD, or None."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    try:
        with open(path, "rb") as fh:
            return _document_date(PDFDocument(PDFParser(fh), password=password or ""))
    except Exception:  # the date is a hint; a PDF that hides it still has its text
        return None


def extract_pdf(path: str | Path, *, password: str | None = None, engine: str = "pdfminer") -> PdfText:
    """Read a PDF's text with ``engine`` ("pdfminer", the reference, or "pdfium"), or raise
    ReportError with the reason it cannot be read."""
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
    if engine == "pdfium":
        from yanbao.store.pdf_pdfium import read_with_pdfium

        try:
            result, created = read_with_pdfium(path, password)
        except RecursionError:
            raise ReportError(where, "could not be read: the PDF nests objects too deeply") from None
        return _checked(result, where, created)
    try:
        created: list[str | None] = []
        result = lay_out(pdfminer_pages(path, password=password, created=created))
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
    return _checked(result, where, created[0] if created else None)


def _checked(result: PdfText, where: str, created: str | None) -> PdfText:
    """The text, unless the PDF has no page or no character at all."""
    if result.pages == 0:
        raise ReportError(where, "the PDF has no pages")
    if result.chars == 0:
        raise ReportError(where, "the PDF has no text layer: no character on any page (a scan or images only; OCR is not supported)")
    result.created = created
    return result
