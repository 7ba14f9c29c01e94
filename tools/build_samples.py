"""Build the bundled sample PDFs from their plain sources in ``sample_reports/sources/``.

Run ``python tools/build_samples.py`` (or ``make samples``). Output is deterministic
(reportlab's invariant mode), so rebuilding an unchanged source gives the same bytes.

A source (``NAME.yb``) is a header of ``key: value`` lines, then ``=== body`` and the body
markup, then ``=== end`` and the closing matter (analyst statement, disclaimer, rating
definitions) that goes on a final page of its own. Body markup, one paragraph per line:
``# text`` a section heading, ``* text`` a top-level bullet (the template picks the glyph),
``[Table_…]`` a template tag, anything else a paragraph; blank lines are ignored.
``@include FILE`` (closing matter only) pulls in a broker's shared disclaimer text.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    FrameBreak,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
)

rl_config.invariant = 1
SAMPLES_DIR = Path(__file__).resolve().parent.parent / "sample_reports"
SOURCES_DIR = SAMPLES_DIR / "sources"
CJK_FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
# STSong-Light has no ⚫ (U+26AB); draw bullets in DejaVu Sans when the system has it, else
# leave the glyph to the CID font (it is then lost, like bullets in some real PDFs).
GLYPH_FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
GLYPH_FONT: str | None = None
if GLYPH_FONT_PATH.exists():
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(GLYPH_FONT_PATH)))
    GLYPH_FONT = "DejaVuSans"

PAGE_W, PAGE_H = A4
MARGIN = 40.0
MAIN_W = (PAGE_W - 2 * MARGIN) * 0.65
GAP = 14.0
SIDE_W = PAGE_W - 2 * MARGIN - MAIN_W - GAP
TOP = PAGE_H - 62.0
BOTTOM = 52.0


@dataclass
class Template:
    """How one fictional broker dresses its pages."""

    bullet: str
    accent: colors.Color
    footer_note: str
    page_label: str  # format with n and total
    english: bool = False


TEMPLATES: dict[str, Template] = {
    "a": Template(
        "⚫",
        colors.HexColor("#8B1A1A"),
        "请务必阅读正文之后的免责声明部分",
        "第 {n} 页 / 共 {total} 页",
    ),
    "b": Template("■", colors.HexColor("#1F4E79"), "敬请参阅报告结尾处的免责声明", "{n}"),
    "c": Template(
        "•",
        colors.HexColor("#2E5E3E"),
        "Please see the important disclosures at the end of this report.",
        "{n}",
        True,
    ),
}

EN_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass
class Source:
    """A parsed ``.yb`` source: header fields, body lines and closing-matter lines."""

    name: str
    fields: dict[str, str]
    sidebar: list[str] = field(default_factory=list)
    analysts: list[tuple[str, str]] = field(default_factory=list)
    related: list[tuple[str, str]] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    end: list[str] = field(default_factory=list)


def read_source(path: Path) -> Source:
    """Split a source file into its header, body and closing matter."""
    src = Source(path.stem, {})
    section = "header"
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if line == "=== body":
            section = "body"
            continue
        if line == "=== end":
            section = "end"
            continue
        if section == "header":
            if not line or line.startswith("//"):
                continue
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "sidebar":
                src.sidebar.append(value)
            elif key == "analyst":
                name, _, licence = value.partition("|")
                src.analysts.append((name.strip(), licence.strip()))
            elif key == "related":
                title, _, date = value.partition("|")
                src.related.append((title.strip(), date.strip()))
            else:
                src.fields[key] = value
        elif line.startswith("@include "):
            included = (path.parent / line.split(maxsplit=1)[1]).read_text(encoding="utf-8")
            src.end.extend(x.strip() for x in included.splitlines() if x.strip())
        elif line.strip():
            (src.body if section == "body" else src.end).append(line.strip())
    return src


def display_date(iso: str, style: str) -> str:
    """The report date as the template prints it."""
    year, month, day = (int(p) for p in iso.split("-"))
    if style == "a":
        return f"{year}年{month:02d}月{day:02d}日"
    if style == "b":
        return f"{year}年{month}月{day}日"
    return f"{day} {EN_MONTHS[month - 1]} {year}"


class Styles:
    """Paragraph styles for one template."""

    def __init__(self, tpl: Template) -> None:
        font = "Helvetica" if tpl.english else CJK_FONT
        bold = "Helvetica-Bold" if tpl.english else CJK_FONT
        wrap = None if tpl.english else "CJK"
        common = {"fontName": font, "wordWrap": wrap}
        self.body = ParagraphStyle("body", fontSize=9.5, leading=15, spaceAfter=5, **common)
        self.point = ParagraphStyle("point", parent=self.body, leftIndent=0)
        self.bullet = ParagraphStyle(
            "bullet",
            parent=self.body,
            fontName=bold,
            fontSize=10.5,
            leading=16,
            textColor=tpl.accent,
            spaceBefore=4,
        )
        self.section = ParagraphStyle(
            "section",
            parent=self.body,
            fontName=bold,
            fontSize=11.5,
            leading=18,
            textColor=tpl.accent,
            spaceBefore=6,
        )
        self.title = ParagraphStyle(
            "title", parent=self.body, fontName=bold, fontSize=16, leading=22, spaceAfter=4
        )
        self.subtitle = ParagraphStyle(
            "subtitle", parent=self.body, fontSize=11, leading=16, textColor=colors.dimgrey
        )
        self.kind = ParagraphStyle(
            "kind", parent=self.body, fontSize=10, leading=14, textColor=tpl.accent
        )
        self.tag = ParagraphStyle(
            "tag", parent=self.body, fontSize=6, leading=8, textColor=colors.lightgrey, spaceAfter=0
        )
        self.side = ParagraphStyle(
            "side", parent=self.body, fontSize=8.5, leading=12.5, spaceAfter=3
        )
        self.side_head = ParagraphStyle(
            "side_head",
            parent=self.side,
            fontName=bold,
            textColor=tpl.accent,
            spaceBefore=8,
        )
        self.end = ParagraphStyle("end", parent=self.body, fontSize=8, leading=12, spaceAfter=4)
        self.end_head = ParagraphStyle(
            "end_head",
            parent=self.end,
            fontName=bold,
            fontSize=9.5,
            textColor=tpl.accent,
            spaceBefore=6,
        )


FORCED_BREAK = "⏎"  # in a source: a line break the text rendering must keep (快手-⏎W)
CLOSING_PUNCT = set("，。；：、）》”！？")  # never starts a line of the text rendering


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of literal report text (escaped: report text is never markup)."""
    return Paragraph(escape(text.replace(FORCED_BREAK, "")), style)


def sidebar_story(src: Source, tpl: Template, st: Styles) -> list:
    """The right-hand column of page 1: ratings, analysts, related reports."""
    story: list = [para(line, st.side) for line in src.sidebar]
    story.append(para("Analysts" if tpl.english else "分析师", st.side_head))
    for name, licence in src.analysts:
        if tpl.english:
            story.append(para(f"{name}", st.side))
            story.append(para(f"SFC CE No. {licence}", st.side))
        else:
            story.append(para(f"分析师：{name}", st.side))
            story.append(para(f"执业证书编号：{licence}", st.side))
    if src.related:
        story.append(para("Related reports" if tpl.english else "相关报告", st.side_head))
        for i, (title, date) in enumerate(src.related, 1):
            text = f"{i}. {title} ({date})" if tpl.english else f"{i}.《{title}》{date}"
            story.append(para(text, st.side))
    return story


def body_story(lines: list[str], tpl: Template, st: Styles, *, closing: bool = False) -> list:
    """Flowables for body or closing-matter markup lines."""
    story: list = []
    for line in lines:
        if line.startswith("# "):
            story.append(para(line[2:], st.end_head if closing else st.section))
        elif line.startswith("* "):
            glyph = escape(tpl.bullet)
            if GLYPH_FONT:
                glyph = f'<font name="{GLYPH_FONT}">{glyph}</font>'
            story.append(
                Paragraph(f"{glyph} {escape(line[2:].replace(FORCED_BREAK, ''))}", st.bullet)
            )
        elif line.startswith("[Table_"):
            story.append(para(line, st.tag))
        else:
            story.append(para(line, st.end if closing else st.point))
    return story


def make_canvas_class(src: Source, tpl: Template):
    """A canvas that draws header and footer once the page total is known."""
    header_left = f"{src.fields['broker']} | {src.fields['report_type']}"
    header_right = display_date(src.fields["date"], src.fields["style"])
    font = "Helvetica" if tpl.english else CJK_FONT

    class FurnishedCanvas(pdfcanvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self._furnish(self._pageNumber, total)
                super().showPage()
            super().save()

        def _furnish(self, n: int, total: int) -> None:
            self.saveState()
            self.setFillColor(tpl.accent)
            self.setStrokeColor(tpl.accent)
            self.setFont(font, 8.5)
            self.drawString(MARGIN, PAGE_H - 36, header_left)
            self.drawRightString(PAGE_W - MARGIN, PAGE_H - 36, header_right)
            self.setLineWidth(0.8)
            self.line(MARGIN, PAGE_H - 42, PAGE_W - MARGIN, PAGE_H - 42)
            self.line(MARGIN, 40, PAGE_W - MARGIN, 40)
            self.setFillColor(colors.dimgrey)
            self.setFont(font, 7.5)
            self.drawString(MARGIN, 28, tpl.footer_note)
            self.drawRightString(PAGE_W - MARGIN, 28, tpl.page_label.format(n=n, total=total))
            self.restoreState()

    return FurnishedCanvas


def build(src: Source, out: Path) -> None:
    """Render one source to ``out``."""
    tpl = TEMPLATES[src.fields["style"]]
    st = Styles(tpl)
    height = TOP - BOTTOM
    side_x = MARGIN + MAIN_W + GAP
    first = PageTemplate(
        "first",
        [
            Frame(side_x, BOTTOM, SIDE_W, height, id="side", showBoundary=0, leftPadding=6),
            Frame(MARGIN, BOTTOM, MAIN_W, height, id="main", leftPadding=0),
        ],
    )
    later = PageTemplate(
        "later", [Frame(MARGIN, BOTTOM, MAIN_W, height, id="main2", leftPadding=0)]
    )
    closing = PageTemplate(
        "closing", [Frame(MARGIN, BOTTOM, PAGE_W - 2 * MARGIN, height, id="full", leftPadding=0)]
    )
    doc = BaseDocTemplate(
        str(out),
        pagesize=A4,
        pageTemplates=[first, later, closing],
        title=src.fields["title"],
        author=src.fields["broker"],
        creator="yanbao sample_reports/build.py",  # where it was written; kept so the bytes (and ids) stay
        producer="ReportLab",
        subject=src.fields["report_type"],
        invariant=1,
    )
    story: list = sidebar_story(src, tpl, st)
    story += [FrameBreak(), NextPageTemplate("later")]
    if not tpl.english:
        for line in src.fields.get("type_lines", "").split("|"):
            if line.strip():
                story.append(para(line.strip(), st.kind))
    story.append(para(src.fields["title"], st.title))
    if src.fields.get("subtitle"):
        story.append(para(src.fields["subtitle"], st.subtitle))
    story.append(Spacer(1, 4))
    story += body_story(src.body, tpl, st)
    story += [NextPageTemplate("closing"), PageBreak()]
    story += body_story(src.end, tpl, st, closing=True)
    doc.build(story, canvasmaker=make_canvas_class(src, tpl))


def char_width(ch: str) -> int:
    """Display columns of one character (CJK and full-width forms take two)."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap_extracted(text: str, width: int) -> list[str]:
    """Break ``text`` the way a PDF column does: anywhere between CJK characters, at spaces
    or after a hyphen in Latin runs, and wherever the source forces a break."""
    tokens = re.findall(
        r"⏎|[A-Za-z0-9$%.+/#()\[\]_:,'&-]+?-(?=[A-Za-z0-9])|[A-Za-z0-9$%.+/#()\[\]_:,'&-]+| |.",
        text,
    )
    lines: list[str] = []
    current = ""
    used = 0  # width of ``current``, kept as it grows rather than recounted per token
    for tok in tokens:
        if tok == FORCED_BREAK:
            lines.append(current.rstrip(" "))
            current, used = "", 0
            continue
        size = sum(char_width(c) for c in tok)
        if current and used + size > width and tok not in CLOSING_PUNCT:
            lines.append(current.rstrip(" "))  # the space at a break is lost, as in a PDF
            current, used = ("", 0) if tok == " " else (tok, size)
        else:
            current += tok
            used += size
    if current:
        lines.append(current)
    return lines


def render_text(src: Source) -> str:
    """The report as pdfminer would extract it: furniture dropped, every line followed by a
    blank line, paragraph ends marked by a trailing space (like the seed text)."""
    tpl = TEMPLATES[src.fields["style"]]
    out: list[str] = []

    def emit(text: str, width: int = 66) -> None:
        lines = wrap_extracted(text, width)
        for i, line in enumerate(lines):
            out.append(line + (" " if i == len(lines) - 1 else ""))

    for line in src.fields.get("type_lines", "").split("|"):
        if line.strip():
            emit(line.strip())
    emit(src.fields["title"])
    if src.fields.get("subtitle"):
        emit(src.fields["subtitle"])
    for line in src.sidebar:
        emit(line, 40)
    for name, licence in src.analysts:
        emit(f"分析师：{name}", 40)
        emit(f"执业证书编号：{licence}", 40)
    emit("相关报告", 40)
    for i, (title, date) in enumerate(src.related, 1):
        emit(f"{i}.《{title}》{date}", 40)
    pending_tag = ""
    for line in src.body:
        if line.startswith("[Table_"):
            pending_tag = line + " "
            continue
        if line.startswith("# "):
            text = line[2:]
        elif line.startswith("* "):
            text = f"{tpl.bullet} {line[2:]}"
        else:
            text = line
        emit(pending_tag + text)
        pending_tag = ""
    for line in src.end:
        emit(line.removeprefix("# "), 100)
    return "\n\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    """Build every source (or the names given) into ``sample_reports/NAME.pdf`` (or ``.txt``
    for sources whose header says ``output: txt``, in the header's ``encoding``)."""
    names = set(argv)
    for path in sorted(SOURCES_DIR.glob("*.yb")):
        if names and path.stem not in names:
            continue
        src = read_source(path)
        if src.fields.get("output") == "txt":
            out = SAMPLES_DIR / f"{path.stem}.txt"
            out.write_bytes(render_text(src).encode(src.fields.get("encoding", "utf-8")))
            print(f"built {out.relative_to(SAMPLES_DIR.parent)}")
            continue
        out = SAMPLES_DIR / f"{path.stem}.pdf"
        build(src, out)
        print(f"built {out.relative_to(SAMPLES_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
