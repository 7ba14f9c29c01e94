"""The bundled sample corpus and its hand-written expected digests are sound.

These tests check the corpus itself (not the parser): every expected digest loads as schema 1
and describes its built file exactly, the corpus spans what the product needs (brokers,
languages, quarters), the PDFs carry their Chinese text extractably, and rebuilding is
byte-for-byte reproducible.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer

from yanbao.store.model import Digest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_reports"
EXPECTED = ROOT / "tests" / "fixtures" / "expected"
EXPECTED_FILES = sorted(EXPECTED.glob("*.json"))
QUARTERS = {"2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4"}
MAIN_COLUMN_RIGHT = 40 + (595.2756 - 80) * 0.65  # build.py: MARGIN + MAIN_W


def load(path: Path) -> Digest:
    return Digest.from_dict(json.loads(path.read_text(encoding="utf-8")))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def main_column_text(pdf: Path) -> str:
    """Text of the left (main) column of every page, in layout order."""
    parts = []
    for page in extract_pages(str(pdf)):
        for element in page:
            if isinstance(element, LTTextContainer) and element.x0 < MAIN_COLUMN_RIGHT - 20:
                parts.append(element.get_text())
    return "".join(parts)


@pytest.fixture(scope="module")
def digests() -> dict[str, Digest]:
    return {path.stem: load(path) for path in EXPECTED_FILES}


def test_every_expected_digest_loads_and_round_trips() -> None:
    assert EXPECTED_FILES, "no expected digests found"
    for path in EXPECTED_FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        digest = Digest.from_dict(data)
        assert digest.to_dict() == data, f"{path.name} is not in schema 1's full shape"


def test_every_sample_has_an_expected_digest_and_back(digests: dict[str, Digest]) -> None:
    samples = {p.name for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".txt")}
    described = {Path(d.source.path).name for d in digests.values()}
    assert samples == described
    for name, digest in digests.items():
        assert Path(digest.source.path).stem == name
        assert digest.source.path == f"sample_reports/{Path(digest.source.path).name}"


def test_expected_digests_match_the_built_files(digests: dict[str, Digest]) -> None:
    for digest in digests.values():
        path = ROOT / digest.source.path
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        assert digest.id == sha == digest.source.sha256, digest.source.path
        if path.suffix == ".pdf":
            assert digest.source.kind == "pdf"
            assert digest.source.pages == sum(1 for _ in extract_pages(str(path)))
            assert digest.source.pages >= 2  # content pages + the closing disclaimer page
        else:
            assert (digest.source.kind, digest.source.pages) == ("text", 1)


def test_corpus_breadth(digests: dict[str, Digest]) -> None:
    values = list(digests.values())
    assert len(values) >= 10
    assert len({d.broker for d in values}) >= 3
    assert {d.language for d in values} == {"zh", "en"}
    assert QUARTERS <= {d.period for d in values}
    company_reports = [d for d in values if d.company_ratings]
    assert len(company_reports) >= 2
    assert {d.source.kind for d in values} == {"pdf", "text"}


@pytest.mark.parametrize(
    ("company", "steps"),
    [
        ("Tencent", [(650.0, 600.0), (720.0, 650.0)]),
        ("Microsoft", [(550.0, 500.0), (600.0, 550.0)]),
    ],
)
def test_rating_history_spans_two_quarters(
    digests: dict[str, Digest], company: str, steps: list
) -> None:
    history = sorted(
        (d.date, d.period, r.target_price, r.previous_target_price)
        for d in digests.values()
        for r in d.company_ratings
        if r.company == company
    )
    assert [(p, prev) for _, _, p, prev in history] == steps
    assert len({period for _, period, _, _ in history}) == 2


def test_meta_capex_guidance_revisions_are_in_the_corpus(digests: dict[str, Digest]) -> None:
    steps = {
        (m.low, m.high, m.previous.low if m.previous else None)
        for d in digests.values()
        for m in d.metrics
        if m.company == "Meta" and m.metric == "capex_guidance" and m.period == "2025"
    }
    bn = 1e9
    assert {
        (60 * bn, 65 * bn, None),
        (64 * bn, 72 * bn, 60 * bn),
        (66 * bn, 72 * bn, 64 * bn),
        (70 * bn, 72 * bn, 66 * bn),
    } <= steps


def test_the_deliberate_conflict_is_there(digests: dict[str, Digest]) -> None:
    """AWS 2025Q2 growth: 17.5 % in two reports, 18 % in qh_2025q2_industry (see README)."""
    by_report = {
        name: m.value
        for name, d in digests.items()
        for m in d.metrics
        if (m.segment, m.metric, m.period) == ("AWS", "revenue_growth_yoy", "2025Q2")
    }
    assert by_report["qh_2025q2_industry"] == 18.0
    assert Counter(by_report.values())[17.5] >= 2
    # no other reported figure disagrees across reports (guidance moves by design)
    cells: dict[tuple, set] = {}
    for d in digests.values():
        for m in d.metrics:
            if m.basis != "actual":
                continue
            key = (m.company, m.segment, m.metric, m.period, m.basis)
            cells.setdefault(key, set()).add((m.value, m.low, m.high))
    conflicts = [k for k, v in cells.items() if len(v) > 1]
    assert conflicts == [("Amazon", "AWS", "revenue_growth_yoy", "2025Q2", "actual")]


@pytest.mark.parametrize("path", EXPECTED_FILES, ids=lambda p: p.stem)
def test_sample_text_carries_every_expected_sentence(path: Path) -> None:
    """The built file (PDF main column, or decoded text) contains each stated sentence."""
    digest = load(path)
    sample = ROOT / digest.source.path
    if sample.suffix == ".pdf":
        text = main_column_text(sample)
        assert "(cid:" not in text
    else:
        raw = sample.read_bytes()
        if sample.name.endswith("_gb.txt"):
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            text = raw.decode("gb18030")
        else:
            text = raw.decode("utf-8")
    flat = squash(text)
    assert squash(digest.title) in flat
    for m in digest.metrics:
        assert squash(m.text) in flat, m.text
    for kp in digest.key_points:
        for point in kp.points:
            assert squash(point) in flat, point
    for r in digest.company_ratings:
        assert squash(r.text) in flat
    for risk in digest.risks:
        assert squash(risk) in flat


def test_sources_never_look_like_reports() -> None:
    assert not [p for p in (SAMPLES / "sources").rglob("*") if p.suffix.lower() in (".pdf", ".txt")]


@pytest.mark.skipif(
    not Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists(),
    reason="the committed PDFs draw their bullet glyph in DejaVu Sans, which this machine lacks",
)
def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    """Building a sample again gives exactly the committed bytes."""
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from tools import build_samples as b;"
        "src = b.read_source(b.SOURCES_DIR / 'ls_2025q1_weekly.yb'); b.build(src, Path(sys.argv[2]));"
        "src = b.read_source(b.SOURCES_DIR / 'qh_2025q3_industry_gb.yb');"
        "Path(sys.argv[3]).write_bytes(b.render_text(src).encode('gb18030'))"
    )
    pdf, txt = tmp_path / "a.pdf", tmp_path / "b.txt"
    subprocess.run([sys.executable, "-c", code, str(ROOT), str(pdf), str(txt)], check=True)
    assert pdf.read_bytes() == (SAMPLES / "ls_2025q1_weekly.pdf").read_bytes()
    assert txt.read_bytes() == (SAMPLES / "qh_2025q3_industry_gb.txt").read_bytes()
