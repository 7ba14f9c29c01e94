"""The company registry: canonical names, aliases, tickers, fiscal years and business segments.

``companies.json`` beside this file holds the data and is read once (``get_registry``).
``CompanyRegistry.lookup`` resolves one name, alias or ticker; ``find_all`` scans running
report text for every company it names (leftmost, longest, non-overlapping) with one
compiled trie-shaped regex, so it stays fast on whole reports.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "DATA_PATH",
    "TICKER_PATTERN",
    "CompanyInfo",
    "CompanyMatch",
    "CompanyRegistry",
    "Segment",
    "SegmentMatch",
    "find_segment",
    "fold",
    "get_registry",
    "normalize_ticker",
    "segment_lookup",
]

DATA_PATH = Path(__file__).with_name("companies.json")

# --- text folding -------------------------------------------------------------------------

# One character in, one character out, so offsets in folded text are offsets in the original:
# full-width ASCII to half-width, every dash to "-", ASCII letters to lower case.
_FOLD_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD_TABLE.update({0x3000: 0x20, 0xA0: 0x20})
_FOLD_TABLE.update({ord(d): ord("-") for d in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"})
_FOLD_TABLE = {k: chr(v) for k, v in _FOLD_TABLE.items()}
_HALF_WIDTH = str.maketrans(_FOLD_TABLE)  # width and dashes only, case kept
_FOLD_TABLE.update({ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
_FOLD_TABLE.update({k: v.lower() for k, v in list(_FOLD_TABLE.items()) if v.isupper()})
_FOLD = str.maketrans(_FOLD_TABLE)


def fold(text: str) -> str:
    """Lower-case ASCII, half-width ASCII and plain dashes; keeps the length of ``text``."""
    return text.translate(_FOLD)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# Hong Kong share-class markers written after a name: 小米集团-W, 网易-S, 美团- W.
_CLASS_SUFFIX = re.compile(r"\s*-\s*(?:sw|w|s|b)$")
_SPACE_RUN = re.compile(r"\s+")
_DASH_SPACES = re.compile(r"\s*-\s*")
_SPACE_BY_CJK = re.compile(r"(?<=[\u3400-\u9fff]) | (?=[\u3400-\u9fff])")


def _key(text: str) -> str:
    """The comparison form of a name: folded, spaces collapsed (dropped beside Chinese)."""
    text = _SPACE_RUN.sub(" ", fold(text)).strip()
    return _SPACE_BY_CJK.sub("", text)


# Words a user may add to a name that do not change the company: 腾讯公司, Baidu Inc.
_CORPORATE_SUFFIX = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|公司|集团|"
    r"[ ,]+(?:inc|corp|corporation|co|ltd|limited|plc|holdings|group)\.?)$"
)


def _lookup_key(text: str) -> str:
    """``_key`` without spaces and without a share-class suffix, for exact lookups."""
    return _CLASS_SUFFIX.sub("", _key(text)).replace(" ", "")


# --- tickers ------------------------------------------------------------------------------

_US_VENUE = r"(?:NASDAQ|NASDAQGS|NASDAQGM|NYSE|NYSEARCA|NYSEAMERICAN|AMEX|OTC|US)"
_US_SUFFIX = r"(?:US|O|OQ|N|K|A|UN|UW|UQ|PK)"
_TICKER_FORMS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:HK|HKG|HKEX|SEHK)\s*[:.]?\s*(\d{1,5})$"), "hk"),
    (re.compile(r"^(\d{1,5})\s*[.\s]\s*(?:HK|HKG)$"), "hk"),
    (re.compile(r"^(\d{5})$"), "hk"),
    (re.compile(r"^(?:SH|SS|SHSE|SSE)\s*[:.]?\s*(\d{6})$"), "sh"),
    (re.compile(r"^(?:SZ|SZSE)\s*[:.]?\s*(\d{6})$"), "sz"),
    (re.compile(r"^(?:BJ|BSE)\s*[:.]?\s*(\d{6})$"), "bj"),
    (re.compile(r"^(\d{6})\s*[.\s]\s*(?:SH|SS)$"), "sh"),
    (re.compile(r"^(\d{6})\s*[.\s]\s*SZ$"), "sz"),
    (re.compile(r"^(\d{6})\s*[.\s]\s*BJ$"), "bj"),
    (re.compile(r"^(\d{6})(?:\s*[.\s]\s*(?:CH|CN|C1|C2))?$"), "a"),
    (re.compile(r"^(\d{4})\s*[.\s]\s*(?:TW|TT|TWO)$"), "tw"),
    (re.compile(r"^(?:TPE|TWSE)\s*[:.]?\s*(\d{4})$"), "tw"),
    (re.compile(r"^(\d{4})\s*[.\s]\s*(?:T|JP|JT)$"), "t"),
    (re.compile(r"^(\d{6})\s*[.\s]\s*(?:KS|KP)$"), "ks"),
    (re.compile(rf"^{_US_VENUE}\s*[:.]\s*([A-Z]{{1,5}})$"), "us"),
    (re.compile(rf"^([A-Z]{{1,5}})\s*[.\s]\s*{_US_SUFFIX}$"), "us"),
]
_BARE_US = re.compile(r"^[A-Z]{1,5}$")


def normalize_ticker(raw: str) -> str | None:
    """The schema form of a ticker written any common way, or None when it is not one.

    ``0700 HK``, ``700.HK``, ``00700``, ``HK:0700`` -> ``0700.HK``; ``600519``, ``SH600519``,
    ``600519 CH`` -> ``600519.SH``; ``NASDAQ:MSFT``, ``MSFT.US``, ``MSFT US Equity`` -> ``MSFT``;
    ``2330 TT`` -> ``2330.TW``. A bare four-digit code is ambiguous and gives None; bare
    letters count only when written in capitals.
    """
    text = fold(raw).strip().upper()
    text = re.sub(r"\s+EQUITY$", "", text)
    for pattern, market in _TICKER_FORMS:
        m = pattern.match(text)
        if not m:
            continue
        code = m.group(1)
        if market == "hk":
            number = int(code)
            return f"{number:04d}.HK" if number else None
        if market == "a":
            market = {"6": "sh", "9": "sh", "0": "sz", "2": "sz", "3": "sz"}.get(code[0], "bj")
        if market == "us":
            return code
        return f"{code}.{market.upper()}"
    stripped = raw.strip()
    if _BARE_US.match(stripped):
        return stripped
    return None


_ONE_TICKER = (
    r"(?:(?:NASDAQ|NYSE|NYSEARCA|AMEX|OTC|HKEX|SEHK|HKG|SHSE|SZSE|SSE|TPE|TWSE|HK|SH|SZ|SS|US)"
    r"\s*[:：.]?\s*)?"
    r"(?:\d{4,6}|[A-Z]{1,5})"
    r"(?:\s*[.\s]\s*(?:HK|SH|SZ|SS|BJ|CH|US|OQ|O|N|TW|TT|KS|T)(?![A-Za-z]))?"
    r"(?:\s+Equity)?"
)
TICKER_PATTERN = re.compile(
    rf"[(（]\s*(?P<tickers>{_ONE_TICKER}(?:\s*[,，/、;；]\s*{_ONE_TICKER})*)\s*[)）]"
)
"""A parenthesised ticker (or several) as reports write them beside a name:
``腾讯控股（0700.HK）``, ``Tencent (0700 HK)``, ``(NVDA US)``, ``（0981.HK/688981.SH）``."""

_TICKER_SPLIT = re.compile(r"\s*[,，/、;；]\s*")
_MARKED = re.compile(r"[.:：\s]|^\d{5,6}$")


# --- data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A business line: ``aliases`` name it anywhere; ``context_aliases`` only beside its company."""

    name: str
    aliases: tuple[str, ...] = ()
    context_aliases: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class CompanyInfo:
    """One company of the registry. ``tickers`` lists the primary listing first."""

    name: str
    name_zh: str
    aliases: list[str] = field(default_factory=list)
    tickers: list[str] = field(default_factory=list)
    fiscal_year_end: int = 12
    sector: str = ""
    segments: list[Segment] = field(default_factory=list, repr=False)
    lookup_only: list[str] = field(default_factory=list, repr=False)

    @property
    def ticker(self) -> str | None:
        """The primary ticker, or None for an unlisted company."""
        return self.tickers[0] if self.tickers else None

    @property
    def names(self) -> list[str]:
        """Canonical name, Chinese name and every alias."""
        return [self.name, self.name_zh, *self.aliases]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CompanyInfo) and (self.name, self.tickers) == (
            other.name,
            other.tickers,
        )

    def __hash__(self) -> int:
        return hash(self.name)

    @classmethod
    def from_dict(cls, d: dict) -> CompanyInfo:
        segments = [
            Segment(s["name"], tuple(s.get("aliases", ())), tuple(s.get("context_aliases", ())))
            for s in d.get("segments", ())
        ]
        return cls(
            name=d["name"],
            name_zh=d.get("name_zh") or d["name"],
            aliases=list(d.get("aliases", ())) + list(d.get("lookup_only", ())),
            tickers=list(d.get("tickers", ())),
            fiscal_year_end=int(d.get("fiscal_year_end") or 12),
            sector=d.get("sector", ""),
            segments=segments,
            lookup_only=list(d.get("lookup_only", ())),
        )


class CompanyMatch(NamedTuple):
    """A company named in text: ``text[start:end]``, the alias as written (spaces squeezed)."""

    start: int
    end: int
    alias: str
    info: CompanyInfo
    ticker: str | None = None  # a ticker written in brackets right after the name, if any


class SegmentMatch(NamedTuple):
    """A business segment named in text, with its company."""

    start: int
    end: int
    alias: str
    info: CompanyInfo
    segment: str


# --- scanning -----------------------------------------------------------------------------

# Ordinary words that are also company names: matched only when written with a capital.
_CAPITALIZED = frozenset(
    "apple amazon oracle arm intel alphabet google tesla micron cadence intuit workday visa "
    "zoom snap moonshot mistral perplexity lilly dell snowflake prudential quanta minimax "
    "kimi claude grok gemini llama sora optimus ascend search office advertising gaming "
    "services mac".split()
)
_EXACT = frozenset({"xAI", "FoA"})
_SHORT_OK = frozenset({"JD"})  # two-letter names worth scanning for (always in capitals)
# Tickers that are also everyday words or acronyms; never scanned for as names.
_TICKER_WORDS = frozenset(
    "NOW NET EDU CRM TEAM APP SNAP COIN DASH SHOP SPOT PONY COST SNOW PINS ASX ONC".split()
)
_ANY, _CAP, _UPPER = 0, 1, 2
_GAP = r"\s{0,4}"  # PDF text breaks lines and spaces inside Chinese names
_SUFFIX = r"(?P<sfx>\s{0,3}-\s{0,3}(?:sw|w|s|b)(?![a-z0-9]))?"


def _case_rule(alias: str) -> int | None:
    """How the case of an alias must look in text, or None when it is too short to scan."""
    if any(_is_cjk(c) for c in alias):
        return _ANY
    letters = [c for c in alias if c.isalpha()]
    if alias in _EXACT:
        return _UPPER
    if len(alias.replace(" ", "")) < 3 and alias not in _SHORT_OK:
        return None
    if letters and all(c.isupper() for c in letters):
        return _UPPER
    if alias.lower() in _CAPITALIZED:
        return _CAP
    return _ANY


def _case_ok(rule: int, alias: str, written: str) -> bool:
    if rule == _ANY:
        return True
    if rule == _CAP:
        return written[:1].isupper()
    return _SPACE_RUN.sub(" ", written.strip()) == alias


def _trie_regex(keys: list[str]) -> str:
    """One regex alternation shaped as a trie over ``keys`` (folded, longest tried first)."""
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict, prev: str) -> str:
        branches = []
        for ch in sorted(c for c in node if c):  # children first: the longest name wins
            gap = _GAP if prev and (_is_cjk(prev) or _is_cjk(ch)) else ""
            piece = r"\s+" if ch == " " else re.escape(ch)
            if not prev and _is_word(ch):
                piece = f"{piece}(?<![a-z0-9]{re.escape(ch)})"
            branches.append(f"{gap}{piece}{emit(node[ch], ch)}")
        if "" in node:
            branches.append("(?![a-z0-9])" if _is_word(prev) else "")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(trie, "")


class _Scanner:
    """Finds registry words in text: one compiled regex plus a table from key to target."""

    def __init__(self, entries: dict[str, tuple[object, int, str]]) -> None:
        self.entries = entries  # key -> (target or None for a stop phrase, case rule, alias)
        keys = sorted(entries, key=len, reverse=True)
        body = _trie_regex(keys) if keys else "(?!)"
        self.regex = re.compile(f"(?P<name>{body}){_SUFFIX}")

    def scan(self, text: str) -> Iterator[tuple[int, int, str, object]]:
        folded = fold(text)
        entries = self.entries
        search = self.regex.search
        pos = 0
        while True:
            m = search(folded, pos)
            if m is None:
                return
            start, name_end = m.span("name")
            found = entries.get(folded[start:name_end])
            if found is None:  # the name was written with spaces or a line break inside
                found = entries.get(_key(text[start:name_end]))
                if found is None:
                    pos = start + 1
                    continue
            target, rule, alias = found
            if target is None:  # a stop phrase: a longer word that is not a company
                pos = name_end
                continue
            if rule != _ANY and not _case_ok(rule, alias, text[start:name_end].translate(_HALF_WIDTH)):
                pos = start + 1
                continue
            end = name_end
            if m.group("sfx") and _is_cjk(folded[name_end - 1]):
                end = m.end()
            shown = text[start:end]
            if not shown.isascii() or " " in shown or end != name_end:
                shown = _SPACE_BY_CJK.sub("", _SPACE_RUN.sub(" ", shown.strip()))
                if end != name_end:
                    shown = _DASH_SPACES.sub("-", shown)
            yield start, end, shown, target
            pos = end


def _add(entries: dict, alias: str, target: object) -> None:
    rule = _case_rule(alias)
    if rule is None:
        return
    key = _CLASS_SUFFIX.sub("", _key(alias)) if any(_is_cjk(c) for c in alias) else _key(alias)
    if not key:
        return
    old = entries.get(key)
    if old is None:
        entries[key] = (target, rule, alias)
    elif old[0] is target and rule < old[1]:
        entries[key] = (target, rule, alias)


# --- registry -----------------------------------------------------------------------------


class CompanyRegistry:
    """All known companies, indexed by name, alias and ticker."""

    def __init__(self, companies: list[CompanyInfo], stop_phrases: Iterable[str] = ()) -> None:
        self.companies = companies
        self.stop_phrases = list(stop_phrases)
        self._by_key: dict[str, CompanyInfo] = {}
        self._by_ticker: dict[str, CompanyInfo] = {}
        self._segment_by_key: dict[str, tuple[CompanyInfo, str]] = {}
        for info in companies:
            for ticker in info.tickers:
                self._by_ticker.setdefault(ticker, info)
            for alias in info.names:
                self._by_key.setdefault(_lookup_key(alias), info)
            for seg in info.segments:
                for alias in seg.aliases:
                    self._segment_by_key.setdefault(_lookup_key(alias), (info, seg.name))
        self._context_scanners: dict[str, _Scanner] = {}

    @classmethod
    def from_json(cls, path: Path = DATA_PATH) -> CompanyRegistry:
        """Read the registry file (``companies.json`` beside this module by default)."""
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        companies = [CompanyInfo.from_dict(d) for d in doc["companies"]]
        return cls(companies, doc.get("stop_phrases", []))

    def __len__(self) -> int:
        return len(self.companies)

    def __iter__(self) -> Iterator[CompanyInfo]:
        return iter(self.companies)

    # exact lookups

    def lookup(self, text: str) -> CompanyInfo | None:
        """The company a name, alias or ticker stands for (any case, width, spacing, -W suffix)."""
        if not text or not text.strip():
            return None
        info = self._by_key.get(_lookup_key(text))
        if info is not None:
            return info
        ticker = normalize_ticker(text)
        if ticker is not None and ticker in self._by_ticker:
            return self._by_ticker[ticker]
        bare = _CORPORATE_SUFFIX.sub("", _CLASS_SUFFIX.sub("", _key(text))).replace(" ", "")
        if bare and bare in self._by_key:
            return self._by_key[bare]
        digits = fold(text).strip()
        if digits.isdigit() and len(digits) <= 4:  # a bare code: Hong Kong first, then Taiwan
            for candidate in (f"{int(digits):04d}.HK", f"{digits}.TW"):
                if candidate in self._by_ticker:
                    return self._by_ticker[candidate]
        return None

    def by_ticker(self, ticker: str) -> CompanyInfo | None:
        """The company listed under a ticker in schema form (``0700.HK``, ``MSFT``)."""
        return self._by_ticker.get(ticker)

    def segment_lookup(self, text: str) -> tuple[CompanyInfo, str] | None:
        """``(company, segment name)`` for a distinctive segment name: Azure, AWS, 谷歌云."""
        return self._segment_by_key.get(_lookup_key(text))

    # scanning

    @functools.cached_property
    def _company_scanner(self) -> _Scanner:
        entries: dict = {}
        for info in self.companies:
            skip = {_key(a) for a in info.lookup_only}
            for alias in info.names:
                if _key(alias) not in skip:
                    _add(entries, alias, info)
            for ticker in info.tickers:
                if _BARE_US.match(ticker) and ticker not in _TICKER_WORDS:
                    _add(entries, ticker, info)
        for phrase in self.stop_phrases:
            entries[_key(phrase)] = (None, _ANY, phrase)
        return _Scanner(entries)

    @functools.cached_property
    def _segment_scanner(self) -> _Scanner:
        entries: dict = {}
        for info in self.companies:
            for seg in info.segments:
                for alias in seg.aliases:
                    _add(entries, alias, (info, seg.name))
        return _Scanner(entries)

    def find_all(self, text: str) -> list[CompanyMatch]:
        """Every company named in ``text``: leftmost, longest, non-overlapping, in order."""
        matches: list[CompanyMatch] = []
        bracket_end = 0
        for start, end, alias, info in self._company_scanner.scan(text):
            if start < bracket_end:  # inside the brackets of the previous name: its ticker
                continue
            found = self._bracketed_ticker(text, end)
            ticker, bracket_end = found if found else (None, 0)
            matches.append(CompanyMatch(start, end, alias, info, ticker))
        return matches

    def find_segments(self, text: str) -> list[SegmentMatch]:
        """Every distinctive segment named in ``text`` (AWS, Azure, 微信, 阿里云 ...)."""
        return [
            SegmentMatch(start, end, alias, target[0], target[1])
            for start, end, alias, target in self._segment_scanner.scan(text)
        ]

    def find_segment(self, info: CompanyInfo, text: str) -> str | None:
        """The first of ``info``'s segments that ``text`` names, context words included."""
        scanner = self._context_scanners.get(info.name)
        if scanner is None:
            entries: dict = {}
            for seg in info.segments:
                for alias in (seg.name, *seg.aliases, *seg.context_aliases):
                    _add(entries, alias, seg.name)
            scanner = self._context_scanners[info.name] = _Scanner(entries)
        for _start, _end, _alias, segment in scanner.scan(text):
            return segment
        return None

    def ticker_after(self, text: str, pos: int) -> str | None:
        """The ticker bracketed right after ``pos`` (``腾讯控股（0700.HK）``), schema form.

        Bare capitals such as ``(AI)`` count only when they are a known ticker.
        """
        found = self._bracketed_ticker(text, pos)
        return found[0] if found else None

    def _bracketed_ticker(self, text: str, pos: int) -> tuple[str, int] | None:
        pos = _skip_spaces(text, pos)
        if text[pos:pos + 1] not in ("(", "（"):
            return None
        m = TICKER_PATTERN.match(text, pos)
        if m is None:
            return None
        for raw in _TICKER_SPLIT.split(m.group("tickers").strip()):
            ticker = normalize_ticker(raw)
            if ticker is not None and (_MARKED.search(raw.strip()) or ticker in self._by_ticker):
                return ticker, m.end()
        return None


def _skip_spaces(text: str, pos: int, most: int = 3) -> int:
    end = min(len(text), pos + most)
    while pos < end and text[pos] in " \t\u3000":
        pos += 1
    return pos


@functools.cache
def get_registry() -> CompanyRegistry:
    """The registry read from ``companies.json``, loaded once per process."""
    return CompanyRegistry.from_json(DATA_PATH)


def find_segment(info: CompanyInfo, text: str) -> str | None:
    """The first of ``info``'s segments named in ``text`` (see ``CompanyRegistry``)."""
    return get_registry().find_segment(info, text)


def segment_lookup(text: str) -> tuple[CompanyInfo, str] | None:
    """``(company, segment)`` for a distinctive segment name such as ``AWS`` or ``谷歌云``."""
    return get_registry().segment_lookup(text)
