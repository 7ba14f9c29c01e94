"""``yanbao search``: matches across languages, each with the words it matched in context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yanbao.store.db import DigestStore
from yanbao.store.model import KeyPoint
from yanbao.tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store_path(tmp_path: Path, make_digest) -> str:
    path = tmp_path / "store.json"
    DigestStore(path).add_many([
        make_digest(1, title="海外云周报", key_points=[KeyPoint("云", ["Meta 上调资本开支指引至 700 亿美元"])],
                    risks=[], metrics=[]),
        make_digest(2, title="Cloud \x1b]0;pwned\x07note", key_points=[KeyPoint("Capex", ["Capex guidance raised again"])],
                    risks=[], metrics=[]),
        make_digest(3, title="港股策略", key_points=[KeyPoint("策略", ["估值修复"])], risks=[], metrics=[]),
    ])
    return str(path)


def test_search_finds_both_languages_with_the_match(store_path: str, capsys) -> None:
    code, out, err = run(capsys, "--store", store_path, "search", "capex", "guidance")
    assert code == 0, err
    assert "海外云周报" in out and "Meta 上调资本开支指引至 700 亿美元" in out
    assert "Capex guidance raised again" in out
    assert "港股策略" not in out
    assert "\x1b" not in out and "\x07" not in out  # a hostile title prints clean (not a tty: no marks)


def test_search_json_gives_the_spans(store_path: str, capsys) -> None:
    code, out, _ = run(capsys, "--store", store_path, "search", "资本开支指引", "--json")
    assert code == 0
    rows = json.loads(out)
    marked = sorted(row["match"][a:b] for row in rows for a, b in row["spans"])
    assert marked == ["Capex guidance", "资本开支指引"]


def test_search_with_no_match_says_so(store_path: str, capsys) -> None:
    code, out, err = run(capsys, "--store", store_path, "search", "zzzqqq")
    assert code == 1 and out == ""
    assert err.strip() == "no report matches “zzzqqq”"
