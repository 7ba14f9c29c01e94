"""Shared fixtures: hand-built digests and small real report files made at test time."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from yanbao.store.model import Company, Digest, KeyPoint, Metric, Rating, Source


def build_digest(n: int, **fields) -> Digest:
    """A valid digest whose id is derived from ``n``; ``fields`` override any attribute."""
    digest_id = hashlib.sha256(f"digest-{n}".encode()).hexdigest()
    digest = Digest(
        id=digest_id,
        source=Source(path=f"reports/r{n}.pdf", kind="pdf", pages=4, sha256=digest_id),
        title=f"云业务增长提速 第{n}号 Cloud outlook",
        broker="华安证券",
        date=f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
        period=f"2025Q{1 + n % 4}",
        language="zh",
        rating=Rating(sector="增持", scale=["买入", "增持", "中性"]),
        key_points=[KeyPoint("海外云厂商资本开支上调", [f"1）Azure 收入同比增长 {30 + n % 10}%", "2）AWS 增速回升"])],
        recommendation="建议关注腾讯控股、阿里巴巴",
        companies=[
            Company("腾讯控股", "0700.HK", "recommended", ["腾讯控股", "腾讯"], 3),
            Company("Microsoft", "MSFT", "mentioned", ["微软"], 2),
        ],
        metrics=[Metric("Microsoft", "revenue_growth_yoy", "2025Q1", 33.0, "%", "MSFT", "Azure",
                        text="Azure 收入同比增长 33%")],
        risks=["行业竞争加剧", "AI进展不及预期"],
    )
    for key, value in fields.items():
        setattr(digest, key, value)
    return digest


@pytest.fixture
def make_digest() -> Callable[..., Digest]:
    """``make_digest(n, **fields)`` -> a valid Digest (see ``build_digest``)."""
    return build_digest


def write_pdf(path: Path, pages: Sequence[Sequence[str]], *, user_password: str | None = None,
              image_only: bool = False) -> Path:
    """A real PDF made with reportlab: each page draws its lines in a CJK font.

    ``image_only`` draws shapes instead of text (a "scan" without a text layer).
    ``user_password`` encrypts the file. Output is byte-for-byte reproducible.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    encrypt = None
    if user_password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        encrypt = StandardEncryption(user_password, ownerPassword="owner-" + user_password)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, encrypt=encrypt)
    for lines in pages:
        if image_only:
            for i, _ in enumerate(lines):
                c.rect(72, 760 - 24 * i, 300, 12, fill=1)
        else:
            c.setFont("STSong-Light", 11)
            for i, line in enumerate(lines):
                c.drawString(72, 780 - 18 * i, line)
        c.showPage()
    c.save()
    return path


def report_lines(n: int) -> list[str]:
    """Text of a small, distinct broker-style report (our own words)."""
    return [
        f"测试证券 行业周报 第{n}期",
        f"云计算需求持续走强，维持行业增持评级（{n}）",
        "2025年5月6日",
        "投资要点",
        f"1）微软Azure收入同比增长{30 + n}%，高于市场预期。",
        "2）亚马逊AWS收入同比增长17%，增速环比回升。",
        "投资建议",
        "建议关注腾讯控股、阿里巴巴。",
        "风险提示",
        "行业竞争加剧；AI进展不及预期。",
    ]


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """``make_pdf(name, n=0, **write_pdf_options)`` -> a distinct small report PDF."""

    def make(name: str, n: int = 0, *, pages: int = 1, **options) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return write_pdf(path, [report_lines(n)] * pages, **options)

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slow durability tests (kill -9 rounds, the bad-input corpus, fuzzing, the wheel) go
    first, so pytest-xdist hands them to different workers at the start instead of leaving
    them to run one after another at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
