"""Case numbers: canonical form, tolerant parsing, strict validation, sequence allocation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiqian_desktop.domain.case_numbers import (
    PROVINCE_CHARS,
    CaseNumber,
    format_case_number,
    next_sequence,
    parse_case_number,
    validate_case_word,
    validate_court_code,
    validate_original_case_number,
)
from zhiqian_desktop.domain.errors import UserError


def test_str_is_canonical_full_width_form() -> None:
    assert str(CaseNumber(2026, "内0221", "执前督", 12)) == "（2026）内0221执前督12号"


def test_format_case_number() -> None:
    assert format_case_number(2026, "内0221", "执前督", 12) == "（2026）内0221执前督12号"
    assert format_case_number(2025, " 京01 ", " 执前调 ", 1) == "（2025）京01执前调1号"
    assert format_case_number(2024, "苏0585", "执前督", 1234) == "（2024）苏0585执前督1234号"


@pytest.mark.parametrize(
    ("year", "court", "word", "seq", "field"),
    [
        (1999, "内0221", "执前督", 1, "year"),
        (2100, "内0221", "执前督", 1, "year"),
        (2026, "内0221", "执前督", 0, "seq"),
        (2026, "内0221", "执前督", -3, "seq"),
        (2026, "X0221", "执前督", 1, "court_code"),
        (2026, "内0221", "执", 1, "case_word"),
    ],
)
def test_format_rejects_bad_parts(year: int, court: str, word: str, seq: int, field: str) -> None:
    with pytest.raises(UserError) as info:
        format_case_number(year, court, word, seq)
    assert info.value.field == field


@pytest.mark.parametrize(
    "text",
    [
        "（2026）内0221执前督12号",
        "(2026)内0221执前督12号",
        "（2026)内0221执前督12号",
        "(2026）内0221执前督12号",
        "  （2026）内0221执前督12号\t",
        "\u3000(2026)内0221执前督12号 ",
    ],
)
def test_parse_accepts_both_parentheses_and_spaces(text: str) -> None:
    assert parse_case_number(text) == CaseNumber(2026, "内0221", "执前督", 12)


def test_parse_other_courts_and_words() -> None:
    assert parse_case_number("（2025）京01执前调7号") == CaseNumber(2025, "京01", "执前调", 7)
    assert parse_case_number("(2024)兵0101执前督督促1号") == CaseNumber(
        2024, "兵0101", "执前督督促", 1
    )
    assert parse_case_number("（2026）苏0585执前督000123号").seq == 123


def test_parse_then_str_gives_canonical_form() -> None:
    assert str(parse_case_number("(2026)内0221执前督12号")) == "（2026）内0221执前督12号"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "2026内0221执前督12号",
        "（2026）内0221执前督12",
        "（2026）内0221执前督号",
        "（26）内0221执前督12号",
        "（2026）内2执前督12号",
        "（2026）内0221执前督12号码",
        "（2026）XY0221执前督12号",
        "（2026）内02211执前督12号",
        "（2026）内0221执12号",
        "（2026）内0221执前督促案件类型12号",
        "〔2026〕内0221执前督12号",
        "（2026）内0221执前督１２号",
        "（2026） 内0221执前督12号",
        "（1999）内0221执前督12号",
        "（2026）内0221执前督0号",
    ],
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(UserError) as info:
        parse_case_number(text)
    assert "（2026）内0221执前督12号" in str(info.value)


def test_parse_error_quotes_the_text() -> None:
    with pytest.raises(UserError, match="“2026内0221执前督12号”"):
        parse_case_number("2026内0221执前督12号")


@pytest.mark.parametrize("code", ["京01", "内0221", "苏0585", "兵01", "琼123", "粤0304"])
def test_valid_court_codes(code: str) -> None:
    assert validate_court_code(f" {code} ") == code


@pytest.mark.parametrize(
    "code", ["", "京", "京1", "京12345", "X01", "中01", "京0a", "内 0221", "01京", "京０１"]
)
def test_invalid_court_codes(code: str) -> None:
    with pytest.raises(UserError, match="内0221"):
        validate_court_code(code)


def test_every_province_abbreviation_is_accepted() -> None:
    assert len(PROVINCE_CHARS) == 33
    for char in PROVINCE_CHARS:
        assert validate_court_code(f"{char}01") == f"{char}01"


@pytest.mark.parametrize("word", ["执前督", "执前调", "执督", "执前督促调解"])
def test_valid_case_words(word: str) -> None:
    assert validate_case_word(f"  {word} ") == word


@pytest.mark.parametrize("word", ["", "执", "执前督促调解案", "zqd", "执前1", "执 前"])
def test_invalid_case_words(word: str) -> None:
    with pytest.raises(UserError, match="执前督"):
        validate_case_word(word)


def test_next_sequence_starts_at_one() -> None:
    assert next_sequence(None) == 1
    assert next_sequence(0) == 1


def test_next_sequence_follows_highest() -> None:
    assert next_sequence(12) == 13


def test_next_sequence_skips_reserved_blocks() -> None:
    assert next_sequence(None, [(1, 50)]) == 51
    assert next_sequence(100, [(101, 150)]) == 151
    assert next_sequence(100, [(102, 150)]) == 101
    assert next_sequence(160, [(101, 150)]) == 161
    assert next_sequence(100, [(151, 200), (101, 150)]) == 201
    assert next_sequence(100, [(101, 120), (110, 130), (131, 131)]) == 132
    assert next_sequence(100, [(101, 101)]) == 102


@pytest.mark.parametrize("blocks", [[(0, 5)], [(10, 9)], [(-1, 3)]])
def test_next_sequence_rejects_bad_blocks(blocks: list[tuple[int, int]]) -> None:
    with pytest.raises(UserError, match="预留案号段"):
        next_sequence(1, blocks)


def test_next_sequence_rejects_negative_last() -> None:
    with pytest.raises(UserError):
        next_sequence(-1)


court_codes = st.builds(
    lambda c, digits: c + digits,
    st.sampled_from(PROVINCE_CHARS),
    st.text("0123456789", min_size=2, max_size=4),
)
case_words = st.text(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=2, max_size=6
)


@given(
    year=st.integers(2000, 2099),
    court=court_codes,
    word=case_words,
    seq=st.integers(1, 10**6),
    half_width=st.booleans(),
)
@settings(max_examples=300)
def test_format_parse_round_trip(
    year: int, court: str, word: str, seq: int, half_width: bool
) -> None:
    text = format_case_number(year, court, word, seq)
    if half_width:
        text = text.replace("（", "(").replace("）", ")")
    assert parse_case_number(text) == CaseNumber(year, court, word, seq)


blocks = st.lists(
    st.tuples(st.integers(1, 300), st.integers(0, 30)).map(lambda t: (t[0], t[0] + t[1])),
    max_size=6,
)


@given(last=st.one_of(st.none(), st.integers(0, 300)), reserved=blocks)
@settings(max_examples=300)
def test_next_sequence_is_smallest_free_number_above_last(
    last: int | None, reserved: list[tuple[int, int]]
) -> None:
    result = next_sequence(last, reserved)
    taken = {n for first, end in reserved for n in range(first, end + 1)}
    assert result > (last or 0)
    assert result not in taken
    assert all(n in taken for n in range((last or 0) + 1, result))


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("（2026）内0221民初123号", "（2026）内0221民初123号"),
        ("(2025)内0221民初7号", "（2025）内0221民初7号"),
        ("（2024）内02民终1号", "（2024）内02民终1号"),
        (" （2026）京0105执保12号 ", "（2026）京0105执保12号"),
    ],
)
def test_an_original_case_number_is_a_court_case_number(typed: str, canonical: str) -> None:
    assert validate_original_case_number(typed) == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "not a case number",
        "",
        "内0221民初123号",
        "（2026）民初123号",
        "（2026）内0221123号",
        "（2026）内0221民初号",
        "（2026）内0221民初123",
        "（1999）内0221民初1号",
        "（2026）内0221民初0号",
        "'; DROP TABLE supervision_case;--",
        "（2026）内0221民初1\x00号",
    ],
)
def test_anything_else_is_refused_with_the_expected_form(typed: str) -> None:
    with pytest.raises(UserError) as info:
        validate_original_case_number(typed)
    assert info.value.field == "original_case_no"
    assert "（2026）内0221民初123号" in info.value.message or "年份" in info.value.message
