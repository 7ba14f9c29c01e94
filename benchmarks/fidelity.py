"""How right the parser reads real reports: ``python -m benchmarks.fidelity DIR [DIR…]``.

Each folder is scored against the ground truth it carries, found by what it holds:

- ``index.tsv`` (hash → original path) or PDFs named ``YYYYMMDD-券商-标题.pdf``: the file
  name gives date, broker and title (separators ``-``/``_``, dates ``20200721`` or
  ``2020-07-21``, a leading tag such as ``择时-`` and a category such as ``_金融工程_`` allowed).
  Files without such a name are parsed (they count towards "parsed") but not scored. Key
  points are right when there is at least one, and free of boilerplate when none holds an
  analyst or licence line, a disclaimer, a source note, a template tag or a contents leader. A title
  is right when it is similar after removing spaces and punctuation (one holds at least 60 %
  of the other, or a difflib ratio of 0.8), also when only one side leads with its series
  label (华泰人工智能系列之二十二：…). A file-name broker that is no firm is corrected in
  ``_NAME_CORRECTIONS`` (with the evidence).
- ``broker_data.json`` (a list of {filename, broker, rating, target_price}): broker, rating
  and price target per note. Ratings are compared by direction (買入/增持/Buy/Overweight/
  Outperform/跑赢行业 are all "positive"). Where a recorded value is not what the note says
  (``_CORRECTIONS``, each checked against the note's first page) the note's own value counts.
- ``*.pdf.json`` (a report flattened to one line in ``source_content``, labelled figures in
  ``data``): the text itself is the truth, read by rules that do not use the parser. The
  broker is the firm with most votes from the SAC licence prefixes of the analysts' licences
  (``S0130…`` → 中国银河) and the analysts' e-mail domains, one vote each (registry data,
  checked against the firms' full names in the same texts). The date is the one labelled
  发布日期/报告日期/[Table_Date], else the first date written in the cover's form
  (2020年12月07日) in the first 2,500 characters (the cover: a flattened text often opens
  with the disclaimer) outside a source note (资料来源…), an "as of" clause (截至…) or a price
  note (股价为…收盘); cited reports' dates (2020.12.22) are never in that form. A report with
  no such evidence counts as "no truth" for that field and is left out of its total.
  Figures are scored by ``benchmarks.fidelity_figures.score_figures`` when that module exists.

Prints one line per problem and a totals line per folder. `--engine pdfium` reads the PDFs with
the PDFium engine (``yanbao[fast]``); the default is pdfminer.six, the reference.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from yanbao.store.brokers import get_brokers
from yanbao.store.errors import ReportError
from yanbao.store.model import Digest, Source
from yanbao.store.parser import parse_file, parse_text
from yanbao.store.pdf_engines import resolve_engine

__all__ = ["main", "score_folder", "name_truth", "flattened_truth", "same_title", "same_broker"]

_NAME = re.compile(
    r"^(?:[^\d]{1,8}[-_])?(?P<date>\d{8}|\d{4}-\d{2}-\d{2})\s*[-_]\s*(?P<broker>[^-_]+?)\s*[-_]\s*(?P<title>.+)\.pdf$",
    re.I,
)
_CATEGORY = re.compile(r"^(?:金融工程|宏观研究|投资策略|策略研究|行业研究|固定收益)[-_]")
# broker_data.json values that are not what the note says (checked by reading its first page).
_CORRECTIONS: dict[str, dict[str, object]] = {
    "CICC-700.pdf": {"target_price": 666.0},  # recorded 6.0: a fragment of 港币 666.00
    "JP-700.pdf": {"target_price": 690.0},  # recorded the last close (550.5); the PT is HK$690
    "MAC-700.pdf": {"target_price": 559.0, "rating": "中性"},  # "Maintain Neutral", TP cut to HK$559
    "UBS-700.pdf": {"target_price": 780.0},  # recorded the last close (518); the PT is HK$780
}
# File names whose broker is no firm: the report's own licences and e-mails say which it is.
_NAME_CORRECTIONS = {"方大证券": "方正证券"}  # licences S1220…, e-mails @foundersc.com
_ENGINE = ["pdfminer"]  # the PDF engine that reads the folders (--engine)
_POSITIVE = {"买入", "買入", "增持", "强烈推荐", "推荐", "跑赢行业", "优于大市", "buy", "overweight", "outperform",
             "high conviction outperform", "strong buy", "accumulate", "add"}
_NEGATIVE = {"卖出", "賣出", "减持", "跑输行业", "弱于大市", "sell", "underweight", "underperform", "reduce"}


def _direction(rating: str | None) -> str | None:
    if not rating:
        return None
    r = rating.strip().lower()
    return "positive" if r in _POSITIVE else "negative" if r in _NEGATIVE else "neutral"


def _squash(text: str) -> str:
    """Text without spaces and punctuation, lower case, full-width folded."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch)[0] in "PSZ"))


def same_title(truth: str, got: str) -> bool:
    """Similar after removing spaces and punctuation (one holds most of the other, or close),
    also when only one side leads with its series label (华泰人工智能系列之二十二：…)."""
    if _similar(truth, got):
        return True
    mains = [re.split(r"[：:]", t, maxsplit=1)[-1] for t in (truth, got)]
    return _similar(mains[0], got) or _similar(truth, mains[1]) or _similar(*mains)


def _similar(truth: str, got: str) -> bool:
    a, b = _squash(truth), _squash(got)
    if not a or not b:
        return False
    short, long = sorted((a, b), key=len)
    if short in long and len(short) >= 0.6 * len(long):
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def same_broker(truth: str, got: str | None) -> bool:
    """The same firm in the broker registry (any of its names), else the same words."""
    if not got:
        return False
    registry = get_brokers()
    candidates = [truth] + re.findall(r"[(（]([^)）]+)[)）]", truth) + [re.sub(r"\s*[(（].*", "", truth)]
    for name in candidates:
        known = registry.lookup(name) or next((m.broker for m in registry.find_all(name)), None)
        if known is not None:
            return registry.lookup(got) is known
    return _squash(truth).removesuffix("证券") == _squash(got).removesuffix("证券")


@dataclass
class Tally:
    """Per-folder counts: files, parsed, and right/total per field."""

    corpus: str
    files: int = 0
    parsed: int = 0
    right: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def check(self, what: str, ok: bool, file: str, detail: str) -> None:
        self.total[what] += 1
        if ok:
            self.right[what] += 1
        else:
            print(f"{self.corpus}: {file}: {what}: {detail}")

    def line(self) -> str:
        parts = [f"parsed {self.parsed}/{self.files}"]
        for what in self.total:
            n, t = self.right[what], self.total[what]
            parts.append(f"{what} {n}/{t} ({100 * n / t:.0f}%)" if t else f"{what} -")
        return f"TOTAL {self.corpus}: " + ", ".join(parts + self.notes)


def name_truth(name: str) -> dict[str, str] | None:
    """Date, broker and title from a ``YYYYMMDD-券商-标题.pdf`` name, or None."""
    m = _NAME.match(name)
    if not m:
        return None
    broker = m.group("broker").strip()
    broker = _NAME_CORRECTIONS.get(broker, broker)
    if not (broker.endswith(("证券", "公司")) or get_brokers().lookup(broker)):
        return None
    raw = m.group("date").replace("-", "")
    title = _CATEGORY.sub("", m.group("title").strip())
    return {"date": f"{raw[:4]}-{raw[4:6]}-{raw[6:]}", "broker": broker, "title": title}


_LICENCE = re.compile(r"S\d{13}")
_EMAIL_DOMAIN = re.compile(r"@([a-z0-9-]+(?:\.[a-z0-9-]+)+)", re.I)


_CN_DATE = re.compile(r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_NOT_PUBLICATION = re.compile(r"资料来源|数据来源|来源[:：]|截至|截止|股价为|收盘|注[:：]")
_LABELLED = re.compile(r"(?:报告发布日期|发布日期|报告日期|\[table_date\])\s*[:：]?\s*$", re.I)


def flattened_truth(text: str) -> dict[str, str | None]:
    """Broker and date of a one-line report by the rules in this module's docstring."""
    registry = get_brokers()
    by_licence = Counter(b.short for b in map(registry.by_licence, _LICENCE.findall(text)) if b)
    by_mail = Counter(b.short for b in map(registry.by_domain, _EMAIL_DOMAIN.findall(text)) if b)
    evidence = by_licence + by_mail  # a co-author's licence from elsewhere is outvoted by the e-mails
    broker = max(evidence, key=lambda b: (evidence[b], by_licence[b])) if evidence else None
    head = text[:2500]
    dates = []
    for m in _CN_DATE.finditer(head):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        before = head[max(0, m.start() - 40) : m.start()]
        if 1 <= mo <= 12 and 1 <= d <= 31 and not _NOT_PUBLICATION.search(before):
            dates.append((not _LABELLED.search(before), m.start(), f"{y:04d}-{mo:02d}-{d:02d}"))
    return {"broker": broker, "date": min(dates)[2] if dates else None}


def _parse(path: Path, tally: Tally, label: str) -> Digest | None:
    tally.files += 1
    try:
        digest = parse_file(path, engine=_ENGINE[0])
    except ReportError as exc:
        print(f"{tally.corpus}: {label}: not parsed: {exc.reason}")
        return None
    tally.parsed += 1
    return digest


def _score_named(folder: Path, tally: Tally) -> None:
    index = folder / "index.tsv"
    names: dict[Path, str] = {}
    if index.is_file():
        for row in index.read_text(encoding="utf-8").splitlines():
            if "\t" in row:
                key, original = row.split("\t", 1)
                names[folder / f"{key}.pdf"] = original.rsplit("/", 1)[-1]
    else:
        names = {p: p.name for p in sorted(folder.glob("*.pdf"))}
    for path, name in sorted(names.items(), key=lambda kv: kv[1]):
        if not path.is_file() or path.stat().st_size == 0:
            continue
        digest = _parse(path, tally, name)
        truth = name_truth(name)
        if truth is None:
            continue
        label = name
        tally.check("broker", digest is not None and same_broker(truth["broker"], digest.broker), label,
                    f"expected {truth['broker']!r}, got {digest.broker if digest else None!r}")
        tally.check("date", digest is not None and digest.date == truth["date"], label,
                    f"expected {truth['date']}, got {digest.date if digest else None}")
        tally.check("title", digest is not None and same_title(truth["title"], digest.title), label,
                    f"expected {truth['title']!r}, got {digest.title if digest else None!r}")
        _check_key_points(digest, tally, label)


# Page furniture and boilerplate that never belong in key points (an analyst line, a licence,
# a disclaimer, a source note, a template tag, a contents leader).
_BOILERPLATE = re.compile(
    r"分析师[:：]|执业证书|登记编[码号]|免责声明|请务必|评级说明|资料来源[:：]|数据来源[:：]|Table_|[.…·]{6,}|"
    r"\bS\d{13}\b|Analyst Certification|Disclosure Appendix|important disclosures",
    re.I,
)


def _check_key_points(digest: Digest | None, tally: Tally, label: str) -> None:
    """Key points read (at least one point with text) and none of them boilerplate."""
    texts = [t for kp in (digest.key_points if digest else []) for t in (kp.heading, *kp.points) if t.strip()]
    tally.check("key points", bool(texts), label, "no key points")
    bad = next((t for t in texts if _BOILERPLATE.search(t)), None)
    tally.check("no boilerplate", digest is not None and bad is None, label,
                f"boilerplate in key points: {_BOILERPLATE.search(bad).group(0)!r}" if bad else "not parsed")


def _score_ratings(folder: Path, tally: Tally) -> None:
    for row in json.loads((folder / "broker_data.json").read_text(encoding="utf-8")):
        path = folder / row["filename"]
        truth = {**row, **_CORRECTIONS.get(row["filename"], {})}
        label = row["filename"]
        digest = _parse(path, tally, label)
        got = digest.company_ratings[0] if digest and digest.company_ratings else None
        tally.check("broker", digest is not None and same_broker(truth["broker"], digest.broker), label,
                    f"expected {truth['broker']!r}, got {digest.broker if digest else None!r}")
        tally.check("rating", got is not None and _direction(got.rating) == _direction(truth["rating"]), label,
                    f"expected {truth['rating']!r}, got {got.rating if got else None!r}")
        target = float(truth["target_price"])
        tally.check("price target", got is not None and got.target_price is not None
                    and abs(got.target_price - target) <= 0.005 * target, label,
                    f"expected {target:g}, got {got.target_price if got else None}")
        tally.check("ticker", got is not None and bool(got.ticker), label, f"no ticker ({got.ticker if got else None})")


def _figure_scorer():
    try:
        from benchmarks.fidelity_figures import score_figures
    except ImportError:
        return None
    return score_figures


def _score_flattened(folder: Path, tally: Tally) -> None:
    score_figures = _figure_scorer()
    found = total = 0
    no_truth = 0
    for path in sorted(folder.glob("*.pdf.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        text = data.get("source_content", "")
        tally.files += 1
        label = path.name
        try:
            digest = parse_text(text, Source(path=str(path), kind="text", pages=1, sha256=str(abs(hash(text)))))
        except Exception as exc:  # a crash on real text is the bug this benchmark exists to show
            print(f"{tally.corpus}: {label}: not parsed: {type(exc).__name__}: {exc}")
            continue
        tally.parsed += 1
        truth = flattened_truth(text)
        if truth["broker"]:
            tally.check("broker", same_broker(truth["broker"], digest.broker), label,
                        f"expected {truth['broker']!r}, got {digest.broker!r}")
        else:
            no_truth += 1
        if truth["date"]:
            tally.check("date", digest.date == truth["date"], label, f"expected {truth['date']}, got {digest.date}")
        else:
            no_truth += 1
        if score_figures is not None:
            f, t = score_figures(digest, data.get("data") or [])  # the labelled figures
            found, total = found + f, total + t
    if no_truth:
        tally.notes.append(f"no truth for {no_truth} fields")
    if score_figures is not None and total:
        tally.notes.append(f"figures {found}/{total} ({100 * found / total:.0f}%)")


def score_folder(folder: Path) -> Tally:
    """Score one folder (see the module docstring for how its truth is found)."""
    tally = Tally(folder.name)
    if (folder / "broker_data.json").is_file():
        _score_ratings(folder, tally)
    elif any(folder.glob("*.pdf.json")):
        _score_flattened(folder, tally)
    else:
        _score_named(folder, tally)
    return tally


def main(argv: list[str]) -> int:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    if argv[:1] == ["--engine"] and len(argv) > 1:
        _ENGINE[0], argv = resolve_engine(argv[1]), argv[2:]
    if not argv:
        print("usage: python -m benchmarks.fidelity [--engine pdfminer|pdfium|auto] DIR [DIR...]", file=sys.stderr)
        return 2
    print(f"engine: {_ENGINE[0]}")
    totals = [score_folder(Path(d)) for d in argv]
    for tally in totals:
        print(tally.line())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
