"""Issue 18, no quadratic paths: comparing 10,000 figures costs about four times what 2,500
do, measured side by side in one run (a busy machine slows both). Absolute timings belong
in benchmarks/. Before the fix: figures 2.5k 2.9 s, 10k 47.6 s (16x); ratings 0.9 s, 10.2 s."""

from __future__ import annotations

import time
from collections.abc import Callable

from benchmarks.compare_bench import figure_reports
from tests.conftest import build_digest
from yanbao.store.compare import compare_quarters, figure_matrix, guidance_history, rating_history
from yanbao.store.model import Digest, Metric

def ratio(work: Callable[[list[Digest]], object], small: list[Digest], big: list[Digest],
          rounds: int = 5) -> float:
    """CPU seconds on ``big`` over those on ``small``: the quickest of interleaved rounds,
    so a moment of load elsewhere moves neither."""
    best = {id(small): float("inf"), id(big): float("inf")}
    for _ in range(rounds):
        for digests in (small, big):
            started = time.process_time()
            work(digests)
            best[id(digests)] = min(best[id(digests)], time.process_time() - started)
    return best[id(big)] / max(best[id(small)], 1e-3)


def test_comparisons_grow_linearly_with_the_figures() -> None:
    small, big = figure_reports(2_500), figure_reports(10_000)
    for name, run in (
        ("compare_quarters", lambda ds: compare_quarters(ds, "2025Q1", "2025Q2")),
        ("figure_matrix", lambda ds: figure_matrix(ds).conflicts),
        ("guidance_history", guidance_history),
        ("rating_history", rating_history),
    ):
        grew = ratio(run, small, big)
        # 4x more figures: linear work is ~4x (measured 4.2-4.5x), quadratic 16x.
        assert grew < 10, f"{name}: 10k figures cost {grew:.1f}x what 2.5k do"


def test_statements_equal_to_float_noise_are_one_figure() -> None:
    a, b = (build_digest(n, period="2025Q1", metrics=[Metric("Microsoft", "revenue", "2025Q1", value, "USD")])
            for n, value in ((1, 0.1 + 0.2), (2, 0.3)))
    cell = figure_matrix([a, b]).cell("Microsoft", None, "revenue", "2025Q1")
    assert cell is not None and not cell.conflict and len(cell.distinct) == 1
