"""The structure of a report's text: lines rejoined, summary split into key points,
recommendation and risks, boilerplate cut off.

Works on plain text as pdfminer gives it (every line followed by a blank line, bullets
sometimes lost) and on the cleaner lines of ``store.pdf``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from yanbao.store.pdf import is_furniture

__all__ = ["Structure", "is_summary_text", "read_structure", "rejoin", "split_risks", "TEMPLATE_TAG"]

TEMPLATE_TAG = re.compile(r"\[\s*Table_[A-Za-z0-9_]*\s*\]\s*|(?<![A-Za-z])Table_[A-Za-z0-9_]*\s*|＃[A-Za-z0-9_]+＃\s*", re.IGNORECASE)
# A bullet glyph; a symbol font's glyph comes through as a private-use character.
BULLET = re.compile(r"^\s*(?:[⚫●◆◇■□❑❒•▪◼▶►➢➤○◎]|[\ue000-\uf8ff](?=\s*[\u4e00-\u9fffA-Za-z0-9]))\s*")
SUBPOINT = re.compile(
    r"^\s*(?:\d{1,2}\s*[）)]|[（(]\s*\d{1,2}\s*[）)]|[①-⑳]|[一二三四五六七八九十]{1,3}\s*[、.．]|"
    r"\d{1,2}[、]|[a-z][)）]|-\s+|–\s+)"
)
SUMMARY_HEADINGS = (
    "主要观点", "核心观点", "投资要点", "报告摘要", "报告要点", "内容摘要", "摘要", "事件", "点评",
    "Key takeaways", "Key points", "Investment summary", "Summary", "Highlights",
)
RECOMMENDATION_HEADINGS = ("投资建议", "投资策略", "投资观点", "盈利预测与投资建议", "盈利预测与估值", "Investment view", "Investment recommendation", "Our view", "Valuation")
RISK_HEADINGS = ("风险提示", "风险因素", "主要风险", "风险分析", "Key risks", "Risks", "Risk factors", "Investment risks")
# Where the report proper ends and boilerplate (analyst bios, statements, disclaimers, rating
# definitions) begins.
BOILERPLATE = re.compile(
    r"^\s*(?:分析师与研究助理简介|分析师简介|作者简介|研究团队简介|重要声明|分析师声明|免责声明|特别声明|法律声明|"
    r"一般声明|投资评级说明|评级说明|评级体系|证券研究报告评级|信息披露|分析师承诺|免责条款|版权声明|重要提示|"
    r"[\u4e00-\u9fa5]{0,6}投资评级(?:类别|标准|定义|体系|\s*$)|"
    r"Analyst certification|Important disclosures?|Disclaimer|Disclosures|Rating definitions|Ratings? system|"
    r"Analyst declaration|General disclaimer)\b",
    re.IGNORECASE,
)
# What ends the report's summary part in running text: the analyst block, a contents page.
ANALYST_LINE = re.compile(
    r"^\s*(?:(?:证券)?分析师(?:[：:\s]|[\u4e00-\u9fa5]{2,4}(?:[：:\s，,]|$|\d))|(?:SAC\s*)?执业证书编号|"
    r"证书编号|(?:分析师)?登记编[码号]|联系人[：:]|研究助理[：:]|邮箱[：:]|电话[：:]|E-?mail\s*[：:]|Tel\s*[：:]|"
    r"Analysts?\s*[：:]|[\u4e00-\u9fa5]{2,4}\s*[：:]?\s*[（(](?:研究助理|分析师|联系人)[)）])",
    re.IGNORECASE,
)
# Contact lines of the analyst block wherever the layout put them (a sidebar glued to a
# sector name, 互联网SAC 执证编号：S0080521010001 … name@broker.com): a licence number, an
# SFC CE reference or an e-mail address.
CONTACT_LINE = re.compile(r"(?<![A-Za-z0-9])S\d{13}(?!\d)|SFC\s*CE\s*(?:Ref|No)|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)
CONTENTS = re.compile(r"^\s*(?:目\s*录(?:索引)?|正文目录|内容目录|插图目录|图表目录|表格目录|Contents|Table of contents)\b", re.I)
# Table furniture: source lines, captions, rows of figures with no sentence.
TABLE_LINE = re.compile(r"^\s*(?:资\s*料\s*来\s*源|数\s*据\s*来\s*源|来源|注|Source|Sources|Note)\s*[：:]|^\s*(?:图|表|图表|Figure|Exhibit|Table)\s*\d{1,3}\s*[：:、.．]", re.I)
_SENTENCE_END = "。！？!?；;"
_ASCII_WORD = re.compile(r"[A-Za-z0-9%)\].,;:]$")
_ASCII_START = re.compile(r"^[A-Za-z0-9(\[$]")


@dataclass
class Section:
    """One top-level bullet: heading and points."""

    heading: str
    points: list[str] = field(default_factory=list)


@dataclass
class Structure:
    """A report's text sorted into parts."""

    head: list[str] = field(default_factory=list)  # lines before the summary: title, metadata
    sections: list[Section] = field(default_factory=list)
    recommendation: str = ""
    risks: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)  # summary text, logical lines
    tail: list[str] = field(default_factory=list)  # boilerplate lines after the report proper
    rest: list[str] = field(default_factory=list)  # the report's text after its summary: chapters
    summary_end: int | None = None  # where in ``body`` the summary ends (len(body) when it runs on)
    found_summary: bool = False
    unstructured: bool = False  # no summary heading and no bullets: the text is one key point
    page_end: int | None = None  # where in ``body`` the summary page ends


def _clean_line(line: str) -> str:
    line = TEMPLATE_TAG.sub("", line)
    return line.strip().replace("\u3000", " ")


def _heading_of(line: str, names: tuple[str, ...]) -> tuple[str, str] | None:
    """(name, rest) when the line opens with one of the section names, else None."""
    text = BULLET.sub("", line).strip()
    for name in names:
        if text[: len(name)].lower() == name.lower():
            rest = text[len(name) :]
            if not rest.strip():
                return name, ""
            if rest[0] in "：:":
                return name, rest[1:].strip()
            if rest[0] in " \t" and not name.isascii():
                return name, rest.strip()
    return None


_SHARE_CLASS_SPLIT = re.compile(r"[\u4e00-\u9fff]\s*-\s*S$")


def _joins(previous: str, line: str) -> str:
    """Glue a line the PDF broke onto the one before it."""
    return previous + _glue(previous[-12:], line) + line


def _glue(previous_tail: str, line: str) -> str:
    """What goes between a broken line's end and its continuation: a space between words."""
    if previous_tail.endswith("-") or previous_tail.endswith("—"):
        return ""
    if _SHARE_CLASS_SPLIT.search(previous_tail) and re.match(r"W(?![A-Za-z])", line):
        return ""  # 百度集团-S / W is one share-class suffix, -SW
    if _ASCII_WORD.search(previous_tail) and _ASCII_START.match(line):
        return " "
    return ""


def _is_marker(line: str) -> bool:
    return bool(BULLET.match(line) or SUBPOINT.match(line))


def _heading_alone(line: str) -> bool:
    """A heading line with no text after its name (or whose text is a finished sentence):
    what follows starts a new line; a heading whose text runs on wraps onto the next line."""
    for names in (RECOMMENDATION_HEADINGS, RISK_HEADINGS, SUMMARY_HEADINGS):
        hit = _heading_of(line, names)
        if hit and len(line) < 40:
            return not hit[1] or hit[1][-1] in _SENTENCE_END + "."
    return False


def _is_heading(line: str) -> bool:
    return any(_heading_of(line, names) for names in (RECOMMENDATION_HEADINGS, RISK_HEADINGS, SUMMARY_HEADINGS)) and len(line) < 40


def blank_lines_mean_paragraphs(lines: list[str]) -> bool:
    """pdfminer's plain text puts a blank line after nearly every line, where it tells nothing;
    in text with occasional blank lines, a blank line ends a paragraph."""
    filled = [i for i, line in enumerate(lines[:-1]) if line.strip()]
    if not filled:
        return False
    followed = sum(1 for i in filled if not lines[i + 1].strip())
    return followed / len(filled) < 0.7


def rejoin(lines: list[str], blank_is_break: bool | None = None) -> list[str]:
    """Logical lines: a physical line continues the one before unless it opens a bullet,
    a sub-point or a section, or a blank line ends a paragraph (or a finished sentence).

    The line being built is kept in pieces with what is known of it (how it starts, its last
    characters), so that a paragraph thousands of lines long costs no more than its lines."""
    if blank_is_break is None:
        blank_is_break = blank_lines_mean_paragraphs(lines)
    out: list[str] = []
    parts: list[str] = []
    tail = ""  # the last characters of the line being built
    length = 0
    alone = False  # it stands alone: an analyst line, a source line or caption

    def flush() -> None:
        if parts:
            out.append("".join(parts))

    blank_before = False
    for raw in lines:
        line = _clean_line(raw)
        if not line:
            blank_before = True
            continue
        if is_furniture(line):
            continue
        starts_new = (
            not parts
            or _is_marker(line)
            or _is_heading(line)
            or (length < 40 and _heading_alone("".join(parts)))
            or alone
            or ANALYST_LINE.match(line)
            or CONTENTS.match(line)
            or TABLE_LINE.match(line)
            or _CONTENTS_ENTRY.search(tail)  # a contents entry stands alone
            or (blank_before and (blank_is_break or tail[-1] in _SENTENCE_END + "."))
        )
        if starts_new:
            flush()
            parts = [line]
            tail, length = line[-40:], len(line)
            alone = bool(ANALYST_LINE.match(line) or TABLE_LINE.match(line))
        else:
            piece = _glue(tail, line) + line
            parts.append(piece)
            tail, length = (tail + piece)[-40:], length + len(piece)
        blank_before = False
    flush()
    return out


def split_risks(text: str) -> list[str]:
    """Split an inline risk list (a；b；c。 or a，b，c。 or a、b、c) into items without
    numbering or trailing 等: on the strongest separator the list uses."""
    items = []
    body = re.sub(r"[。.]\s*$", "", text.strip())
    if re.search(r"[；;]|[。](?=.)|\n", body):
        separator = r"[；;]|(?<=[。.])\s*|\n"
    elif "，" in body:
        separator = r"[，]"
    elif "、" in body and all(len(x.strip()) >= 4 for x in body.split("、")):
        separator = r"[、]"
    else:
        separator = r"[；;]|(?<=[。.])\s*|\n"
    for part in re.split(separator, text):
        part = SUBPOINT.sub("", BULLET.sub("", part.strip())).strip()
        part = re.sub(r"(?:等(?:风险)?)?[。.，,、；;]*$", "", part).strip()
        if part and len(part) > 1:
            items.append(part)
    return items


def _find_boilerplate(lines: list[str]) -> int:
    for i, line in enumerate(lines):
        if BOILERPLATE.match(_clean_line(line)):
            return i
    return len(lines)


def _find_summary(lines: list[str]) -> int | None:
    """Index of the summary heading (主要观点 / Key takeaways …), or None."""
    for i, line in enumerate(lines[:80]):
        clean = _clean_line(line)
        hit = _heading_of(clean, SUMMARY_HEADINGS)
        if hit and len(clean) < 30:
            return i
    return None


def read_structure(
    lines: list[str], *, wrapped_head: bool = False, logical: bool = False, summary_limit: int | None = None
) -> Structure:
    """Sort a report's lines into head, key-point sections, recommendation, risks and tail.

    ``wrapped_head``: the lines come from a PDF page, where a long title may wrap.
    ``logical``: the lines are logical lines already (a flattened report broken up again).
    ``summary_limit``: the index in ``lines`` where the summary page ends (a PDF's cover page
    is its summary); what follows is the report's chapters, whatever bullets they hold.
    """
    cut = _find_boilerplate(lines)
    structure = Structure(tail=[_clean_line(x) for x in lines[cut:] if _clean_line(x)])
    start = _find_summary(lines[:cut])
    if start is None:
        # No summary heading: the head is the first few lines, the body starts at the first bullet.
        first_bullet = next((i for i, x in enumerate(lines[:cut]) if BULLET.match(_clean_line(x))), None)
        start_body = first_bullet if first_bullet is not None else min(cut, _head_length(lines[:cut]))
        structure.head = _join_head(lines[:start_body], wrapped_head)
        body_lines = lines[start_body:cut]
        if first_bullet is None and not any(_clean_line(x) for x in body_lines):
            # No structure at all: everything after the title is the report's one key point.
            start_body = _first_filled(lines) + 1
            body_lines = lines[:cut][start_body:]
            structure.unstructured = True
        elif first_bullet is None:
            # No heading, no bullet: the opening text is the report's one key point.
            structure.unstructured = True
    else:
        structure.found_summary = True
        structure.head = _join_head(lines[:start], wrapped_head)
        heading, rest = _heading_of(_clean_line(lines[start]), SUMMARY_HEADINGS) or ("", "")
        body_lines = ([rest] if rest else []) + lines[start + 1 : cut]
        start_body = start + 1 - (1 if rest else 0)
    if logical:
        structure.body = [x for x in map(_clean_line, body_lines) if x and not is_furniture(x)]
    else:
        restored = _restore_lost_bullets(body_lines)
        blank_is_break = blank_lines_mean_paragraphs(lines)
        split = summary_limit - start_body if summary_limit is not None else 0
        if 0 < split < len(restored):
            # Rejoined apart, so that no logical line runs from the summary page into the chapters.
            structure.body = rejoin(restored[:split], blank_is_break)
            # A summary heading that ends its page opens the summary on the next one: no limit.
            structure.page_end = len(structure.body) or None
            structure.body += rejoin(restored[split:], blank_is_break)
        else:
            structure.body = rejoin(restored, blank_is_break)
    _fill_sections(structure, analyst_ends=not wrapped_head)
    return structure


def _restore_lost_bullets(lines: list[str]) -> list[str]:
    """A bullet glyph the font lost leaves a leading blank: where a report has no bullet glyphs,
    an indented line followed by a sub-point (1）, （1）) is a top-level bullet again."""
    if any(BULLET.match(_clean_line(x)) for x in lines):
        return lines
    filled = [i for i, x in enumerate(lines) if x.strip()]
    out = list(lines)
    for n, i in enumerate(filled[:-1]):
        raw = TEMPLATE_TAG.sub("", lines[i])
        following = _clean_line(lines[filled[n + 1]])
        if raw[:1].isspace() and not SUBPOINT.match(raw.strip()) and SUBPOINT.match(following) and not _is_heading(raw.strip()):
            out[i] = "⚫ " + raw.strip()
    return out


def _first_filled(lines: list[str]) -> int:
    return next((i for i, x in enumerate(lines) if _clean_line(x)), 0)


def _join_head(lines: list[str], wrapped: bool) -> list[str]:
    """Head lines, with a title the PDF wrapped joined again: a long line continues into the
    next one when no blank line stands between them."""
    if not wrapped:
        return [_clean_line(x) for x in lines if _clean_line(x)]
    out: list[str] = []
    joinable = False
    for raw in lines:
        line = _clean_line(raw)
        if not line:
            joinable = False
            continue
        looks_like_field = bool(re.match(r"^[^：:]{1,8}[：:]", line))
        if joinable and out and not looks_like_field and not line.startswith(("——", "--", "—")) and len(line) < len(out[-1]):
            out[-1] = _joins(out[-1], line)
            joinable = False
            continue
        out.append(line)
        joinable = len(line) >= 15 and line[-1] not in _SENTENCE_END + "：:"
    return out


def _head_length(lines: list[str]) -> int:
    """Without a summary heading, the head is the title block: up to the first long line."""
    seen = 0
    for i, line in enumerate(lines):
        clean = _clean_line(line)
        if not clean:
            continue
        seen += 1
        # a sentence is body text, not the title block (title and fields end in no full stop)
        if len(clean) > 60 or seen > 6 or (len(clean) >= 15 and clean[-1] in "。！？"):
            return i
    return len(lines)


def _split_heading(text: str) -> tuple[str, str]:
    """A long bullet with no sub-points: heading is its first clause, the rest its point."""
    if len(text) <= 60:
        return text, ""
    for sep in ("：", ":", "。", ". "):
        at = text.find(sep)
        if 0 < at <= 60:
            return text[:at].strip(), text[at + len(sep) :].strip()
    return text, ""


_NUMBERED = re.compile(r"^\s*\d{1,2}\s*[.．](?!\d)")


_TABLE_CHARS = re.compile(r"[\d.,%()（）/+\-]")


# A report with no summary heading and no bullets is summed up by its opening: about what a
# cover page's abstract holds, in whole paragraphs (a paper or a long study otherwise shows
# its whole text as one key point).
OPENING_CHARS = 1600
_SENTENCE_STOP = re.compile(r"[。！？]|[.!?](?=\s)")


def opening_text(paragraphs: list[str], budget: int = OPENING_CHARS) -> list[str]:
    """The first paragraphs, up to ``budget`` characters; at least the first one's opening
    sentences when it alone is longer (then the rest of it is the next paragraph)."""
    kept: list[str] = []
    used = 0
    for paragraph in paragraphs:
        if used + len(paragraph) <= budget:
            kept.append(paragraph)
            used += len(paragraph)
            continue
        if not kept:
            ends = [m.end() for m in _SENTENCE_STOP.finditer(paragraph, 0, budget)]
            if ends:
                return [paragraph[: ends[-1]].strip()]
            return [paragraph]
        break
    return kept


def is_summary_text(line: str) -> bool:
    """False for table furniture: source lines, captions, rows of figures."""
    return bool(line.strip()) and not TABLE_LINE.match(line) and not _is_table_row(line)


def _is_table_row(line: str) -> bool:
    """A row of figures with no sentence: mostly digits and signs, no full stop."""
    return len(line) >= 20 and "。" not in line and len(_TABLE_CHARS.findall(line)) > 0.4 * len(line)


# A line without a letter of any script (0.06, -0.02, ..-0.03.......): a chart's axis label.
_NO_WORD = re.compile(r"^[\W\d_]*$")

_CONTENTS_ENTRY = re.compile(r"[.…·]{6,}\s*\d{1,3}\s*$")


def _ends_summary(line: str, analyst_ends: bool) -> bool:
    """An analyst line or a contents page (its heading or an entry, 1. 引言 ……… 3): the
    summary part of the report is over."""
    return bool((analyst_ends and ANALYST_LINE.match(line)) or CONTENTS.match(line) or _CONTENTS_ENTRY.search(line))


def _fill_sections(structure: Structure, *, analyst_ends: bool = True) -> None:
    """Key points, recommendation and risks from the body's logical lines. Each part ends
    where it ends: at the next heading, at the analyst block or a contents page, and the
    risks at the end of their statement; what follows the summary is the report's ``rest``."""
    mode = "points"
    section: Section | None = None
    last_was_subpoint = False
    recommendation: list[str] = []
    risk_lines: list[str] = []
    risk_open = False  # a bare risk heading: its first paragraph is the statement
    has_bullets = any(BULLET.match(x) for x in structure.body)

    for n, line in enumerate(structure.body):
        if n == structure.page_end and mode == "points":
            # Past the summary page no new key point starts: chapters, read for figures and
            # later headings. A recommendation or risk statement runs on to its own end.
            mode = "rest"
            structure.summary_end = n if structure.summary_end is None else structure.summary_end
        bullet = bool(BULLET.match(line))
        rec = _heading_of(line, RECOMMENDATION_HEADINGS)
        risk = _heading_of(line, RISK_HEADINGS)
        if (bullet or not has_bullets or len(line) < 40 or (rec and rec[1]) or (risk and risk[1])) and (rec or risk):
            name, rest = rec or risk
            if recommendation if rec else risk_lines:
                structure.rest.append(line)  # a later chapter of the same name: the summary said it
                continue
            mode = "recommendation" if rec else "risks"
            section = None
            risk_open = bool(risk) and not rest
            if rest:
                (recommendation if rec else risk_lines).append(rest)
            continue
        if mode == "rest":
            structure.rest.append(line)
            continue
        if _ends_summary(line, analyst_ends):
            mode = "rest"
            structure.summary_end = n if structure.summary_end is None else structure.summary_end
            structure.rest.append(line)
            continue
        if TABLE_LINE.match(line) or _is_table_row(line) or ANALYST_LINE.match(line) or _NO_WORD.match(line) or CONTACT_LINE.search(line):
            continue  # a source line, a caption, a row of figures or a chart's axis label inside the summary
        if mode == "risks":
            # The statement is the heading's own paragraph and the items listed under it.
            continues = bool(risk_lines) and risk_lines[-1].rstrip()[-1:] in "；;，,、"
            if bullet or SUBPOINT.match(line) or _NUMBERED.match(line) or risk_open or continues:
                risk_lines.append(BULLET.sub("", line))
                risk_open = False
                continue
            mode = "rest"
            structure.summary_end = n if structure.summary_end is None else structure.summary_end
            structure.rest.append(line)
            continue
        if bullet and structure.page_end is not None and n >= structure.page_end:
            mode = "rest"  # a bullet past the summary page opens a chapter's point, not a key point
            structure.summary_end = n if structure.summary_end is None else structure.summary_end
            structure.rest.append(line)
            continue
        if bullet:
            mode = "points"
            section = Section(BULLET.sub("", line).strip())
            structure.sections.append(section)
            last_was_subpoint = False
            continue
        if mode == "recommendation":
            recommendation.append(line)
            continue
        subpoint = bool(SUBPOINT.match(line))
        if section is None:
            section = Section("")
            structure.sections.append(section)
        if subpoint or not section.points or not last_was_subpoint:
            section.points.append(line.strip())
        else:
            section.points[-1] = _joins(section.points[-1], line)
        last_was_subpoint = subpoint or (last_was_subpoint and not subpoint)

    if structure.summary_end is None:
        structure.summary_end = len(structure.body)
    for section in structure.sections:
        if not section.points and section.heading:
            section.heading, rest = _split_heading(section.heading)
            if rest:
                section.points.append(rest)
        elif not section.heading and section.points:
            section.heading, rest = _split_heading(section.points.pop(0))
            if rest:
                section.points.insert(0, rest)
    structure.recommendation = "".join(recommendation) if all(not x.isascii() for x in recommendation) else " ".join(recommendation)
    for line in risk_lines:
        structure.risks.extend(split_risks(line))
