"""The broker registry: who publishes research, under which names, e-mail domains and
SAC licence prefixes.

``brokers.json`` beside this file holds the data and is read once (``get_brokers``). A
report names its publisher in many ways (华泰证券, 华泰证券研究所, Huatai Securities,
``xx@htsc.com``, an analyst's licence ``S0570…``); each resolves to one ``Broker`` whose
``short`` name a digest shows.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from yanbao.store.name_scanner import _trie_regex, fold  # one trie-shaped scanner for both registries

__all__ = ["DATA_PATH", "Broker", "BrokerMatch", "BrokerRegistry", "get_brokers"]

DATA_PATH = Path(__file__).with_name("brokers.json")

# After a Chinese name ending in 证券, these words make it something else: the exchange
# (上海证券交易所), a newspaper (上海证券报), the industry body (中国证券业协会).
_NOT_A_FIRM = re.compile("交易所|报|業|业|市场|登记|投资者|期货|法|时报|日报|化")


@dataclass(frozen=True)
class Broker:
    """One research publisher."""

    short: str
    full: str
    english: tuple[str, ...] = ()
    institutes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    sac: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the broker is written under."""
        return (self.short, self.full, *self.english, *self.institutes, *self.aliases)


@dataclass(frozen=True)
class BrokerMatch:
    """A broker named in a text: which one, and where."""

    broker: Broker
    start: int
    end: int
    name: str


def _key(name: str) -> str:
    return re.sub(r"\s+", "", fold(name))


class BrokerRegistry:
    """Lookup by name, e-mail domain or licence number, and a scan of running text."""

    def __init__(self, brokers: list[Broker]) -> None:
        self.brokers = brokers
        self._by_name: dict[str, Broker] = {}
        self._by_domain: dict[str, Broker] = {}
        self._by_sac: dict[str, Broker] = {}
        for broker in brokers:
            for name in broker.names:
                self._by_name.setdefault(_key(name), broker)
            for domain in broker.domains:
                self._by_domain[domain.lower()] = broker
            for prefix in broker.sac:
                self._by_sac[prefix.upper()] = broker
        self._scanner = self._compile()

    @classmethod
    def from_json(cls, path: Path) -> BrokerRegistry:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls([
            Broker(
                short=e["short"], full=e["full"], english=tuple(e.get("english", ())),
                institutes=tuple(e.get("institutes", ())), aliases=tuple(e.get("aliases", ())),
                domains=tuple(e.get("domains", ())), sac=tuple(e.get("sac", ())),
            )
            for e in data["brokers"]
        ])

    def _compile(self) -> re.Pattern[str]:
        """One trie-shaped alternation of every name (longest first: 海通国际 before 海通)."""
        keys = {re.sub(r"\s+", " ", fold(n)).strip() for b in self.brokers for n in b.names if len(n) >= 2}
        return re.compile(_trie_regex(sorted(keys, key=len, reverse=True)))

    def lookup(self, name: str) -> Broker | None:
        """The broker a name, alias or English name stands for (case and spacing ignored)."""
        key = _key(name)
        if key in self._by_name:
            return self._by_name[key]
        # A name with its company form: 华泰证券股份有限公司, Nomura International plc.
        trimmed = re.sub(r"(股份有限公司|有限责任公司|有限公司|,?(inc|llc|ltd|limited|plc|co\.?)\.?)$", "", key)
        return self._by_name.get(trimmed)

    def by_domain(self, domain: str) -> Broker | None:
        """The broker owning an e-mail domain (hk.daiwacm.com falls back to daiwacm.com)."""
        parts = domain.lower().strip(".").split(".")
        for i in range(len(parts) - 1):
            hit = self._by_domain.get(".".join(parts[i:]))
            if hit:
                return hit
        return None

    def by_licence(self, licence: str) -> Broker | None:
        """The broker whose analysts hold a SAC licence number (S0570520010001 → 华泰证券)."""
        return self._by_sac.get(licence[:5].upper()) if re.match(r"S\d{4}", licence, re.I) else None

    def find_all(self, text: str) -> Iterator[BrokerMatch]:
        """Every broker name in ``text``, leftmost-longest, not overlapping."""
        folded = fold(text)
        for m in self._scanner.finditer(folded):
            name = m.group(0)
            if name.endswith("证券") and _NOT_A_FIRM.match(folded, m.end()):
                continue
            broker = self.lookup(name)
            if broker is not None:
                yield BrokerMatch(broker, m.start(), m.end(), text[m.start() : m.end()])


@functools.cache
def get_brokers() -> BrokerRegistry:
    """The registry read from ``brokers.json``, loaded once per process."""
    return BrokerRegistry.from_json(DATA_PATH)
