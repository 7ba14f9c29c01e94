"""The digest: typed dataclasses for schema 2 (``../shared/digest-schema.md`` is schema 1;
``docs/digest-schema-2.md`` says what schema 2 adds: the source page of key points and metrics).

Dicts appear only at the JSON / TinyDB boundary: ``Digest.from_dict`` validates and names
the bad field, ``Digest.to_dict`` gives back exactly the schema's shape. A schema-1 digest
still reads (its pages are unknown) and writes back as schema 1, unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SCHEMA_VERSION",
    "READABLE_SCHEMAS",
    "ROLES",
    "BASES",
    "VS_CONSENSUS",
    "ACTIONS",
    "DigestError",
    "Source",
    "Rating",
    "Analyst",
    "KeyPoint",
    "Company",
    "Range",
    "Metric",
    "CompanyRating",
    "Digest",
]

SCHEMA_VERSION = 2
READABLE_SCHEMAS = (1, 2)  # schema 1 has no pages: they read as None (unknown)
PAGES_SINCE = 2  # the first schema that records pages
ROLES = ("recommended", "mentioned")
BASES = ("actual", "guidance", "consensus")
VS_CONSENSUS = ("above", "inline", "below")
ACTIONS = ("initiate", "maintain", "upgrade", "downgrade")
PERIOD_RE = re.compile(r"^\d{4}(Q[1-4])?$")


class DigestError(ValueError):
    """A digest dict that does not follow its schema; the message names the field."""


def _check(cond: bool, where: str, why: str) -> None:
    if not cond:
        raise DigestError(f"{where}: {why}")


def _str(d: dict, key: str, where: str, *, optional: bool = False) -> str | None:
    value = d.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):  # the message (a repr) is built only when it is needed
        raise DigestError(f"{where}.{key}: expected text, got {value!r}")
    return value


def _num(d: dict, key: str, where: str) -> float | None:
    value = d.get(key)
    if value is None:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise DigestError(f"{where}.{key}: expected a number, got {value!r}")
    return float(value)


def _page(d: dict, where: str) -> int | None:
    """A 1-based page number, or None (absent in schema 1, null when unknown)."""
    value = d.get("page")
    _check(value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 1),
           f"{where}.page", f"expected a page number from 1, got {value!r}")
    return value


def _list(d: dict, key: str, where: str) -> list:
    value = d.get(key, [])
    if not isinstance(value, list):
        raise DigestError(f"{where}.{key}: expected a list, got {value!r}")
    return value


def _dict(value: Any, where: str) -> dict:
    if not isinstance(value, dict):
        raise DigestError(f"{where}: expected an object, got {value!r}")
    return value


def _choice(d: dict, key: str, where: str, choices: tuple[str, ...]) -> str | None:
    value = d.get(key)
    if value is not None and value not in choices:
        raise DigestError(f"{where}.{key}: {value!r} is not one of {choices}")
    return value


@dataclass
class Source:
    """Where a digest came from: the file as given, its kind, page count and hash."""

    path: str
    kind: str  # "pdf" | "text"
    pages: int
    sha256: str

    @classmethod
    def from_dict(cls, d: dict, where: str = "source") -> Source:
        d = _dict(d, where)
        _choice(d, "kind", where, ("pdf", "text"))
        pages = d.get("pages")
        _check(isinstance(pages, int) and pages >= 0, f"{where}.pages", f"bad page count {pages!r}")
        return cls(_str(d, "path", where), d["kind"], pages, _str(d, "sha256", where))

    def to_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "pages": self.pages, "sha256": self.sha256}


@dataclass
class Rating:
    """The report's sector view and the rating scale it defines."""

    sector: str | None = None
    scale: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict, where: str = "rating") -> Rating:
        d = _dict(d, where)
        scale = _list(d, "scale", where)
        _check(all(isinstance(s, str) for s in scale), f"{where}.scale", "expected a list of text")
        return cls(_str(d, "sector", where, optional=True), list(scale))

    def to_dict(self) -> dict:
        return {"sector": self.sector, "scale": list(self.scale)}


@dataclass
class Analyst:
    """A named analyst and their licence number (SAC / SFC), when the report gives one."""

    name: str
    license: str | None = None

    @classmethod
    def from_dict(cls, d: dict, where: str = "analyst") -> Analyst:
        d = _dict(d, where)
        return cls(_str(d, "name", where), _str(d, "license", where, optional=True))

    def to_dict(self) -> dict:
        return {"name": self.name, "license": self.license}


@dataclass
class KeyPoint:
    """One top-level bullet of the report's summary: its heading and its sub-points."""

    heading: str
    points: list[str] = field(default_factory=list)
    page: int | None = None  # 1-based page of the source where it starts; None: no page or unknown

    @classmethod
    def from_dict(cls, d: dict, where: str = "key_point") -> KeyPoint:
        d = _dict(d, where)
        points = _list(d, "points", where)
        _check(all(isinstance(p, str) for p in points), f"{where}.points", "expected a list of text")
        return cls(_str(d, "heading", where), list(points), _page(d, where))

    def to_dict(self, *, pages: bool = True) -> dict:
        out = {"heading": self.heading, "points": list(self.points)}
        if pages:
            out["page"] = self.page
        return out


@dataclass
class Company:
    """A company the report names; ``role`` says whether it is put forward."""

    name: str
    ticker: str | None = None
    role: str = "mentioned"
    aliases_seen: list[str] = field(default_factory=list)
    mentions: int = 1

    @classmethod
    def from_dict(cls, d: dict, where: str = "company") -> Company:
        d = _dict(d, where)
        _choice(d, "role", where, ROLES)
        aliases = _list(d, "aliases_seen", where)
        mentions = d.get("mentions", 1)
        _check(isinstance(mentions, int), f"{where}.mentions", f"expected a count, got {mentions!r}")
        return cls(
            _str(d, "name", where),
            _str(d, "ticker", where, optional=True),
            d.get("role") or "mentioned",
            [str(a) for a in aliases],
            mentions,
        )

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "ticker": self.ticker,
            "role": self.role,
            "aliases_seen": list(self.aliases_seen),
            "mentions": self.mentions,
        }


@dataclass
class Range:
    """An earlier value of a figure: a point ``value`` or a ``low``-``high`` range."""

    value: float | None = None
    low: float | None = None
    high: float | None = None

    @classmethod
    def from_dict(cls, d: dict, where: str = "previous") -> Range:
        d = _dict(d, where)
        return cls(_num(d, "value", where), _num(d, "low", where), _num(d, "high", where))

    def to_dict(self) -> dict:
        return {"value": self.value, "low": self.low, "high": self.high}


@dataclass
class Metric:
    """One figure the report states, in base units, traceable to its sentence."""

    company: str | None
    metric: str
    period: str | None
    value: float | None = None
    unit: str = "%"
    ticker: str | None = None
    segment: str | None = None
    fiscal_period: str | None = None
    basis: str = "actual"
    low: float | None = None
    high: float | None = None
    consensus: float | None = None
    vs_consensus: str | None = None
    previous: Range | None = None
    text: str = ""
    page: int | None = None  # 1-based page of the source holding ``text``; None: no page or unknown

    @classmethod
    def from_dict(cls, d: dict, where: str = "metric") -> Metric:
        d = _dict(d, where)
        _choice(d, "basis", where, BASES)
        _choice(d, "vs_consensus", where, VS_CONSENSUS)
        period = _str(d, "period", where, optional=True)
        _check(period is None or bool(PERIOD_RE.match(period)), f"{where}.period", f"{period!r} is not YYYY or YYYYQn")
        prev = d.get("previous")
        return cls(
            company=_str(d, "company", where, optional=True),
            metric=_str(d, "metric", where),
            period=period,
            value=_num(d, "value", where),
            unit=_str(d, "unit", where),
            ticker=_str(d, "ticker", where, optional=True),
            segment=_str(d, "segment", where, optional=True),
            fiscal_period=_str(d, "fiscal_period", where, optional=True),
            basis=d.get("basis") or "actual",
            low=_num(d, "low", where),
            high=_num(d, "high", where),
            consensus=_num(d, "consensus", where),
            vs_consensus=d.get("vs_consensus"),
            previous=Range.from_dict(prev, f"{where}.previous") if prev is not None else None,
            text=_str(d, "text", where, optional=True) or "",
            page=_page(d, where),
        )

    def to_dict(self, *, pages: bool = True) -> dict:
        out = {
            "company": self.company,
            "ticker": self.ticker,
            "segment": self.segment,
            "metric": self.metric,
            "period": self.period,
            "fiscal_period": self.fiscal_period,
            "basis": self.basis,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "consensus": self.consensus,
            "vs_consensus": self.vs_consensus,
            "previous": self.previous.to_dict() if self.previous else None,
            "text": self.text,
        }
        if pages:
            out["page"] = self.page
        return out


@dataclass
class CompanyRating:
    """A company report's rating of a company, with action and target price."""

    company: str
    rating: str
    ticker: str | None = None
    action: str | None = None
    target_price: float | None = None
    currency: str | None = None
    previous_target_price: float | None = None
    text: str = ""

    @classmethod
    def from_dict(cls, d: dict, where: str = "company_rating") -> CompanyRating:
        d = _dict(d, where)
        _choice(d, "action", where, ACTIONS)
        return cls(
            company=_str(d, "company", where),
            rating=_str(d, "rating", where),
            ticker=_str(d, "ticker", where, optional=True),
            action=d.get("action"),
            target_price=_num(d, "target_price", where),
            currency=_str(d, "currency", where, optional=True),
            previous_target_price=_num(d, "previous_target_price", where),
            text=_str(d, "text", where, optional=True) or "",
        )

    def to_dict(self) -> dict:
        return {
            "company": self.company,
            "ticker": self.ticker,
            "rating": self.rating,
            "action": self.action,
            "target_price": self.target_price,
            "currency": self.currency,
            "previous_target_price": self.previous_target_price,
            "text": self.text,
        }


@dataclass
class Digest:
    """Everything yanbao reads out of one report (schema 2; a stored schema-1 digest keeps
    ``schema`` 1 and no pages until it is migrated)."""

    id: str
    source: Source
    title: str
    broker: str | None = None
    date: str | None = None
    period: str | None = None
    language: str = "zh"
    rating: Rating = field(default_factory=Rating)
    analysts: list[Analyst] = field(default_factory=list)
    key_points: list[KeyPoint] = field(default_factory=list)
    recommendation: str = ""
    companies: list[Company] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    company_ratings: list[CompanyRating] = field(default_factory=list)
    schema: int = SCHEMA_VERSION

    @property
    def recommended(self) -> list[Company]:
        """The companies the report puts forward."""
        return [c for c in self.companies if c.role == "recommended"]

    @classmethod
    def from_dict(cls, d: dict) -> Digest:
        d = _dict(d, "digest")
        schema = d.get("schema")
        _check(type(schema) is int and schema in READABLE_SCHEMAS, "schema", f"expected one of {READABLE_SCHEMAS}, got {schema!r}")
        date = _str(d, "date", "digest", optional=True)
        _check(date is None or bool(re.match(r"^\d{4}-\d{2}-\d{2}$", date)), "date", f"{date!r} is not YYYY-MM-DD")
        period = _str(d, "period", "digest", optional=True)
        _check(period is None or bool(PERIOD_RE.match(period)), "period", f"{period!r} is not YYYY or YYYYQn")
        _choice(d, "language", "digest", ("zh", "en"))
        risks = _list(d, "risks", "digest")
        _check(all(isinstance(r, str) for r in risks), "risks", "expected a list of text")
        return cls(
            id=_str(d, "id", "digest"),
            source=Source.from_dict(d.get("source")),
            title=_str(d, "title", "digest"),
            broker=_str(d, "broker", "digest", optional=True),
            date=date,
            period=period,
            language=d.get("language") or "zh",
            rating=Rating.from_dict(d.get("rating") or {}),
            analysts=[Analyst.from_dict(a, f"analysts[{i}]") for i, a in enumerate(_list(d, "analysts", "digest"))],
            key_points=[KeyPoint.from_dict(k, f"key_points[{i}]") for i, k in enumerate(_list(d, "key_points", "digest"))],
            recommendation=_str(d, "recommendation", "digest", optional=True) or "",
            companies=[Company.from_dict(c, f"companies[{i}]") for i, c in enumerate(_list(d, "companies", "digest"))],
            metrics=[Metric.from_dict(m, f"metrics[{i}]") for i, m in enumerate(_list(d, "metrics", "digest"))],
            risks=list(risks),
            company_ratings=[
                CompanyRating.from_dict(r, f"company_ratings[{i}]")
                for i, r in enumerate(_list(d, "company_ratings", "digest"))
            ],
            schema=schema,
        )

    @property
    def has_pages(self) -> bool:
        """Whether this digest's schema records pages (not whether any was found)."""
        return self.schema >= PAGES_SINCE

    def to_dict(self) -> dict:
        pages = self.has_pages
        return {
            "schema": self.schema,
            "id": self.id,
            "source": self.source.to_dict(),
            "title": self.title,
            "broker": self.broker,
            "date": self.date,
            "period": self.period,
            "language": self.language,
            "rating": self.rating.to_dict(),
            "analysts": [a.to_dict() for a in self.analysts],
            "key_points": [k.to_dict(pages=pages) for k in self.key_points],
            "recommendation": self.recommendation,
            "companies": [c.to_dict() for c in self.companies],
            "metrics": [m.to_dict(pages=pages) for m in self.metrics],
            "risks": list(self.risks),
            "company_ratings": [r.to_dict() for r in self.company_ratings],
        }

