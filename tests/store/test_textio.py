"""Text reports decode by what their bytes say (charset-normalizer), refusing what fits none."""

from __future__ import annotations

import random

import pytest

from yanbao.store.errors import ReportError
from yanbao.store.textio import decode_report_bytes


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "utf-8", "utf-8-sig"])
def test_short_chinese_text_decodes_in_each_encoding(encoding: str) -> None:
    text = "風險提示：競爭加劇" if encoding == "big5" else "风险提示：竞争加剧，需求不及预期"
    assert decode_report_bytes(text.encode(encoding), "r.txt") == text


def test_latin1_and_random_bytes_are_refused_not_misread() -> None:
    random.seed(3)
    for data in ("Café résumé - revenue grew 15%. Déjà vu.".encode("latin-1"),
                 bytes(random.randrange(128, 256) for _ in range(3000))):
        with pytest.raises(ReportError, match="encoding not recognised"):
            decode_report_bytes(data, "r.txt")
