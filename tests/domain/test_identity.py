"""Resident IDs (GB 11643), unified social credit codes (GB 32100), phones and masking."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.identity import (
    CREDIT_CODE_CHARS,
    ResidentId,
    credit_code_check_char,
    mask_id_number,
    parse_resident_id,
    resident_id_check_char,
    validate_credit_code,
    validate_phone,
)

TODAY = date(2026, 6, 1)

# Written out from GB 11643-1999 rather than derived, so the test checks the table itself.
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]


def make_id(region: str, birth: str, serial: str) -> str:
    body = region + birth + serial
    assert len(body) == 17
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def make_credit_code(body: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    check = 31 - total % 31
    return body + CREDIT_CODE_CHARS[0 if check == 31 else check]


# --- resident IDs ------------------------------------------------------------------------


def test_standard_example_from_gb_11643() -> None:
    assert parse_resident_id("11010519491231002X", TODAY) == ResidentId(
        "11010519491231002X", date(1949, 12, 31), "女"
    )


def test_generated_ids() -> None:
    male = make_id("150221", "19900101", "123")
    assert parse_resident_id(male, TODAY) == ResidentId(male, date(1990, 1, 1), "男")
    female = make_id("150221", "20000229", "124")
    assert parse_resident_id(female, TODAY) == ResidentId(female, date(2000, 2, 29), "女")


def test_check_char_helper() -> None:
    assert resident_id_check_char("11010519491231002") == "X"
    assert make_id("150221", "19900101", "123")[-1] == resident_id_check_char("15022119900101123")


def test_lower_case_x_spaces_and_full_width_are_normalised() -> None:
    assert parse_resident_id(" 11010519491231002x ", TODAY).number == "11010519491231002X"
    assert parse_resident_id("110105 19491231 002X", TODAY).number == "11010519491231002X"
    full_width = "１１０１０５１９４９１２３１００２ｘ"
    assert parse_resident_id(full_width, TODAY).number == "11010519491231002X"


def test_birth_date_bounds() -> None:
    assert parse_resident_id(make_id("150221", "19000101", "001"), TODAY).birth_date == date(
        1900, 1, 1
    )
    assert parse_resident_id(make_id("150221", "20260601", "001"), TODAY).birth_date == TODAY


def test_default_today_is_the_real_today() -> None:
    assert parse_resident_id("11010519491231002X").birth_date == date(1949, 12, 31)
    with pytest.raises(UserError, match="出生日期"):
        parse_resident_id(make_id("150221", "29991231", "001"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "长度为0位"),
        ("11010519491231002", "长度为17位"),
        ("11010519491231002X1", "长度为19位"),
        ("1101051949123100", "长度为16位"),
        ("1101051949123100AX", "不允许的字符"),
        ("11010519491231X021", "不允许的字符"),
        ("11010519491231002Y", "不允许的字符"),
        ("11010519491231002-", "不允许的字符"),
        ("٣1010519491231002X", "不允许的字符"),
        (make_id("050221", "19900101", "123"), "地区码"),
        (make_id("950221", "19900101", "123"), "地区码"),
        (make_id("150221", "19900230", "123"), "“19900230”不是有效日期"),
        (make_id("150221", "19901301", "123"), "不是有效日期"),
        (make_id("150221", "19900001", "123"), "不是有效日期"),
        (make_id("150221", "20250229", "123"), "不是有效日期"),
        (make_id("150221", "20260602", "123"), "“20260602”不合理"),
        (make_id("150221", "18991231", "123"), "不合理"),
        ("440524188001010014", "不合理"),
        ("110105194912310021", "最后一位应为X，而不是1"),
        ("150221199001011230", "校验位"),
    ],
)
def test_invalid_ids(text: str, fragment: str) -> None:
    with pytest.raises(UserError) as info:
        parse_resident_id(text, TODAY)
    assert fragment in str(info.value)
    assert "身份证号码" in str(info.value)
    assert info.value.field == "id_number"


def test_wrong_check_digit_says_the_right_one() -> None:
    good = make_id("150221", "19900101", "123")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(UserError, match=f"最后一位应为{good[17]}"):
        parse_resident_id(wrong, TODAY)


births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
id_bodies = st.builds(
    lambda first, region, birth, serial: (first + region, birth.strftime("%Y%m%d"), serial),
    st.sampled_from("12345678"),
    st.text("0123456789", min_size=5, max_size=5),
    births,
    st.text("0123456789", min_size=3, max_size=3),
)


@given(id_bodies)
@settings(max_examples=300)
def test_any_well_formed_id_validates(parts: tuple[str, str, str]) -> None:
    region, birth, serial = parts
    number = make_id(region, birth, serial)
    result = parse_resident_id(number, TODAY)
    assert result.number == number
    assert result.birth_date.strftime("%Y%m%d") == birth
    assert result.sex == ("男" if int(serial[2]) % 2 else "女")


@given(id_bodies, st.integers(0, 17), st.sampled_from("0123456789X"))
@settings(max_examples=400)
def test_changing_any_one_character_invalidates(
    parts: tuple[str, str, str], position: int, replacement: str
) -> None:
    number = make_id(*parts)
    if number[position] == replacement:
        replacement = "X" if replacement != "X" else "0"
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(UserError):
        parse_resident_id(changed, TODAY)


# --- unified social credit codes ---------------------------------------------------------


@pytest.mark.parametrize("code", ["91110000600037341L", "91350100M000100Y43", "91440300708461136T"])
def test_real_credit_codes(code: str) -> None:
    assert validate_credit_code(code) == code
    assert make_credit_code(code[:17]) == code


def test_credit_code_is_normalised() -> None:
    assert validate_credit_code("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"
    assert validate_credit_code(" 91110000600037341l ") == "91110000600037341L"
    assert validate_credit_code("9111 0000 6000 3734 1L") == "91110000600037341L"
    assert validate_credit_code("91350100m000100y43") == "91350100M000100Y43"


def test_credit_check_of_31_is_zero() -> None:
    # Search a body whose weighted sum is a multiple of 31, so the check value 31 becomes 0.
    body = next(
        f"9115000{n:010d}"
        for n in range(10**6)
        if sum(
            CREDIT_CODE_CHARS.index(c) * w
            for c, w in zip(f"9115000{n:010d}", CREDIT_WEIGHTS, strict=True)
        )
        % 31
        == 0
    )
    assert credit_code_check_char(body) == "0"
    assert validate_credit_code(body + "0") == body + "0"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "长度为0位"),
        ("91110000600037341", "长度为17位"),
        ("91110000600037341LL", "长度为19位"),
        ("91110000600O37341L", "不允许的字符“O”"),
        ("9111000060003734IL", "不允许的字符“I”"),
        ("S1110000600037341Z", "不允许的字符“SZ”"),
        ("91110000600037341V", "不允许的字符“V”"),
        ("9111000060003734-L", "不允许的字符“-”"),
        ("91110000600037341M", "最后一位应为L，而不是M"),
        ("91110000600037342L", "校验位"),
    ],
)
def test_invalid_credit_codes(text: str, fragment: str) -> None:
    with pytest.raises(UserError) as info:
        validate_credit_code(text)
    assert fragment in str(info.value)
    assert "统一社会信用代码" in str(info.value)
    assert info.value.field == "credit_code"


credit_bodies = st.text(CREDIT_CODE_CHARS, min_size=17, max_size=17)


@given(credit_bodies)
@settings(max_examples=300)
def test_any_body_with_computed_check_validates(body: str) -> None:
    code = make_credit_code(body)
    assert validate_credit_code(code) == code
    assert validate_credit_code(code.lower()) == code


@given(credit_bodies, st.integers(0, 17), st.sampled_from(CREDIT_CODE_CHARS))
@settings(max_examples=400)
def test_changing_any_credit_code_character_invalidates(
    body: str, position: int, replacement: str
) -> None:
    code = make_credit_code(body)
    if code[position] == replacement:
        replacement = CREDIT_CODE_CHARS[(CREDIT_CODE_CHARS.index(replacement) + 1) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(UserError, match="校验位"):
        validate_credit_code(changed)


# --- phones ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("13800138000", "13800138000"),
        (" 13800138000 ", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("86-13800138000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("19912345678", "19912345678"),
        ("１３８００１３８０００", "13800138000"),
        ("0471-1234567", "0471-1234567"),
        ("0471-12345678", "0471-12345678"),
        ("0471 1234567", "0471-1234567"),
        ("04711234567", "0471-1234567"),
        ("(0471)1234567", "0471-1234567"),
        ("（0471）1234567", "0471-1234567"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("02112345678", "021-12345678"),
        ("0471-1234567-801", "0471-1234567转801"),
        ("0471-1234567转801", "0471-1234567转801"),
        ("04711234567转8", "0471-1234567转8"),
        ("０４７１－１２３４５６７", "0471-1234567"),
    ],
)
def test_valid_phones(text: str, normalised: str) -> None:
    assert validate_phone(text) == normalised


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1380013800",
        "138001380001",
        "12800138000",
        "10800138000",
        "+87 13800138000",
        "abc",
        "1380013800a",
        "0471-123456",
        "0471-123456789",
        "471-1234567",
        "04711-1234567",
        "0-1234567",
        "0471-1234567转",
        "0471-1234567转1234567",
        "0471--1234567",
        "4711234567",
        "+86 0471 1234567",
    ],
)
def test_invalid_phones(text: str) -> None:
    with pytest.raises(UserError) as info:
        validate_phone(text)
    message = str(info.value)
    assert f"“{text.strip()}”" in message
    assert "13800138000" in message and "0471-1234567" in message
    assert info.value.field == "phone"


@given(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))
@settings(max_examples=200)
def test_any_mobile_validates(second: str, rest: str) -> None:
    number = "1" + second + rest
    assert validate_phone(number) == number
    assert validate_phone(f"+86 {number[:3]} {number[3:7]} {number[7:]}") == number


# --- masking -----------------------------------------------------------------------------


def test_mask_id_number() -> None:
    assert mask_id_number("150221199001011234") == "150221********1234"
    assert mask_id_number(" 11010519491231002X ") == "110105********002X"
    assert mask_id_number("110105491231002") == "110105*****1002"
    assert mask_id_number("12345678901") == "123456*8901"
    assert mask_id_number("1234567890") == "**********"
    assert mask_id_number("") == ""


# --- full-width input and characters that only look like digits --------------------------------
# Chinese input methods type the full-width forms U+FF01–U+FF5E of ASCII ！ … ～; those, and only
# those, are read as their ASCII counterparts.


@pytest.mark.parametrize(
    ("typed", "reported"),
    [
        ("！", "!"),  # U+FF01, the first full-width form
        ("～", "~"),  # U+FF5E, the last
        ("｟", "｟"),  # U+FF5F: a bracket of its own, not a full-width ASCII character
        ("\uff00", "\uff00"),  # unassigned, just before the block
    ],
)
def test_only_the_full_width_forms_of_ascii_are_read_as_ascii(typed: str, reported: str) -> None:
    code = "91110000600037341" + typed  # 18 characters, the last one not allowed
    with pytest.raises(UserError) as refused:
        validate_credit_code(code)
    assert f"含有不允许的字符“{reported}”" in str(refused.value)


def test_digits_of_other_scripts_are_not_resident_id_digits() -> None:
    valid = make_id("110105", "19491231", "002")
    for position in (0, 8, 16):  # the region, the birth date, the sex digit
        arabic_indic = chr(0x0660 + int(valid[position]))  # looks like, and is, a digit
        text = valid[:position] + arabic_indic + valid[position + 1 :]
        with pytest.raises(UserError, match="含有不允许的字符"):
            parse_resident_id(text, today=TODAY)


@pytest.mark.parametrize("body", ["", "1101051949123100", "110105194912310021"])
def test_check_characters_need_exactly_seventeen_characters(body: str) -> None:
    with pytest.raises(ValueError):
        resident_id_check_char(body)
    with pytest.raises(ValueError):
        credit_code_check_char(body)
