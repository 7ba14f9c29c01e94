"""Search meets across languages: a query naming a concept finds every wording of it, and
a match can be shown in context (a snippet with the matched words marked)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tinydb.storages import MemoryStorage

from yanbao.store.db import DigestStore
from yanbao.store.model import KeyPoint
from yanbao.store.search import match_snippet, query_groups


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path: Path):
    if request.param == "memory":
        return DigestStore(storage=MemoryStorage())
    return DigestStore(tmp_path / "store.json")


def test_a_concept_query_finds_its_other_language(store: DigestStore, make_digest) -> None:
    zh = make_digest(1, title="海外云周报", key_points=[KeyPoint("云", ["Meta 上调资本开支指引至 700 亿美元"])],
                     risks=[], metrics=[])
    en = make_digest(2, title="Cloud note", key_points=[KeyPoint("Capex", ["Capex guidance raised again"])],
                     risks=[], metrics=[])
    other = make_digest(3, title="港股策略", key_points=[KeyPoint("策略", ["估值修复"])], risks=[], metrics=[])
    store.add_many([zh, en, other])
    assert set(store.search("capex guidance")) == {zh.id, en.id}
    assert set(store.search("资本开支指引")) == {zh.id, en.id}
    # The other words of a query still narrow: every group must match.
    assert store.search("capex guidance 海外云") == [zh.id]
    # Words that name no concept keep their plain meaning.
    assert store.search("guidance raised") == [en.id]


def test_query_groups_widen_the_longest_concept_run() -> None:
    groups = query_groups("Meta capex guidance 2025")
    assert groups[0] == ["meta"]
    assert "资本开支指引" in groups[1] and "capex guidance" in groups[1]
    assert groups[2] == ["2025"]
    assert query_groups("") == []


def test_snippet_marks_the_match_in_its_own_case() -> None:
    texts = ["Cloud note", "Capex Guidance was raised again by Meta for 2025, well above consensus"]
    snippet = match_snippet(texts, query_groups("capex guidance meta"), width=40)
    assert snippet is not None
    marked = [snippet.text[a:b] for a, b in snippet.spans]
    assert "Capex Guidance" in marked and "Meta" in marked
    assert len(snippet.text) <= 42  # the window, with an ellipsis at either cut


def test_snippet_finds_the_other_language_and_none_when_nothing_matches() -> None:
    snippet = match_snippet(["海外云业务增速加快，资本开支指引再度上修"], query_groups("capex guidance"), width=30)
    assert snippet is not None and [snippet.text[a:b] for a, b in snippet.spans] == ["资本开支指引"]
    assert match_snippet(["nothing here"], query_groups("capex guidance"), width=30) is None
