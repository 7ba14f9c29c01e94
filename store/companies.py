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

from yanbao.store.name_scanner import _ANY, _CLASS_SUFFIX, _TICKER_WORDS, Scanner, add_alias, fold, name_key
from yanbao.store.tickers import _BARE_US, _MARKED, _TICKER_SPLIT, TICKER_PATTERN, normalize_ticker

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

# Words a user may add to a name that do not change the company: 腾讯公司, Baidu Inc.
_CORPORATE_SUFFIX = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|公司|集团|"
    r"[ ,]+(?:inc|corp|corporation|co|ltd|limited|plc|holdings|group)\.?)$"
)


def _lookup_key(text: str) -> str:
    """``_key`` without spaces and without a share-class suffix, for exact lookups."""
    return _CLASS_SUFFIX.sub("", name_key(text)).replace(" ", "")


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
        self._context_scanners: dict[str, Scanner] = {}

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
        bare = _CORPORATE_SUFFIX.sub("", _CLASS_SUFFIX.sub("", name_key(text))).replace(" ", "")
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
    def _company_scanner(self) -> Scanner:
        entries: dict = {}
        for info in self.companies:
            skip = {name_key(a) for a in info.lookup_only}
            for alias in info.names:
                if name_key(alias) not in skip:
                    add_alias(entries, alias, info)
            for ticker in info.tickers:
                if _BARE_US.match(ticker) and ticker not in _TICKER_WORDS:
                    add_alias(entries, ticker, info)
        for phrase in self.stop_phrases:
            entries[name_key(phrase)] = (None, _ANY, phrase)
        return Scanner(entries)

    @functools.cached_property
    def _segment_scanner(self) -> Scanner:
        entries: dict = {}
        for info in self.companies:
            for seg in info.segments:
                for alias in seg.aliases:
                    add_alias(entries, alias, (info, seg.name))
        return Scanner(entries)

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
                    add_alias(entries, alias, seg.name)
            scanner = self._context_scanners[info.name] = Scanner(entries)
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
