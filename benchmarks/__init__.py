"""yanbao's benchmarks: each figure measured beside its baseline, as a ratio.

``python -m benchmarks [--quick] [--json out.json]`` (or ``make bench``) builds a synthetic
library (``benchmarks.corpus``), runs every benchmark, prints a table and writes JSON
(default ``benchmarks/out/latest.json``). Not part of ``make test``.
"""
