"""Which companies a report names, which it puts forward, and where each mention stands.

Built on the company registry (``store.companies``); names written with a ticker beside them
(腾讯控股（0700.HK）, Tencent (0700 HK)) are read even when the registry lacks them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from yanbao.store.companies import CompanyRegistry, get_registry, normalize_ticker
from yanbao.store.metrics import Entity
from yanbao.store.model import Company

__all__ = ["CompanyFinder", "RECOMMEND_TRIGGER"]

# Words that open a list of names the report puts forward.
RECOMMEND_TRIGGER = re.compile(
    r"(?:相关公司|相关标的|推荐标的|重点推荐|建议关注|关注标的|受益标的|推荐关注|重点关注|核心推荐|首推|"
    r"Top picks?|Our picks|We also like|Stocks to watch|Preferred names|Key picks)\s*(?:包括|为|有|are|include)?\s*[:：]?",
    re.IGNORECASE,
)
_TICKER_BESIDE = re.compile(
    r"((?<![A-Za-z0-9\-])[\u4e00-\u9fa5A-Za-z][\u4e00-\u9fa5A-Za-z0-9&.\-' ]{0,24}?)\s*[（(]\s*"
    r"(\d{4,5}\s?\.?\s?HK|\d{6}\s?\.\s?S[HZ]|[A-Z]{1,5}(?:\s?\.?\s?(?:US|O|N))?|\d{4,5}\s+HK)\s*[）)]"
)
_LEAD_WORDS = re.compile(r"^(?:(?:重点|建议|继续|持续)?(?:推荐|关注)|受益|标的|包括|例如|如|以及)+")
# Bare capitals in brackets are a ticker (Snowflake (SNOW)) or an acronym being defined
# (long short-term memory (LSTM), 低延迟趋势线（LLT）): without an exchange mark, a name is
# learned only when it reads like a company's.
_BARE_LETTERS = re.compile(r"[A-Z]{1,5}")  # one capital alone is a variable (Date (T)), never learned
_COMPANY_WORD_ZH = re.compile(r"(?:公司|集团|控股|股份|科技|银行|证券|保险|汽车|电子|医药|能源|网络|传媒|智能)$")
_TITLE_WORD = re.compile(r"(?:[A-Z][A-Za-z0-9.'&\-]*|&|of|and|de)$")
_CONCEPT_WORD_EN = re.compile(
    r"\b(?:index|indices|model|ratio|theory|learning|network|memory|method|algorithm|test|rate|factor|"
    r"strategy|hypothesis|average|indicator|oscillator|momentum|analysis|regression|transform|"
    r"decomposition|value|return|returns|spread|volatility|distribution|process)$",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"not (?:among|one of|in) our (?:top )?picks|并非推荐|不在推荐", re.I)


class CompanyFinder:
    """Company and business-line mentions in a report's text, cached per text."""

    def __init__(self, registry: CompanyRegistry | None = None) -> None:
        self.registry = registry or get_registry()
        self._extra: dict[str, tuple[str, str | None]] = {}  # alias -> (name, ticker) read beside tickers
        self._cache: dict[str, list[Entity]] = {}
        # A company report's company: its business lines count even where it is not named.
        self.default_company: Entity | None = None

    def set_default_company(self, entity: Entity) -> None:
        """Read the texts as a report about this company (mentions found so far are recomputed)."""
        self.default_company = entity
        self._cache.clear()

    def entities(self, text: str) -> list[Entity]:
        """Company and segment mentions in text, left to right."""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        found: list[Entity] = []
        # Business lines first: 谷歌云 is Google Cloud, not 谷歌 followed by 云.
        for seg in self.registry.find_segments(text):
            info = seg.info
            found.append(Entity(seg.start, seg.end, info.name, info.ticker, seg.segment, info.fiscal_year_end))
        for match in self.registry.find_all(text):
            info = match.info
            if not any(match.start < e.end and e.start < match.end for e in found):
                found.append(Entity(match.start, match.end, info.name, info.ticker, None, info.fiscal_year_end))
        found.sort(key=lambda e: e.start)
        plain = [e for e in found if e.segment is None]
        if self.default_company is not None:
            d = self.default_company
            plain.insert(0, Entity(0, 0, d.company, d.ticker, None, d.fiscal_year_end))
        for start, end, info, segment in list(_context_segments(self.registry, text, plain)):
            if not any(start < e.end and e.start < end for e in found):
                found.append(Entity(start, end, info.name, info.ticker, segment, info.fiscal_year_end, contextual=True))
        for alias, (name, ticker) in self._extra.items():
            for m in re.finditer(re.escape(alias), text):
                if not any(m.start() < e.end and e.start < m.end() for e in found):
                    found.append(Entity(m.start(), m.end(), name, ticker, None, 12))
        found.sort(key=lambda e: e.start)
        self._cache[text] = found
        return found

    def _learn_tickers(self, text: str) -> None:
        for m in _TICKER_BESIDE.finditer(text):
            raw_name = re.split(r"[、，,：:；;和及与]", m.group(1))[-1].strip(" -")
            # In running text the words before a name stick to it: 重点推荐星河科技（300999.SZ）.
            raw_name = _LEAD_WORDS.sub("", RECOMMEND_TRIGGER.split(raw_name)[-1]).strip(" -")
            raw_name = _english_name_run(raw_name) or raw_name
            ticker = normalize_ticker(m.group(2))
            if not raw_name or not ticker or len(raw_name) < 2:
                continue
            info = self.registry.lookup(ticker) or self.registry.lookup(raw_name)
            bare = _BARE_LETTERS.fullmatch(m.group(2).strip()) is not None
            if info is None and bare and not _reads_as_company(raw_name, ticker):
                continue
            if info is None and raw_name not in self._extra:
                self._extra[raw_name] = (raw_name, ticker)
                self._cache.clear()

    def companies(self, texts: list[str], *, recommendation: str, body: str) -> list[Company]:
        """Companies named in the texts, first mention first, with their role."""
        for text in texts:
            self._learn_tickers(text)
        picked = self._recommended(texts, recommendation)
        by_name: dict[str, Company] = {}
        for text in texts:
            for e in self.entities(text):
                alias = text[e.start : e.end]
                company = by_name.get(e.company)
                if company is None:
                    company = by_name[e.company] = Company(e.company, e.ticker, "mentioned", [], 0)
                company.mentions += 1
                if alias not in company.aliases_seen:
                    company.aliases_seen.append(alias)
        for name in picked:
            if name in by_name:
                by_name[name].role = "recommended"
        return list(by_name.values())

    def _recommended(self, texts: list[str], recommendation: str) -> list[str]:
        """Names after a trigger (相关公司：…, Top picks: …) up to the end of that paragraph."""
        picked: list[str] = []
        for text in [recommendation] + texts:
            for trigger in RECOMMEND_TRIGGER.finditer(text):
                zone = text[trigger.end() :]
                end = re.search(r"[。\n]|\.(?:\s|$)", zone)
                zone = zone[: end.start()] if end else zone
                if _NEGATION.search(zone):
                    continue
                for e in self.entities(zone):
                    if e.company not in picked:
                        picked.append(e.company)
        return picked


def _english_name_run(name: str) -> str:
    """The capitalised words that end an English name, without the sentence before them
    (``We like Quorvex`` -> ``Quorvex``); "" when the name has Chinese or ends lower-case."""
    if re.search(r"[\u4e00-\u9fa5]", name):
        return ""
    words = name.split()
    start = len(words)
    while start > 0 and _TITLE_WORD.match(words[start - 1]):
        start -= 1
    while start < len(words) and not words[start][:1].isupper():
        start += 1  # a run never opens on "of" or "&"
    return " ".join(words[start:])


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s\-]+", name) if w[:1].isalpha()).upper()


def _reads_as_company(name: str, letters: str) -> bool:
    """Whether a name written beside bare capitals is a company's, not a defined acronym."""
    if re.search(r"[\u4e00-\u9fa5]", name):
        return _COMPANY_WORD_ZH.search(name) is not None
    words = name.split()
    if len(letters) < 2 or not words or len(words) > 5 or _english_name_run(name) != name:
        return False
    if any(len(w.strip(".")) == 1 for w in words):
        return False  # table labels and formulas (Entire Sim. GBM T), not names
    initials = _initials(name)
    if initials in letters or letters.endswith(initials[-1:]) or letters in initials:
        return False  # the letters spell the words before them: an acronym being defined
    return not _CONCEPT_WORD_EN.search(name)


@lru_cache(maxsize=None)
def _context_pattern(registry: CompanyRegistry, company: str) -> re.Pattern | None:
    """Words that name one of a company's business lines only beside the company (广告 after 腾讯)."""
    info = registry.lookup(company)
    table = {alias: seg.name for seg in (info.segments if info else ()) for alias in seg.context_aliases if len(alias) >= 2}
    if not table:
        return None
    parts = sorted(table, key=len, reverse=True)
    return re.compile("|".join(rf"(?<![A-Za-z]){re.escape(p)}(?![A-Za-z])" if p.isascii() else re.escape(p) for p in parts))


def _context_segments(registry: CompanyRegistry, text: str, companies: list[Entity]):
    """Context-only segment words in the stretch after each company mention, up to the next one."""
    for i, entity in enumerate(companies):
        pattern = _context_pattern(registry, entity.company)
        if pattern is None:
            continue
        stop = companies[i + 1].start if i + 1 < len(companies) else len(text)
        info = registry.lookup(entity.company)
        names = {alias: seg.name for seg in info.segments for alias in seg.context_aliases}
        for m in pattern.finditer(text, entity.end, max(stop, entity.end)):
            yield m.start(), m.end(), info, names[m.group(0)]
