"""Rare Han characters: the Unicode blocks they live in, GB 18030-2022's level 2, and the U+XXXX
notation a clerk types for a character the input method lacks."""

from __future__ import annotations

import unicodedata

import pytest

from zhiqian_desktop.domain.cjk import (
    CJK_BLOCKS,
    GB18030_LEVEL2,
    block_of,
    expand_code_escapes,
    has_code_escape,
)
from zhiqian_desktop.domain.errors import UserError

# The unified ideograph blocks of Unicode 15.1 (the standard's Blocks.txt), written out here.
BLOCKS = {
    "URO": (0x4E00, 0x9FFF),
    "A": (0x3400, 0x4DBF),
    "B": (0x20000, 0x2A6DF),
    "C": (0x2A700, 0x2B73F),
    "D": (0x2B740, 0x2B81F),
    "E": (0x2B820, 0x2CEAF),
    "F": (0x2CEB0, 0x2EBEF),
    "G": (0x30000, 0x3134F),
    "H": (0x31350, 0x323AF),
    "I": (0x2EBF0, 0x2EE5F),
}


@pytest.mark.parametrize("key", sorted(BLOCKS))
def test_each_block_from_its_first_to_its_last_code_point(key: str) -> None:
    first, last = BLOCKS[key]
    for code in (first, first + 1, last - 1, last):
        found = block_of(chr(code))
        assert found is not None and found.key == key, hex(code)
    for code in (first - 1, last + 1):
        found = block_of(chr(code))
        assert found is None or found.key != key, hex(code)


def test_the_blocks_are_exactly_those_of_the_standard() -> None:
    assert {b.key: (b.first, b.last) for b in CJK_BLOCKS} == BLOCKS
    assert block_of("a") is None and block_of("，") is None
    assert block_of("\u3005") is None  # 々: an iteration mark, not an ideograph


def test_a_block_holds_only_code_points() -> None:
    block = CJK_BLOCKS[0]
    assert 0x4E00 in block and "一" not in block and None not in block


def test_level_2_is_196_characters_of_extensions_b_to_e() -> None:
    assert len(GB18030_LEVEL2) == 196
    keys = {block_of(chr(code)).key for code in GB18030_LEVEL2}  # type: ignore[union-attr]
    assert keys == {"B", "C", "D", "E"}
    for code in GB18030_LEVEL2:
        assert unicodedata.name(chr(code)).startswith("CJK UNIFIED IDEOGRAPH-")
    # Characters of the 通用规范汉字表 outside the BMP, as they appear in names: 𬌗 (王𬌗明), 𫖮, 𬭚.
    assert {0x2C317, 0x2B5AF, 0x2CB5A} <= GB18030_LEVEL2


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("王U+2A6D6", "王\U0002a6d6"),
        ("u+4e00", "一"),
        ("\\u4E00", "一"),
        ("\\U2A6D6", "\U0002a6d6"),
        ("\\U0002A6D6", "\U0002a6d6"),  # Python's eight digits: the zeros are not a code
        ("王\\U00020000李", "王\U00020000李"),
        ("\\U0010FFFF", "\U0010ffff"),
        ("U+{20000}", "\U00020000"),
        ("U+0020", " "),  # the first code that is not a control
        ("U+D7FF", "\ud7ff"),  # just below the surrogates
        ("U+E000", "\ue000"),  # just above them
        ("U+10FFFF", "\U0010ffff"),  # the last code point
        ("U+123", "U+123"),  # three digits are not a code
        ("李四", "李四"),
    ],
)
def test_codes_typed_for_rare_characters(typed: str, read: str) -> None:
    assert expand_code_escapes(typed) == read


@pytest.mark.parametrize(
    "typed",
    [
        "U+D800",
        "U+DFFF",
        "U+DABC",
        "U+110000",
        "U+FFFFFF",
        "U+001F",
        "U+0000",
        "\\U00110000",
        "\\U0000D800",
    ],
)
def test_a_code_that_names_no_character_is_refused(typed: str) -> None:
    with pytest.raises(UserError) as refused:
        expand_code_escapes("王" + typed, field="被申请人姓名")
    assert str(refused.value) == (
        f"被申请人姓名中的“{typed}”不是有效的字符编码；请按“U+”加4至6位十六进制数字输入，如 U+2A6D6"
    )
    assert refused.value.field == "被申请人姓名"


def test_whether_a_text_holds_a_code() -> None:
    assert has_code_escape("王U+2A6D6明") and has_code_escape("\\u4e00")
    assert not has_code_escape("王明") and not has_code_escape("U+12")
