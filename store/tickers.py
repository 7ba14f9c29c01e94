"""Tickers as reports write them (``0700 HK``, ``HK:0700``, ``600519 CH``, ``NASDAQ:MSFT``) and
their one schema form (``0700.HK``, ``600519.SH``, ``MSFT``)."""

from __future__ import annotations

import re

from yanbao.store.name_scanner import fold

__all__ = ["TICKER_PATTERN", "normalize_ticker"]

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


