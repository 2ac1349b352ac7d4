"""Han characters beyond the common set: the CJK extension blocks, GB 18030-2022's level 2, and
the ``U+XXXX`` notation a clerk types for a character the input method cannot produce."""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhiqian_desktop.domain.errors import UserError


@dataclass(frozen=True)
class CjkBlock:
    key: str
    label: str
    first: int
    last: int

    def __contains__(self, code: object) -> bool:
        return isinstance(code, int) and self.first <= code <= self.last


CJK_BLOCKS: tuple[CjkBlock, ...] = (
    CjkBlock("URO", "中日韩统一汉字", 0x4E00, 0x9FFF),
    CjkBlock("A", "扩展A", 0x3400, 0x4DBF),
    CjkBlock("B", "扩展B", 0x20000, 0x2A6DF),
    CjkBlock("C", "扩展C", 0x2A700, 0x2B73F),
    CjkBlock("D", "扩展D", 0x2B740, 0x2B81F),
    CjkBlock("E", "扩展E", 0x2B820, 0x2CEAF),
    CjkBlock("F", "扩展F", 0x2CEB0, 0x2EBEF),
    CjkBlock("G", "扩展G", 0x30000, 0x3134F),
    CjkBlock("H", "扩展H", 0x31350, 0x323AF),
    CjkBlock("I", "扩展I", 0x2EBF0, 0x2EE5F),
)
"""The unified ideograph blocks as Unicode 15.1 lays them out (extension I sits between F and G)."""


def block_of(ch: str) -> CjkBlock | None:
    code = ord(ch)
    return next((b for b in CJK_BLOCKS if code in b), None)


GB18030_LEVEL2: frozenset[int] = frozenset(
    (
        0x20164,
        0x20676,
        0x20CD0,
        0x2139A,
        0x21413,
        0x235CB,
        0x23C97,
        0x23C98,
        0x23E23,
        0x249DB,
        0x24A7D,
        0x24AC9,
        0x25532,
        0x25562,
        0x255A8,
        0x25ED7,
        0x26221,
        0x2648D,
        0x26676,
        0x2677C,
        0x26B5C,
        0x26C21,
        0x27FF9,
        0x28408,
        0x28678,
        0x28695,
        0x287E0,
        0x28B49,
        0x28C47,
        0x28C4F,
        0x28C51,
        0x28C54,
        0x28E99,
        0x29F7E,
        0x29F83,
        0x29F8C,
        0x2A7DD,
        0x2A8FB,
        0x2A917,
        0x2AA30,
        0x2AA36,
        0x2AA58,
        0x2AFA2,
        0x2B127,
        0x2B128,
        0x2B137,
        0x2B138,
        0x2B1ED,
        0x2B300,
        0x2B363,
        0x2B36F,
        0x2B372,
        0x2B37D,
        0x2B404,
        0x2B410,
        0x2B413,
        0x2B461,
        0x2B4E7,
        0x2B4EF,
        0x2B4F6,
        0x2B4F9,
        0x2B50D,
        0x2B50E,
        0x2B536,
        0x2B5AE,
        0x2B5AF,
        0x2B5B3,
        0x2B5E7,
        0x2B5F4,
        0x2B61C,
        0x2B61D,
        0x2B626,
        0x2B627,
        0x2B628,
        0x2B62A,
        0x2B62C,
        0x2B695,
        0x2B696,
        0x2B6AD,
        0x2B6ED,
        0x2B7A9,
        0x2B7C5,
        0x2B7E6,
        0x2B7F9,
        0x2B7FC,
        0x2B806,
        0x2B80A,
        0x2B81C,
        0x2B8B8,
        0x2BAC7,
        0x2BB5F,
        0x2BB62,
        0x2BB7C,
        0x2BB83,
        0x2BC1B,
        0x2BD77,
        0x2BD87,
        0x2BDF7,
        0x2BE29,
        0x2C029,
        0x2C02A,
        0x2C0A9,
        0x2C0CA,
        0x2C1D5,
        0x2C1D9,
        0x2C1F9,
        0x2C27C,
        0x2C288,
        0x2C2A4,
        0x2C317,
        0x2C35B,
        0x2C361,
        0x2C364,
        0x2C488,
        0x2C494,
        0x2C497,
        0x2C542,
        0x2C613,
        0x2C618,
        0x2C621,
        0x2C629,
        0x2C62B,
        0x2C62C,
        0x2C62D,
        0x2C62F,
        0x2C642,
        0x2C64A,
        0x2C64B,
        0x2C72C,
        0x2C72F,
        0x2C79F,
        0x2C7C1,
        0x2C7FD,
        0x2C8D9,
        0x2C8DE,
        0x2C8E1,
        0x2C8F3,
        0x2C907,
        0x2C90A,
        0x2C91D,
        0x2CA02,
        0x2CA0E,
        0x2CA7D,
        0x2CAA9,
        0x2CB29,
        0x2CB2D,
        0x2CB2E,
        0x2CB31,
        0x2CB38,
        0x2CB39,
        0x2CB3B,
        0x2CB3F,
        0x2CB41,
        0x2CB4A,
        0x2CB4E,
        0x2CB5A,
        0x2CB5B,
        0x2CB64,
        0x2CB69,
        0x2CB6C,
        0x2CB6F,
        0x2CB73,
        0x2CB76,
        0x2CB78,
        0x2CB7C,
        0x2CBB1,
        0x2CBBF,
        0x2CBC0,
        0x2CBCE,
        0x2CC56,
        0x2CC5F,
        0x2CCF5,
        0x2CCF6,
        0x2CCFD,
        0x2CCFF,
        0x2CD02,
        0x2CD03,
        0x2CD0A,
        0x2CD8B,
        0x2CD8D,
        0x2CD8F,
        0x2CD90,
        0x2CD9F,
        0x2CDA0,
        0x2CDA8,
        0x2CDAD,
        0x2CDAE,
        0x2CDD5,
        0x2CE18,
        0x2CE1A,
        0x2CE23,
        0x2CE26,
        0x2CE2A,
        0x2CE7C,
        0x2CE88,
        0x2CE93,
    )
)
"""The 196 characters GB 18030-2022 adds at implementation level 2: those of the 通用规范汉字表
(2013) that lie outside the Basic Multilingual Plane (extensions B to E). Level 1 is the BMP set
(the unified ideographs and extension A); level 3 is every character of extensions B to F."""

# Python's own ``\U0002A6D6`` (eight digits) first, so its leading zeros are not read as a code.
_ESCAPE = re.compile(r"\\U([0-9A-Fa-f]{8})|(?:U\+|u\+|\\U|\\u)\{?([0-9A-Fa-f]{4,6})\}?")

MAX_CODE = 0x10FFFF


def expand_code_escapes(text: str, field: str = "姓名") -> str:
    """``text`` with every ``U+XXXX`` (4–6 hex digits, or ``\\U`` and 8) replaced by its character.

    A clerk whose input method lacks a rare character (生僻字) types its code point from the
    ID card's registration or a character table. A code that names no character (a surrogate,
    a value past U+10FFFF, an unassigned control) is refused with a message, never kept as text.
    """

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > MAX_CODE or 0xD800 <= code <= 0xDFFF or code < 0x20:
            raise UserError(
                f"{field}中的“{match.group(0)}”不是有效的字符编码；"
                "请按“U+”加4至6位十六进制数字输入，如 U+2A6D6",
                field=field,
            )
        return chr(code)

    return _ESCAPE.sub(replace, text)


def has_code_escape(text: str) -> bool:
    return _ESCAPE.search(text) is not None
