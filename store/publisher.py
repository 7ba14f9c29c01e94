"""Which broker published a report: a vote over everything that names it.

Registered brokers (``store/brokers.json``) are found by any of their names in the running
header, the sidebar, the head, copyright and disclaimer lines, by the firm prefix of the
analysts' SAC licence numbers (S1230… → 浙商证券) and by the analysts' e-mail domains. A
name the registry does not know is accepted only from a strong pattern (XX证券股份有限公司,
XX Securities Limited), without a stray prefix (版权归…, 仅供…).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from yanbao.store.brokers import get_brokers

__all__ = ["read_broker"]

_LICENCE = re.compile(r"(?<![A-Za-z0-9])S\s?\d{4}\s?\d{4}\s?\d{4,5}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# Lines where a firm names itself: copyright, "this report is issued by", the research arm.
_SELF_NAMING = re.compile(
    r"版权|©|copyright|本报告由|本公司|本报告是|研究所|研究院|研究部|发展研究中心|is issued by|prepared by|published by|"
    r"资料来源[:：].{0,30}(?:研究所|研究院|研究部|整理)",
    re.IGNORECASE,
)

# Unregistered names: strong patterns only.
_CN_FIRM = re.compile(r"([\u4e00-\u9fa5]{2,6})证券(?:股份有限公司|有限责任公司|有限公司|研究所|研究院|研究部)")
_EN_FIRM = re.compile(r"\b((?:[A-Z][A-Za-z&'.]+ ){1,3})(Securities|Capital Markets|Research|Brokerage)(?: (?:Limited|Ltd\.?|Co\.?,? Ltd\.?|LLC|Inc\.?|plc))?\b")
# Characters that end a clause before a firm's name (版权归 X, 仅供 X, 本报告由 X, 经 X).
_STRAY = re.compile(r"^.*(?:归|供|由|经|为|是|及|与|和|的|对|向|从|被|于|在|受|系|本|告|请|见|自|据|将)")
_GENERIC_CN = {"中国", "境外", "海外", "国内", "全球", "相关", "其他", "投资", "上市", "香港", "关联", "具备", "各家", "该", "本"}
_GENERIC_EN = {"The", "Our", "This", "Global", "Listed", "Equity", "For", "Any", "All", "Hong", "China", "Asia", "Investment", "Other"}


# Lines that name who a copy was delivered to, not who wrote it (a distribution watermark).
_RECIPIENT = re.compile(r"提供给|授权给|发送给|exclusive use|downloaded (?:for|by)|licensed to|prepared for", re.I)
_PAGE_NUMBER = re.compile(r"\d+")


def _registry_votes(votes: Counter, lines: Iterable[str], weight: float, *, cap: float | None = None) -> None:
    registry = get_brokers()
    gained: Counter = Counter()
    # a running header repeats on every page (with its page number): count it once
    for line in {_PAGE_NUMBER.sub("", x): x for x in lines if not _RECIPIENT.search(x)}.values():
        for match in registry.find_all(line):
            w = weight * (2 if _SELF_NAMING.search(line) else 1)
            if cap is not None and gained[match.broker.short] + w > cap:
                w = max(0.0, cap - gained[match.broker.short])
            gained[match.broker.short] += w
            votes[match.broker.short] += w


def _evidence_votes(votes: Counter, text: str) -> None:
    """Licence prefixes and e-mail domains: the firm an analyst works for."""
    registry = get_brokers()
    for licence in set(_LICENCE.findall(text)):
        broker = registry.by_licence(re.sub(r"\s", "", licence))
        if broker:
            votes[broker.short] += 3
    for domain in set(m.group(1) for m in _EMAIL.finditer(text)):
        broker = registry.by_domain(domain)
        if broker:
            votes[broker.short] += 2


# The firm that owns the report: 版权归XX证券所有, 仅供XX证券的客户使用, 本报告由XX证券制作.
_CN_OWNER = re.compile(r"(?:版权归属?|版权属于|仅供|本报告由)([\u4e00-\u9fa5]{2,4}?)证券(?:所有|的客户|客户|制作|发布|研究)")
_HEADER_FIRM = re.compile(r"^\s*([\u4e00-\u9fa5]{2,4})证券(?=\s|$|[|｜·:：\-—]|股份|研究|有限)")


_BODY_SPAN = 6000


def _unregistered(header: list[str], lines: list[str]) -> Counter:
    """A firm the registry does not know, from XX证券股份有限公司 / XX Securities Limited,
    or a running header that opens with XX证券."""
    counts: Counter = Counter()
    registry = get_brokers()

    def known(name: str) -> bool:  # 年加入华创证券, 浦银国际证券: a registered firm inside
        return registry.lookup(name) is not None or any(True for _ in registry.find_all(name))

    for line in dict.fromkeys(header):
        m = _HEADER_FIRM.match(line)
        if m and m.group(1) not in _GENERIC_CN and not known(m.group(1) + "证券"):
            counts[m.group(1) + "证券"] += 3
    for line in dict.fromkeys(lines):
        weight = 4 if _SELF_NAMING.search(line) else 2
        for m in _CN_FIRM.finditer(line):
            name = _STRAY.sub("", m.group(1))
            if len(name) >= 2 and name not in _GENERIC_CN and not known(name + "证券"):
                counts[name + "证券"] += weight
        for m in _CN_OWNER.finditer(line):
            if m.group(1) not in _GENERIC_CN and not known(m.group(1) + "证券"):
                counts[m.group(1) + "证券"] += 2
        for m in _EN_FIRM.finditer(line):
            words = m.group(1).split()
            name = " ".join(words) + " " + m.group(2)
            if words[0] not in _GENERIC_EN and not known(name):
                counts[name] += 1
    # 2-character names are the tails of the longer ones a stray character was not cut from
    for name in list(counts):
        if name not in counts:
            continue
        longer = [k for k in counts if k != name and k.endswith(name) and len(k) - len(name) <= 2]
        for k in longer:
            counts[name] += counts.pop(k)
    return counts


def read_broker(
    *, header: list[str] = (), sidebar: list[str] = (), head: list[str] = (), tail: list[str] = (),
    body: list[str] = (),
) -> str | None:
    """The publishing broker's short name (registry), or a strongly patterned unknown name."""
    # The body counts by its opening and its end (a flattened report is one long line).
    text = "\n".join(body)
    body = [text[:_BODY_SPAN], text[-_BODY_SPAN:]] if len(text) > 2 * _BODY_SPAN else list(body)
    votes: Counter = Counter()
    _registry_votes(votes, header, 3)
    _registry_votes(votes, list(sidebar) + list(head), 2)
    _registry_votes(votes, tail, 1, cap=6)
    _registry_votes(votes, body, 0.5, cap=2)
    # A name the registry does not know, from a strong pattern, takes part in the same vote.
    for name, n in _unregistered([*header, *head[:3]], [*header, *sidebar, *head, *tail, *body]).items():
        votes[name] += n
    evidence: Counter = Counter()
    _evidence_votes(evidence, "\n".join([*header, *sidebar, *head, *tail, *body]))
    for name, n in evidence.items():  # licences and e-mails confirm a firm; alone they say less
        votes[name] += min(n, 4)
    if votes:
        return max(votes, key=lambda k: (votes[k], -len(k)))
    return None
