"""The PDFium engine (pypdfium2, the optional ``yanbao[fast]`` extra): text lines for the
layout stage from PDFium's text page.

PDFium reads a page's characters (code, box, form they sit in) several times faster than
pdfminer.six interprets the content stream. The characters are then grouped into lines by
pdfminer's own line grouping, at the same settings as the pdfminer engine, so both engines
hand ``store.layout`` the same lines wherever they see the same characters:

- a character's box is pdfminer's: its advance wide and its font size high (PDFium's
  "loose" box), in the page's own frame (media box origin, page rotation applied);
- line breaks PDFium infers are left out, and so are the spaces it infers, except one
  between two text objects that pdfminer's grouping would join anyway (often standing for a
  trailing space glyph PDFium folded away); pdfminer inserts its own spaces from the gaps;
- a hyphen that ends a line, which PDFium reports as 0x02, is a hyphen again;
- characters inside form XObjects are kept apart from the page's own, per form, and read
  only when the forms hold more of them than the page's text (``store.pdf``'s rule).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from pathlib import Path

from yanbao.store.errors import ReportError
from yanbao.store.layout import PdfText, lay_out
from yanbao.store.pdf import creation_date_of, layout_params, lines_of_layout
from yanbao.store.textlines import Page

__all__ = ["pdfium_pages", "read_with_pdfium"]

_FORM = 5  # FPDF_PAGEOBJ_FORM
_TEXT = 1  # FPDF_PAGEOBJ_TEXT
_MAX_FORM_DEPTH = 15
# PDFium may not be called from two threads at once, not even on different documents
# (pypdfium2's documentation); a threaded Dask worker (``store.cluster``) would.
_PDFIUM = threading.Lock()


def _address(handle) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


def _forms_of_text(raw, page) -> dict[int, tuple[int, ...]]:
    """Each text object drawn inside a form: its address → the path of forms holding it
    (indexes from the page down), in drawing order."""
    owners: dict[int, tuple[int, ...]] = {}

    def visit(count: int, get, path: tuple[int, ...]) -> None:
        forms = 0
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == _TEXT and path:
                owners[_address(obj)] = path
            elif kind == _FORM and len(path) < _MAX_FORM_DEPTH:
                here = path + (forms,)
                forms += 1
                visit(raw.FPDFFormObj_CountObjects(obj), lambda j, o=obj: raw.FPDFFormObj_GetObject(o, j), here)

    visit(raw.FPDFPage_CountObjects(page), lambda i: raw.FPDFPage_GetObject(page, i), ())
    return owners


def _page_frame(page, raw) -> tuple[float, float, tuple[float, ...]]:
    """The page's width, height and the matrix pdfminer applies (media box origin, rotation)."""
    x0, y0, x1, y1 = page.get_mediabox()
    rotate = raw.FPDFPage_GetRotation(page) * 90
    if rotate == 90:
        ctm = (0, -1, 1, 0, -y0, x1)
    elif rotate == 180:
        ctm = (-1, 0, 0, -1, x1, y1)
    elif rotate == 270:
        ctm = (0, 1, -1, 0, y1, -x0)
    else:
        ctm = (1, 0, 0, 1, -x0, -y0)
    width, height = abs(x1 - x0), abs(y1 - y0)
    if rotate in (90, 270):
        width, height = height, width
    return width, height, ctm


def _chars(raw, textpage, owners: dict[int, tuple[int, ...]], ctm) -> dict[tuple[int, ...], list]:
    """The page's characters as (text, x0, y0, x1, y1), grouped by the form they sit in
    (``()`` for the page's own)."""
    a, b, c, d, e, f = ctm
    rect, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    by_form: dict[tuple[int, ...], list] = {}
    gap: tuple[tuple[int, ...], int] | None = None  # a space PDFium inferred: (form, where)
    for i in range(raw.FPDFText_CountChars(textpage)):
        code = raw.FPDFText_GetUnicode(textpage, i)
        if raw.FPDFText_IsGenerated(textpage, i) == 1:
            # A space between two text objects: often the first one's trailing space glyph
            # (pdfminer keeps it). Placed over the gap once the next character is known.
            if code == 32 and by_form:
                last = max(by_form, key=lambda k: by_form[k][-1][5] if by_form[k] else -1)
                gap = (last, by_form[last][-1][5])
            else:
                gap = None
            continue
        if code in (0, 10, 13, 0xFFFE, 0xFFFF) or not raw.FPDFText_GetLooseCharBox(textpage, i, rect):
            gap = None
            continue
        raw.FPDFText_GetMatrix(textpage, i, matrix)
        # pdfminer's box: the advance wide, the font size high, from the descent up
        height = raw.FPDFText_GetFontSize(textpage, i) * (abs(matrix.d) if matrix.b == 0 else (matrix.b**2 + matrix.d**2) ** 0.5)
        top = rect.bottom + height
        xs = (a * rect.left + c * rect.bottom + e, a * rect.right + c * top + e)
        ys = (b * rect.left + d * rect.bottom + f, b * rect.right + d * top + f)
        owner = owners.get(_address(raw.FPDFText_GetTextObject(textpage, i)), ()) if owners else ()
        try:
            text = "-" if code == 2 else chr(code)  # PDFium marks a hyphen that ends a line as 0x02
        except ValueError:
            continue
        char = (text, min(xs), min(ys), max(xs), max(ys), i)
        chars = by_form.setdefault(owner, [])
        if gap is not None and gap[0] == owner and chars and chars[-1][5] == gap[1]:
            _bridge(chars, char)
        gap = None
        chars.append(char)
    return by_form


def _bridge(chars: list, char: tuple) -> None:
    """A space over the gap before ``char`` when pdfminer's grouping would join the two
    characters anyway (a gap under two characters' width), on the previous one's baseline."""
    _, x0, y0, x1, y1, i = chars[-1]
    space = char[1] - x1
    if 0 < space < 2.0 * max(x1 - x0, char[3] - char[1]) and abs(char[2] - y0) < 0.5 * (y1 - y0):
        chars.append((" ", x1, y0, char[1], y1, i))


def _engine_char_class():
    """A pdfminer character made from a box and a text (pdfminer's own takes a font and a
    content-stream state): pdfminer's grouping reads nothing else."""
    from pdfminer.layout import LTChar, LTComponent

    class EngineChar(LTChar):
        def __init__(self, text: str, x0: float, y0: float, x1: float, y1: float) -> None:
            LTComponent.__init__(self, (x0, y0, x1, y1))
            self._text = text
            self.fontname = ""
            self.matrix = (1, 0, 0, 1, x0, y0)
            self.adv = x1 - x0
            self.upright = True
            self.ncs = self.graphicstate = None
            self.size = self.height

    return EngineChar


def _layout_of(number: int, width: float, height: float, by_form: dict[tuple[int, ...], list]):
    """A pdfminer page holding the characters, those of each form inside its own figure,
    analysed as pdfminer analyses its own pages."""
    from pdfminer.layout import LTFigure, LTPage

    char = _engine_char_class()
    page = LTPage(number, (0, 0, width, height))
    figures: dict[tuple[int, ...], LTFigure] = {(): page}
    for path in sorted(by_form):
        for depth in range(1, len(path) + 1):  # forms holding only forms still hold them
            if path[:depth] not in figures:
                figure = LTFigure(f"form{path[:depth]}", (0, 0, 0, 0), (1, 0, 0, 1, 0, 0))
                figures[path[: depth - 1]].add(figure)
                figures[path[:depth]] = figure
        container = figures[path]
        for text, x0, y0, x1, y1, _ in by_form[path]:
            container.add(char(text, x0, y0, x1, y1))
    page.analyze(layout_params())
    return page


def pdfium_pages(document) -> Iterator[Page]:
    """Each page's text lines, with boxes and font sizes, from an open ``PdfDocument``."""
    import pypdfium2.raw as raw

    for number in range(len(document)):
        page = document[number]
        try:
            width, height, ctm = _page_frame(page, raw)
            textpage = page.get_textpage()
            try:
                owners = _forms_of_text(raw, page)
                by_form = _chars(raw, textpage, owners, ctm)
            finally:
                textpage.close()
        finally:
            page.close()
        yield Page(number, width, height, lines_of_layout(_layout_of(number, width, height, by_form)))


def read_with_pdfium(path: str | Path, password: str | None) -> tuple[PdfText, str | None]:
    """The PDF's laid-out text and its CreationDate (YYYY-MM-DD or None), or ReportError with
    the reasons the pdfminer engine gives for the same faults."""
    with _PDFIUM:
        return _read(path, password)


def _read(path: str | Path, password: str | None) -> tuple[PdfText, str | None]:
    import pypdfium2 as pdfium

    where = str(path)
    try:
        document = pdfium.PdfDocument(str(path), password=password or None)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == 4:  # FPDF_ERR_PASSWORD
            if password:
                raise ReportError(where, "the password does not open this encrypted PDF") from None
            raise ReportError(where, "the PDF is encrypted and needs a password (use --password)") from None
        if code == 6:  # FPDF_ERR_SECURITY
            raise ReportError(where, "the PDF's encryption is not supported (PDFium: unknown security handler)") from None
        raise ReportError(where, "the PDF is damaged or truncated") from None
    try:
        text = lay_out(pdfium_pages(document))
        return text, creation_date_of(document.get_metadata_value("CreationDate") or "")
    except pdfium.PdfiumError:
        raise ReportError(where, "the PDF is damaged or truncated") from None
    finally:
        document.close()
