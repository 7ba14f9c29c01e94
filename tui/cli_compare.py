"""``yanbao compare``: two quarters, two reports, or guidance revisions, as Rich tables or JSON.

Report text reaches the terminal only as ``rich.text.Text`` (never markup). No textual here.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from yanbao.store.compare import (
    FigureCell,
    GuidanceHistory,
    QuarterComparison,
    RatingHistory,
    compare_quarters,
    compare_reports,
    guidance_history,
    previous_report,
    rating_history,
)
from yanbao.store.model import PERIOD_RE
from yanbao.store.text_safety import clean_line, json_text
from yanbao.store.units import (
    action_label,
    basis_label,
    format_change,
    format_value,
    metric_label,
    vs_consensus_label,
)
from yanbao.tui.cli_common import LANG_CHOICES, labels_lang, resolve_report

if TYPE_CHECKING:
    from yanbao.store.db import DigestStore

__all__ = ["add_parser", "run_compare"]

_MOVE_STYLES = {
    "raise": "green",
    "cut": "red",
    "narrow": "cyan",
    "widen": "yellow",
    "reiterate": "dim",
}


def add_parser(subparsers: Any, parents: tuple[argparse.ArgumentParser, ...] = ()) -> None:
    """Register ``compare`` and point it at :func:`run_compare`."""
    parser = subparsers.add_parser(
        "compare",
        parents=list(parents),
        help="compare two quarters or two reports; guidance and rating histories",
        description="Compare figures, risks and picks between two quarters (yanbao compare 2025Q1 2025Q2), "
        "two reports (--reports ID1 ID2, or one ID against its broker's previous report), or list guidance revisions (--guidance) and ratings (--ratings).",
    )
    parser.add_argument(
        "quarters", nargs="*", metavar="QUARTER", help="two periods such as 2025Q1 2025Q2"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--guidance", action="store_true", help="guidance revision histories")
    mode.add_argument("--ratings", action="store_true", help="ratings and target prices over time")
    mode.add_argument(
        "--reports",
        nargs="+",
        metavar="ID",
        help="compare two reports directly; with one ID, against the same broker's previous report",
    )
    parser.add_argument("--company", help="only this company (name, alias or ticker)")
    parser.add_argument("--metric", help="only this metric key, e.g. revenue_growth_yoy")
    parser.add_argument("--lang", choices=LANG_CHOICES, default=argparse.SUPPRESS,
                        help="labels (default: --lang or settings, else en)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.set_defaults(func=run_compare)


def _fail(message: str) -> int:
    print(f"yanbao compare: {clean_line(message)}", file=sys.stderr)
    return 1


def run_compare(args: argparse.Namespace, store: DigestStore) -> int:
    """Entry point of ``yanbao compare``; returns the exit status."""
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 200  # piped or captured: do not fold tables at 80 columns
    lang = labels_lang(args, fallback="en")  # with no setting, as before: English tables
    if args.guidance or args.ratings:
        if args.quarters:
            return _fail("--guidance and --ratings take no quarters")
        digests = store.all()
        if args.guidance:
            histories: list[Any] = guidance_history(digests, company=args.company)
            if args.metric:
                histories = [
                    h for h in histories if args.metric in (h.metric, f"{h.metric}_guidance")
                ]
        else:
            histories = rating_history(digests, company=args.company)
        if args.json:
            _print_json([h.to_dict() for h in histories])
            return 0
        if not histories:
            what = "guidance" if args.guidance else "company ratings"
            return _fail(f"no {what} found" + (f" for {args.company}" if args.company else ""))
        for history in histories:
            console.print(
                _guidance_table(history, lang) if args.guidance else _rating_table(history, lang)
            )
        return 0
    if args.reports:
        if len(args.reports) > 2:
            return _fail("--reports takes one or two report ids")
        try:
            found = [resolve_report(store, ident) for ident in args.reports]
        except LookupError as error:
            return _fail(str(error))
        if len(found) == 1:
            earlier = previous_report(store.all(), found[0])
            if earlier is None:
                broker = found[0].broker or "this broker"
                return _fail(f"no earlier report from {broker} to compare with")
            found.insert(0, earlier)
        a, b = found
        comparison = compare_reports(a, b, company=args.company, metric=args.metric)
    else:
        args.quarters = [q.strip().upper() for q in args.quarters]  # 2025q1 reads as 2025Q1
        if len(args.quarters) != 2:
            return _fail(
                "give two quarters (e.g. 2025Q1 2025Q2), or --reports ID1 ID2, or --guidance"
            )
        bad = [q for q in args.quarters if not PERIOD_RE.fullmatch(q)]
        if bad:
            return _fail(f"{bad[0]!r} is not a period like 2025Q1 or 2025")
        comparison = compare_quarters(
            store.all(), *args.quarters, company=args.company, metric=args.metric
        )
        if not comparison.rows and not comparison.left_ids and not comparison.right_ids:
            return _fail(f"nothing stored for {args.quarters[0]} or {args.quarters[1]}")
    if args.json:
        _print_json(comparison.to_dict())
        return 0
    _print_comparison(console, comparison, lang)
    return 0


def _print_json(data: Any) -> None:
    print(json_text(data))


def _text(value: object, style: str = "") -> Text:
    """A table cell or line from data (report text, tickers, units): cleaned, never markup."""
    return Text(clean_line(value), style=style)


def _cell_text(cell: FigureCell | None, metric: str, lang: str) -> Text:
    if cell is None:
        return Text("—", style="dim")
    if cell.conflict:
        values = [
            format_value(o.value, o.unit, low=o.low, high=o.high, lang=lang, metric=metric)
            for o in cell.distinct
        ]
        return _text(" / ".join(values), style="yellow")
    return _text(
        format_value(cell.value, cell.unit, low=cell.low, high=cell.high, lang=lang, metric=metric)
    )


def _change_text(change: float | None, unit: str | None, lang: str) -> Text:
    style = "green" if change and change > 0 else "red" if change and change < 0 else ""
    return _text(format_change(change, unit, lang), style=style)


def _print_comparison(console: Console, comparison: QuarterComparison, lang: str) -> None:
    table = Table(
        title=_text(f"{comparison.left_label} → {comparison.right_label}")
    )
    for header in ("Company", "Segment", "Metric", "Basis"):
        table.add_column(header)
    table.add_column(_text(comparison.left_label), justify="right")
    table.add_column(_text(comparison.right_label), justify="right")
    table.add_column("Change", justify="right")
    table.add_column("vs consensus")
    for row in comparison.rows:
        metric = metric_label(row.metric, lang) + (
            f" ({row.target_period})" if row.target_period else ""
        )
        vs = [vs_consensus_label(v, lang) for v in (row.left_vs_consensus, row.right_vs_consensus)]
        change = _change_text(row.change, row.change_unit, lang)
        if row.conflict:
            change.append(" ⚠ conflict", style="yellow")
        table.add_row(
            _text(clean_line(row.company) or "—"),
            _text(row.segment),
            _text(metric),
            _text(basis_label(row.basis, lang)),
            _cell_text(row.left, row.metric, lang),
            _cell_text(row.right, row.metric, lang),
            change,
            _text(" → ".join(v or "—" for v in vs) if any(vs) else ""),
        )
    console.print(table)
    for title, items, style in (
        ("New risks", comparison.risks.new, "red"),
        ("Recurring risks", comparison.risks.recurring, ""),
        ("Dropped risks", comparison.risks.dropped, "green"),
    ):
        _print_list(console, title, list(items), style)
    for title, picks, style in (
        ("Picks added", comparison.picks.added, "green"),
        ("Picks kept", comparison.picks.kept, ""),
        ("Picks dropped", comparison.picks.dropped, "red"),
    ):
        _print_list(
            console,
            title,
            [p.name + (f" ({p.ticker})" if p.ticker else "") for p in picks],
            style,
        )


def _print_list(console: Console, title: str, items: list[str], style: str) -> None:
    """``title: a, b, c`` with every item cleaned (names, tickers and risks are data)."""
    line = Text(f"{title}: ", style="bold")
    shown = [clean_line(item) for item in items]
    line.append(", ".join(shown) if shown else "none", style=style if shown else "dim")
    console.print(line)


def _guidance_table(history: GuidanceHistory, lang: str) -> Table:
    title = " · ".join(
        clean_line(x)
        for x in (
            history.company,
            history.segment,
            metric_label(history.metric, lang),
            history.period,
        )
        if x
    )
    table = Table(title=_text(title))
    for header in ("Date", "Broker", "Guidance", "Move", "Change"):
        table.add_column(header)
    for step in history.steps:
        date = _text(clean_line(step.date) or "—")
        if step.quoted:
            date.append(" (quoted earlier guidance)", style="dim")
        table.add_row(
            date,
            _text(step.broker),
            _text(
                format_value(
                    step.value,
                    step.unit,
                    low=step.low,
                    high=step.high,
                    lang=lang,
                    metric=history.metric,
                )
            ),
            _text(
                step.move
                + (
                    {"up": " ↑", "down": " ↓"}.get(step.direction or "", "")
                    if step.move in ("narrow", "widen")
                    else ""
                ),
                style=_MOVE_STYLES.get(step.move, ""),
            ),
            _change_text(step.change, step.change_unit, lang),
        )
    return table


def _rating_table(history: RatingHistory, lang: str) -> Table:
    title = clean_line(history.company) + (
        f" ({clean_line(history.ticker)})" if history.ticker else ""
    )
    table = Table(title=_text(title))
    for header in ("Date", "Broker", "Rating", "Action", "Target", "Target change"):
        table.add_column(header)
    for entry in history.entries:
        table.add_row(
            _text(clean_line(entry.date) or "—"),
            _text(entry.broker),
            _text(entry.rating),
            _text(action_label(entry.action, lang)),
            _text(format_value(entry.target_price, entry.currency or "", lang=lang)),
            _change_text(entry.target_change_pct, "%", lang),
        )
    return table
