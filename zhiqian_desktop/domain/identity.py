"""Checks on the numbers that identify parties: resident ID, unified social credit code, phone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from zhiqian_desktop.domain.errors import UserError

# Chinese input methods type full-width forms (Ｘ, １, －, （）); FF01–FF5E map onto ASCII.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}

# GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"
MIN_BIRTH_DATE = date(1900, 1, 1)

# GB 32100-2015: 31 characters, no I, O, S, V, Z (too easily confused with digits).
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _normalise(text: str) -> str:
    """Full-width to ASCII and no whitespace anywhere: numbers are often pasted with spaces."""
    return "".join(text.translate(_FULL_WIDTH).split())


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    sex: str


def resident_id_check_char(first17: str) -> str:
    """The 18th character of a resident ID for the given 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def parse_resident_id(text: str, today: date | None = None) -> ResidentId:
    """Check an 18-character resident ID (公民身份号码) and read the birth date and sex from it."""
    number = _normalise(text).replace("x", "X")
    shown = text.strip()
    if len(number) != 18:
        raise UserError(
            f"身份证号码“{shown}”长度为{len(number)}位；应为18位，请核对是否漏输或多输",
            field="id_number",
        )
    if not (number[:17].isdigit() and number[:17].isascii()) or number[17] not in "0123456789X":
        raise UserError(
            f"身份证号码“{shown}”含有不允许的字符；前17位应为数字，最后一位为数字或X",
            field="id_number",
        )
    if number[0] not in "12345678":
        raise UserError(
            f"身份证号码“{shown}”的地区码不正确；第1位应为1至8",
            field="id_number",
        )
    birth_text = number[6:14]
    try:
        birth = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:]))
    except ValueError:
        raise UserError(
            f"身份证号码“{shown}”中的出生日期“{birth_text}”不是有效日期；请核对第7至14位",
            field="id_number",
        ) from None
    limit = today if today is not None else date.today()
    if birth < MIN_BIRTH_DATE or birth > limit:
        raise UserError(
            f"身份证号码“{shown}”中的出生日期“{birth_text}”不合理"
            f"（应在1900年1月1日至今天之间）；请核对第7至14位",
            field="id_number",
        )
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise UserError(
            f"身份证号码“{shown}”校验位不符：最后一位应为{expected}，"
            f"而不是{number[17]}；请核对是否有数字输错",
            field="id_number",
        )
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return ResidentId(number=number, birth_date=birth, sex=sex)


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code for the given 17 characters."""
    total = sum(
        CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(text: str) -> str:
    """Check a unified social credit code (统一社会信用代码) and return it in upper case."""
    code = _normalise(text).upper()
    shown = text.strip()
    if len(code) != 18:
        raise UserError(
            f"统一社会信用代码“{shown}”长度为{len(code)}位；应为18位",
            field="credit_code",
        )
    bad = sorted({c for c in code if c not in CREDIT_CODE_CHARS})
    if bad:
        raise UserError(
            f"统一社会信用代码“{shown}”含有不允许的字符“{''.join(bad)}”；"
            "只能由数字和除I、O、S、V、Z以外的大写字母组成",
            field="credit_code",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise UserError(
            f"统一社会信用代码“{shown}”校验位不符：最后一位应为{expected}，"
            f"而不是{code[17]}；请核对是否有字符输错",
            field="credit_code",
        )
    return code


_MOBILE_RE = re.compile(r"(?:\+86|0086|86)?(1[3-9]\d{9})", re.ASCII)
_EXTENSION = r"(?:(?:-|转)(?P<ext>\d{1,6}))?"
_LANDLINE_SEPARATED_RE = re.compile(
    r"(?:\((?P<area1>0\d{2,3})\)|(?P<area2>0\d{2,3})-)(?P<local>\d{7,8})" + _EXTENSION, re.ASCII
)
# Without a separator the area code length is known: 010 and 02x have three digits, others four.
_LANDLINE_PLAIN_RE = re.compile(
    r"(?P<area>0[12]\d|0[3-9]\d{2})(?P<local>\d{7,8})" + _EXTENSION, re.ASCII
)


def validate_phone(text: str) -> str:
    """A mainland mobile (returned as 11 digits) or landline (returned as 0471-1234567[转801])."""
    compact = _normalise(text)
    mobile = _MOBILE_RE.fullmatch(compact.replace("-", ""))
    if mobile is not None:
        return mobile[1]
    match = _LANDLINE_SEPARATED_RE.fullmatch(compact) or _LANDLINE_PLAIN_RE.fullmatch(compact)
    if match is not None:
        groups = match.groupdict()
        area = groups.get("area") or groups.get("area1") or groups.get("area2")
        result = f"{area}-{match['local']}"
        if match["ext"]:
            result += f"转{match['ext']}"
        return result
    raise UserError(
        f"电话号码“{text.strip()}”格式不正确；手机号应为11位（如 13800138000），"
        "固定电话应带区号（如 0471-1234567，分机可写作 0471-1234567转801）",
        field="phone",
    )


def mask_id_number(text: str) -> str:
    """Keep the first 6 and last 4 characters for printed lists, e.g. 150221********1234."""
    value = _normalise(text)
    if len(value) <= 10:
        # Too short to keep 10 characters visible without showing nearly all of it.
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
