"""The bilingual concept lexicon (store/concepts.json): its invariants and what it groups."""

from __future__ import annotations

import pytest

from yanbao.store.concepts import KINDS, fold, get_lexicon


def test_keys_are_unique_and_every_term_names_its_own_concept() -> None:
    lexicon = get_lexicon()
    for kind in KINDS:
        concepts = [c for c in lexicon.concepts if c.kind == kind]
        assert len({c.key for c in concepts}) == len(concepts), kind
        for concept in concepts:
            assert concept.zh and concept.en and concept.terms
            for term in concept.terms:
                # No earlier (narrower-first) concept swallows this term.
                assert lexicon.concept_of(term, kind) is concept, (kind, term)


@pytest.mark.parametrize("english, chinese", [
    ("Returns on AI capex fall short", "AI投入回报不及预期"),
    ("Slower-than-expected monetisation of AI", "AI商业化进展不及预期"),
    ("Tighter US export controls on AI chips", "美国对华芯片出口管制收紧"),
    ("Power and data-centre supply constraints", "AI算力供给受限"),
    ("Competition intensifies", "行业竞争加剧风险"),
    ("A prolonged subsidy war in food delivery", "外卖补贴竞争超预期"),
])
def test_a_risk_in_either_language_meets_one_concept(english: str, chinese: str) -> None:
    lexicon = get_lexicon()
    assert lexicon.concept_of(english) is not None
    assert lexicon.concept_of(english) is lexicon.concept_of(chinese)


def test_unknown_risks_have_no_concept_and_folding_ignores_spacing() -> None:
    assert get_lexicon().concept_of("A less favourable AI partnership structure") is None
    assert fold("Data-centre  Supply") == fold("data centre supply") == "datacentresupply"


def test_search_terms_widen_a_query_that_names_a_concept() -> None:
    terms = get_lexicon().search_terms("Capex Guidance")
    assert "资本开支指引" in terms and "capex guidance" in terms
    assert get_lexicon().search_terms("腾讯") == []
