"""A report's title as its first page shows it: the largest type in the main column,
joined when it wraps, led by its series label (量化择时系列（1）：…) as Wind cites it.

Never a report-type word (证券研究报告, 金融工程专题研究, also letter-spaced 证 券 研 究 报 告
or compound 证券研究报告/量化投资策略报告), a page number, a date, a rating, a field line
(分析师：…) or a firm's name alone.
"""

from __future__ import annotations

import re

from yanbao.store.textlines import TextLine, reading_order

__all__ = ["REPORT_TYPE_LINE", "is_report_type", "title_of", "can_be_title"]

_TYPE_WORD = (
    r"(?:[\u4e00-\u9fa5\d]{0,10}(?:研究报告|专题研究|专题报告|深度报告|深度研究|点评报告|策略报告|动态报告|跟踪报告|主题报告|"
    r"周报|月报|日报|季报|晨报|简报|快报|研报|模板)|"
    r"(?:金融工程|金工|量化|数量化|宏观|策略|行业|公司|固定收益|债券|基金|海外|港股)(?:研究|报告|点评|专题|深度)?|"
    r"量化投资|数量化投资|宏观经济|深度|专题|点评|"
    r"Equity Research|Research Report|(?:Company|Industry|Sector|Flash|Research|Earnings)\s*(?:Note|Update|Report|Review)|"
    r"(?:[A-Z]\s+)?Update|Equities|Asia Pacific Equity Research|Global Research)"
)
REPORT_TYPE_LINE = re.compile(rf"^{_TYPE_WORD}$", re.IGNORECASE)
_TYPE_PARTS = re.compile(r"\s*[/|｜·•—-]\s*")
_RATING_ONLY = re.compile(
    r"^(?:买入|增持|中性|减持|卖出|推荐|谨慎推荐|强烈推荐|优于大市|跑赢行业|同步大市|Buy|Sell|Hold|Neutral|"
    r"Overweight|Underweight|Outperform|Underperform|Equal[- ]weight)\b",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(r"^[\d\s./年月日:\-–]+$|^\d{1,2}\s+[A-Za-z]+\s+\d{4}$|^[A-Za-z]+\s+\d{1,2},?\s+\d{4}$")
_FIELD_LINE = re.compile(
    r"^(?:分析师|研究助理|联系人|执业证书|证书编号|邮箱|电话|报告日期|发布日期|日期|证券代码|股票代码|投资评级|"
    r"行业评级|评级|目标价|当前价|收盘价|Analysts?|Date|Rating|Price target|Target price|Ticker|Tel|Email)\s*[:：]",
    re.IGNORECASE,
)
_FIRM_ONLY = re.compile(r"^[\u4e00-\u9fa5]{2,6}(?:证券|國際|国际|公司)(?:股份有限公司|有限责任公司|有限公司|研究所|研究院|研究部)?$")
# A bullet or a private-use glyph (a bullet whose font has no Unicode) opens body text.
_BULLET = re.compile(r"^[\ue000-\uf8ff⚫●◆◇■□❑❒•▪◼▶►➢➤○◎]")
_NUMERAL = r"[零一二三四五六七八九十百\d]+"
# A series label, ending with its series marker: 量化择时系列报告之二, ——市场微观结构研究系列（1）,
# 交易性择时策略研究之八, “波动率选股因子”系列研究（一）.
_SERIES = re.compile(
    rf"^(?:[—–─-]{{1,2}})?.{{0,30}}?(?:系列(?:报告|研究|专题)?(?:之{_NUMERAL}|[（(]{_NUMERAL}[)）])?|(?:研究|报告|专题|篇)之{_NUMERAL})$"
)
_LEADING_DASH = re.compile(r"^[—–─-]+\s*")
_DASH = re.compile(r"\s*(?:——|--|─+|—)\s*")


def is_report_type(text: str) -> bool:
    """证券研究报告, 证 券 研 究 报 告, 证券研究报告/量化投资策略报告, 金融工程|专题报告."""
    squeezed = re.sub(r"\s+", "", text)
    if REPORT_TYPE_LINE.match(squeezed) or REPORT_TYPE_LINE.match(text.strip()):
        return True
    parts = [p for p in _TYPE_PARTS.split(text.strip()) if p]
    return len(parts) > 1 and all(REPORT_TYPE_LINE.match(re.sub(r"\s+", "", p)) for p in parts)


def can_be_title(text: str) -> bool:
    """Whether a line could be (part of) a title."""
    stripped = text.strip()
    squeezed = re.sub(r"\s+", "", stripped)
    if len(squeezed) < 4 or _DATE_ONLY.match(stripped) or _BULLET.match(stripped) or is_report_type(stripped):
        return False
    if _RATING_ONLY.match(squeezed) or _FIELD_LINE.match(stripped) or _FIRM_ONLY.match(squeezed):
        return False
    if re.match(r"^(?:第\s*\d+\s*页|Page\s*\d+|\d+\s*/\s*\d+$)", stripped, re.I):
        return False
    return not re.fullmatch(r"[\d\s.,%()（）/+\-–]+", squeezed)


def _is_series(text: str) -> bool:
    squeezed = re.sub(r"[\s《》“”\"]+", "", text)
    if re.search(r".{2,}(?:——|─)", squeezed):  # 识别“圆弧底”——…之二 is a title with its series
        return False
    return bool(_SERIES.match(squeezed))


def _has_series(text: str) -> bool:
    return bool(re.search(rf"系列|之{_NUMERAL}", text))


# A company note's subject line, set above its headline: Tencent, Tencent Holdings (0700.HK),
# Key Call: Tencent Holdings, Tencent Holdings 0700.HK 700 HK.
_TICKER = r"[(（]?\s*(?:\d{3,5}\s?\.?\s?HK|(?<=[(（])\d{4,6}(?=[)）])|\d{6}\.S[HZ]|[A-Z]{1,5}\.[A-Z]{1,2}|[A-Z]{1,5}\s(?:US|HK))\s*[)）]?"
_SUBJECT = re.compile(
    rf"^(?:[A-Z][A-Za-z ]{{0,12}}:\s*)?[A-Z][A-Za-z&.'-]*(?:\s+[A-Z][A-Za-z&.'-]*){{0,3}}(?:\s*{_TICKER})*\s*$"
)


def _glue(out: str, part: str) -> str:
    if not out:
        return part
    if re.search(r"[A-Za-z0-9,:;)]$", out) and re.match(r"[A-Za-z0-9(]", part):
        return out + " " + part
    return out + part


def _compose(parts: list[str]) -> str:
    """Block lines into one title: wrapped lines glued, a series line put first with "："."""
    series = [p.strip() for p in parts if _is_series(p)]
    out = ""
    for part in (p.strip() for p in parts if not _is_series(p)):
        out = _glue(out, part)
    if series:
        label = _LEADING_DASH.sub("", " ".join(series))
        out = f"{label}：{_LEADING_DASH.sub('', out)}" if out else label
    return out


def _series_first(title: str) -> str:
    """Title——Series（N） → Series（N）：Title; Series——Title → Series：Title."""
    pieces = _DASH.split(title, maxsplit=1)
    if len(pieces) != 2 or not pieces[0] or not pieces[1]:
        return title
    head, rest = pieces
    if _has_series(rest) and not _has_series(head):
        return f"{rest}：{head}"
    if _is_series(head):
        return f"{head}：{rest}"
    return title


def _block(lines: list[TextLine], first: TextLine) -> list[TextLine]:
    """The title's lines: same type size, stacked right above (a series line) and below."""
    def stacked(a: TextLine, b: TextLine) -> bool:  # b right below a
        gap = a.y0 - b.y1  # big type's boxes may overlap a little
        return (-0.3 * a.size <= gap < max(a.size, b.size) * 1.2 and abs(a.size - b.size) <= 0.5
                and b.x0 < a.x1 and b.x1 > a.x0)

    ordered = reading_order(lines)
    block = [first]
    above = [ln for ln in ordered if ln.y0 > first.y1 - 1]
    for ln in reversed(above):
        if stacked(ln, block[0]) and _is_series(ln.text):
            block.insert(0, ln)
    for ln in ordered:
        if ln.y1 < block[-1].y1 and stacked(block[-1], ln) and not _FIELD_LINE.match(ln.text) and not _DATE_ONLY.match(ln.text):
            block.append(ln)
    return block


def title_of(lines: list[TextLine], tagged: list[TextLine] = ()) -> str | None:
    """Page 1's title from its lines (main column and the lower part of the top band)."""
    if tagged:
        block = reading_order(list(tagged))
    else:
        candidates = [ln for ln in lines if can_be_title(ln.text)]
        if not candidates:
            return None
        biggest = max(ln.size for ln in candidates)
        if biggest <= 0:
            return None
        top = [ln for ln in candidates if ln.size >= biggest - 0.5]
        # the title itself rather than its series label or dash subtitle, when both are this big
        plain = [ln for ln in top if not _is_series(ln.text) and not _DASH.match(ln.text)]
        if not plain:  # the series label is the biggest type: the title is the big line beside it
            label = min(top, key=lambda ln: (-ln.y1, ln.x0))
            plain = [
                ln for ln in candidates
                if not _is_series(ln.text) and not _DASH.match(ln.text) and ln.size >= 0.6 * biggest
                and abs((ln.y0 + ln.y1) - (label.y0 + label.y1)) / 2 < 4 * biggest
            ]
            if plain:
                size = max(ln.size for ln in plain)
                plain = [ln for ln in plain if ln.size >= size - 0.5]
        first = min(plain or top, key=lambda ln: (-ln.y1, ln.x0))
        block = _block(lines, first)
    title = _compose([ln.text for ln in block])
    if _SUBJECT.match(title.strip()):  # a company's name over the note's headline
        size = max(ln.size for ln in block)
        headline = [ln for ln in lines if ln not in block and can_be_title(ln.text) and not _SUBJECT.match(ln.text.strip())
                    and ln.size >= 0.6 * size and 0 <= block[-1].y0 - ln.y1 < 6 * size]
        if headline:
            best = max(ln.size for ln in headline)
            head = min((ln for ln in headline if ln.size >= best - 0.5), key=lambda ln: (-ln.y1, ln.x0))
            title = f"{title.strip()}: {_compose([ln.text for ln in _block(lines, head)])}"
    # a subtitle set in smaller type right below: ——剔除跨期截面相关性的纯真波动率因子
    size = max(ln.size for ln in block)
    below = [ln for ln in lines if ln not in block and _DASH.match(ln.text) and ln.size >= 0.7 * size
             and 0 <= block[-1].y0 - ln.y1 < 1.5 * size and not _is_series(ln.text)]
    if below and "——" not in title:
        title += "——" + _LEADING_DASH.sub("", max(below, key=lambda ln: ln.y1).text.strip())
    if not _has_series(title):
        top, bottom, size = block[0].y1, block[-1].y0, max(ln.size for ln in block)
        near = [
            ln for ln in lines
            if ln not in block and _is_series(ln.text) and ln.size >= 0.6 * size and can_be_title(ln.text)
            and (0 <= ln.y0 - top < 4 * size or 0 <= bottom - ln.y1 < 4 * size)
        ]
        if near:
            series = min(near, key=lambda ln: min(abs(ln.y0 - top), abs(bottom - ln.y1))).text
            series = re.sub(r"^[—–─-]+\s*|[\s：:]+$", "", series.strip())
            title = f"{series}：{title}"
    return _series_first(title)
