"""Finding registry names in running text: the folding that keeps offsets, and one compiled
trie-shaped regex over every alias (leftmost, longest, case rules for names that are also
words), shared by the company registry and the broker registry."""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["Scanner", "add_alias", "fold", "name_key"]

# --- text folding -------------------------------------------------------------------------

# One character in, one character out, so offsets in folded text are offsets in the original:
# full-width ASCII to half-width, every dash to "-", ASCII letters to lower case.
_FOLD_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD_TABLE.update({0x3000: 0x20, 0xA0: 0x20})
_FOLD_TABLE.update({ord(d): ord("-") for d in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d"})
_FOLD_TABLE = {k: chr(v) for k, v in _FOLD_TABLE.items()}
_HALF_WIDTH = str.maketrans(_FOLD_TABLE)  # width and dashes only, case kept
_FOLD_TABLE.update({ord(c): c.lower() for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
_FOLD_TABLE.update({k: v.lower() for k, v in list(_FOLD_TABLE.items()) if v.isupper()})
_FOLD = str.maketrans(_FOLD_TABLE)


def fold(text: str) -> str:
    """Lower-case ASCII, half-width ASCII and plain dashes; keeps the length of ``text``."""
    return text.translate(_FOLD)


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# Hong Kong share-class markers written after a name: 小米集团-W, 网易-S, 美团- W.
_CLASS_SUFFIX = re.compile(r"\s*-\s*(?:sw|w|s|b)$")
_SPACE_RUN = re.compile(r"\s+")
_DASH_SPACES = re.compile(r"\s*-\s*")
_SPACE_BY_CJK = re.compile(r"(?<=[\u3400-\u9fff]) | (?=[\u3400-\u9fff])")


def name_key(text: str) -> str:
    """The comparison form of a name: folded, spaces collapsed (dropped beside Chinese)."""
    text = _SPACE_RUN.sub(" ", fold(text)).strip()
    return _SPACE_BY_CJK.sub("", text)


# --- scanning -----------------------------------------------------------------------------

# Ordinary words that are also company names: matched only when written with a capital.
_CAPITALIZED = frozenset(
    "apple amazon oracle arm intel alphabet google tesla micron cadence intuit workday visa "
    "zoom snap moonshot mistral perplexity lilly dell snowflake prudential quanta minimax "
    "kimi claude grok gemini llama sora optimus ascend search office advertising gaming "
    "services mac".split()
)
_EXACT = frozenset({"xAI", "FoA"})
_SHORT_OK = frozenset({"JD"})  # two-letter names worth scanning for (always in capitals)
# Tickers that are also everyday words or acronyms; never scanned for as names.
_TICKER_WORDS = frozenset(
    "NOW NET EDU CRM TEAM APP SNAP COIN DASH SHOP SPOT PONY COST SNOW PINS ASX ONC".split()
)
_ANY, _CAP, _UPPER = 0, 1, 2
_GAP = r"\s{0,4}"  # PDF text breaks lines and spaces inside Chinese names
_SUFFIX = r"(?P<sfx>\s{0,3}-\s{0,3}(?:sw|w|s|b)(?![a-z0-9]))?"


def _case_rule(alias: str) -> int | None:
    """How the case of an alias must look in text, or None when it is too short to scan."""
    if any(_is_cjk(c) for c in alias):
        return _ANY
    letters = [c for c in alias if c.isalpha()]
    if alias in _EXACT:
        return _UPPER
    if len(alias.replace(" ", "")) < 3 and alias not in _SHORT_OK:
        return None
    if letters and all(c.isupper() for c in letters):
        return _UPPER
    if alias.lower() in _CAPITALIZED:
        return _CAP
    return _ANY


def _case_ok(rule: int, alias: str, written: str) -> bool:
    if rule == _ANY:
        return True
    if rule == _CAP:
        return written[:1].isupper()
    return _SPACE_RUN.sub(" ", written.strip()) == alias


def _trie_regex(keys: list[str]) -> str:
    """One regex alternation shaped as a trie over ``keys`` (folded, longest tried first)."""
    trie: dict = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict, prev: str) -> str:
        branches = []
        for ch in sorted(c for c in node if c):  # children first: the longest name wins
            gap = _GAP if prev and (_is_cjk(prev) or _is_cjk(ch)) else ""
            piece = r"\s+" if ch == " " else re.escape(ch)
            if not prev and _is_word(ch):
                piece = f"{piece}(?<![a-z0-9]{re.escape(ch)})"
            branches.append(f"{gap}{piece}{emit(node[ch], ch)}")
        if "" in node:
            branches.append("(?![a-z0-9])" if _is_word(prev) else "")
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(trie, "")


class Scanner:
    """Finds registry words in text: one compiled regex plus a table from key to target."""

    def __init__(self, entries: dict[str, tuple[object, int, str]]) -> None:
        self.entries = entries  # key -> (target or None for a stop phrase, case rule, alias)
        keys = sorted(entries, key=len, reverse=True)
        body = _trie_regex(keys) if keys else "(?!)"
        self.regex = re.compile(f"(?P<name>{body}){_SUFFIX}")

    def scan(self, text: str) -> Iterator[tuple[int, int, str, object]]:
        folded = fold(text)
        entries = self.entries
        search = self.regex.search
        pos = 0
        while True:
            m = search(folded, pos)
            if m is None:
                return
            start, name_end = m.span("name")
            found = entries.get(folded[start:name_end])
            if found is None:  # the name was written with spaces or a line break inside
                found = entries.get(name_key(text[start:name_end]))
                if found is None:
                    pos = start + 1
                    continue
            target, rule, alias = found
            if target is None:  # a stop phrase: a longer word that is not a company
                pos = name_end
                continue
            if rule != _ANY and not _case_ok(rule, alias, text[start:name_end].translate(_HALF_WIDTH)):
                pos = start + 1
                continue
            end = name_end
            if m.group("sfx") and _is_cjk(folded[name_end - 1]):
                end = m.end()
            shown = text[start:end]
            if not shown.isascii() or " " in shown or end != name_end:
                shown = _SPACE_BY_CJK.sub("", _SPACE_RUN.sub(" ", shown.strip()))
                if end != name_end:
                    shown = _DASH_SPACES.sub("-", shown)
            yield start, end, shown, target
            pos = end


def add_alias(entries: dict, alias: str, target: object) -> None:
    rule = _case_rule(alias)
    if rule is None:
        return
    key = _CLASS_SUFFIX.sub("", name_key(alias)) if any(_is_cjk(c) for c in alias) else name_key(alias)
    if not key:
        return
    old = entries.get(key)
    if old is None:
        entries[key] = (target, rule, alias)
    elif old[0] is target and rule < old[1]:
        entries[key] = (target, rule, alias)


