"""Search over the catalog: every word of a query must match, newest first, streamed.

A word of three characters or more is a substring query on the FTS5 trigram index; a
two-character word (腾讯, 风险, AI) is looked up in the table of two-character words,
since trigrams cannot hold it; a single character (rare) scans the stored texts. A word
that names a company the registry knows also matches every report naming that company
by any of its names or tickers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from yanbao.store.catalog import NEWEST_FIRST, Catalog

__all__ = ["search_ids"]


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _term_query(term: str, company_keys: frozenset[str] | None) -> tuple[str, list]:
    if len(term) >= 3:
        sql, params = "SELECT rowid AS n FROM texts WHERE texts MATCH ?", [_phrase(term)]
    elif len(term) == 2 and term.isalnum():
        sql, params = "SELECT rowid AS n FROM grams WHERE grams MATCH ?", [_phrase(term)]
    else:
        sql, params = "SELECT n FROM texts_z WHERE instr(unz(z), ?) > 0", [term]
    if company_keys:
        keys = sorted(company_keys)
        sql += f" UNION SELECT n FROM company_keys WHERE key IN ({','.join('?' * len(keys))})"
        params += keys
    return sql, params


def search_ids(
    catalog: Catalog, query: str, expand: Callable[[str], frozenset[str]], page: int = 512,
) -> Iterator[str]:
    """Ids of reports matching every word of ``query`` (casefolded), newest first, a page
    at a time; ``expand`` gives a word's company keys (just itself when it is no company)."""
    terms = query.casefold().split()
    if not terms:
        yield from catalog.ids_with_prefix("")
        return
    parts, params = [], []
    for term in terms:
        keys = expand(term)
        sql, args = _term_query(term, keys if keys != {term} else None)
        parts.append(f"SELECT n FROM ({sql})")
        params += args
    hits = " INTERSECT ".join(parts)
    yield from (row[0] for row in catalog.stream(
        f"SELECT id FROM reports WHERE n IN ({hits}) {NEWEST_FIRST}", params, page))
