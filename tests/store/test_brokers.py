"""The broker registry's invariants and lookups, and the broker vote on texts of our own."""

from __future__ import annotations

import re

from yanbao.store.brokers import BrokerRegistry, DATA_PATH, get_brokers, _key
from yanbao.store.publisher import read_broker


def test_registry_invariants() -> None:
    registry = BrokerRegistry.from_json(DATA_PATH)
    shorts = [b.short for b in registry.brokers]
    assert len(shorts) == len(set(shorts))
    prefixes = [p for b in registry.brokers for p in b.sac]
    assert all(re.fullmatch(r"S\d{4}", p) for p in prefixes)
    assert len(prefixes) == len(set(prefixes)), "a SAC firm prefix belongs to one firm"
    domains = [d for b in registry.brokers for d in b.domains]
    assert all(d == d.lower() and "." in d and "@" not in d for d in domains)
    assert len(domains) == len(set(domains))
    owner: dict[str, str] = {}
    for broker in registry.brokers:
        assert broker.short and broker.full
        for name in broker.names:
            assert owner.setdefault(_key(name), broker.short) == broker.short, f"{name} names two brokers"
    # the Chinese firms and the international houses the issue lists
    for name in ("中信证券", "华泰证券", "浙商证券", "中金公司", "Morgan Stanley", "Goldman Sachs", "J.P. Morgan", "BofA",
                 "Citi", "UBS", "HSBC", "Deutsche Bank", "Nomura", "Jefferies", "Bernstein", "Macquarie", "CLSA",
                 "Daiwa", "CICC", "CMBI"):
        assert registry.lookup(name) is not None, name


def test_lookups() -> None:
    registry = get_brokers()
    assert registry.lookup("华泰证券股份有限公司").short == "华泰证券"
    assert registry.lookup("Bank of America").short == registry.lookup("BofA Securities").short
    assert registry.by_licence("S1230520110002").short == "浙商证券"
    assert registry.by_domain("hk.daiwacm.com").short == "Daiwa"
    assert registry.by_domain("example.com") is None


def test_scan_is_leftmost_longest_and_skips_the_exchange() -> None:
    registry = get_brokers()
    assert [m.broker.short for m in registry.find_all("海通国际证券集团与海通证券")] == ["海通国际", "海通证券"]
    assert list(registry.find_all("上海证券交易所公告")) == []
    assert list(registry.find_all("CITIZEN watch; subsidiary")) == []


def test_vote_by_licence_and_mail_when_no_name_is_written() -> None:
    assert read_broker(sidebar=["执业证书编号：S0570519060003", "someone@htsc.com"]) == "华泰证券"


def test_name_in_copyright_outvotes_a_firm_mentioned_in_the_body() -> None:
    body = ["据中信证券研究，行业景气回升。"] * 5
    tail = ["本报告版权归国海证券股份有限公司所有。"]
    assert read_broker(tail=tail, body=body) == "国海证券"


def test_distribution_watermark_names_the_reader_not_the_writer() -> None:
    header = [f"本研究报告仅通过邮件提供给 某某瑞银基金 使用。{n}" for n in range(30)]
    assert read_broker(header=header, sidebar=["analyst@swsresearch.com"]) == "申万宏源"


def test_unregistered_firm_needs_a_strong_pattern() -> None:
    assert read_broker(tail=["本报告由远山证券股份有限公司研究所制作，版权归远山证券所有。"]) == "远山证券"
    assert read_broker(head=["我们认为证券行业景气回升"]) is None
