"""Chinese line breaking (避头尾): exhaustive cases at the line end and a property over any text."""

from __future__ import annotations

import itertools
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiqian_desktop.printing.linebreak import (
    NO_LINE_END,
    NO_LINE_START,
    break_lines,
    keeps_together,
    line_violations,
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
    # A forbidden break (by the oracle's lists below) is allowed only when the line had no
    # allowed break point at all.
    start = 0
    for i, line in enumerate(lines[:-1]):
        end = start + len(line)
        if line[-1] in NEVER_LAST or lines[i + 1][0] in NEVER_FIRST:
            window_end = end
            used = text_units(line)
            cap = 56 - (indent if i == 0 else 0)
            while window_end < len(text) and used + width_units(text[window_end]) <= cap:
                used += width_units(text[window_end])
                window_end += 1
            assert not any(
                text[k] not in NEVER_FIRST and text[k - 1] not in NEVER_LAST
                for k in range(start + 1, min(window_end + 1, len(text)))
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
    assert oracle_faults(text, lines, 56, indent=4) == []
    assert line_violations(lines) == []


# --- an oracle written apart from the breaker -----------------------------------------------
# From the classes of marks in GB/T 15834-2011 (标点符号用法) and the line-start / line-end
# prohibitions of the W3C's Requirements for Chinese Text Layout (clreq), not from linebreak.py's
# sets or its line_violations(): a breaker and a checker that are wrong together cannot both pass.

STOPS = "、，。；：？！" + ",.;:?!"  # 点号
CLOSING_QUOTES = "”’」』"
CLOSING_BRACKETS = "）］｝〕】〗〙〛" + ")]}"
CLOSING_TITLES = "》〉"
SEPARATORS = "·" + "～"  # 间隔号, 连接号
DOUBLED = "…—"  # 省略号 and 破折号, written twice and never split, never at a line start
AFTER_NUMBERS = "％‰℃%"
NEVER_FIRST = frozenset(
    STOPS
    + CLOSING_QUOTES
    + CLOSING_BRACKETS
    + CLOSING_TITLES
    + SEPARATORS
    + DOUBLED
    + AFTER_NUMBERS
)
OPENING = "“‘「『" + "（［｛〔【〖〘〚" + "《〈" + "([{"
CURRENCY = "¥￥$"  # a sign belongs to the figure after it
NEVER_LAST = frozenset(OPENING + CURRENCY)
PUSHBACK = 12
"""A number or Latin word moves whole to the next line when that moves at most 12 units."""


def oracle_width(ch: str) -> int:
    """Chinese type: Han and full-width forms two units, as are the curly quotes, …, —, · and ℃."""
    wide = unicodedata.east_asian_width(ch) in ("W", "F") or ch in "“”‘’…—·℃‰"
    return 2 if wide else 1


def oracle_faults(text: str, lines: list[str], capacity: int, indent: int = 0) -> list[str]:
    """What a proof-reader would mark on the broken text."""
    faults = []
    if "".join(lines) != text:
        faults.append("characters lost, added or reordered")
    for i, line in enumerate(lines):
        room = capacity - (indent if i == 0 else 0)
        if not line:
            faults.append(f"line {i + 1} is empty")
            continue
        if sum(oracle_width(c) for c in line) > room and len(line) > 1:
            faults.append(f"line {i + 1} is wider than {room} units: {line}")
        if i > 0 and line[0] in NEVER_FIRST:
            faults.append(f"line {i + 1} starts with {line[0]}")
        if i + 1 < len(lines) and line[-1] in NEVER_LAST:
            faults.append(f"line {i + 1} ends with {line[-1]}")
        if i + 1 < len(lines) and line[-1] in DOUBLED and lines[i + 1][:1] == line[-1]:
            faults.append(f"{line[-1] * 2} split after line {i + 1}")
    return faults


WORD = re.compile(r"[0-9A-Za-z.,:/'%-]+")


def split_words(text: str, lines: list[str]) -> list[str]:
    """Numbers and Latin words that a break cuts although moving them whole (with the opening
    marks and currency signs just before them) would have moved at most 12 units."""
    cuts = set(itertools.accumulate(len(line) for line in lines[:-1]))
    cut_words = []
    for match in WORD.finditer(text):
        inside = [k for k in cuts if match.start() < k < match.end()]
        if not inside:
            continue
        start = match.start()
        while start > 0 and text[start - 1] in NEVER_LAST:
            start -= 1
        moved = sum(oracle_width(c) for c in text[start : inside[0]])
        if moved <= PUSHBACK:
            cut_words.append(match.group())
    return cut_words


def test_the_oracle_marks_what_a_proof_reader_would() -> None:
    assert oracle_faults("甲，乙", ["甲", "，乙"], 56) == ["line 2 starts with ，"]
    assert oracle_faults("甲（乙", ["甲（", "乙"], 56) == ["line 1 ends with （"]
    assert oracle_faults("甲……", ["甲…", "…"], 56) == [
        "…… split after line 1",
        "line 2 starts with …",
    ]
    assert oracle_faults("甲乙", ["甲", "乙"], 2) == []
    assert oracle_faults("甲乙", ["甲乙"], 2) == ["line 1 is wider than 2 units: 甲乙"]
    assert oracle_faults("甲乙", ["甲"], 56) == ["characters lost, added or reordered"]
    assert split_words("甲12345乙", ["甲123", "45乙"]) == ["12345"]
    assert split_words("甲（¥12345乙", ["甲（¥1", "2345乙"]) == ["12345"]
    assert split_words("甲" + "1" * 14, ["甲" + "1" * 13, "1"]) == []


# Text built from the marks above between short runs of Han characters: every line has somewhere
# a break is allowed, so the oracle expects no fault at all.
HAN_RUNS = st.text(alphabet=st.sampled_from(list(HAN)), min_size=1, max_size=6)
MARKS = st.sampled_from(
    list(STOPS + CLOSING_QUOTES + CLOSING_BRACKETS + CLOSING_TITLES + SEPARATORS + AFTER_NUMBERS)
    + list(OPENING + CURRENCY)
    + ["……", "——", "”。", "）。", "》，", "。”", "：“", "（“"]
)
WORDS = st.one_of(
    st.integers(0, 10**25).map(str),
    AMOUNTS,
    st.sampled_from(["Beijing", "WeChat", "ABC-123", "2026-11-25", "13800138000", "No.5", "80%"]),
)
PIECES = st.lists(st.tuples(HAN_RUNS, st.lists(MARKS | WORDS, max_size=2)), max_size=40)


@settings(max_examples=400, deadline=None)
@given(PIECES, st.sampled_from([0, 4]), st.sampled_from([56, 40, 20]))
def test_property_the_oracle_finds_no_fault(
    pieces: list[tuple[str, list[str]]], indent: int, capacity: int
) -> None:
    text = "".join(han + "".join(extra) for han, extra in pieces)
    lines = break_lines(text, capacity, first_indent=indent)
    assert oracle_faults(text, lines, capacity, indent) == [], lines
    assert split_words(text, lines) == [], lines


@settings(max_examples=200, deadline=None)
@given(st.lists(TOKENS, max_size=80))
def test_line_violations_agrees_with_the_oracle(tokens: list[str]) -> None:
    text = "".join(tokens)
    lines = break_lines(text, 56)
    marked = {
        int(fault.split()[1]) for fault in oracle_faults(text, lines, 56) if "starts" in fault
    } | {int(fault.split()[1]) + 1 for fault in oracle_faults(text, lines, 56) if "ends" in fault}
    assert set(line_violations(lines)) == marked


# --- long numbers and Latin words at the end of a line ----------------------------------------
# Worked out from the rule (a 56-unit line; Han 2 units, digits and letters 1): a number or word
# that does not fit moves whole to the next line if at most 12 of its units were on this one;
# otherwise it is split where the line is full.


def test_a_number_moves_whole_when_eight_units_go_back() -> None:
    text = "甲" * 24 + "12345678901"  # 48 units; 8 digits would fit
    assert break_lines(text) == ["甲" * 24, "12345678901"]


def test_a_number_moves_whole_when_exactly_twelve_units_go_back() -> None:
    number = "6222021234567890"  # 16 digits, 12 of them would fit after 44 units
    assert break_lines("甲" * 22 + number) == ["甲" * 22, number]


def test_a_number_that_would_move_thirteen_units_is_split_where_the_line_is_full() -> None:
    number = "62220212345678901234"  # 20 digits; 13 would fit after 43 units
    text = "甲" * 21 + " " + number
    assert break_lines(text) == ["甲" * 21 + " " + number[:13], number[13:]]
    assert break_lines(text, max_pushback=13) == ["甲" * 21 + " ", number]


def test_a_number_longer_than_a_line_is_split_at_every_full_line() -> None:
    number = "1234567890" * 7  # 70 digits, more than a 56-unit line
    assert break_lines(number) == [number[:56], number[56:]]
    assert break_lines("甲" + number) == ["甲" + number[:54], number[54:]]


def test_a_number_moves_whole_with_the_closing_marks_glued_to_it() -> None:
    # 42 units of Han, then 12 digits and the ellipsis fill the line: with the 4 units of ……,
    # which may not start a line, 16 units go back, yet only 12 of the number's were on the line.
    assert break_lines("甲" * 21 + "138001380001……乙") == ["甲" * 21, "138001380001……乙"]
    assert break_lines("甲" * 21 + "13800138000……乙乙") == ["甲" * 21, "13800138000……乙乙"]


def test_a_number_with_thirteen_units_on_the_line_is_cut_before_its_closing_marks() -> None:
    number = "62220212345678901234"  # 13 digits fit after 43 units
    assert break_lines("甲" * 21 + " " + number + "……") == [
        "甲" * 21 + " " + number[:13],
        number[13:] + "……",
    ]
    # The opening mark counts with the number: 2 + 11 units are on the line, so it is cut.
    assert break_lines("甲" * 20 + "（138001380001……）") == [
        "甲" * 20 + "（13800138000",
        "1……）",
    ]


def test_a_number_filling_a_narrow_line_is_cut_as_late_as_the_marks_allow() -> None:
    # A 10-unit cell: the number opens the line and cannot move; …… may not start a line.
    assert break_lines("12345678……", 10) == ["1234567", "8……"]


def test_a_latin_word_moves_whole() -> None:
    assert break_lines("甲" * 25 + "Beijing市") == ["甲" * 25, "Beijing市"]
    assert break_lines("甲" * 25 + "WeChat，") == ["甲" * 25, "WeChat，"]


def test_a_word_moves_with_the_opening_mark_before_it() -> None:
    assert break_lines("甲" * 24 + "（Beijing）") == ["甲" * 24, "（Beijing）"]
    assert break_lines("甲" * 24 + "¥12,345.67元") == ["甲" * 24, "¥12,345.67元"]


def test_a_date_in_figures_stays_whole() -> None:
    assert break_lines("甲" * 23 + "于2026-11-25前") == ["甲" * 23 + "于", "2026-11-25前"]


def test_the_pushback_limit_is_a_parameter() -> None:
    text = "甲" * 24 + "12345678901"
    assert break_lines(text, max_pushback=7) == ["甲" * 24 + "12345678", "901"]
    assert break_lines(text, max_pushback=8) == ["甲" * 24, "12345678901"]


def test_the_first_line_indent_counts_for_numbers_too() -> None:
    text = "甲" * 22 + "12345678901"  # 44 units + indent 4 leaves 8 for the digits
    assert break_lines(text, first_indent=4) == ["甲" * 22, "12345678901"]
    assert break_lines(text) == ["甲" * 22 + "12345678901"]


def test_ellipsis_and_dash_stay_doubled() -> None:
    assert break_lines("甲" * 27 + "……乙") == ["甲" * 26, "甲……乙"]
    assert break_lines("甲" * 27 + "——乙") == ["甲" * 26, "甲——乙"]


# --- the pieces, and lines narrower than a character --------------------------------------------


def test_combining_marks_take_no_width() -> None:
    assert width_units("\u0301") == 0  # a combining acute accent
    assert text_units("Jose\u0301") == 4
    assert text_units("Lu\u0308\u030c") == 2  # ǚ typed as u with two combining marks


@pytest.mark.parametrize(
    ("text", "k", "together"),
    [
        ("……", 1, True),
        ("——", 1, True),
        ("…—", 1, False),
        ("12", 1, True),
        ("a.b", 1, True),
        ("甲1", 1, False),
        ("1甲", 1, False),
        ("甲乙", 1, False),
    ],
)
def test_what_is_kept_together(text: str, k: int, together: bool) -> None:
    assert keeps_together(text, k) is together


def test_a_narrow_line_holds_one_wide_character() -> None:
    assert break_lines("甲乙丙", 2) == ["甲", "乙", "丙"]
    with pytest.raises(ValueError, match="at least one wide character"):
        break_lines("甲", 1)


def test_a_character_wider_than_the_first_line_is_placed_alone() -> None:
    # An indent leaving one unit for a two-unit character: it goes on the line regardless.
    assert break_lines("甲乙丙", 2, first_indent=1) == ["甲", "乙", "丙"]


def test_a_closing_mark_after_a_long_number_takes_the_last_digit_with_it() -> None:
    digits = "123456789012345678901234567890"  # 30 units: too long to move whole
    text = "甲" * 13 + digits + "，乙"  # the line is full just before the comma
    assert break_lines(text) == ["甲" * 13 + digits[:29], digits[29] + "，乙"]


@pytest.mark.parametrize(
    ("lines", "marked"),
    [
        (["甲乙", "丙丁"], []),
        (["甲", "，乙"], [1]),
        (["甲（", "乙"], [1]),
        (["甲（", "，乙"], [1]),
        (["甲", "乙", "丙）"], []),
        (["甲", "乙（", "丙", "。"], [2, 3]),
        (["，甲"], []),  # the first line may start with anything
        (["甲", "", "，乙"], []),  # empty lines are not judged
        (["甲（", ""], []),
    ],
)
def test_line_violations_marks_forbidden_starts_and_ends(
    lines: list[str], marked: list[int]
) -> None:
    assert line_violations(lines) == marked
