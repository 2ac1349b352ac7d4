"""Money: exact fen conversion, tolerant parsing, ¥ figures, and PBoC capital numerals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.money import (
    MAX_AMOUNT,
    capital_amount,
    format_amount,
    from_fen,
    parse_amount,
    to_fen,
)

D = Decimal

# --- fen ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "fen"),
    [
        ("0", 0),
        ("0.00", 0),
        ("0.01", 1),
        ("0.1", 10),
        ("1", 100),
        ("12345.67", 1234567),
        ("1.500", 150),
        ("1E+3", 100000),
        ("999999999999.99", 99999999999999),
    ],
)
def test_to_fen(amount: str, fen: int) -> None:
    assert to_fen(D(amount)) == fen


@pytest.mark.parametrize("amount", ["0.001", "12.345", "1E-3", "0.015"])
def test_to_fen_never_rounds(amount: str) -> None:
    with pytest.raises(UserError, match="两位小数"):
        to_fen(D(amount))


@pytest.mark.parametrize("amount", ["-0.01", "-1"])
def test_to_fen_rejects_negative(amount: str) -> None:
    with pytest.raises(UserError, match="负数"):
        to_fen(D(amount))


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity"])
def test_to_fen_rejects_non_numbers(amount: str) -> None:
    with pytest.raises(UserError):
        to_fen(D(amount))


def test_to_fen_rejects_too_large() -> None:
    with pytest.raises(UserError, match="过大"):
        to_fen(D("1000000000000"))
    with pytest.raises(UserError, match="过大"):
        to_fen(D("1E+40"))


def test_from_fen_has_two_places() -> None:
    assert str(from_fen(0)) == "0.00"
    assert str(from_fen(5)) == "0.05"
    assert str(from_fen(100)) == "1.00"
    assert str(from_fen(1234567)) == "12345.67"
    assert str(from_fen(-150)) == "-1.50"


@given(st.integers(0, 99999999999999))
@settings(max_examples=300)
def test_fen_round_trip(fen: int) -> None:
    amount = from_fen(fen)
    assert amount.as_tuple().exponent == -2
    assert to_fen(amount) == fen


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12345.67", "12345.67"),
        ("12,345.67", "12345.67"),
        ("¥12,345.67", "12345.67"),
        ("￥12345", "12345.00"),
        ("12345元", "12345.00"),
        ("¥12,345.67元", "12345.67"),
        ("  12345.6  ", "12345.60"),
        ("１２３４５．６７", "12345.67"),
        ("１２，３４５元", "12345.00"),
        ("￥ 1,234,567.89", "1234567.89"),
        ("12345 元", "12345.00"),
        ("\u300012345\u3000", "12345.00"),
        ("0", "0.00"),
        ("0.5", "0.50"),
        ("007", "7.00"),
        ("999,999,999,999.99", "999999999999.99"),
    ],
)
def test_parse_amount(text: str, amount: str) -> None:
    result = parse_amount(text)
    assert result == D(amount)
    assert str(result) == amount


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "为空"),
        ("   ", "为空"),
        ("¥", "为空"),
        ("元", "为空"),
        ("-5", "负数"),
        ("-0.01", "负数"),
        ("－5", "负数"),
        ("¥-5", "负数"),
        ("12.345", "两位小数"),
        ("0.001", "两位小数"),
        ("1.500", "两位小数"),
        ("abc", "无法识别"),
        ("12a", "无法识别"),
        ("1,2345", "无法识别"),
        ("12,34.5", "无法识别"),
        (",123", "无法识别"),
        ("1.2.3", "无法识别"),
        (".5", "无法识别"),
        ("12.", "无法识别"),
        ("+5", "无法识别"),
        ("1e5", "无法识别"),
        ("NaN", "无法识别"),
        ("12 345", "无法识别"),
        ("一万元", "无法识别"),
        ("$12", "无法识别"),
        ("٣", "无法识别"),
        ("1000000000000", "过大"),
        ("999,999,999,999.999", "两位小数"),
        ("1,000,000,000,000.00", "过大"),
    ],
)
def test_parse_amount_rejects(text: str, reason: str) -> None:
    with pytest.raises(UserError) as info:
        parse_amount(text)
    message = str(info.value)
    assert reason in message
    assert f"“{text}”" in message
    if reason != "过大":
        assert "12,345.67" in message or "12345.67" in message


@given(st.integers(0, 99999999999999))
@settings(max_examples=300)
def test_parse_format_round_trip(fen: int) -> None:
    amount = from_fen(fen)
    assert parse_amount(format_amount(amount)) == amount
    assert parse_amount(str(amount)) == amount


# --- formatting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("12345.67", "¥12,345.67"),
        ("0", "¥0.00"),
        ("0.5", "¥0.50"),
        ("1000", "¥1,000.00"),
        ("999", "¥999.00"),
        ("1234567.8", "¥1,234,567.80"),
        ("999999999999.99", "¥999,999,999,999.99"),
        ("-1234.5", "-¥1,234.50"),
    ],
)
def test_format_amount(amount: str, text: str) -> None:
    assert format_amount(D(amount)) == text


def test_format_amount_never_rounds() -> None:
    with pytest.raises(UserError, match="两位小数"):
        format_amount(D("1.005"))


# --- capital numerals --------------------------------------------------------------------

CAPITAL_TABLE = [
    ("0", "人民币零元整"),
    ("0.00", "人民币零元整"),
    ("0.01", "人民币壹分"),
    ("0.05", "人民币伍分"),
    ("0.10", "人民币壹角整"),
    ("0.50", "人民币伍角整"),
    ("0.55", "人民币伍角伍分"),
    ("1", "人民币壹元整"),
    ("1.05", "人民币壹元零伍分"),
    ("1.50", "人民币壹元伍角整"),
    ("9.99", "人民币玖元玖角玖分"),
    ("10", "人民币壹拾元整"),
    ("10.50", "人民币壹拾元零伍角整"),
    ("11", "人民币壹拾壹元整"),
    ("15.01", "人民币壹拾伍元零壹分"),
    ("20", "人民币贰拾元整"),
    ("100", "人民币壹佰元整"),
    ("101", "人民币壹佰零壹元整"),
    ("110", "人民币壹佰壹拾元整"),
    ("1000", "人民币壹仟元整"),
    ("1000.05", "人民币壹仟元零伍分"),
    ("1004.56", "人民币壹仟零肆元伍角陆分"),
    ("1005", "人民币壹仟零伍元整"),
    ("1010", "人民币壹仟零壹拾元整"),
    ("1100", "人民币壹仟壹佰元整"),
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    ("10000", "人民币壹万元整"),
    ("10001", "人民币壹万零壹元整"),
    ("10010", "人民币壹万零壹拾元整"),
    ("12345.67", "人民币壹万贰仟叁佰肆拾伍元陆角柒分"),
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("100000", "人民币壹拾万元整"),
    ("107000.53", "人民币壹拾万柒仟元零伍角叁分"),
    ("110000", "人民币壹拾壹万元整"),
    ("325000", "人民币叁拾贰万伍仟元整"),
    ("1000005", "人民币壹佰万零伍元整"),
    ("1010000", "人民币壹佰零壹万元整"),
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    ("10000000", "人民币壹仟万元整"),
    ("10100000", "人民币壹仟零壹拾万元整"),
    ("100000000", "人民币壹亿元整"),
    ("100000001", "人民币壹亿零壹元整"),
    ("100010000", "人民币壹亿零壹万元整"),
    ("101000000", "人民币壹亿零壹佰万元整"),
    ("110000000", "人民币壹亿壹仟万元整"),
    ("1000000000", "人民币壹拾亿元整"),
    ("1000000001.01", "人民币壹拾亿零壹元零壹分"),
    ("10000000000", "人民币壹佰亿元整"),
    ("123456789012.34", "人民币壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
    ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("1000000000000", "人民币壹万亿元整"),
    ("10001000000000", "人民币壹拾万零壹拾亿元整"),
    ("1.500", "人民币壹元伍角整"),
]


@pytest.mark.parametrize(("amount", "text"), CAPITAL_TABLE)
def test_capital_amount(amount: str, text: str) -> None:
    assert capital_amount(D(amount)) == text


def test_capital_table_is_large_enough() -> None:
    assert len(CAPITAL_TABLE) >= 40


@pytest.mark.parametrize(
    ("amount", "reason"),
    [("-1", "负数"), ("1.005", "两位小数"), ("1E+16", "过大"), ("NaN", "有效数字")],
)
def test_capital_amount_rejects(amount: str, reason: str) -> None:
    with pytest.raises(UserError, match=reason):
        capital_amount(D(amount))


# The examples of the People's Bank rules (《正确填写票据和结算凭证的基本规定》, 支付结算办法附件),
# rule by rule; where a rule allows two forms, the form this module chose (see capital_amount).
PBOC_EXAMPLES = [
    # 阿拉伯数字中间有“0”时，中文大写要写“零”字
    ("1409.50", "人民币壹仟肆佰零玖元伍角整"),
    # 中间连续有几个“0”时，中文大写金额中间可以只写一个“零”字
    ("6007.14", "人民币陆仟零柒元壹角肆分"),
    # 万位或元位是“0”……但千位、角位不是“0”时，可以只写一个零字，也可以不写
    ("1680.32", "人民币壹仟陆佰捌拾元零叁角贰分"),
    ("107000.53", "人民币壹拾万柒仟元零伍角叁分"),
    # 角位是“0”，而分位不是“0”时，“元”后面应写“零”字
    ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "人民币叁佰贰拾伍元零肆分"),
]


@pytest.mark.parametrize(("amount", "text"), PBOC_EXAMPLES)
def test_the_peoples_bank_examples(amount: str, text: str) -> None:
    assert capital_amount(D(amount)) == text


# One zero in each position of 1,111,111,111,111.11 (and runs of zeros), written by the rules: a
# zero between non-zero digits is one 零; a zero 万 or 亿 digit before a non-zero 仟 digit is not
# written; a zero 仟 digit right after 万 or 亿 is written as 零; 角 zero and 分 not: 元零.
ONES = "人民币壹仟壹佰壹拾壹亿壹仟壹佰壹拾壹万壹仟壹佰壹拾壹元"
ZERO_IN_EVERY_POSITION = [
    ("111111111111.11", ONES + "壹角壹分"),
    ("111111111111.10", ONES + "壹角整"),  # 分
    ("111111111111.01", ONES + "零壹分"),  # 角
    ("111111111110.11", ONES.replace("壹拾壹元", "壹拾元") + "零壹角壹分"),  # 元
    ("111111111101.11", ONES.replace("壹佰壹拾壹元", "壹佰零壹元") + "壹角壹分"),  # 拾
    ("111111111011.11", ONES.replace("壹仟壹佰壹拾壹元", "壹仟零壹拾壹元") + "壹角壹分"),  # 佰
    ("111111110111.11", ONES.replace("万壹仟", "万零") + "壹角壹分"),  # 仟
    ("111111101111.11", "人民币壹仟壹佰壹拾壹亿壹仟壹佰壹拾万壹仟壹佰壹拾壹元壹角壹分"),  # 万
    ("111111011111.11", "人民币壹仟壹佰壹拾壹亿壹仟壹佰零壹万壹仟壹佰壹拾壹元壹角壹分"),  # 拾万
    ("111110111111.11", "人民币壹仟壹佰壹拾壹亿壹仟零壹拾壹万壹仟壹佰壹拾壹元壹角壹分"),  # 佰万
    ("111101111111.11", "人民币壹仟壹佰壹拾壹亿零壹佰壹拾壹万壹仟壹佰壹拾壹元壹角壹分"),  # 仟万
    ("111011111111.11", "人民币壹仟壹佰壹拾亿壹仟壹佰壹拾壹万壹仟壹佰壹拾壹元壹角壹分"),  # 亿
    ("110111111111.11", "人民币壹仟壹佰零壹亿壹仟壹佰壹拾壹万壹仟壹佰壹拾壹元壹角壹分"),  # 拾亿
    ("101111111111.11", "人民币壹仟零壹拾壹亿壹仟壹佰壹拾壹万壹仟壹佰壹拾壹元壹角壹分"),  # 佰亿
    # A zero 仟 digit after 万 or 亿, followed by non-zero digits: 零.
    ("10500", "人民币壹万零伍佰元整"),
    ("10050", "人民币壹万零伍拾元整"),
    ("10005", "人民币壹万零伍元整"),
    ("10800", "人民币壹万零捌佰元整"),
    ("10999.99", "人民币壹万零玖佰玖拾玖元玖角玖分"),
    ("11200", "人民币壹万壹仟贰佰元整"),
    ("100500", "人民币壹拾万零伍佰元整"),
    ("1000500", "人民币壹佰万零伍佰元整"),
    ("105000000", "人民币壹亿零伍佰万元整"),
    ("100500000", "人民币壹亿零伍拾万元整"),
    ("100050000", "人民币壹亿零伍万元整"),
    ("100005000", "人民币壹亿零伍仟元整"),
    ("109999999", "人民币壹亿零玖佰玖拾玖万玖仟玖佰玖拾玖元整"),
    ("110000000.01", "人民币壹亿壹仟万元零壹分"),
    # Runs of zeros across 万 and 亿.
    ("100000000000.01", "人民币壹仟亿元零壹分"),
    ("100000000001", "人民币壹仟亿零壹元整"),
    ("100001000000", "人民币壹仟亿零壹佰万元整"),
    ("100000010000.10", "人民币壹仟亿零壹万元零壹角整"),
]


@pytest.mark.parametrize(("amount", "text"), ZERO_IN_EVERY_POSITION)
def test_a_zero_in_every_position(amount: str, text: str) -> None:
    assert capital_amount(D(amount)) == text
    assert parse_capital_amount(text) == D(amount)


FEN_ONLY = [
    ("0.01", "人民币壹分"),
    ("0.09", "人民币玖分"),
    ("0.10", "人民币壹角整"),
    ("0.90", "人民币玖角整"),
    ("0.99", "人民币玖角玖分"),
    ("1.01", "人民币壹元零壹分"),
    ("1.10", "人民币壹元壹角整"),
    ("10.01", "人民币壹拾元零壹分"),
]


@pytest.mark.parametrize(("amount", "text"), FEN_ONLY)
def test_fen_and_jiao_only(amount: str, text: str) -> None:
    assert capital_amount(D(amount)) == text


@pytest.mark.parametrize("amount", ["-0.01", "-0.50", "-0.99", "-1", "-10500"])
def test_negative_amounts_keep_their_sign_or_are_refused(amount: str) -> None:
    """A balance may be shown negative; it can never be stored, parsed or written in capitals."""
    value = D(amount)
    assert format_amount(value) == "-¥" + format_amount(-value).removeprefix("¥")
    with pytest.raises(UserError, match="负数"):
        to_fen(value)
    with pytest.raises(UserError, match="负数"):
        capital_amount(value)
    with pytest.raises(UserError, match="负数"):
        parse_amount(amount)


def test_negative_amounts_under_one_yuan_are_shown_with_the_sign() -> None:
    assert format_amount(D("-0.01")) == "-¥0.01"
    assert format_amount(D("-0.5")) == "-¥0.50"
    assert format_amount(D("-0.99")) == "-¥0.99"
    assert format_amount(D("-1.00")) == "-¥1.00"
    assert format_amount(D("0.00")) == "¥0.00"


def test_the_capital_range_is_up_to_qian_wan_yi() -> None:
    """Capitals are written up to the 仟万亿 place: sums of many cases may be that large."""
    largest = D("9999999999999999.99")
    assert capital_amount(largest) == (
        "人民币玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"
    )
    assert capital_amount(D("1000000000000000")) == "人民币壹仟万亿元整"
    assert capital_amount(D("2000000000000000")) == "人民币贰仟万亿元整"
    with pytest.raises(UserError, match="过大；大写金额最多写到仟万亿位"):
        capital_amount(D("10000000000000000"))


BEYOND_ANY_RANGE = ["1E+28", "1" * 29, "9" * 40 + ".99", "1E+400"]


@pytest.mark.parametrize("amount", BEYOND_ANY_RANGE)
def test_amounts_beyond_any_range_are_a_clear_error(amount: str) -> None:
    """More digits than Decimal's 28 must still be one clear message, never a crash."""
    for convert in (to_fen, format_amount, capital_amount):
        with pytest.raises(UserError, match="过大"):
            convert(D(amount))


@pytest.mark.parametrize("text", ["1" * 29, "1" * 30 + ".5", "9" * 40])
def test_typed_amounts_beyond_any_range_are_a_clear_error(text: str) -> None:
    with pytest.raises(UserError, match=f"金额“{text}”过大"):
        parse_amount(text)


_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_group(text: str) -> int:
    """Up to 仟 with 零 as a placeholder: 壹仟零伍 → 1005."""
    total = 0
    digit: int | None = None
    for char in text.replace("零", ""):
        if char in _DIGIT:
            assert digit is None, text
            digit = _DIGIT[char]
        else:
            assert digit is not None, text
            total += digit * _UNIT[char]
            digit = None
    return total + (digit or 0)


def _parse_yuan(text: str) -> int:
    if "亿" in text:
        high, _, low = text.rpartition("亿")
        return _parse_yuan(high) * 10**8 + _parse_yuan(low)
    if "万" in text:
        high, _, low = text.partition("万")
        return _parse_group(high) * 10**4 + _parse_group(low)
    return _parse_group(text)


def parse_capital_amount(text: str) -> Decimal:
    """Test-only reader of capital numerals, strict about the shape capital_amount promises."""
    assert text.startswith("人民币"), text
    body = text.removeprefix("人民币")
    if body == "零元整":
        return D("0.00")
    whole = body.endswith("整")
    body = body.removesuffix("整")
    assert not (whole and body.endswith("分")), text
    yuan_text, has_yuan, rest = body.partition("元")
    if not has_yuan:
        yuan_text, rest = "", yuan_text
    else:
        assert yuan_text and not yuan_text.startswith("零"), text
    rest = rest.removeprefix("零")
    assert "零" not in rest, text
    jiao = fen = 0
    if "角" in rest:
        jiao_text, _, rest = rest.partition("角")
        jiao = _DIGIT[jiao_text]
    if rest:
        assert rest.endswith("分") and len(rest) == 2, text
        fen = _DIGIT[rest[0]]
    assert whole == (fen == 0), text
    return Decimal(_parse_yuan(yuan_text) * 100 + jiao * 10 + fen).scaleb(-2)


@pytest.mark.parametrize(("amount", "text"), CAPITAL_TABLE)
def test_parser_reads_the_table(amount: str, text: str) -> None:
    assert parse_capital_amount(text) == D(amount)


@given(st.integers(0, 10**14))
@settings(max_examples=500)
def test_capital_round_trip(fen: int) -> None:
    amount = from_fen(fen)
    text = capital_amount(amount)
    assert parse_capital_amount(text) == amount
    assert "零零" not in text
    assert not text.endswith("零元整") or fen == 0
    assert "亿亿" not in text and "万万" not in text


@given(st.integers(1, 10**12).map(lambda n: n * 100))
@settings(max_examples=200)
def test_capital_whole_yuan_round_trip(fen: int) -> None:
    text = capital_amount(from_fen(fen))
    assert text.endswith("元整")
    assert parse_capital_amount(text) == from_fen(fen)


@given(st.integers(0, 10**12), st.integers(0, 99))
@settings(max_examples=300)
def test_capital_zero_before_jiao_fen_rule(yuan: int, cents: int) -> None:
    text = capital_amount(D(yuan * 100 + cents).scaleb(-2))
    yuan_units_zero = yuan > 0 and yuan % 10 == 0
    expects_zero = cents > 0 and yuan > 0 and (yuan_units_zero or cents < 10)
    assert ("元零" in text) == expects_zero


def test_max_amount_is_below_a_trillion() -> None:
    assert D("1000000000000") - MAX_AMOUNT == D("0.01")
