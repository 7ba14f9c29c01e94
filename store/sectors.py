"""Sector and product names (电子, 半导体, 面板, 智能手机) as industry reports write them.

Industry reports state aggregate figures (电子行业整体归母净利润 920.42 亿元): such a figure
is about a sector, not a company. The names are data, ``sectors.json``; one compiled
alternation finds them in a sentence, longest name first.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

__all__ = ["SectorMention", "find_sectors", "sector_names", "main_sector"]

DATA_PATH = Path(__file__).with_name("sectors.json")  # beside the module, like companies.json


class SectorMention(NamedTuple):
    """A sector named in a text: where, and which."""

    start: int
    end: int
    name: str


@lru_cache(maxsize=1)
def sector_names() -> tuple[str, ...]:
    """Every sector name in the registry, longest first."""
    data = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    return tuple(sorted(set(data["sectors"]), key=len, reverse=True))


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    # An ASCII name (PC, LED) stands alone, not inside a longer word (PCB, OLED).
    parts = [rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])" if n[-1].isascii() else re.escape(n) for n in sector_names()]
    return re.compile("|".join(parts))


def find_sectors(text: str) -> list[SectorMention]:
    """Sector names in the text, left to right."""
    return [SectorMention(m.start(), m.end(), m.group(0)) for m in _pattern().finditer(text)]


_SECTOR_WORD = re.compile(r"行业|板块|产业|领域")


def main_sector(texts: list[str]) -> str | None:
    """The sector a report is about: the name that most often stands before 行业 / 板块 in its
    title and first lines (电子行业周报 is about 电子), else None."""
    votes: dict[str, int] = {}
    for text in texts:
        for mention in find_sectors(text):
            if _SECTOR_WORD.match(text, mention.end):
                votes[mention.name] = votes.get(mention.name, 0) + 1
    return max(votes, key=lambda n: votes[n]) if votes else None
