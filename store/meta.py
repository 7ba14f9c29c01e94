"""A report's metadata: title, broker, date, analysts, sector rating and rating scale,
and the ratings a company report gives (rating, action, target price)."""

from __future__ import annotations

import re

from yanbao.store.dates import read_date
from yanbao.store.layout import WIND_TAG
from yanbao.store.titles import is_report_type
from yanbao.store.model import Analyst, Rating
from yanbao.store.publisher import read_broker
from yanbao.store.ratings import POSITIVE_RATINGS, read_company_ratings, read_rating_scale, read_sector_rating

__all__ = [
    "read_title",
    "read_broker",
    "read_date",
    "read_analysts",
    "read_sector_rating",
    "read_rating_scale",
    "read_company_ratings",
    "detect_language",
    "POSITIVE_RATINGS",
]

_REPORT_TYPE = re.compile(
    r"^(?:证券研究报告|行业周报|行业研究|行业点评|行业深度|行业月报|行业季报|公司研究|公司点评|公司深度|公司报告|"
    r"港股研究|海外研究|策略研究|宏观研究|深度报告|点评报告|季报点评|业绩点评|首次覆盖|"
    r"Equity Research|Industry (?:Note|Update|Report)|Company (?:Note|Update|Report)|Sector (?:Note|Update)|"
    r"Research Note|Earnings Review|Initiation|Sector Note|Company Note|Flash Note|Industry Update)"
    r"(?:\s*[|｜/·—-]\s*.*)?$",
    re.IGNORECASE,
)
_NOT_TITLE = re.compile(
    r"^(?:主要观点|核心观点|投资要点|报告摘要|Key takeaways|Summary|分析师|研究助理|执业证书|报告日期|发布日期|日期|"
    r"行业评级|投资评级|评级|目标价|Sector view|Rating|Analysts?|Date|Price target|\d{4}[-年./]\d|\d{1,2} \w+ \d{4}|"
    r"[-—]{2})",
    re.IGNORECASE,
)

def detect_language(text: str) -> str:
    """zh when a fair share of the letters are CJK, else en."""
    sample = text[:4000]
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in sample if ch.isascii() and ch.isalpha())
    return "zh" if cjk * 3 >= latin * 0.5 and cjk > 20 else "en"


_FIRM_NAME = re.compile(r"^(?:[\u4e00-\u9fa5]{2,6}证券(?:股份有限公司|有限责任公司|有限公司|研究所)?|(?:[A-Z][A-Za-z&'.]+ ){0,3}(?:Securities|Capital|Research))$")


def _not_a_title(text: str) -> bool:
    squeezed = re.sub(r"\s+", "", text)
    if len(squeezed) < 4 or _REPORT_TYPE.match(text) or _NOT_TITLE.match(text) or is_report_type(text):
        return True
    if re.fullmatch(r"[\d\s./年月日:-]+", text) or re.fullmatch(r"(?:Page|第)?\s*\d+\s*(?:页)?(?:\s*(?:of|/)\s*\d+)?", text, re.I):
        return True
    parts = [p.strip() for p in re.split(r"[|｜]", text)]
    return _FIRM_NAME.fullmatch(text) is not None or (
        len(parts) > 1 and any(_REPORT_TYPE.match(p) or _FIRM_NAME.fullmatch(p) for p in parts)
    )


def read_title(head: list[str]) -> str:
    """The report's title: the first real line of the head, not a report-type word (also
    letter-spaced), a page number, a date, a firm's name or a field line."""
    for line in head:
        text = WIND_TAG.sub("", line).strip()
        if not _not_a_title(text):
            return text
    return WIND_TAG.sub("", head[0]).strip() if head else ""


_LICENSE = re.compile(r"(?:执业证书编号|证书编号|SAC\s*(?:编号|No\.?|执业证书编号)?|登记编号|S\d{4}|SFC\s*CE\s*(?:No\.?|编号)?|CE\s*No\.?)\s*[:：]?\s*([A-Z]{0,3}\d{6,}|[A-Z]{3}\d{3}|S\d{13})", re.I)
_ANALYST_CN = re.compile(r"(?:分析师|研究员|证券分析师|首席分析师)\s*[:：]\s*([\u4e00-\u9fa5·]{2,4})(?=[\s，,。;；（(]|执业|S\d|$)")
_ANALYST_EN = re.compile(r"(?:Analysts?|Research analyst)\s*[:：]\s*([A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})")


_LICENSE_ANY = re.compile(r"(S\d{13})|(?:CE\s*No\.?\s*[:：]?\s*)([A-Z]{3}\d{3})")
_NAME_LINE = re.compile(r"^\s*(?:[\u4e00-\u9fa5·]{2,4}|[A-Z][a-z]+(?: [A-Z][a-z]+){1,2})\s*$")


def read_analysts(lines: list[str]) -> list[Analyst]:
    """Analysts with their licence numbers; a licence binds to the nearest name before it
    (分析师：金荣 … 执业证书编号：S…, or a sidebar name line above "SFC CE No. …")."""
    analysts: list[Analyst] = []
    last_name_line = ""
    for line in lines:
        names = [m.group(1) for m in _ANALYST_CN.finditer(line)] + [m.group(1) for m in _ANALYST_EN.finditer(line)]
        for name in names:
            if not any(a.name == name for a in analysts):
                analysts.append(Analyst(name))
        for m in _LICENSE_ANY.finditer(line):
            licence = m.group(1) or m.group(2)
            if any(a.license == licence for a in analysts):
                continue
            if not names and _NAME_LINE.match(last_name_line):
                name = last_name_line.strip()
                if not any(a.name == name for a in analysts):
                    analysts.append(Analyst(name))
            unbound = [a for a in analysts if a.license is None]
            if unbound:
                unbound[-1].license = licence
        if line.strip():
            last_name_line = line
    return analysts


def rating_block(sector: str | None, scale: list[str]) -> Rating:
    return Rating(sector=sector, scale=scale)
