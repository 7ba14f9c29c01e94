"""Search over the catalog: every word of a query must match, newest first, streamed.

A word of three characters or more is a substring query on the FTS5 trigram index; a
two-character word (腾讯, 风险, AI) is looked up in the table of two-character words,
since trigrams cannot hold it; a single character (rare) scans the stored texts, and so
does every word over the few texts waiting to enter the indexes (``store.catalog``). A word
that names a company the registry knows also matches every report naming that company
by any of its names or tickers. Words that together name a concept of the bilingual
lexicon ("capex guidance") match any of its terms (资本开支指引), in either language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from yanbao.store.catalog import NEWEST_FIRST, Catalog
from yanbao.store.concepts import get_lexicon

__all__ = ["Snippet", "match_snippet", "query_groups", "search_first", "search_ids"]

CONCEPT_WORDS = 4  # the longest run of query words tried as one concept ("returns on AI capex")


def query_groups(query: str) -> list[list[str]]:
    """The query as groups of alternative terms, casefolded: a report matches when every
    group has a term it contains. A run of words naming a concept (longest first) is one
    group of all the concept's terms; any other word is a group of itself."""
    words = query.casefold().split()
    lexicon = get_lexicon()
    groups: list[list[str]] = []
    i = 0
    while i < len(words):
        for size in range(min(CONCEPT_WORDS, len(words) - i), 0, -1):
            terms = lexicon.search_terms(" ".join(words[i:i + size]))
            if terms:
                groups.append(list(dict.fromkeys(t.casefold() for t in terms)))
                i += size
                break
        else:
            groups.append([words[i]])
            i += 1
    return groups


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _term_query(term: str, company_keys: frozenset[str] | None) -> tuple[str, list]:
    if len(term) >= 3 or (len(term) == 2 and term.isalnum()):
        index = "texts" if len(term) >= 3 else "grams"
        # The index, and the few texts waiting to go into it (``store.catalog``), read as they are.
        sql = (f"SELECT rowid AS n FROM {index} WHERE {index} MATCH ? UNION ALL SELECT u.n FROM unindexed u "
               f"CROSS JOIN texts_z t ON t.n = u.n WHERE instr(unz(t.z), ?) > 0")
        params = [_phrase(term), term]
    else:
        sql, params = "SELECT n FROM texts_z WHERE instr(unz(z), ?) > 0", [term]
    if company_keys:
        keys = sorted(company_keys)
        sql += f" UNION ALL SELECT n FROM company_keys WHERE key IN ({','.join('?' * len(keys))})"
        params += keys
    return sql, params


def _hits(query: str, expand: Callable[[str], frozenset[str]]) -> tuple[str, list] | None:
    """SQL selecting the ``n`` of every report matching ``query`` (each once), with its
    parameters; None for a query of no words (everything matches)."""
    groups = query_groups(query)
    if not groups:
        return None
    parts, params = [], []
    for group in groups:
        alternatives = []
        for term in group:
            keys = expand(term)
            sql, args = _term_query(term, keys if keys != {term} else None)
            alternatives.append(sql)
            params += args
        parts.append(f"SELECT n FROM ({' UNION ALL '.join(alternatives)})")
    return " INTERSECT ".join(parts), params


def search_ids(
    catalog: Catalog, query: str, expand: Callable[[str], frozenset[str]], page: int = 512,
) -> Iterator[str]:
    """Ids of reports matching every group of ``query`` (see ``query_groups``), newest first,
    a page at a time; ``expand`` gives a word's company keys (just itself when it is no company)."""
    found = _hits(query, expand)
    if found is None:
        yield from catalog.ids_with_prefix("")
        return
    hits, params = found
    yield from (row[0] for row in catalog.stream(
        f"SELECT id FROM reports WHERE n IN ({hits}) {NEWEST_FIRST}", params, page))


def search_first(
    catalog: Catalog, query: str, expand: Callable[[str], frozenset[str]], limit: int = 100,
) -> tuple[int, list[str]]:
    """What a user sees first of a search: how many reports match ``query`` and the ids of
    the newest ``limit`` of them (``search_ids`` gives them all)."""
    found = _hits(query, expand)
    if found is None:
        return catalog.count(), catalog.ids_with_prefix("")[:limit]
    return catalog.count_and_first(*found, limit)


@dataclass(frozen=True)
class Snippet:
    """A window of one matching text, with the character spans of the matched terms."""

    text: str
    spans: list[tuple[int, int]]


def _find_spans(text: str, groups: list[list[str]]) -> list[tuple[int, int]]:
    folded = text.casefold()
    if len(folded) != len(text):  # casefolding changed lengths (ß → ss): offsets by lower()
        folded = text.lower()
    spans = []
    for group in groups:
        for term in group:
            start = folded.find(term) if len(folded) == len(text) else -1
            if start >= 0:
                spans.append((start, start + len(term)))
                break
    return sorted(spans)


def match_snippet(texts: Iterable[str], groups: list[list[str]], width: int = 80) -> Snippet | None:
    """The text matching most groups (first wins a tie), cut to about ``width`` characters
    around its first match, with the matches marked; None when no text matches any."""
    best: tuple[str, list[tuple[int, int]]] | None = None
    for text in texts:
        text = " ".join(str(text).split())
        spans = _find_spans(text, groups)
        if spans and (best is None or len(spans) > len(best[1])):
            best = (text, spans)
            if len(spans) == len(groups):
                break
    if best is None:
        return None
    text, spans = best
    first = spans[0][0]
    start = max(0, min(first - width // 4, len(text) - width))
    end = min(len(text), start + width)
    window = text[start:end]
    kept = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    if start > 0:
        window, kept = "…" + window, [(a + 1, b + 1) for a, b in kept]
    if end < len(text):
        window += "…"
    return Snippet(window, kept)
