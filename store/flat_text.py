"""Reports flattened to one line, broken into lines again.

Some distribution platforms hand out a report's text as one line with no spaces: cover page,
summary, chapters, tables and disclaimer glued together. The structure reader works on lines,
so this module puts back the breaks a reader sees: a break before a section heading, a
bullet, a template tag, an analyst line, a source line or a caption, and after each sentence;
page furniture repeated on every page ("请务必阅读正文之后的免责声明") is removed. Table-of-contents entries (``风险提示……19``) are dropped.
Every pattern here is linear: a flattened report is 50,000 characters on one line.
"""

from __future__ import annotations

import re

__all__ = ["is_flattened", "unflatten", "read_glued_sector_rating"]

# A text is flattened when its lines are far longer than any paragraph a layout would keep.
_FLAT_LINE = 1500

# Headings that open a section; in flattened text they stand glued to the text around them,
# so only names that never occur as ordinary words are taken (not 摘要, 事件, 点评).
_SECTION_WORDS = (
    "核心观点", "投资要点", "主要观点", "报告摘要", "报告要点", "内容摘要", "投资建议", "投资策略",
    "盈利预测与投资建议", "风险提示", "风险因素", "主要风险因素", "主要风险",
)
_BOILERPLATE_WORDS = (
    "分析师声明", "分析师承诺", "分析师简介", "分析师与研究助理简介", "作者简介", "研究团队简介", "免责声明",
    "重要声明", "特别声明", "法律声明", "一般声明", "评级说明", "投资评级说明", "投资评级定义", "评级体系",
    "证券研究报告评级", "信息披露", "免责条款", "版权声明",
)
_BREAK_BEFORE = re.compile(
    "|".join(
        [
            # a heading: its name, and a colon or bracket when it has one
            r"【?(?:" + "|".join(sorted(_SECTION_WORDS, key=len, reverse=True)) + r")】?",
            # a disclaimer heading, not a mention of one ("…的信息披露和重要声明", "声明见…")
            r"(?<![和及与的要阅读])【?(?:" + "|".join(sorted(_BOILERPLATE_WORDS, key=len, reverse=True)) + r")】?(?![见和及与部])",
            r"[⚫●◆◇■□❑❒•▪◼▶►➢➤]|[\ue000-\uf8ff](?=[\u4e00-\u9fffA-Za-z0-9])",  # a bullet
            r"\[?[Tt]able_[A-Za-z0-9_]*\]?|＃[A-Za-z0-9_]+＃",  # a template tag
            r"(?:证券)?分析师[：:]?(?=[\u4e00-\u9fa5]{2,4}(?:[：:，,]|\d|执业|证书|SAC|登记|电话|邮箱|[A-Za-z]))",  # analyst line
            r"(?:SAC)?执业证书编号|证书编号|登记编[码号]",
            r"资料来源[：:]|数据来源[：:]",
            r"(?:图|表|图表)\s?\d{1,3}[：:、.．]",  # a figure or table caption
            # a chart's axis labels: -6%2%10%18%, (16)(1)1531, 14314865Mar-20Jul-20, 20/0120/0320/05
            r"(?:[-+]?\d+(?:\.\d+)?%){3,}|(?<![\d（(])\d{10,}|(?:\(\d+\)){2,}|\(\d+\)\d{5,}|"
            r"\d{5,}(?=[A-Z][a-z]{2}-\d{2})|(?:\d{2}/\d{2}){3,}",
            # a cover-page field or a broker's own name in a page footer
            r"行业评级|投资评级|[\u4e00-\u9fa5]{2,4}证券(?:研究报告|研究所|股份有限公司|有限责任公司)",
        ]
    )
)
# Page furniture repeated on every page of the flattened text: "请务必阅读正文之后的免责声明",
# "免责声明和披露以及分析师声明是报告的一部分，请务必一起阅读". Removed before cutting, so
# that the disclaimer they name is not taken for the disclaimer itself.
_FURNITURE = re.compile(
    r"(?:本公司具备证券投资咨询业务资格，)?(?:请务必|敬请|请仔细|请参阅|请参考|谨请参阅|请阅读|请务必参阅)[^。，；]{0,30}?"
    r"(?:声明|条款|披露|申明|说明)(?:[和及与][^。，；]{0,8}?(?:声明|条款|披露|申明))?(?:部分)?。?|"
    r"(?:其他)?(?:重要)?(?:信息披露|声明|申明)见[^。]{0,40}。|"
    r"[^。，；]{0,20}是报告的一部分，请务必一起阅读。?|本报告版权属于[^。]{0,12}。各项声明请参见报告尾页。?"
)
_HEADING = re.compile("【?(" + "|".join(sorted(_SECTION_WORDS + _BOILERPLATE_WORDS, key=len, reverse=True)) + ")】?[：:】]?")
_SENTENCE_END = re.compile(r"(?<=[。！？])(?![”’」』）)])")
_TOC_ENTRY = re.compile(r"[.…·]{6,}\s*-?\d{0,3}-?")


def is_flattened(text: str) -> bool:
    """True when the text holds a line too long to be anything but a whole report glued together."""
    return any(len(line) > _FLAT_LINE for line in text.split("\n"))


def unflatten(text: str) -> list[str]:
    """Logical lines of a flattened report: a section heading on its own line, then a line
    per sentence of each block (they need no rejoining)."""
    lines: list[str] = []
    for raw in text.split("\n"):
        if len(raw) <= _FLAT_LINE:
            lines.append(raw.strip())
            continue
        for block in _blocks(_FURNITURE.sub("", raw)):
            heading = _HEADING.match(block)
            if heading:
                lines.append(heading.group(1))
                block = block[heading.end() :]
            lines.extend(x.strip() for x in _SENTENCE_END.split(block) if x.strip())
    return [x for x in lines if x]


def _blocks(line: str) -> list[str]:
    """The line cut before each heading, bullet, tag, analyst or source line; TOC entries dropped."""
    cuts = [0] + [m.start() for m in _BREAK_BEFORE.finditer(line) if m.start() > 0] + [len(line)]
    blocks = []
    for start, end in zip(cuts, cuts[1:]):
        block = line[start:end]
        # 风险提示……………19 二、… : contents entries, not text; what follows the last one stays.
        block = _TOC_ENTRY.split(block)[-1]
        if block.strip():
            blocks.append(block.strip())
    return blocks


_RATING = r"(买入|增持|推荐|谨慎推荐|中性|减持|卖出|回避|看好|看淡|超配|标配|低配|强于大市|同步大市|弱于大市|优于大市|领先大市|跑赢大市)"
_GLUED_RATING = [
    re.compile(r"行业(?:投资)?评级[：:।]?" + _RATING),  # 行业评级।增持, 行业评级：强于大市
    re.compile(r"行业" + _RATING + r"(?:维持|首次|上调|下调)评级"),  # 电子行业推荐维持评级
    re.compile(_RATING + r"\s*[（(](?:维持|首次|上调|下调)(?:评级)?[)）]"),  # 增持（维持）, 超配（维持评级）
    re.compile(r"投资评级" + _RATING),  # 投资评级看好上次评级看好
]


def read_glued_sector_rating(head: list[str]) -> str | None:
    """The sector rating as a flattened cover page glues it to its neighbours:
    电子行业推荐维持评级, 增持（维持）, 行业评级।增持. The first form found wins."""
    text = "".join(head)
    for pattern in _GLUED_RATING:
        m = pattern.search(text)
        if m:
            return m.group(1)
    return None
