"""The company registry: its data file, exact lookups, text scanning, segments and tickers."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from yanbao.store.companies import (
    DATA_PATH,
    CompanyRegistry,
    fold,
    get_registry,
    normalize_ticker,
    segment_lookup,
)

TICKER_FORM = re.compile(r"^(\d{4}\.HK|\d{6}\.(SH|SZ)|\d{4}\.TW|\d{4}\.T|\d{6}\.KS|[A-Z]{1,5})$")


@pytest.fixture(scope="module")
def registry() -> CompanyRegistry:
    return get_registry()


def names(matches) -> list[str]:
    return [m.info.name for m in matches]


# --- the data file ------------------------------------------------------------------------


class TestDataFile:
    def test_holds_at_least_300_companies(self, registry):
        assert len(registry) >= 300

    def test_canonical_names_are_unique(self, registry):
        all_names = [c.name for c in registry]
        assert len(all_names) == len(set(all_names))

    def test_no_ticker_belongs_to_two_companies(self, registry):
        owner: dict[str, str] = {}
        for info in registry:
            for ticker in info.tickers:
                assert ticker not in owner, f"{ticker} is both {owner[ticker]} and {info.name}"
                owner[ticker] = info.name

    def test_every_ticker_is_in_schema_form(self, registry):
        bad = [(c.name, t) for c in registry for t in c.tickers if not TICKER_FORM.match(t)]
        assert bad == []

    def test_normalize_ticker_keeps_every_registry_ticker(self, registry):
        for info in registry:
            for ticker in info.tickers:
                if not re.fullmatch(r"\d{4}\.(TW|T)|\d{6}\.KS", ticker):
                    assert normalize_ticker(ticker) == ticker

    def test_no_name_or_alias_points_at_two_companies(self, registry):
        for info in registry:
            for alias in info.names:
                assert registry.lookup(alias) is info, f"{alias!r} of {info.name}"

    def test_fields_are_filled(self, registry):
        for info in registry:
            assert info.name and info.name_zh and info.sector, info.name
            assert 1 <= info.fiscal_year_end <= 12, info.name
            for seg in info.segments:
                assert seg.name, info.name

    def test_segments_are_distinct(self, registry):
        for info in registry:
            seg_names = [seg.name for seg in info.segments]
            assert len(seg_names) == len(set(seg_names)), info.name
            for seg in info.segments:
                for alias in seg.aliases:
                    found = registry.segment_lookup(alias)
                    assert found is not None and found[0] is info and found[1] == seg.name, alias
                    other = registry.lookup(alias)
                    assert other is None or other is info, f"segment {alias!r} names {other.name}"

    def test_index_members_are_present(self, registry):
        for ticker in ["0700.HK", "9988.HK", "0005.HK", "1299.HK", "0388.HK", "0941.HK", "2318.HK",
                       "1810.HK", "3690.HK", "9618.HK", "0981.HK", "1347.HK", "9660.HK", "0020.HK",
                       "600519.SH", "300750.SZ", "600036.SH", "601318.SH", "000858.SZ",
                       "002594.SZ", "MSFT", "AAPL", "GOOGL", "AMZN", "META", "NVDA", "TSLA",
                       "AVGO", "ORCL", "AMD", "NFLX", "CRM", "ADBE", "INTC", "QCOM", "2330.TW",
                       "TSM", "ASML", "PLTR", "SNOW", "CRWV", "PDD", "BEKE", "YMM", "VIPS"]:
            assert registry.by_ticker(ticker) is not None, ticker

    def test_private_ai_companies_have_no_ticker(self, registry):
        for name in ["OpenAI", "Anthropic", "DeepSeek", "字节跳动", "月之暗面", "智谱", "MiniMax", "xAI"]:
            info = registry.lookup(name)
            assert info is not None, name
            assert info.ticker is None and info.tickers == []

    def test_file_uses_only_known_fields(self):
        doc = json.loads(DATA_PATH.read_text(encoding="utf-8"))
        known = {"name", "name_zh", "aliases", "tickers", "fiscal_year_end", "sector", "segments",
                 "lookup_only"}
        for entry in doc["companies"]:
            assert set(entry) <= known, entry["name"]
            for seg in entry.get("segments", []):
                assert set(seg) <= {"name", "aliases", "context_aliases"}, entry["name"]

    def test_registry_is_loaded_once(self):
        assert get_registry() is get_registry()

    def test_store_module_needs_no_ui_libraries(self):
        code = "import sys, store.companies; print('textual' in sys.modules or 'rich' in sys.modules)"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "False"


# --- exact lookups ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, name",
    [
        ("腾讯", "Tencent"),
        ("腾讯控股", "Tencent"),
        ("Tencent", "Tencent"),
        ("tencent holdings", "Tencent"),
        ("TENCENT", "Tencent"),
        ("0700.HK", "Tencent"),
        ("700.HK", "Tencent"),
        ("0700 HK", "Tencent"),
        ("00700", "Tencent"),
        ("HK0700", "Tencent"),
        ("0700", "Tencent"),
        ("TCEHY", "Tencent"),
        ("阿里", "Alibaba"),
        ("阿里巴巴-W", "Alibaba"),
        ("阿里巴巴-SW", "Alibaba"),
        ("Alibaba Group", "Alibaba"),
        ("BABA", "Alibaba"),
        ("9988.HK", "Alibaba"),
        ("谷歌", "Alphabet"),
        ("Google", "Alphabet"),
        ("GOOG", "Alphabet"),
        ("微软", "Microsoft"),
        ("MSFT", "Microsoft"),
        ("MSFT.US", "Microsoft"),
        ("NASDAQ:MSFT", "Microsoft"),
        ("ＭＳＦＴ", "Microsoft"),
        ("亚马逊", "Amazon"),
        ("小米集团-W", "Xiaomi"),
        ("小米集团 - W", "Xiaomi"),
        ("小米集团－Ｗ", "Xiaomi"),
        ("小米集团- W", "Xiaomi"),
        ("美团-W", "Meituan"),
        ("携程集团-S", "Trip.com"),
        ("网易-S", "NetEase"),
        ("腾讯音乐-SW", "Tencent Music"),
        ("快手-W", "Kuaishou"),
        ("京东集团-SW", "JD.com"),
        ("百度集团-SW", "Baidu"),
        ("哔哩哔哩-W", "Bilibili"),
        ("金蝶集团", "Kingdee"),
        ("金蝶国际", "Kingdee"),
        ("迈富时", "Marketingforce"),
        ("联想集团", "Lenovo"),
        ("0992.HK", "Lenovo"),
        ("同程旅行", "Tongcheng Travel"),
        ("阅文集团", "China Literature"),
        ("网易云音乐", "NetEase Cloud Music"),
        ("阿里健康", "Alibaba Health"),
        ("贵州茅台", "Kweichow Moutai"),
        ("600519.SH", "Kweichow Moutai"),
        ("600519", "Kweichow Moutai"),
        ("SH600519", "Kweichow Moutai"),
        ("宁德时代", "CATL"),
        ("300750.SZ", "CATL"),
        ("中芯国际", "SMIC"),
        ("688981.SH", "SMIC"),
        ("台积电", "TSMC"),
        ("2330.TW", "TSMC"),
        ("2330 TT", "TSMC"),
        ("TSM", "TSMC"),
        ("字节跳动", "ByteDance"),
        ("月之暗面", "Moonshot AI"),
        ("腾讯公司", "Tencent"),
        ("百度集团", "Baidu"),
        ("美团有限公司", "Meituan"),
        ("Baidu, Inc.", "Baidu"),
        ("Xiaomi Holdings", "Xiaomi"),
    ],
)
def test_lookup(registry, text, name):
    info = registry.lookup(text)
    assert info is not None, text
    assert info.name == name


@pytest.mark.parametrize(
    "text", ["AI", "MS", "AWS", "Azure", "", "  ", "公司", "集团", "Inc.", "2025", "数据中心", "中信集团"]
)
def test_lookup_refuses_what_is_not_a_company(registry, text):
    assert registry.lookup(text) is None


def test_company_fields(registry):
    tencent = registry.lookup("腾讯")
    assert (tencent.name, tencent.name_zh, tencent.ticker) == ("Tencent", "腾讯控股", "0700.HK")
    assert tencent.tickers[0] == "0700.HK"
    assert "腾讯" in tencent.aliases
    assert registry.lookup("AWS") is None  # a segment, not an alias of Amazon
    assert "AWS" not in registry.lookup("Amazon").aliases


@pytest.mark.parametrize(
    "name, month",
    [("Microsoft", 6), ("Alibaba", 3), ("Xiaomi", 12), ("Apple", 9), ("Nvidia", 1), ("Oracle", 5),
     ("Salesforce", 1), ("Adobe", 11), ("Broadcom", 10), ("Lenovo", 3), ("Kingdee", 12),
     ("Alibaba Health", 3), ("JD.com", 12), ("Meituan", 12), ("Baidu", 12), ("Tencent", 12)],
)
def test_fiscal_year_end(registry, name, month):
    assert registry.lookup(name).fiscal_year_end == month


# --- scanning text ------------------------------------------------------------------------

PARAGRAPH = (
    "本周我们上调腾讯控股（0700.HK）目标价，并继续看好阿里巴巴-SW 与美团- W 的修复；"
    "小米集团-W 汽车交付超预期，快手-W 的可灵收入保持高增。海外方面，微软的 Azure 增速"
    "回升，Meta 上调全年资本开支指引，而 Alphabet (GOOGL US) 的谷歌云利润率改善。"
    "A 股方面关注贵州茅台(600519.SH)与宁德时代。DeepSeek 与字节跳动的模型迭代也值得跟踪。"
)


def test_find_all_on_a_report_paragraph(registry):
    matches = registry.find_all(PARAGRAPH)
    assert names(matches) == [
        "Tencent", "Alibaba", "Meituan", "Xiaomi", "Kuaishou", "Microsoft", "Meta", "Alphabet",
        "Alphabet", "Kweichow Moutai", "CATL", "DeepSeek", "ByteDance",
    ]
    for m in matches:
        assert PARAGRAPH[m.start:m.end].replace(" ", "").startswith(m.alias.split("-")[0])
    by_alias = {m.alias: m for m in matches}
    assert by_alias["腾讯控股"].ticker == "0700.HK"
    assert by_alias["贵州茅台"].ticker == "600519.SH"
    assert by_alias["Alphabet"].ticker == "GOOGL"
    assert by_alias["阿里巴巴-SW"].end - by_alias["阿里巴巴-SW"].start == len("阿里巴巴-SW")
    assert "美团-W" in by_alias and PARAGRAPH[by_alias["美团-W"].start:by_alias["美团-W"].end] == "美团- W"
    assert by_alias["宁德时代"].ticker is None


def test_find_all_prefers_the_longest_name(registry):
    text = "腾讯音乐与腾讯、阿里健康与阿里、京东方与京东、网易云音乐与网易、比亚迪电子与比亚迪"
    assert names(registry.find_all(text)) == [
        "Tencent Music", "Tencent", "Alibaba Health", "Alibaba", "BOE", "JD.com",
        "NetEase Cloud Music", "NetEase", "BYD Electronic", "BYD",
    ]


def test_find_all_share_class_suffixes_belong_to_the_name(registry):
    text = "相关公司：小米集团- W；快手-W、携程集团- S、网易-S、哔哩哔哩-SW。"
    matches = registry.find_all(text)
    assert [m.alias for m in matches] == ["小米集团-W", "快手-W", "携程集团-S", "网易-S", "哔哩哔哩-SW"]
    assert [text[m.start:m.end] for m in matches][0] == "小米集团- W"


def test_find_all_needs_word_boundaries_for_latin_names(registry):
    text = "The metadata layer, a metaverse, Metallica and Applebee's; Armor and Intelligence."
    assert registry.find_all(text) == []
    assert names(registry.find_all("Meta's ads and Meta-owned apps; (Apple)")) == ["Meta", "Meta", "Apple"]


def test_find_all_ignores_ordinary_words_and_short_codes(registry):
    text = "AI and MS said apple pie is sweet; the oracle spoke; an arm and a snow day; NOW and NET."
    assert registry.find_all(text) == []
    assert names(registry.find_all("Apple, Oracle and Intel rose; NVDA and MSFT fell")) == [
        "Apple", "Oracle", "Intel", "Nvidia", "Microsoft"
    ]


def test_find_all_skips_longer_words_that_are_not_companies(registry):
    text = "北京东路与南京东路的门店；行业不同程度受影响；中国银行业息差；中国移动互联网流量；高通胀环境"
    assert registry.find_all(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "其中芯片收入占比提升，其中海外收入增长，其中石油需求回落，其中金额最大的一笔",
        "中国航空客运量恢复，美国航母编队，高铁建设与地铁建设提速，社交行业竞争激烈",
        "今天合计成交额，推广达到预期，在浪潮中兴起的公司，游戏中免费道具，股东财富",
        "The BOE kept rates on hold while the DJI closed higher.",
    ],
)
def test_find_all_ignores_everyday_phrases(registry, text):
    assert registry.find_all(text) == []


def test_find_all_joins_names_broken_across_lines(registry):
    matches = registry.find_all("阅文集团、网易云音乐、联想集\n团等")
    assert names(matches) == ["China Literature", "NetEase Cloud Music", "Lenovo"]
    assert matches[-1].alias == "联想集团"


def test_find_all_reads_full_width_text(registry):
    assert names(registry.find_all("ＭＳＦＴ与Ｍｅｔａ")) == ["Microsoft", "Meta"]


def test_find_all_keeps_order_and_offsets(registry):
    text = "英伟达与 AMD 竞争，台积电代工，Nvidia (NVDA US) 领先。"
    matches = registry.find_all(text)
    assert names(matches) == ["Nvidia", "AMD", "TSMC", "Nvidia"]
    assert [m.start for m in matches] == sorted(m.start for m in matches)
    assert matches[-1].ticker == "NVDA"  # the bracketed ticker is not a second mention
    for m in matches:
        assert registry.lookup(text[m.start:m.end]) is m.info


def test_find_all_on_a_megabyte(registry):
    text = (PARAGRAPH + "行业竞争加剧，全球宏观经济扰动风险，云计算开支缩减。\n") * 5000
    assert len(text.encode()) > 1_000_000
    matches = registry.find_all(text)
    assert len(matches) == 13 * 5000  # every mention, none merged across repeats


# --- segments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, company, segment",
    [
        ("Azure", "Microsoft", "Azure"),
        ("azure", "Microsoft", "Azure"),
        ("AWS", "Amazon", "AWS"),
        ("亚马逊云科技", "Amazon", "AWS"),
        ("谷歌云", "Alphabet", "Google Cloud"),
        ("Google Cloud", "Alphabet", "Google Cloud"),
        ("YouTube", "Alphabet", "YouTube"),
        ("Reality Labs", "Meta", "Reality Labs"),
        ("阿里云", "Alibaba", "Alibaba Cloud"),
        ("淘天", "Alibaba", "Taobao and Tmall Group"),
        ("微信", "Tencent", "WeChat"),
        ("金融科技及企业服务", "Tencent", "FinTech and Business Services"),
    ],
)
def test_segment_lookup(text, company, segment):
    found = segment_lookup(text)
    assert found is not None, text
    assert (found[0].name, found[1]) == (company, segment)


def test_generic_words_are_segments_only_beside_their_company(registry):
    assert segment_lookup("游戏") is None
    assert segment_lookup("广告") is None
    tencent = registry.lookup("腾讯")
    assert registry.find_segment(tencent, "本季度网络游戏收入同比增长") == "Games"
    assert registry.find_segment(tencent, "微信小店交易额提升") == "WeChat"
    assert registry.find_segment(registry.lookup("Microsoft"), "Azure 增速 33%") == "Azure"
    assert registry.find_segment(registry.lookup("Microsoft"), "公司整体收入增长") is None


def test_find_segments_in_a_sentence(registry):
    text = "AWS 收入同比增长 17%，谷歌云收入 123 亿美元，Azure 增速 33%，微信月活继续增长。"
    found = [(m.info.name, m.segment) for m in registry.find_segments(text)]
    assert found == [
        ("Amazon", "AWS"), ("Alphabet", "Google Cloud"), ("Microsoft", "Azure"), ("Tencent", "WeChat")
    ]


# --- tickers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0700.HK", "0700.HK"),
        ("700.HK", "0700.HK"),
        ("0700 HK", "0700.HK"),
        ("00700", "0700.HK"),
        ("00700.HK", "0700.HK"),
        ("HK0700", "0700.HK"),
        ("HK:700", "0700.HK"),
        ("0700.hk", "0700.HK"),
        ("9988 HK Equity", "9988.HK"),
        ("MSFT", "MSFT"),
        ("MSFT.US", "MSFT"),
        ("MSFT US", "MSFT"),
        ("NASDAQ:MSFT", "MSFT"),
        ("NYSE: BABA", "BABA"),
        ("BABA.N", "BABA"),
        ("NVDA.O", "NVDA"),
        ("600519.SH", "600519.SH"),
        ("600519.SS", "600519.SH"),
        ("SH600519", "600519.SH"),
        ("600519", "600519.SH"),
        ("600519 CH", "600519.SH"),
        ("000001.SZ", "000001.SZ"),
        ("SZ000001", "000001.SZ"),
        ("300750 CH", "300750.SZ"),
        ("688981", "688981.SH"),
        ("2330.TW", "2330.TW"),
        ("2330 TT", "2330.TW"),
        ("9984 JP", "9984.T"),
        ("005930 KS", "005930.KS"),
        ("0700", None),
        ("2025", None),
        ("msft", None),
        ("hello world", None),
        ("", None),
    ],
)
def test_normalize_ticker(raw, expected):
    assert normalize_ticker(raw) == expected


@pytest.mark.parametrize(
    "text, ticker",
    [
        ("腾讯控股（0700.HK）", "0700.HK"),
        ("Tencent (0700 HK)", "0700.HK"),
        ("贵州茅台(600519.SH)", "600519.SH"),
        ("英伟达 (NVDA US)", "NVDA"),
        ("中芯国际（0981.HK/688981.SH）", "0981.HK"),
        ("微软(MSFT)", "MSFT"),
        ("苹果 (AI)", None),
        ("谷歌（2025Q1）", None),
        ("亚马逊（yoy+28%）", None),
    ],
)
def test_ticker_after_a_name(registry, text, ticker):
    match = registry.find_all(text)[0]
    assert match.ticker == ticker
    assert registry.ticker_after(text, match.end) == ticker


def test_fold_keeps_length():
    text = "ＡＢＣ－１２（腾讯）Meta — x"
    assert len(fold(text)) == len(text)
    assert fold("ＭＳＦＴ－Ｗ") == "msft-w"
