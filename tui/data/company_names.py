"""Company names as the user types them, resolved through the registry; no Textual here.

The filter's ``company:``, the watch prompt and search all accept any name the registry
knows (腾讯, 腾讯控股, Tencent, 0700.HK, 700): one resolution for all of them.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable

from yanbao.store.companies import get_registry

__all__ = ["company_terms", "company_keys", "company_item", "filter_word", "closest_names", "registry_name", "short_name"]


def company_terms(query: str) -> list[str]:
    """The values of a filter's ``company:`` terms, casefolded (``company:腾讯`` → ``腾讯``)."""
    terms = []
    for word in query.split():
        field_name, sep, value = word.partition(":")
        if sep and field_name.lower() == "company" and value:
            terms.append(value.casefold())
    return terms


def company_keys(name: str) -> frozenset[str]:
    """Every casefolded name, alias and ticker of the company ``name`` stands for; just
    ``name`` itself when the registry does not know it."""
    keys = {name.strip().casefold()}
    info = get_registry().lookup(name)
    if info is not None:
        keys.update(str(v).casefold() for v in (info.name, info.name_zh, *info.aliases, *info.tickers) if v)
    return frozenset(keys)


def filter_word(name: str) -> str:
    """One word that stands for ``name`` in a ``company:`` filter (whose terms are split at
    spaces): the name itself, else the registry's ticker, else its longest word."""
    name = name.strip()
    if not name or len(name.split()) == 1:
        return name
    info = get_registry().lookup(name)
    tickers = [t for t in (info.tickers if info is not None else ()) if t and len(str(t).split()) == 1]
    return str(tickers[0]) if tickers else max(name.split(), key=len)


def company_item(name: str) -> Any:
    """The company ``name`` stands for as the watchlist would keep it (the registry's name
    and ticker, else the name as given), without watching it."""
    from yanbao.store.db import WatchItem

    name = " ".join(name.split())
    info = get_registry().lookup(name)
    return WatchItem(info.name, info.ticker) if info is not None else WatchItem(name, None)


def registry_name(name: str) -> str | None:
    """The registry's canonical name for ``name`` (腾讯 → Tencent), or None when unknown."""
    info = get_registry().lookup(name)
    return info.name if info is not None else None


def closest_names(name: str, library_names: Iterable[str] = (), *, limit: int = 3) -> list[str]:
    """Up to ``limit`` known company names that look like ``name`` (a typo's likely meaning):
    registry names, Chinese names and aliases, and the names the library's reports use."""
    candidates: dict[str, str] = {}  # casefolded → as written; the registry's spelling wins
    for info in get_registry():
        for value in (info.name, info.name_zh, *info.aliases):
            if value:
                candidates.setdefault(value.casefold(), value)
    for value in library_names:
        if value:
            candidates.setdefault(value.casefold(), value)
    found = difflib.get_close_matches(name.strip().casefold(), list(candidates), n=limit * 3, cutoff=0.6)
    # Aliases of one company would crowd the list: keep one spelling per company.
    shown: list[str] = []
    seen: set[str] = set()
    for key in found:
        canonical = registry_name(candidates[key]) or candidates[key]
        if canonical.casefold() not in seen:
            seen.add(canonical.casefold())
            shown.append(canonical)
        if len(shown) == limit:
            break
    return shown


def short_name(name: str) -> str:
    """The registry's shortest name for ``name``'s company (Microsoft → 微软, Alphabet →
    Google): what a narrow column shows. ``name`` itself when unknown or already shortest."""
    from rich.cells import cell_len

    info = get_registry().lookup(name) if name else None
    if info is None:
        return name
    names = [n for n in (info.name, info.name_zh, *info.aliases) if n and len(n.strip()) >= 2]
    return min(names, key=lambda n: (cell_len(n), n != info.name_zh), default=name) if names else name
