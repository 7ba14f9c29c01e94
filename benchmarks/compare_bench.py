"""Comparison at scale: ``compare_quarters`` over 10,000 figures vs 2,500, every statement
of a figure different (the worst case for grouping them; it was quadratic, issue 18)."""

from __future__ import annotations

from yanbao.store.compare import compare_quarters
from yanbao.store.model import Company, CompanyRating, Digest, Metric, Source

from benchmarks.report import Figure, median, slowdown, timed

__all__ = ["compare_figure", "figure_reports"]

PER_REPORT = 50


def figure_reports(figures: int) -> list[Digest]:
    """Reports whose ``figures`` statements land in a few cells with every value different:
    half actual growth rates, half guidance ranges, plus one target price per figure."""
    out = []
    for d in range(figures // PER_REPORT):
        base = d * PER_REPORT
        metrics = [Metric("Microsoft", "revenue_growth_yoy", "2025Q2", float(base + i), "%", "MSFT", "Azure")
                   for i in range(PER_REPORT // 2)]
        metrics += [Metric("Microsoft", "capex", "2025", None, "USD", basis="guidance",
                           low=1e9 * (base + i + 1), high=2e9 * (base + i + 1)) for i in range(PER_REPORT // 2)]
        ratings = [CompanyRating("Microsoft", "买入", "MSFT", "maintain", 100.0 + base + i, "USD")
                   for i in range(PER_REPORT)]
        digest_id = f"{d:064x}"
        out.append(Digest(id=digest_id, source=Source(f"r{d}.pdf", "pdf", 1, digest_id), title=f"Report {d}",
                          broker="Example Securities", date=f"2025-{1 + d % 12:02d}-{1 + d % 28:02d}",
                          period="2025Q1" if d % 2 else "2025Q2", language="en",
                          companies=[Company("Microsoft", "MSFT")], metrics=metrics, company_ratings=ratings))
    return out


def compare_figure(rounds: int = 5, small: int = 2_500, big: int = 10_000) -> Figure:
    """Median seconds of ``compare_quarters`` over ``big`` vs ``small`` figures, interleaved."""
    few, many = figure_reports(small), figure_reports(big)
    at_small, at_big = [], []
    for _ in range(rounds):
        at_small.append(timed(lambda: compare_quarters(few, "2025Q1", "2025Q2"))[0])
        at_big.append(timed(lambda: compare_quarters(many, "2025Q1", "2025Q2"))[0])
    return slowdown(f"compare two quarters, {big:,} vs {small:,} figures", median(at_big), median(at_small), "s",
                    6.0, note=f"median of {rounds} interleaved rounds; linear is 4x (was 16x: 47.6 s vs 2.9 s)")
