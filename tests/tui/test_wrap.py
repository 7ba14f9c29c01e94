"""Chinese wraps by character, Latin by word, with hanging indents (tui.data.wrap, Paragraphs)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from yanbao.tui.data.wrap import wrap_lines
from yanbao.tui.widgets.paragraphs import Paragraphs

MIXED = "Recommendation: AI 云收入增速再上台阶，资本开支继续走高，我们维持推荐评级。"


def test_a_chinese_run_fills_the_line_instead_of_jumping() -> None:
    lines = wrap_lines(MIXED, 30)
    assert lines[0].startswith("Recommendation: AI 云")  # not "Recommendation: AI" alone
    assert all(cell_len(line) <= 30 for line in lines)
    assert "".join(lines).replace(" ", "") == MIXED.replace(" ", "")


def test_latin_words_stay_whole_and_long_words_fold() -> None:
    lines = wrap_lines("Azure grew 39% year on year, well above consensus", 16)
    assert all(cell_len(line) <= 16 for line in lines)
    assert {w for line in lines for w in line.split()} == set("Azure grew 39% year on year, well above consensus".split())
    assert wrap_lines("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_closing_punctuation_never_starts_a_line() -> None:
    for width in range(10, 40):  # (a line narrower than a word plus its mark cannot help it)
        for line in wrap_lines("广告收入同比增长，游戏业务稳健。云业务（含智能体）加速：利润率改善。", width)[1:]:
            assert line[0] not in "，。）：", (width, line)


def test_bullets_keep_a_hanging_indent() -> None:
    paragraphs = Paragraphs([(Text("   • "), Text("云厂商资本开支继续走高，港股互联网估值有望修复，我们看好腾讯与阿里巴巴。"))])
    lines = [line.plain for line in paragraphs.lines(24)]
    assert lines[0].startswith("   • 云") and len(lines) > 2
    assert all(line.startswith("     ") and not line.startswith("      ") for line in lines[1:])
    assert all(cell_len(line) <= 24 for line in lines)
