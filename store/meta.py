"""A report's metadata: title, broker, date, analysts, sector rating and rating scale,
and the ratings a company report gives (rating, action, target price)."""

from __future__ import annotations

import re

from yanbao.store.model import Analyst, CompanyRating, Rating

__all__ = [
    "read_title",
    "read_broker",
    "read_date",
    "read_analysts",
    "read_sector_rating",
    "read_rating_scale",
    "read_company_ratings",
    "detect_language",
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

_BROKER_CN = re.compile(r"([\u4e00-\u9fa5]{2,4})证券")
_BROKER_CN_STRONG = re.compile(r"([\u4e00-\u9fa5]{0,4})证券(?:股份有限公司|有限责任公司|有限公司|研究所|研究院|研究部)")
_BROKER_EN = re.compile(
    r"\b((?:[A-Z][A-Za-z&'.]+ ){0,3}(?:Securities|Capital|Research|Partners|Brokerage|Investment Bank))\b"
)
_GENERIC_CN = {"中国", "本", "该", "各", "境外", "海外", "国内", "全球", "相关", "其他", "投资", "上市", "香港", "关联", "具备", "授予的", "协会授予的", "业协会授予的"}


def detect_language(text: str) -> str:
    """zh when a fair share of the letters are CJK, else en."""
    sample = text[:4000]
    cjk = sum(1 for ch in sample if "\u4e00" <= ch <= "\u9fff")
    latin = sum(1 for ch in sample if ch.isascii() and ch.isalpha())
    return "zh" if cjk * 3 >= latin * 0.5 and cjk > 20 else "en"


def read_title(head: list[str]) -> str:
    """The report's title: the first real line of the head, not a report-type or subtitle line."""
    for line in head:
        text = line.strip()
        if len(text) < 4 or _REPORT_TYPE.match(text) or _NOT_TITLE.match(text):
            continue
        parts = [p.strip() for p in re.split(r"[|｜]", text)]
        if len(parts) > 1 and any(_REPORT_TYPE.match(p) or _BROKER_CN.fullmatch(p) or _BROKER_EN.fullmatch(p) for p in parts):
            continue
        if re.fullmatch(r"[\d\s./年月日:-]+", text) or _BROKER_CN.fullmatch(text):
            continue
        return text
    return head[0].strip() if head else ""


def read_broker(header: list[str], tail: list[str]) -> str | None:
    """Broker short name (华安证券, Northbridge Securities) from header, sidebar, 研究所 line or disclaimer."""
    counts: dict[str, int] = {}

    def vote(name: str, weight: int) -> None:
        if name and name not in _GENERIC_CN and "的" not in name:
            counts[name] = counts.get(name, 0) + weight

    for line in header:
        m = re.match(r"^\s*([\u4e00-\u9fa5]{2,4})证券", line)
        if m:
            vote(m.group(1) + "证券", 3)
    # A broker name is 2 or 4 characters before 证券: count both and keep the 4-character form
    # only when it is as common as its 2-character tail (申万宏源 vs 宏源, not 未经华安 vs 华安).
    short: dict[str, int] = {}
    long: dict[str, int] = {}
    for line in header + tail:
        for m in _BROKER_CN_STRONG.finditer(line):
            before = m.group(1)
            if len(before) >= 2:
                short[before[-2:]] = short.get(before[-2:], 0) + 1
            if len(before) >= 4 and not re.search(r"[由经在为及与和的是对向从被本告受]", before[-4:]):
                long[before[-4:]] = long.get(before[-4:], 0) + 1
        for m in _BROKER_EN.finditer(line):
            name = m.group(1).strip()
            if name.split()[0] not in {"The", "Our", "This", "Global", "Listed", "Equity", "For", "Any", "All", "Hong", "China"} and len(name.split()) >= 2:
                vote(name, 1)
    for tail2, n in short.items():
        four = max((k for k in long if k.endswith(tail2)), key=lambda k: long[k], default=None)
        name = four if four and long[four] * 5 >= n * 4 else tail2
        vote(name + "证券", 2 * n)
    if not counts:
        return None
    return max(counts.items(), key=lambda kv: kv[1])[0]


_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], 1)}
_DATE_PATTERNS = [
    re.compile(r"(?:报告日期|发布日期|日期|Date)\s*[:：]?\s*(20\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})", re.I),
    re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<![\d])(20\d{2})[-./](\d{1,2})[-./](\d{1,2})(?![\d])"),
]
_EN_DATE = re.compile(r"\b(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|October|November|December)\s+(20\d{2})\b", re.I)
_EN_DATE_MDY = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),?\s+(20\d{2})\b", re.I)


def read_date(*sources: list[str]) -> str | None:
    """The report date as YYYY-MM-DD, from 报告日期, [Table_Date], a dated header or "5 November 2025"."""
    for lines in sources:
        for line in lines:
            for pattern in _DATE_PATTERNS:
                m = pattern.search(line)
                if m:
                    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
                    if 1 <= mo <= 12 and 1 <= d <= 31:
                        return f"{y:04d}-{mo:02d}-{d:02d}"
            m = _EN_DATE.search(line)
            if m:
                return f"{int(m.group(3)):04d}-{_MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
            m = _EN_DATE_MDY.search(line)
            if m:
                return f"{int(m.group(3)):04d}-{_MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"
    return None


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


_SECTOR_RATING = re.compile(
    r"(?:行业评级|行业投资评级|评级|Sector view|Sector rating|Industry rating)\s*[:：]?\s*"
    r"(买入|增持|推荐|中性|减持|卖出|强于大市|同步大市|弱于大市|优于大市|看好|谨慎推荐|"
    r"Overweight|Neutral|Underweight|Outperform|Market[- ]weight|Equal[- ]weight|Positive|Negative)",
    re.I,
)


def read_sector_rating(lines: list[str]) -> str | None:
    """The sector view: 行业评级：增持（维持）→ 增持; Sector view: Overweight → Overweight."""
    for line in lines:
        if "公司评级" in line or "投资评级说明" in line:
            continue
        m = _SECTOR_RATING.search(line)
        if m and ("行业" in line or "Sector" in line or "Industry" in line or "sector" in line):
            return m.group(1)
    return None


_RATING_WORDS = (
    r"买入|增持|中性|减持|卖出|推荐|谨慎推荐|回避|强于大市|同步大市|弱于大市|优于大市|"
    r"Buy|Overweight|Neutral|Underweight|Sell|Outperform|Underperform|Hold|Market[- ]perform"
)
_SCALE_ENTRY = re.compile(
    rf"(?<![\u4e00-\u9fa5A-Za-z])({_RATING_WORDS})\s*(?:[—–\-:：]+|[,，]\s*(?=预期|预计|未来|相对|expected|we expect|the stock))",
    re.I,
)


def read_rating_scale(tail: list[str]) -> list[str]:
    """The rating scale the report defines: the longest run of rating definitions
    (the company scale 买入…卖出 rather than the sector one 增持…减持)."""
    runs: list[list[str]] = [[]]
    text = "\n".join(tail)
    previous_end = 0
    for m in _SCALE_ENTRY.finditer(text):
        word = m.group(1)
        between = text[previous_end : m.start()]
        # A new heading (公司评级体系, Company ratings) or a repeated word opens a new scale.
        if word in runs[-1] or re.search(r"评级|体系|ratings?\b|scale", between, re.I):
            runs.append([])
        runs[-1].append(word)
        previous_end = m.end()
    best = max(runs, key=len)
    return best if len(best) >= 2 else []


POSITIVE_RATINGS = frozenset({"买入", "增持", "推荐", "强烈推荐", "Buy", "Overweight", "Outperform", "Strong Buy"})
_CO_RATING = re.compile(
    r"(?:投资评级|公司评级|评级|Rating|Recommendation)\s*[:：]?\s*"
    r"(?:(首次覆盖|首次|维持|上调至|下调至|上调|下调)\s*)?"
    r"(买入|增持|中性|减持|卖出|推荐|谨慎推荐|Buy|Overweight|Neutral|Underweight|Sell|Outperform|Underperform|Hold)"
    r"\s*(?:[（(]\s*(首次覆盖|首次|维持|上调|下调|initiate|initiated|maintain|maintained|upgrade|upgraded|downgrade|downgraded|reiterate)\s*[）)])?",
    re.I,
)
_TARGET = re.compile(
    r"(?:目标价(?:格)?|Price target|Target price|TP)\s*[:：]?\s*(?:为|至|上调至|下调至)?\s*"
    r"(US\$|HK\$|\$|RMB|CNY|HKD|USD|¥|￥)?\s*(\d+(?:\.\d+)?)\s*(港元|港币|美元|元|人民币|HKD|USD|CNY|RMB)?"
    r"(?:\s*[（(]?\s*(?:前值|原值|此前|from|previously|prior)\s*[:：]?\s*(US\$|HK\$|\$|RMB|HKD|USD)?\s*(\d+(?:\.\d+)?)\s*(?:港元|美元|元)?\s*[）)]?)?",
    re.I,
)
_ACTIONS = {
    "首次覆盖": "initiate", "首次": "initiate", "维持": "maintain", "上调至": "upgrade", "上调": "upgrade",
    "下调至": "downgrade", "下调": "downgrade", "initiate": "initiate", "initiated": "initiate",
    "maintain": "maintain", "maintained": "maintain", "reiterate": "maintain", "upgrade": "upgrade",
    "upgraded": "upgrade", "downgrade": "downgrade", "downgraded": "downgrade",
}


def _currency(prefix: str | None, suffix: str | None, language: str) -> str | None:
    token = (prefix or suffix or "").upper()
    if token in ("HK$", "HKD", "港元", "港币"):
        return "HKD"
    if token in ("US$", "$", "USD", "美元"):
        return "USD"
    if token in ("RMB", "CNY", "¥", "￥", "元", "人民币"):
        return "CNY"
    return None


def read_company_ratings(lines: list[str], company: str | None, ticker: str | None, language: str) -> list[CompanyRating]:
    """A company report's rating of its company, with action and target price."""
    if not company:
        return []
    rating: CompanyRating | None = None
    for line in lines:
        if "行业评级" in line or "Sector" in line or "评级说明" in line:
            continue
        m = _CO_RATING.search(line)
        if m and rating is None:
            action = m.group(1) or m.group(3)
            rating = CompanyRating(
                company=company,
                ticker=ticker,
                rating=m.group(2),
                action=_ACTIONS.get((action or "").lower()) or _ACTIONS.get(action or ""),
                text=line.strip(),
            )
    if rating is None:
        return []
    fields_first = sorted(lines, key=lambda x: not re.match(r"^\s*(?:目标价|Price target|Target price)", x, re.I))
    for line in fields_first:
        t = _TARGET.search(line)
        if t:
            rating.target_price = float(t.group(2))
            rating.currency = _currency(t.group(1), t.group(3), language)
            if t.group(5):
                rating.previous_target_price = float(t.group(5))
            if rating.text != line.strip():
                rating.text = (rating.text + " " + line.strip()).strip()
            break
    return [rating]


def rating_block(sector: str | None, scale: list[str]) -> Rating:
    return Rating(sector=sector, scale=scale)
