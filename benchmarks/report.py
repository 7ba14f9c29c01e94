"""Benchmark figures, their verdicts, the printed table, the JSON file and the machine."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = ["Figure", "format_table", "machine_info", "median", "read_json", "timed", "timed_run", "write_json"]


@dataclass
class Figure:
    """One benchmark figure measured beside its baseline.

    ``ratio`` is what the target judges: a slowdown (measured / baseline, lower is
    better) or a speed-up (baseline / measured, higher is better). Figures with an
    absolute target (``limit``) are judged on ``measured``; their ratio is context.
    """

    name: str
    measured: float
    baseline: float
    unit: str  # "s", "ms", "MB", "B"
    ratio: float
    target: str  # as printed: "<= 1.10x", ">= 1.7x", "< 16 ms"
    passed: bool | None  # None: reported for information, no target
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return "info" if self.passed is None else ("pass" if self.passed else "FAIL")


def slowdown(name: str, measured: float, baseline: float, unit: str, most: float, note: str = "", **details: Any) -> Figure:
    """A figure that passes while measured / baseline stays at or below ``most``."""
    ratio = measured / baseline if baseline else float("inf")
    return Figure(name, measured, baseline, unit, ratio, f"<= {most:g}x", ratio <= most, note, details)


def speedup(name: str, measured: float, baseline: float, unit: str, least: float, note: str = "", **details: Any) -> Figure:
    """A figure that passes while baseline / measured is at least ``least``."""
    ratio = baseline / measured if measured else float("inf")
    return Figure(name, measured, baseline, unit, ratio, f">= {least:g}x faster", ratio >= least, note, details)


def absolute(name: str, measured: float, baseline: float, unit: str, limit: float, strict: bool = False,
             note: str = "", **details: Any) -> Figure:
    """A figure with an absolute ceiling (``< limit`` when strict, else ``<= limit``)."""
    ratio = measured / baseline if baseline else float("inf")
    passed = measured < limit if strict else measured <= limit
    return Figure(name, measured, baseline, unit, ratio, f"{'<' if strict else '<='} {limit:g} {unit}", passed, note, details)


# -- timing -----------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    """The median (0 for no values)."""
    return statistics.median(values) if values else 0.0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken by ``fn()`` and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def timed_run(argv: Sequence[str], *, env: dict[str, str] | None = None, check: bool = True,
              timeout: float = 1800) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    """Wall seconds of a subprocess (output captured); raises when it fails and ``check``."""
    start = time.perf_counter()
    done = subprocess.run(list(argv), capture_output=True, env=env, timeout=timeout, check=False)
    took = time.perf_counter() - start
    if check and done.returncode != 0:
        tail = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(map(str, argv))} exited {done.returncode}: {' | '.join(tail)}")
    return took, done


# -- output -----------------------------------------------------------------------------------


def _number(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s" if value >= 0.1 else f"{value * 1000:.1f} ms"
    if unit == "ms":
        return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "B":
        return f"{value:,.0f} B"
    return f"{value:g} {unit}"


def _ratio(fig: Figure) -> str:
    return f"{fig.ratio:,.1f}x" if fig.ratio >= 10 else f"{fig.ratio:.2f}x"


def table_rows(figures: Sequence[Figure]) -> list[list[str]]:
    """Header and one row per figure: figure, measured, baseline, ratio, target, verdict."""
    rows = [["figure", "measured", "baseline", "ratio", "target", "verdict"]]
    for fig in figures:
        rows.append([fig.name, _number(fig.measured, fig.unit), _number(fig.baseline, fig.unit),
                     _ratio(fig), fig.target, fig.verdict])
    return rows


def format_table(figures: Sequence[Figure], *, markdown: bool = False) -> str:
    """The figures as an aligned text table (or a markdown table)."""
    rows = table_rows(figures)
    if markdown:
        lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    right = {1, 2, 3}
    out = []
    for n, row in enumerate(rows):
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def machine_info() -> dict[str, Any]:
    """Cores, CPU model, Python and the load when the run started (the machine is shared)."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 1
    try:
        load = os.getloadavg()
    except OSError:
        load = (0.0, 0.0, 0.0)
    return {
        "nproc": usable,
        "cpu": model,
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in load],
    }


def read_json(path: Path) -> tuple[list[Figure], dict[str, Any]]:
    """The figures and run settings of a JSON file written by ``write_json``."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    names = {f.name for f in fields(Figure)}
    figures = [Figure(**{k: v for k, v in f.items() if k in names}) for f in doc.pop("figures")]
    return figures, doc


def write_json(path: Path, figures: Sequence[Figure], meta: dict[str, Any]) -> None:
    """Every figure with its details, plus the run's settings and machine."""
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {**meta, "figures": [{**asdict(f), "verdict": f.verdict} for f in figures]}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
