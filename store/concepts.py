"""Bilingual concepts: a risk or a metric word, said in Chinese or English, mapped to one key.

``concepts.json`` beside this file holds the lexicon (data, not regexes). The risk tally and the
new/recurring/dropped diff group risks by concept ("Returns on AI capex fall short" and
"AI投入回报不及预期" are one risk); search widens a query that names a concept to every term
of it ("capex guidance" also finds 资本开支指引).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Concept", "ConceptLexicon", "fold", "get_lexicon"]

DATA_PATH = Path(__file__).with_name("concepts.json")
KINDS = ("risk", "metric")

_DROPPED = {"-", "‐", "‑", "–", "—", "_", ".", "·", "'", "’"}


def fold(text: str) -> str:
    """The form terms and texts are compared in: NFKC, casefolded, without spaces, hyphens or dots."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in _DROPPED)


@dataclass(frozen=True)
class Concept:
    """One concept: its key, its names in both languages and the terms that say it."""

    key: str
    kind: str  # "risk" | "metric"
    zh: str
    en: str
    terms: tuple[str, ...]

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class ConceptLexicon:
    """The concepts of each kind in lexicon order (narrower first: the first that fits wins)."""

    def __init__(self, concepts: list[Concept]) -> None:
        self.concepts = concepts
        self._folded = [(c, tuple(fold(t) for t in c.terms)) for c in concepts]

    @classmethod
    def from_json(cls, path: Path = DATA_PATH) -> ConceptLexicon:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        concepts = [
            Concept(entry["key"], kind, entry["zh"], entry["en"], tuple(entry["terms"]))
            for kind in KINDS
            for entry in doc.get(kind, [])
        ]
        return cls(concepts)

    def concept_of(self, text: str, kind: str = "risk") -> Concept | None:
        """The first concept of ``kind`` one of whose terms occurs in ``text``, else None."""
        folded = fold(text)
        if not folded:
            return None
        for concept, terms in self._folded:
            if concept.kind == kind and any(term in folded for term in terms):
                return concept
        return None

    def get(self, key: str) -> Concept | None:
        return next((c for c in self.concepts if c.key == key), None)

    def search_terms(self, query: str) -> list[str]:
        """Every term of the concepts a query names whole (the query folded equals one of the
        concept's terms), so a search for one wording finds the others; [] otherwise."""
        folded = fold(query)
        for concept, terms in self._folded:
            if folded and folded in terms:
                return list(dict.fromkeys([*concept.terms, concept.zh, concept.en]))
        return []


@lru_cache(maxsize=1)
def get_lexicon() -> ConceptLexicon:
    """The lexicon read from ``concepts.json``, once per process."""
    return ConceptLexicon.from_json(DATA_PATH)
