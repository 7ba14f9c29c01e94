"""How well the parser reads real reports flattened to one line, against labelled figures.

The dev corpus (issue 12) holds real Chinese industry reports whose whole text is one line
(``source_content``) and whose figures are labelled by hand (``data``: each item's
``indicators`` carry a name such as 归母净利润 and a value such as ``920.42亿元``). The
documents belong to their brokers: they are read from a folder outside the repository.

``python -m benchmarks.fidelity_figures DIR`` parses each ``DIR/*.json`` the way a user's
file would be (its text written to a temporary ``.txt`` and read by ``parse_file``) and
prints one line per problem and a totals line: reports parsed, risks read whole, labelled
money and percent figures found among the digest's metrics.

``score_figures(digest, labelled)`` is the figure score alone; ``benchmarks.fidelity``
calls it for the same corpus.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from yanbao.store.errors import ReportError
from yanbao.store.model import Digest
from yanbao.store.parser import parse_file
from yanbao.store.quantities import find_quantities

__all__ = ["LabelledFigure", "labelled_figures", "score_figures", "risks_problem", "main"]


@dataclass(frozen=True)
class LabelledFigure:
    """A labelled money or percent figure in base units (920.42亿元 is 92042000000 CNY)."""

    name: str
    text: str
    unit: str  # "%" or a currency code
    value: float | None
    low: float | None = None
    high: float | None = None


# Words a label may carry beside its number: a direction (下降27.3%), an approximation or a
# bound (约30%, 50%以上). The number itself is what must match.
_LABEL_WORDS = re.compile(r"^(?:同比|环比)?(?:增长|增加|上升|上涨|提升|提高|下降|下滑|减少|下跌|降低|回落|约|近|超过?|达到?|为)*|(?:以上|以下|左右|之间|附近|多)$")


def labelled_figures(labelled: list[dict]) -> list[LabelledFigure]:
    """The money and percent figures among a corpus file's labelled indicators (its ``data``)."""
    out: list[LabelledFigure] = []
    for item in labelled:
        for indicator in item.get("indicators", ()):
            raw = indicator.get("indicator_value") or [""]
            text = str(raw[0]).strip()
            core = _LABEL_WORDS.sub("", text).strip()
            found = [q for q in find_quantities(core) if q.kind in ("money", "percent")]
            # The label is one figure and nothing else (not 2.52亿部, not 仍将上涨).
            if len(found) != 1 or found[0].end - found[0].start < len(core.rstrip("。，,")) - 1:
                continue
            q = found[0]
            out.append(LabelledFigure(str(indicator.get("indicator_name", "")), text, q.unit, q.value, q.low, q.high))
    return out


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    # The sign may be told in words on either side (下降27.3% / -27.3): the number must match.
    return abs(abs(a) - abs(b)) <= max(1e-6, abs(b) * 1e-9)


def score_figures(digest: Digest, labelled: list[dict] | list[LabelledFigure]) -> tuple[int, int]:
    """(found, total): labelled money and percent figures that the digest has among its
    metrics with the same value in base units and the same unit (a range by both ends).

    ``labelled`` is a corpus file's ``data`` list, or figures from ``labelled_figures``.
    """
    figures = labelled if labelled and isinstance(labelled[0], LabelledFigure) else labelled_figures(labelled)  # type: ignore[arg-type]
    by_unit: dict[str, list] = {}
    for m in digest.metrics:
        by_unit.setdefault(m.unit, []).append(m)
    found = 0
    for fig in figures:
        candidates = by_unit.get(fig.unit, ())
        if fig.value is not None:
            hit = any(_same(m.value, fig.value) for m in candidates)
        else:
            hit = any(_same(m.low, fig.low) and _same(m.high, fig.high) for m in candidates)
        found += hit
    return found, len(figures)


_RISK_HEADING = re.compile(r"(?:风险提示|风险因素|主要风险|风险分析)】?[：:]?(?!\s*[.…·]{3})")
_JUNK = re.compile(
    r"Table_|＃|请务必|免责|声明|分析师|证书|执业|评级|资料来源|研究报告|研究所|www\.|@|\d{5,}|"
    r"(?:-?\d+%){3,}|[.…]{4,}"
)


def risks_problem(digest: Digest, text: str) -> str | None:
    """Why the digest's risks are not the report's risk statement read whole, or None.

    Whole: the report states risks and the digest has them; no item carries what follows a
    statement in a flattened report (analyst lines, template tags, chart axes, disclaimers)
    or runs on past a sentence; the last item is where the statement ends, not cut short."""
    flat = re.sub(r"\s+", "", text)
    if not _RISK_HEADING.search(flat):
        return None
    if not digest.risks:
        return "no risks read"
    for item in digest.risks:
        if len(item) > 80:
            return f"risk item runs on ({len(item)} chars): {item[:40]}…"
        if _JUNK.search(item):
            return f"risk item carries boilerplate: {item[:60]}"
    last = re.sub(r"\s+", "", digest.risks[-1])
    at = flat.find(last)
    if at < 0:
        return None  # rejoined or renumbered: nothing to check against
    after = flat[at + len(last) : at + len(last) + 12]
    if re.match(r"[，,、][^。；;]{2,30}[。；;]", after) and not _JUNK.match(after[1:]):
        return f"risks cut short after {last[:30]!r}: …{after}"
    return None


def _parse_flattened(text: str) -> Digest:
    """The text as a user's file: written to a .txt and read by ``parse_file``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.txt"
        path.write_text(text, encoding="utf-8")
        return parse_file(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fidelity_figures", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder of corpus .json files (source_content + data)")
    args = parser.parse_args(argv)
    files = sorted(args.folder.glob("*.json"))
    if not files:
        print(f"{args.folder}: no .json files", file=sys.stderr)
        return 2
    parsed = risks_whole = with_risks = found = total = 0
    for path in files:
        name = path.name
        try:
            corpus = json.loads(path.read_text(encoding="utf-8"))
            text, labelled = corpus["source_content"], corpus.get("data", [])
        except (OSError, ValueError, KeyError) as exc:
            print(f"{name}: not a corpus file ({exc})")
            continue
        try:
            digest = _parse_flattened(text)
        except ReportError as exc:
            print(f"{name}: not parsed ({exc.reason})")
            continue
        except Exception as exc:  # a crash is what this benchmark exists to find
            print(f"{name}: parser raised {type(exc).__name__}: {exc}")
            continue
        parsed += 1
        if _RISK_HEADING.search(re.sub(r"\s+", "", text)):
            with_risks += 1
            problem = risks_problem(digest, text)
            if problem:
                print(f"{name}: {problem}")
            else:
                risks_whole += 1
        f, t = score_figures(digest, labelled)
        found += f
        total += t
        if t and f / t < 0.3:
            print(f"{name}: figures found {f}/{t}")
    n = len(files)
    print(
        f"TOTAL parsed {parsed}/{n} ({100 * parsed / n:.0f}%), risks whole {risks_whole}/{with_risks}"
        f" ({100 * risks_whole / max(1, with_risks):.0f}%), figures found {found}/{total}"
        f" ({100 * found / max(1, total):.1f}%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
