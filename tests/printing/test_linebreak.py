"""Chinese line breaking (避头尾): exhaustive cases at the line end and a property over any text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiqian_desktop.printing.linebreak import (
    NO_LINE_END,
    NO_LINE_START,
    break_lines,
    line_violations,
    punctuation_allows_break,
    text_units,
    width_units,
)

HAN = "申请人李某与被申请人王某某民间借贷纠纷一案本院依法催告"
BRIEF_CLOSING = "，。、；：！？）」》』】〕…"
BRIEF_OPENING = "（「《『【〔“‘"


def test_widths() -> None:
    assert [width_units(c) for c in "中，（¥1a.“"] == [2, 2, 2, 1, 1, 1, 1, 2]
    assert text_units("¥12,345.67元") == 10 + 2


def test_the_brief_marks_are_all_forbidden() -> None:
    assert set(BRIEF_CLOSING) <= NO_LINE_START
    assert set(BRIEF_OPENING) <= NO_LINE_END


@pytest.mark.parametrize("mark", sorted(BRIEF_CLOSING))
@pytest.mark.parametrize("position", range(24, 33))
def test_closing_mark_never_starts_a_line(mark: str, position: int) -> None:
    text = HAN * 2
    text = text[:position] + mark + text[position:]
    lines = break_lines(text, 56)
    assert "".join(lines) == text
    assert all(text_units(line) <= 56 for line in lines)
    assert all(line[0] not in NO_LINE_START for line in lines[1:])


@pytest.mark.parametrize("mark", sorted(BRIEF_OPENING))
@pytest.mark.parametrize("position", range(24, 33))
def test_opening_mark_never_ends_a_line(mark: str, position: int) -> None:
    text = HAN * 2
    text = text[:position] + mark + text[position:]
    lines = break_lines(text, 56)
    assert "".join(lines) == text
    assert all(line[-1] not in NO_LINE_END for line in lines[:-1])


def test_full_line_then_comma_pushes_the_last_character_down() -> None:
    text = "甲" * 28 + "，乙"
    assert break_lines(text, 56) == ["甲" * 27, "甲，乙"]


def test_first_line_indent_takes_two_characters() -> None:
    lines = break_lines("甲" * 60, 56, first_indent=4)
    assert [len(line) for line in lines] == [26, 28, 6]


def test_amounts_and_numbers_stay_whole() -> None:
    text = "甲" * 22 + "支付¥12,345.67元"
    lines = break_lines(text, 56)
    assert lines == ["甲" * 22 + "支付", "¥12,345.67元"]


def test_runs_of_marks_longer_than_a_line_still_terminate() -> None:
    text = "。" * 100
    lines = break_lines(text, 56)
    assert "".join(lines) == text and all(len(line) == 28 for line in lines[:-1])


ALPHABET = st.sampled_from(
    list(HAN) + list(BRIEF_CLOSING) + list(BRIEF_OPENING) + list("”’0123456789.,¥abcXYZ—")
)
NAMES = st.text(
    alphabet=st.sampled_from(list("王李张刘陈杨赵黄周吴某䶮堃喆")), min_size=1, max_size=4
)
AMOUNTS = st.decimals(min_value=0, max_value=10**9, places=2).map(lambda d: f"¥{d:,}")
TOKENS = st.one_of(
    ALPHABET,
    NAMES,
    AMOUNTS,
    st.sampled_from(["，", "。", "（", "）", "：", "“", "”", "《民事诉讼法》", "……", "——"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=80), st.sampled_from([0, 4]))
def test_property_lines_fit_keep_every_character_and_respect_kinsoku(
    tokens: list[str], indent: int
) -> None:
    text = "".join(tokens)
    lines = break_lines(text, 56, first_indent=indent)
    assert "".join(lines) == text
    for i, line in enumerate(lines):
        assert line
        assert text_units(line) <= 56 - (indent if i == 0 else 0)
    # A forbidden break is allowed only when the line had no allowed break point at all.
    start = 0
    for i, line in enumerate(lines[:-1]):
        end = start + len(line)
        if i + 1 in line_violations(lines):
            window_end = end
            used = text_units(line)
            cap = 56 - (indent if i == 0 else 0)
            while window_end < len(text) and used + width_units(text[window_end]) <= cap:
                used += width_units(text[window_end])
                window_end += 1
            assert not any(
                punctuation_allows_break(text, k) for k in range(start + 1, window_end + 1)
            ), (lines, i)
        start = end


@settings(max_examples=200, deadline=None)
@given(NAMES, NAMES, AMOUNTS, st.integers(min_value=0, max_value=40))
def test_property_realistic_notice_text_has_no_violation(
    obligor: str, applicant: str, amount: str, pad: int
) -> None:
    text = (
        "甲"
        * pad
        + f"申请人{applicant}与你（单位）民间借贷纠纷一案，该判决书确定你（单位）应当向申请人"
        f"{applicant}支付人民币（{amount}）。被申请人{obligor}：请你于收到本催告书之日起十五日内"
        "履行；逾期不履行的，依照《中华人民共和国民事诉讼法》的有关规定……“依法”处理。"
    )
    lines = break_lines(text, 56, first_indent=4)
    assert line_violations(lines) == []
    assert "".join(lines) == text
