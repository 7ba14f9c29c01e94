"""Ratings a report gives: the company it rates (rating, action, price target with currency)
and its sector view and rating scale.

Company notes write the rating in many ways: ``Rating: Overweight``, a box line ``BUY
(Maintain)``, ``HK$550.50 - HIGH CONVICTION OUTPERFORM``, ``We reiterate our Buy rating``,
``买入（维持）``, ``维持“买入”评级``, ``股票评级 → 跑赢行业``; the price target as ``Price
Target (Dec-26): HK$690.00``, ``PO: HK$780``, ``Target (HK$): 725.00``, ``HK$787 TP``,
``目标价 港币 666.00``, ``cut our TP by 2% to HK$559``. The rated company is the title's
company or the ticker the first page shows (0700.HK, 700 HK, TCEHY.US, 600519 CH).
"""

from __future__ import annotations

import re
from collections import Counter

from yanbao.store.companies import get_registry, normalize_ticker
from yanbao.store.model import CompanyRating

__all__ = ["POSITIVE_RATINGS", "read_company_ratings", "read_sector_rating", "read_rating_scale"]

POSITIVE_RATINGS = frozenset({
    "买入", "增持", "推荐", "强烈推荐", "跑赢行业", "优于大市", "Buy", "Overweight", "Outperform", "Strong Buy",
    "High Conviction Outperform", "Accumulate", "Add",
})
_WORD = (
    r"(?:high[ -]conviction\s+)?(?:strong\s+buy|buy|overweight|equal[- ]weight|underweight|neutral|sell|"
    r"outperform|underperform|market[- ]perform|sector[- ]perform|peer[- ]perform|in[- ]line|hold|accumulate|reduce|"
    r"强烈推荐|谨慎推荐|推荐|买入|增持|中性|减持|卖出|跑赢行业|跑输行业|优于大市|同步大市|弱于大市|持有|回避)"
)
_ACTION_WORD = (
    r"首次覆盖|首次|维持|上调至|下调至|上调|下调|initiate[sd]?|initiating|maintain(?:ed|s|ing)?|reiterat(?:e[sd]?|ing)|"
    r"reaffirm(?:s|ed|ing)?|keep(?:s|ing)?|retain(?:s|ed|ing)?|"
    r"upgrade[sd]?(?:\s+to)?|downgrade[sd]?(?:\s+to)?"
)
_ACTIONS = {
    "首次覆盖": "initiate", "首次": "initiate", "维持": "maintain", "上调至": "upgrade", "上调": "upgrade",
    "下调至": "downgrade", "下调": "downgrade", "initiat": "initiate", "maintai": "maintain", "reitera": "maintain",
    "upgrade": "upgrade", "downgra": "downgrade", "reaffir": "maintain", "keep": "maintain",
    "keeps": "maintain", "keeping": "maintain", "retain": "maintain", "retains": "maintain", "retaine": "maintain",
}
_LABELLED = re.compile(
    rf"(?:stock\s+rating|investment\s+rating|rating|recommendation|股票评级|投资评级|公司评级|评级)\s*[:：]?\s*"
    rf"(?:[→↑↓]\s*)?(?:({_ACTION_WORD})\s*)?[“\"']?({_WORD})(?![A-Za-z])[”\"']?"
    rf"\s*(?:[（(]\s*({_ACTION_WORD})\s*[）)])?",
    re.IGNORECASE,
)
_BOX = re.compile(
    rf"^\s*(?:.*\s[-–—]\s+)?(?:[→↑↓]\s*)?(?:({_ACTION_WORD})\s*)?[“\"']?({_WORD})[”\"']?"
    rf"\s*(?:[（(]\s*({_ACTION_WORD})\s*[）)]|\(\d\))?\s*$",
    re.IGNORECASE,
)
_SENTENCE = re.compile(
    rf"({_ACTION_WORD}|给予|rating of)\s*(?:(?:our|an?|the|its)\s+)?(?:rating\s+(?:of|at)\s+)?[“\"'‘]?({_WORD})[”\"'’]?"
    rf"(?:\s*(?:rating|评级|投资评级))?",
    re.IGNORECASE,
)
_NOT_COMPANY = re.compile(r"行业评级|行业投资评级|Sector|Industry|评级说明|rating definitions|ratings? system|评级体系", re.I)

_CUR = r"HK\$|US\$|S\$|NT\$|A\$|RMB|CNY|HKD|USD|Rmb|港币|港元|人民币|美元|\$|¥|￥"
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TP_LABEL = (
    r"(?:12[- ]?m(?:onth|th)?\.?\s+)?(?:price\s+target|target\s+price|price\s+objective|target|PT|TP|PO|目标价格?|目标价位)"
)
_TARGET = re.compile(
    rf"(?<![A-Za-z])(?P<label>{_TP_LABEL})(?![A-Za-z])"
    rf"(?:\s*[-–]?\s*\(?\d{{1,2}}\s*-?\s*m(?:th|onths?)?\.?\)?)?"  # Price target - 12mth
    rf"\s*(?:[（(]\s*(?P<cur1>{_CUR})\s*[)）]|[（(][^()（）]{{0,12}}[)）])?\s*[:：]?\s*(?:[（(]\s*(?P<cur2>{_CUR})\s*[)）])?\s*[:：]?\s*"
    rf"(?:(?:is|of|at|为|至|上调至|下调至|raised to|cut to|lowered to|to)\s*)?(?P<cur3>{_CUR})?\s*(?!0\d)(?P<value>{_NUM})"
    rf"(?![\d%xX倍]|\.?\s?(?:HK|SH|SZ)\b)\s*(?P<unit>港元|港币|美元|元|人民币|HKD|USD|CNY|RMB)?"
    rf"(?:\s*[（(]?\s*(?:前值|原值|此前|from|previously|prior)\s*[:：]?\s*(?:{_CUR})?\s*(?P<previous>{_NUM})\s*(?:港元|美元|元)?\s*[）)]?)?",
    re.IGNORECASE,
)
_TARGET_AFTER = re.compile(rf"({_CUR})\s*({_NUM})\s*(?:TP|PT|target price|price target)\b", re.IGNORECASE)
_TARGET_MOVE = re.compile(
    rf"(?:TP|PT|target price|price target|目标价)\b[^.。;\n]{{0,40}}?\b(?:to|至)\s*({_CUR})\s*({_NUM})"
    rf"(?:[^.。;\n]{{0,6}}\bfrom\s*({_CUR})?\s*({_NUM}))?",
    re.IGNORECASE,
)
_BANK_TICKER = re.compile(
    r"(?<![A-Za-z0-9.])(\d{3,5}\s?\.?\s?HK|\d{6}\.(?:SH|SZ|BJ)|\d{6}\s(?:CH|C1|C2)|[A-Z]{1,5}\.(?:US|O|OQ|N)|\d{4}\s?\.?\s?(?:TT|TW))(?![A-Za-z0-9])"
)


def _action(word: str | None) -> str | None:
    return _ACTIONS.get(word) or _ACTIONS.get((word or "").lower()[:7]) if word else None


def _clean_rating(word: str) -> str:
    """As written, with English in title case (BUY → Buy, EQUAL-WEIGHT → Equal-weight)."""
    word = re.sub(r"\s+", " ", word.strip())
    if word.isascii():
        return " ".join(w[:1].upper() + w[1:].lower() for w in word.split(" "))
    return word


def _currency(prefix: str | None, suffix: str | None = None) -> str | None:
    token = (prefix or suffix or "").upper()
    if token in ("HK$", "HKD", "港元", "港币"):
        return "HKD"
    if token in ("US$", "$", "USD", "美元"):
        return "USD"
    if token in ("RMB", "CNY", "¥", "￥", "元", "人民币"):
        return "CNY"
    return None


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _find_rating(lines: list[str]) -> tuple[str, str | None, str] | None:
    """(rating, action, line) from labelled fields, then rating boxes, then sentences."""
    pairs = [(a, b) for a, b in zip(lines, [*lines[1:], ""])]
    for finder in ("labelled", "box", "sentence"):
        for line, following in pairs:
            if _NOT_COMPANY.search(line):
                continue
            if finder == "labelled":
                m = _LABELLED.search(line)
                if m is None and re.fullmatch(r"\s*(?:stock\s+rating|rating|recommendation|股票评级|投资评级|评级)\s*[:：]?\s*", line, re.I):
                    m = _BOX.match(following)
            else:
                m = (_BOX.match if finder == "box" else _SENTENCE.search)(line)
            if m:
                return _clean_rating(m.group(2)), _action(m.group(1) or (m.group(3) if m.re.groups >= 3 else None)), line.strip()
    return None


def _find_target(lines: list[str]) -> tuple[float, str | None, float | None, str] | None:
    """(target, currency, previous target, line), a labelled target first."""
    joined = [a + " " + b if re.search(rf"{_TP_LABEL}\s*[:：]?\s*(?:[（(][^()（）]{{0,12}}[)）])?\s*$", a, re.I) else a
              for a, b in zip(lines, [*lines[1:], ""])]
    # a line that opens with the label (a field box) before a target named in passing
    joined.sort(key=lambda x: not re.match(r"^\s*(?:目标价|Price target|Target price|12[- ]?m)", x, re.I))
    for need_currency in (True, False):  # a target with its currency before a bare number
        for line in joined:
            for m in _TARGET.finditer(line):
                currency = _currency(m.group("cur1") or m.group("cur2") or m.group("cur3"), m.group("unit"))
                label = m.group("label").lower()
                if currency is None and (need_currency or label == "target" or not re.search(r"price|价|pt|tp|po", label)):
                    continue
                previous = _number(m.group("previous")) if m.group("previous") else None
                return _number(m.group("value")), currency, previous, line.strip()
    for line in joined:
        m = _TARGET_MOVE.search(line)
        if m:
            return _number(m.group(2)), _currency(m.group(1)), _number(m.group(4)) if m.group(4) else None, line.strip()
        m = _TARGET_AFTER.search(line)
        if m:
            return _number(m.group(2)), _currency(m.group(1)), None, line.strip()
    return None


def _rated_company(lines: list[str], title: str) -> tuple[str, str | None] | None:
    """(company, ticker) from the tickers the title or first page shows."""
    registry = get_registry()
    counts: Counter = Counter()
    order: dict[str, int] = {}
    for i, text in enumerate([title, title] + lines):
        for m in _BANK_TICKER.finditer(text):
            ticker = normalize_ticker(m.group(1))
            if ticker:
                counts[ticker] += 1
                order.setdefault(ticker, i)
    if not counts:
        return None
    ticker = max(counts, key=lambda t: (counts[t], -order[t]))
    # an industry report lists many tickers; a company note shows its own far more than others
    if order[ticker] > 1 and counts[ticker] * 2 < sum(counts.values()):
        return None
    info = registry.lookup(ticker)
    if info is not None:
        return info.name, info.ticker or ticker
    return ticker, ticker


_LINE_SPAN = 3000  # a flattened report is one long line: its rating sits near its start


def read_company_ratings(
    lines: list[str], company: str | None, ticker: str | None, language: str = "", *,
    first_page: list[str] = (), title: str = "",
) -> list[CompanyRating]:
    """A company report's rating of its company, with action and target price; [] for a
    report that rates no company."""
    scope = [x[:_LINE_SPAN] for x in [*lines, *first_page] if x.strip()]
    found = _find_rating(scope)
    if found is None:
        return []
    if not company:
        rated = _rated_company(list(first_page) or scope, title)
        if rated is None:
            return []
        company, ticker = rated
    rating, action, text = found
    result = CompanyRating(company=company, ticker=ticker, rating=rating, action=action, text=text)
    target = _find_target(scope)
    if target is not None:
        result.target_price, result.currency, result.previous_target_price, line = target
        if line != text:
            result.text = (text + " " + line).strip()
    return [result]


_SECTOR_RATING = re.compile(
    r"(?:行业评级|行业投资评级|评级|Sector view|Sector rating|Industry rating|Industry view)\s*[:：]?\s*"
    r"(买入|增持|推荐|中性|减持|卖出|强于大市|同步大市|弱于大市|优于大市|看好|谨慎推荐|"
    r"Overweight|Neutral|Underweight|Outperform|Market[- ]weight|Equal[- ]weight|Positive|Negative|Attractive|In[- ]Line|Cautious)",
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
