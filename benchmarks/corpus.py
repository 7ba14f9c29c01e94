"""A synthetic library of broker reports for the benchmarks, made from the bundled samples.

Every report starts from one of the sample sources (``sample_reports/sources/*.yb``, read
and rendered by ``tools/build_samples.py``) and gets its own companies (swapped for others
of the same sector from ``store/companies.json``), figures (scaled) and quarters (the
report's years shifted). Three outputs:

- ``write_pdf_reports(folder, n)``: real PDFs through the sample template (reportlab);
- ``write_text_reports(folder, n)``: the same reports as extracted text (``.txt``);
- ``synthetic_digests(n)``: ``Digest`` objects for big stores, made by parsing each
  template once and varying the digest's fields, not by parsing ``n`` files.

Everything is deterministic for a given ``seed``.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import random
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from tools import build_samples as build
from yanbao.store.companies import CompanyInfo, get_registry
from yanbao.store.model import Company, CompanyRating, Digest, KeyPoint, Metric, Source
from yanbao.store.parser import parse_text

__all__ = [
    "DIGESTS_NOTE",
    "corpus_key",
    "synthetic_digests",
    "template_sources",
    "varied_sources",
    "write_pdf_reports",
    "write_text_reports",
]

DIGESTS_NOTE = (
    "big stores hold synthetic digests: each sample template parsed once, then companies, "
    "figures, dates and periods varied per digest (no PDF parsed per digest)"
)

# A figure: a number right before a unit (years, list numbers and licence numbers are left).
_FIGURE = re.compile(r"(?<![A-Za-z0-9.])(\d+(?:\.\d+)?)(?=\s*(?:%|pct|亿|万|bn\b|billion|美元|元))")
_YEAR4 = re.compile(r"(?<![0-9])(20[12]\d)(?![0-9])")
# Two-digit years in fiscal and quarter labels: FY25Q3, CY25Q1, 4Q24, FY2Q25, 1H25.
_YEAR2 = re.compile(r"(?:(?<=FY)|(?<=CY)|(?<=[1-4]Q)|(?<=[12]H))(\d\d)(?![0-9])")
_BRACKETED = re.compile(r"\s*[（(]([^）)]{1,20})[）)]")


@cache
def template_sources() -> tuple[build.Source, ...]:
    """The bundled sample sources, as ``build.read_source`` reads them."""
    return tuple(build.read_source(p) for p in sorted(build.SOURCES_DIR.glob("*.yb")))


def corpus_key() -> str:
    """A short hash of the templates and this generator: cached corpora are reused only
    while it is unchanged."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(Path(build.__file__).read_bytes())
    for path in sorted(build.SOURCES_DIR.iterdir()):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()[:12]


@cache
def _sector_pools() -> dict[str, tuple[CompanyInfo, ...]]:
    pools: dict[str, list[CompanyInfo]] = {}
    for info in get_registry():
        pools.setdefault(info.sector, []).append(info)
    return {sector: tuple(infos) for sector, infos in pools.items()}


class _CompanySwap:
    """Maps each company a report names to another of the same sector, one to one."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.mapping: dict[str, CompanyInfo] = {}
        self.used: set[str] = set()

    def __call__(self, info: CompanyInfo) -> CompanyInfo:
        hit = self.mapping.get(info.name)
        if hit is not None:
            return hit
        pools = _sector_pools()
        pool = pools.get(info.sector, ())
        if len(pool) < 3:
            pool = tuple(c for infos in pools.values() for c in infos)
        new = info
        for _ in range(20):  # a few draws find an unused one; a repeat is harmless
            new = self.rng.choice(pool)
            if new.name not in self.used:
                break
        self.used.add(new.name)
        self.mapping[info.name] = new
        return new


def _display_name(info: CompanyInfo, english: bool) -> str:
    return info.name if english else (info.name_zh or info.name)


def _swap_companies(text: str, swap: _CompanySwap, english: bool) -> str:
    """``text`` with every company it names replaced through ``swap`` (tickers too)."""
    matches = get_registry().find_all(text)
    if not matches:
        return text
    out: list[str] = []
    pos = 0
    for match in matches:
        if match.start < pos:
            continue
        new = swap(match.info)
        written = text[match.start:match.end]
        tickers = {t.casefold() for t in match.info.tickers}
        replacement = (new.ticker or new.name) if written.casefold() in tickers else _display_name(new, english)
        out.append(text[pos:match.start] + replacement)
        pos = match.end
        if match.ticker and new.ticker:
            bracket = _BRACKETED.match(text, pos)
            if bracket:
                out.append(text[pos:bracket.start(1)] + new.ticker)
                pos = bracket.end(1)
    out.append(text[pos:])
    return "".join(out)


def _scale_figures(text: str, rng: random.Random) -> str:
    def scaled(m: re.Match[str]) -> str:
        raw = m.group(1)
        value = float(raw) * rng.uniform(0.75, 1.3)
        if "." in raw:
            return f"{value:.{len(raw.split('.')[1])}f}"
        return str(max(1, round(value)))

    return _FIGURE.sub(scaled, text)


def _shift_years(text: str, years: int) -> str:
    if not years:
        return text
    text = _YEAR4.sub(lambda m: str(int(m.group(1)) + years), text)
    return _YEAR2.sub(lambda m: f"{(int(m.group(1)) + years) % 100:02d}", text)


def _shift_date(iso: str, years: int) -> str:
    year, month, day = (int(p) for p in iso.split("-"))
    return f"{year + years:04d}-{month:02d}-{min(day, 28) if month == 2 else day:02d}"


def _vary_source(src: build.Source, rng: random.Random, serial: int) -> build.Source:
    """One new report from a template: other companies, scaled figures, shifted years."""
    english = build.TEMPLATES[src.fields["style"]].english
    swap = _CompanySwap(rng)
    years = rng.choice((-3, -2, -1, 0, 1))

    def vary(text: str) -> str:
        return _shift_years(_scale_figures(_swap_companies(text, swap, english), rng), years)

    fields = dict(src.fields)
    for key in ("title", "subtitle", "type_lines"):
        if fields.get(key):
            fields[key] = vary(fields[key])
    fields["date"] = _shift_date(fields["date"], years)
    fields.pop("output", None)
    fields.pop("encoding", None)
    return dataclasses.replace(
        src,
        name=f"{src.name}_{serial:05d}",
        fields=fields,
        sidebar=[_shift_years(line, years) for line in src.sidebar],
        related=[(vary(title), _shift_years(date, years)) for title, date in src.related],
        body=[vary(line) for line in src.body],
        end=list(src.end),
    )


def varied_sources(n: int, seed: int = 0) -> Iterator[build.Source]:
    """``n`` distinct reports, cycling through the templates in a shuffled order."""
    templates = list(template_sources())
    rng = random.Random(seed)
    order = templates[:]
    rng.shuffle(order)
    seen: set[str] = set()
    serial = 0
    while serial < n:
        src = _vary_source(order[serial % len(order)], rng, serial)
        # The source's own text, not a rendering of it: rendering is the slow part.
        fingerprint = hashlib.sha256(
            repr((sorted(src.fields.items()), src.sidebar, src.related, src.body)).encode()
        ).hexdigest()
        if fingerprint in seen:  # a repeat would be skipped by ingest as the same file
            continue
        seen.add(fingerprint)
        serial += 1
        yield src


def write_pdf_reports(folder: Path, n: int, seed: int = 0) -> list[Path]:
    """Write ``n`` varied PDF reports into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for src in varied_sources(n, seed):
        path = folder / f"{src.name}.pdf"
        build.build(src, path)
        paths.append(path)
    return paths


def write_text_reports(folder: Path, n: int, seed: int = 0) -> list[Path]:
    """Write ``n`` varied reports as extracted text (UTF-8 ``.txt``) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for src in varied_sources(n, seed):
        path = folder / f"{src.name}.txt"
        path.write_text(build.render_text(src), encoding="utf-8")
        paths.append(path)
    return paths


# -- digests without files --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Template:
    """A sample parsed once, with the company names as written in it."""

    name: str
    digest: Digest
    written: tuple[tuple[str, CompanyInfo, bool], ...]  # (as written, company, is a ticker)


@cache
def _parsed_templates() -> tuple[_Template, ...]:
    registry = get_registry()
    out = []
    for src in template_sources():
        text = build.render_text(src)
        sha = hashlib.sha256(text.encode()).hexdigest()
        digest = parse_text(text, Source(path=f"{src.name}.txt", kind="text", pages=1, sha256=sha))
        written: dict[str, tuple[CompanyInfo, bool]] = {}
        for company in digest.companies:
            for alias in [company.name, *company.aliases_seen]:
                info = registry.lookup(alias)
                if info is not None and info.name == company.name:
                    written[alias] = (info, False)  # company names only: never a segment or a word
            info = registry.lookup(company.name)
            if company.ticker and info is not None and company.ticker in text:
                written[company.ticker] = (info, True)
        pairs = sorted(((a, i, t) for a, (i, t) in written.items()), key=lambda x: -len(x[0]))
        out.append(_Template(src.name, digest, tuple(pairs)))
    return tuple(out)


def _shift_period(period: str | None, years: int) -> str | None:
    if not period or not years:
        return period
    return f"{int(period[:4]) + years:04d}{period[4:]}"


def _vary_digest(tpl: _Template, rng: random.Random, serial: int, seed: int) -> Digest:
    base = tpl.digest
    english = base.language == "en"
    swap = _CompanySwap(rng)
    years = rng.choice((-3, -2, -1, 0, 1))
    renames = [
        (alias, (swap(info).ticker or swap(info).name) if is_ticker else _display_name(swap(info), english))
        for alias, info, is_ticker in tpl.written
    ]

    def text(s: str) -> str:
        for old, new in renames:
            if old in s:
                s = s.replace(old, new)
        return _YEAR4.sub(lambda m: str(int(m.group(1)) + years), s) if years else s

    def company(name: str | None) -> tuple[str | None, str | None]:
        info = swap.mapping.get(name or "")
        return (info.name, info.ticker) if info else (name, None)

    def metric(m: Metric) -> Metric:
        new = copy.copy(m)  # dataclasses.replace is several times slower at 150,000 figures
        new.company, ticker = company(m.company)
        new.ticker = ticker or m.ticker
        new.period = _shift_period(m.period, years)
        factor = rng.uniform(0.75, 1.3)
        new.value = None if m.value is None else round(m.value * factor, 2)
        new.low = None if m.low is None else round(m.low * factor, 2)
        new.high = None if m.high is None else round(m.high * factor, 2)
        return new

    def rated(r: CompanyRating) -> CompanyRating:
        name, ticker = company(r.company)
        price = None if r.target_price is None else round(r.target_price * rng.uniform(0.8, 1.2), 1)
        return dataclasses.replace(r, company=name or r.company, ticker=ticker or r.ticker, target_price=price)

    companies = []
    for c in base.companies:
        info = swap.mapping.get(c.name) or swap(get_registry().lookup(c.name) or _unknown(c.name))
        companies.append(Company(info.name, info.ticker, c.role, [_display_name(info, english)], c.mentions))
    digest_id = hashlib.sha256(f"yanbao-bench-{seed}-{serial}".encode()).hexdigest()
    kind = "text" if serial % 10 == 0 else "pdf"
    return dataclasses.replace(
        base,
        id=digest_id,
        source=Source(f"library/{tpl.name}_{serial:05d}.{'txt' if kind == 'text' else 'pdf'}",
                      kind, base.source.pages, digest_id),
        title=text(base.title),
        date=_shift_date(base.date, years) if base.date else None,
        period=_shift_period(base.period, years),
        key_points=[KeyPoint(text(k.heading), [text(p) for p in k.points]) for k in base.key_points],
        recommendation=text(base.recommendation),
        companies=companies,
        metrics=[metric(m) for m in base.metrics],
        risks=[text(r) for r in base.risks],
        company_ratings=[rated(r) for r in base.company_ratings],
    )


def _unknown(name: str) -> CompanyInfo:
    return CompanyInfo(name=name, name_zh=name, sector="")


def synthetic_digests(n: int, seed: int = 0) -> list[Digest]:
    """``n`` distinct digests varied from the parsed templates (see ``DIGESTS_NOTE``)."""
    templates = _parsed_templates()
    rng = random.Random(seed)
    return [_vary_digest(templates[i % len(templates)], rng, i, seed) for i in range(n)]
