"""The PDFium engine (``yanbao[fast]``) against pdfminer.six, the reference, on our own PDFs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import report_lines, write_pdf
from tests.store.test_pdf_layout import _cn_report
from yanbao.store import pdf_engines
from yanbao.store.errors import ReportError
from yanbao.store.parser import parse_file
from yanbao.store.pdf import extract_pdf
from yanbao.tui.cli import main

pytest.importorskip("pypdfium2")

SAMPLES = Path(__file__).resolve().parents[2] / "sample_reports"
# Where the engines part on the sample corpus, and why: PDFium leaves out a string of one
# character in reportlab's non-embedded CJK font (STSong-Light, UCS-2 codes) when its code
# begins 0x7E or 0xFF (续 7EED, ； FF1B): a title's last character wrapped onto a line of its
# own, a bullet's closing "；". Real broker PDFs embed their fonts (the fidelity benchmark).
KNOWN_DIFFERENCES = {
    "ls_2025q4_weekly.pdf": {"title": ("2026 年资本开支指引大幅跃升，AI 投入周期延续", "续")},
    "qh_2025q2_industry.pdf": {"title": ("云业务加速兑现 AI 红利，外卖竞争拖累本地生活", "活")},
    "ls_2025q2_weekly.pdf": {"key_points": None, "metrics": None},
}


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.pdf")))
def test_samples_parse_to_the_same_digest_with_both_engines(name: str) -> None:
    reference = parse_file(SAMPLES / name, engine="pdfminer").to_dict()
    fast = parse_file(SAMPLES / name, engine="pdfium").to_dict()
    differing = {k for k in reference if reference[k] != fast[k]}
    known = KNOWN_DIFFERENCES.get(name, {})
    assert differing == set(known)
    for field, expected in known.items():
        if expected is not None:  # the reference is right; PDFium lost the one-character string
            text, lost = expected
            assert reference[field] == text
            assert fast[field] == text[: -len(lost)]
    if name == "ls_2025q2_weekly.pdf":
        # only a closing "；" on its own wrapped line is missing, in a point and its sentences
        assert str(reference["key_points"]).replace("；", "") == str(fast["key_points"]).replace("；", "")


def test_text_drawn_inside_a_form_xobject_reads_alike(tmp_path: Path) -> None:
    path = _cn_report(tmp_path / "r.pdf", in_form=True)
    reference, fast = extract_pdf(path), extract_pdf(path, engine="pdfium")
    assert any("投资要点" in line for line in fast.main)
    # The one difference: ⚫ (U+26AB) has no CID in Adobe-GB1, so pdfminer maps its UCS-2 code
    # to nothing; PDFium reads the code as the character it is.
    assert "⚫ 我们提出一种结合均线与通道的择时方法，回测显示其年化收益较基准提升。" in fast.main
    assert [ln.replace("⚫ ", "") for ln in fast.main] == reference.main
    assert (fast.sidebar, fast.headers, fast.title) == (reference.sidebar, reference.headers, reference.title)


def test_bad_pdfs_fail_with_the_reference_reasons(tmp_path: Path) -> None:
    good = write_pdf(tmp_path / "good.pdf", [report_lines(1)])
    (tmp_path / "truncated.pdf").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    write_pdf(tmp_path / "locked.pdf", [report_lines(2)], user_password="pw")
    write_pdf(tmp_path / "scan.pdf", [report_lines(3)], image_only=True)
    for name, words in [("truncated.pdf", "damaged or truncated"), ("locked.pdf", "needs a password"),
                        ("scan.pdf", "no text layer")]:
        reasons = []
        for engine in ("pdfminer", "pdfium"):
            with pytest.raises(ReportError) as caught:
                extract_pdf(tmp_path / name, engine=engine)
            reasons.append(caught.value.reason)
        assert words in reasons[1]
        assert reasons[0] == reasons[1] or name == "truncated.pdf"  # pdfminer may read a cut file further
    # With its password PDFium reads the encrypted file's CJK text (pdfminer.six shows it as
    # "(cid:…)" codes here: an engine difference in PDFium's favour).
    opened = parse_file(tmp_path / "locked.pdf", password="pw", engine="pdfium")
    assert opened.title == "测试证券 行业周报 第2期云计算需求持续走强，维持行业增持评级（2）"


def test_auto_keeps_the_reference_until_the_benchmark_says_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    assert pdf_engines.resolve_engine("auto") == ("pdfium" if pdf_engines.PDFIUM_MATCHES_REFERENCE else "pdfminer")
    monkeypatch.setattr(pdf_engines, "PDFIUM_MATCHES_REFERENCE", True)
    assert pdf_engines.resolve_engine("auto") == "pdfium"
    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # not installed
    assert pdf_engines.resolve_engine("auto") == "pdfminer"
    with pytest.raises(pdf_engines.EngineUnavailable):
        pdf_engines.resolve_engine("pdfium")


def test_engine_option_errors_are_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    report = write_pdf(tmp_path / "r.pdf", [report_lines(1)])
    store = str(tmp_path / "store.json")
    with pytest.raises(SystemExit) as caught:
        main(["--store", store, "ingest", "--engine", "pdfbox", str(report)])
    assert caught.value.code == 2
    assert "--engine" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # not installed
    assert main(["--store", store, "ingest", "--engine", "pdfium", str(report)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["yanbao: the pdfium engine needs pypdfium2: pip install 'yanbao[fast]'"]
    assert not (tmp_path / "store.json").exists()  # nothing was touched


def test_ingest_with_each_engine_stores_the_same_digest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    report = _cn_report(tmp_path / "r.pdf", in_form=False)
    shown = []
    for engine in ("pdfminer", "pdfium"):
        store = str(tmp_path / f"{engine}.json")
        assert main(["--store", store, "ingest", "--jobs", "1", "--engine", engine, str(report)]) == 0
        capsys.readouterr()
        assert main(["--store", store, "list", "--json"]) == 0
        shown.append(json.loads(capsys.readouterr().out))
    assert shown[0] == shown[1] and len(shown[0]) == 1
