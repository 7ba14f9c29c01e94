"""Bounds on one digest, so a pathological file (100,000 bullets, a 12 MB text) still gives
a digest of bounded size in bounded time instead of one that takes minutes to compare and
seconds to show.

The parser reads at most :data:`MAX_TEXT_CHARS` of a report's text, and a digest keeps at
most :data:`MAX_KEY_POINTS` key points (each with up to :data:`MAX_POINTS` sub-points),
:data:`MAX_METRICS` figures and :data:`MAX_RISKS` risks. A digest that was cut says so in
schema 1's own terms: one last key point whose heading names what was left out (schema 1
has no field for notes). Real reports stay far below every bound.
"""

from __future__ import annotations

from dataclasses import replace

from yanbao.store.model import Digest, KeyPoint

__all__ = [
    "MAX_KEY_POINTS",
    "MAX_METRICS",
    "MAX_POINTS",
    "MAX_RISKS",
    "MAX_TEXT_CHARS",
    "cap_digest",
    "cap_lines",
]

MAX_TEXT_CHARS = 500_000  # a 300-page report of dense Chinese text has about 250,000
MAX_KEY_POINTS = 300
MAX_POINTS = 300  # sub-points under one key point
MAX_METRICS = 3_000
MAX_RISKS = 100


def cap_lines(lines: list[str]) -> tuple[list[str], bool]:
    """The lines that fit in :data:`MAX_TEXT_CHARS` (the last one cut short), and whether
    anything was left out."""
    kept: list[str] = []
    room = MAX_TEXT_CHARS
    for line in lines:
        if len(line) >= room:
            kept.append(line[:room])
            return kept, True
        kept.append(line)
        room -= len(line) + 1
    return kept, False


def cap_digest(digest: Digest, *, text_cut: bool = False) -> Digest:
    """``digest`` within the bounds; when anything was left out (``text_cut``: the text
    itself was), a last key point says what, in the digest's language."""
    zh = digest.language != "en"
    cuts: list[str] = []
    if text_cut:
        cuts.append(f"仅读取前 {MAX_TEXT_CHARS:,} 字" if zh else f"only the first {MAX_TEXT_CHARS:,} characters were read")
    key_points = digest.key_points
    if len(key_points) > MAX_KEY_POINTS:
        cuts.append(f"{len(key_points):,} 条要点只保留前 {MAX_KEY_POINTS}" if zh
                    else f"{MAX_KEY_POINTS} of {len(key_points):,} key points kept")
        key_points = key_points[:MAX_KEY_POINTS]
    if any(len(kp.points) > MAX_POINTS for kp in key_points):
        cuts.append(f"每条要点最多保留 {MAX_POINTS} 条分项" if zh else f"at most {MAX_POINTS} sub-points per key point kept")
        key_points = [KeyPoint(kp.heading, kp.points[:MAX_POINTS]) for kp in key_points]
    metrics = digest.metrics
    if len(metrics) > MAX_METRICS:
        cuts.append(f"{len(metrics):,} 个数据只保留前 {MAX_METRICS:,}" if zh
                    else f"{MAX_METRICS:,} of {len(metrics):,} figures kept")
        metrics = metrics[:MAX_METRICS]
    risks = digest.risks
    if len(risks) > MAX_RISKS:
        cuts.append(f"{len(risks):,} 条风险只保留前 {MAX_RISKS}" if zh
                    else f"{MAX_RISKS} of {len(risks):,} risks kept")
        risks = risks[:MAX_RISKS]
    if not cuts:
        return digest
    note = ("（报告过长，摘要已截断：" + "；".join(cuts) + "）") if zh else \
        ("(Report too long, digest cut: " + "; ".join(cuts) + ")")
    return replace(digest, key_points=[*key_points, KeyPoint(note, [])], metrics=metrics, risks=risks)
