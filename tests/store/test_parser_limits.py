"""Issue 18: a pathological report gives a bounded digest that says it was cut (a 100,000-
bullet text gave a 105 MB digest that took `show` 5.5 s and 616 MB)."""

from __future__ import annotations

import json

from yanbao.store import digest_limits
from yanbao.store.digest_limits import MAX_KEY_POINTS, MAX_METRICS, MAX_TEXT_CHARS, cap_digest
from yanbao.store.model import Digest, KeyPoint, Metric
from yanbao.store.parser import parse_bytes


def bullets(n: int, *, english: bool = False) -> bytes:
    if english:
        lines = ["Example Securities Morning Note", "Key takeaways"]
        lines += [f"• Point {i}: Azure revenue grew {i % 90}% yoy, above consensus." for i in range(n)]
    else:
        lines = ["测试证券 晨会纪要", "投资要点"]
        lines += [f"⚫ 要点{i}：微软 Azure 收入同比增长 {i % 90}%，高于预期。" for i in range(n)]
    return "\n".join(lines).encode()


def test_a_hundred_thousand_bullets_give_a_bounded_digest() -> None:
    data = bullets(100_000)
    assert len(data) > 6_000_000
    digest = parse_bytes(data, "huge.txt")
    assert len(digest.key_points) == MAX_KEY_POINTS + 1 and len(digest.metrics) <= MAX_METRICS
    note = digest.key_points[-1]
    assert note.heading.startswith("（报告过长，摘要已截断：") and f"仅读取前 {MAX_TEXT_CHARS:,} 字" in note.heading
    assert note.points == []
    assert Digest.from_dict(digest.to_dict()) == digest  # still schema 1
    assert len(json.dumps(digest.to_dict(), ensure_ascii=False).encode()) < 2_000_000


def test_the_note_follows_the_report_language(monkeypatch) -> None:
    monkeypatch.setattr(digest_limits, "MAX_TEXT_CHARS", 10_000)  # the same cut, sooner
    digest = parse_bytes(bullets(40_000, english=True), "huge-en.txt")
    assert digest.language == "en"
    assert digest.key_points[-1].heading == "(Report too long, digest cut: only the first 10,000 characters were read)"


def test_counts_are_capped_with_what_was_left_out(make_digest, monkeypatch) -> None:
    monkeypatch.setattr(digest_limits, "MAX_RISKS", 3)
    big = make_digest(1, key_points=[KeyPoint(f"h{i}", ["p"] * 400) for i in range(MAX_KEY_POINTS + 5)],
                      metrics=[Metric("Microsoft", "revenue", "2025Q1", float(i), "USD") for i in range(MAX_METRICS + 7)],
                      risks=[f"r{i}" for i in range(5)])
    capped = cap_digest(big)
    assert [len(capped.key_points), len(capped.key_points[0].points)] == [MAX_KEY_POINTS + 1, 300]
    assert len(capped.metrics) == MAX_METRICS and capped.risks == ["r0", "r1", "r2"]
    assert capped.key_points[-1].heading == (
        f"（报告过长，摘要已截断：{MAX_KEY_POINTS + 5} 条要点只保留前 {MAX_KEY_POINTS}；每条要点最多保留 300 条分项；"
        f"{MAX_METRICS + 7:,} 个数据只保留前 {MAX_METRICS:,}；5 条风险只保留前 3）"
    )
    small = make_digest(2)
    assert cap_digest(small) is small  # within every bound: untouched
