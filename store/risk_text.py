"""What counts as a risk and how long it may be: shared by the Risks pane and the store's
risk aggregates, so the pane and a pass over the library agree."""

from __future__ import annotations

import re

from yanbao.store.text_safety import clean

__all__ = ["MAX_RISK_CHARS", "bounded", "plausible_risk"]

MAX_RISK_CHARS = 160
"""A risk is a sentence or two; longer text is a paragraph the parser took for one, cut here."""

# Plainly not a risk: a bare number or percentage (10, 1%, 00%), or a stray fragment of
# one to three Latin letters (com, www) left by a PDF's line breaks.
_JUNK = re.compile(r"[\d.,%％\s+-]+|[a-z]{1,3}")


def plausible_risk(risk: str) -> bool:
    """False for text no reader would call a risk (see ``_JUNK``); odd wording stays."""
    text = clean(risk, one_line=True)
    return bool(text) and not _JUNK.fullmatch(text)


def bounded(text: str, limit: int = MAX_RISK_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = clean(text, one_line=True)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
