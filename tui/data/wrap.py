"""Where to break a paragraph so it fits a width in terminal cells: Chinese by character.

Rich and Textual break lines only at spaces, so a run of Chinese (which has none) jumps
whole to its own line and is then cut anywhere. Here each CJK character is a place to
break, Latin words stay whole, and closing punctuation (，。） never starts a line.
No Textual here: widgets turn the offsets into lines with ``rich.text.Text.divide``.
"""

from __future__ import annotations

import re

from rich.cells import cell_len

__all__ = ["wrap_offsets", "wrap_lines"]

# A Latin word with the spaces after it, a run of spaces, or one other character (CJK).
_TOKEN = re.compile(r"[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+\s*|\s+|.", re.DOTALL)
_NO_LINE_START = set("，。、；：！？）》」』】〕,.;:!?)]}%％·…—")


def _tokens(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _TOKEN.finditer(text)]


def wrap_offsets(text: str, width: int) -> list[int]:
    """Character offsets at which ``text`` (one paragraph) breaks to fit ``width`` cells.

    Spaces at a break stay at the end of the line they follow (callers strip them)."""
    if width <= 0 or cell_len(text) <= width:
        return []
    offsets: list[int] = []
    line_start, used = 0, 0
    tokens = _tokens(text)
    index = 0
    while index < len(tokens):
        start, token = tokens[index]
        word = token.rstrip()
        need = cell_len(word)
        if used + need <= width or start == line_start and need <= width:
            used += cell_len(token)
            index += 1
            continue
        if start == line_start:  # a word wider than the line: fold it by character
            cut, cells = start, 0
            for offset, char in enumerate(word):
                if cells + cell_len(char) > width:
                    cut = start + max(offset, 1)
                    break
                cells += cell_len(char)
            offsets.append(cut)
            tokens[index] = (cut, text[cut:start + len(token)])
            line_start, used = cut, 0
            continue
        # Keep closing punctuation on the line it closes: carry what comes before it over;
        # when nothing can move (the line is one word and its marks), break where it overflowed.
        back = index
        while tokens[back][1][0] in _NO_LINE_START and back > 0 and tokens[back - 1][0] > line_start:
            back -= 1
        if tokens[back][1][0] not in _NO_LINE_START:
            index = back
        cut = tokens[index][0]
        offsets.append(cut)
        line_start, used = cut, 0
    return offsets


def wrap_lines(text: str, width: int) -> list[str]:
    """``text`` cut at ``wrap_offsets``, each line without trailing spaces."""
    bounds = [0, *wrap_offsets(text, width), len(text)]
    return [text[a:b].rstrip() for a, b in zip(bounds, bounds[1:])]
