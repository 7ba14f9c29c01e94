"""Issue 18, no terminal control from data anywhere: a hostile store (escape sequences, C1
controls and bidi overrides in titles, tickers, names, figures, file names) goes through
every CLI command; nothing that could drive a terminal reaches stdout or stderr, and JSON
keeps the text exactly, escaped."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from yanbao.store.db import DigestStore
from yanbao.store.model import Analyst, Company, CompanyRating, Digest, KeyPoint, Metric, Source
from yanbao.store.text_safety import clean, json_text
from yanbao.tui.cli import main

# CSI colour and clear screen, OSC 8 hyperlink, OSC 52 clipboard write, OSC 0 window title,
# 8-bit CSI / OSC / DCS, a DCS string, bidi override, BEL, BS, DEL, a lone ESC.
EVIL = ("\x1b[31mred\x1b[0m\x1b[2J \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 \x1b]52;c;Zm9v\x07"
        " \x1b]0;pwned\x1b\\ \x9b2J \x9d0;t\x9c \x90q\x9c \x1bP+q\x1b\\ \u202egnp.exe \x07\x08\x7f \x1b")
# Anything here in the output could act on a terminal (tab and newline are fine).
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def hostile_digest(n: int, period: str, make_digest) -> Digest:
    evil = f"{EVIL} {n}"
    return make_digest(
        n,
        title=f"标题 {evil}",
        broker=f"券商{EVIL}",  # one broker: "--reports ID" finds its previous report
        period=period,
        date=f"2025-0{n + 3}-10",
        source=Source(path=f"reports/{evil}.pdf", kind="pdf", pages=1, sha256=make_digest(n).id),
        analysts=[Analyst(f"分析师{evil}", f"S{evil}")],
        key_points=[KeyPoint(f"要点 {evil}", [f"1）{evil}"])],
        recommendation=f"建议 {evil}",
        companies=[Company(f"Evil{EVIL}Co", f"EV\x1b[2J{n}", "recommended", [f"alias{EVIL}"], 2),
                   Company("腾讯控股", "0700.HK", "mentioned", ["腾讯"], 1)],
        metrics=[
            Metric(f"Evil{EVIL}Co", "revenue_growth_yoy", period, 30.0 + n, "%", f"EV\x1b[2J{n}", f"seg{EVIL}",
                   text=f"sentence {evil}"),
            Metric(f"Evil{EVIL}Co", f"capex{EVIL}", period, 1e9 * n, f"US\x9bD{EVIL}", text=evil),
            Metric(f"Evil{EVIL}Co", "capex", "2025", None, "USD", basis="guidance", low=6e10 + n, high=7e10,
                   text=f"guidance {evil}"),
        ],
        risks=[f"风险 {evil}"],
        company_ratings=[CompanyRating(f"Evil{EVIL}Co", f"买入{EVIL}", f"EV\x1b[2J{n}", "maintain", 100.0 + n,
                                       f"HK\x1b]0;x\x07D", text=evil)],
    )


@pytest.fixture
def hostile_store(tmp_path: Path, make_digest) -> tuple[Path, list[Digest]]:
    path = tmp_path / "s.json"
    store = DigestStore(path)
    digests = [hostile_digest(1, "2025Q1", make_digest), hostile_digest(2, "2025Q2", make_digest)]
    store.add_many(digests)
    store.watchlist_add(f"Evil{EVIL}Co")
    return path, digests


def commands(store: Path, digests: list[Digest], tmp_path: Path) -> list[list[str]]:
    a, b = (d.id[:12] for d in digests)
    evil_name = f"out{EVIL.replace('/', '')}.md"  # a file name, no folders
    return [
        ["list"], ["list", "--json"],
        ["show", a], ["show", a, "--json"], ["show", EVIL],
        ["watch", "list"], ["watch", "list", "--json"], ["watch", "add", EVIL], ["watch", "rm", EVIL],
        ["watch", "rm", EVIL],
        ["compare", "2025Q1", "2025Q2"], ["compare", "2025Q1", "2025Q2", "--json"],
        ["compare", "2025Q1", "2025Q2", "--lang", "zh"], ["compare", "2025Q1", EVIL],
        ["compare", "--reports", a, b], ["compare", "--reports", b], ["compare", "--reports", b, "--json"],
        ["compare", "--guidance"], ["compare", "--guidance", "--json"],
        ["compare", "--ratings"], ["compare", "--ratings", "--json"], ["compare", "--ratings", "--company", EVIL],
        ["export", a], ["export", a, "--lang", "en"], ["export", "--watchlist"],
        ["export", "--compare", "2025Q1", "2025Q2"],
        ["export", a, "-o", str(tmp_path / evil_name)], ["export", a, "-o", str(tmp_path / evil_name)],
        ["export", a, "-o", str(tmp_path / EVIL / "x.md")], ["export", EVIL],
        ["tag", a, EVIL], ["tag", a], ["note", a, EVIL], ["note", a], ["star", a], ["read", a], ["tag", EVIL, "x"],
        ["list"], ["list", "--tag", EVIL], ["list", "--starred", "--json"], ["export", a],
        ["doctor"],
        ["search", "风险"], ["search", "evil"], ["search", "sentence", "--json"], ["search", EVIL],
    ]


def test_a_hostile_store_through_every_command(hostile_store, tmp_path: Path, capsys) -> None:
    path, digests = hostile_store
    for argv in commands(path, digests, tmp_path):
        try:
            main(["--store", str(path), *argv])
        except SystemExit:  # a usage error is fine; its text is checked like any other
            pass
        out, err = capsys.readouterr()
        assert not UNSAFE.search(out), (argv, UNSAFE.findall(out)[:5])
        assert not UNSAFE.search(err), (argv, UNSAFE.findall(err)[:5], err)
        assert "internal error" not in err and "Traceback" not in err, (argv, err)
        if "--json" in argv:
            assert out, (argv, err)
            json.loads(out)  # escaped, not dropped: still valid JSON
    written = [p for p in tmp_path.iterdir() if p.name.startswith("out")]
    assert len(written) == 1 and not UNSAFE.search(written[0].read_text(encoding="utf-8"))


def test_json_keeps_the_text_exactly(hostile_store, capsys) -> None:
    path, digests = hostile_store
    assert main(["--store", str(path), "show", digests[0].id[:12], "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == digests[0].to_dict()
    assert "\\u009b" in out and "\\u202e" in out and "\\u001b" in out


def test_parse_and_ingest_of_hostile_files(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    named = folder / f"evil{EVIL.replace('/', '')}.txt"
    named.write_text(f"测试证券 晨会纪要\n标题{EVIL}\n投资要点\n1）云业务收入同比增长20%。{EVIL}\n", encoding="utf-8")
    (folder / f"empty{EVIL.replace('/', '')}.txt").write_bytes(b"")
    os.mkfifo(folder / f"pipe{EVIL.replace('/', '')}.pdf")
    for argv in (["parse", str(named)], ["parse", str(named), "--json"], ["--debug", "parse", str(folder / "nope")],
                 ["--store", str(tmp_path / "s.json"), "ingest", str(folder)],
                 ["--store", str(tmp_path / "s.json"), "--debug", "ingest", str(folder)]):
        main(argv)
        out, err = capsys.readouterr()
        assert not UNSAFE.search(out + err), (argv, out + err)
        assert "internal error" not in err


def test_one_sanitiser() -> None:
    """The app's, the CLI's and the export's cleaners are the same function."""
    from yanbao.store import export, textio
    from yanbao.tui.widgets import safe_text

    assert safe_text.clean is clean
    assert export.clean_text("a\x1b[1mb\x9b2Jc\n d") == clean("a\x1b[1mb\x9b2Jc\n d", one_line=True) == "abc d"
    assert textio.clean_control_chars("a\x1b]0;t\x07b\fc\td") == "ab\nc\td"
    assert clean("x\udcffy") == "x\ufffdy"  # a lone surrogate cannot reach a UTF-8 terminal


def test_json_text_escapes_every_control() -> None:
    text = json_text({"k": "".join(map(chr, range(0x00, 0xA0))) + "\u202e\u2028\ufeff\udcff"})
    assert not UNSAFE.search(text) and "\u2028" not in text
    assert json.loads(text)["k"].endswith("\u202e\u2028\ufeff\udcff")
