"""Money: Decimal yuan in code, integer fen in the database, ¥ figures and capitals on paper."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from zhiqian_desktop.domain.errors import UserError

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
"""The largest amount a clerk may enter (just under one trillion yuan)."""

CAPITAL_LIMIT = Decimal(10) ** 16
"""Capital numerals are written up to 仟万亿; sums of many cases may exceed MAX_AMOUNT."""

ACCEPTED_FORM = "12345.67、12,345.67 或 ¥12,345.67（单位元，最多两位小数）"

_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，＋－　", "0123456789.,+- ", "")
_AMOUNT_RE = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<decimals>\d+))?", re.ASCII)


def _check_cents(amount: Decimal, what: str) -> None:
    if not amount.is_finite():
        raise UserError(f"{what}“{amount}”不是有效数字；请填写如 {ACCEPTED_FORM} 的金额")
    try:
        exact = amount == amount.quantize(CENT, rounding=ROUND_DOWN)
    except InvalidOperation:
        raise UserError(f"{what}“{amount}”过大；请检查是否多输了数字") from None
    if not exact:
        raise UserError(f"{what}“{amount}”超过两位小数；金额只能精确到分，请改为如 12345.67")


def to_fen(amount: Decimal) -> int:
    """Exact conversion to fen for storage; never rounds."""
    _check_cents(amount, "金额")
    if amount < 0:
        raise UserError(f"金额“{amount}”为负数；请填写不小于0的金额")
    if amount > MAX_AMOUNT:
        raise UserError(f"金额“{amount}”过大；不能超过 {format_amount(MAX_AMOUNT)}")
    return int(amount * 100)


def from_fen(fen: int) -> Decimal:
    """Stored fen back to yuan, always with two decimal places (negative fen are kept)."""
    return Decimal(fen).scaleb(-2)


def parse_amount(text: str) -> Decimal:
    """Read an amount as a clerk types it: 12,345.67 / ¥12345 / 12345元 / full-width digits."""
    value = text.translate(_FULL_WIDTH).strip()
    if value.startswith(("¥", "￥")):
        value = value[1:].strip()
    if value.endswith("元"):
        value = value[:-1].strip()
    if not value:
        raise UserError(f"金额“{text}”为空；请填写如 {ACCEPTED_FORM} 的金额", field="amount")
    if value.startswith("-"):
        raise UserError(
            f"金额“{text}”为负数；请填写不小于0的金额，如 {ACCEPTED_FORM}", field="amount"
        )
    match = _AMOUNT_RE.fullmatch(value)
    if match is None:
        raise UserError(f"金额“{text}”无法识别；请填写如 {ACCEPTED_FORM} 的金额", field="amount")
    decimals = match["decimals"]
    if decimals is not None and len(decimals) > 2:
        raise UserError(
            f"金额“{text}”超过两位小数；金额只能精确到分，如 {ACCEPTED_FORM}", field="amount"
        )
    amount: Decimal | None
    try:
        amount = Decimal(value.replace(",", "")).quantize(CENT)
    except InvalidOperation:
        # The pattern matched, so only the length fails: more digits than Decimal holds.
        amount = None
    if amount is None or amount > MAX_AMOUNT:
        raise UserError(
            f"金额“{text}”过大；不能超过 {format_amount(MAX_AMOUNT)}，请检查是否多输了数字",
            field="amount",
        )
    return amount


def format_amount(amount: Decimal) -> str:
    """¥12,345.67 — with a minus sign before ¥ for a negative balance."""
    _check_cents(amount, "金额")
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount).quantize(CENT):,}"


_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")


def _capital_below_10000(n: int) -> str:
    """A 4-digit group; inner zeros become one 零, trailing zeros nothing, 10 is 壹拾."""
    out: list[str] = []
    pending_zero = False
    for position in range(3, -1, -1):
        digit = n // 10**position % 10
        if digit == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_CAPITAL_DIGITS[digit] + _SMALL_UNITS[position])
    return "".join(out)


def _capital_integer(n: int) -> str:
    """Yuan in capital numerals for 1 <= n < 10**16, e.g. 100010000 → 壹亿零壹万."""
    if n < 10**4:
        return _capital_below_10000(n)
    if n < 10**8:
        high, low, unit, lead = n // 10**4, n % 10**4, "万", 10**3
        head = _capital_below_10000(high)
    else:
        high, low, unit, lead = n // 10**8, n % 10**8, "亿", 10**7
        head = _capital_integer(high)
    if low == 0:
        return head + unit
    # A zero digit right after the unit is shown by one 零 whatever the length of the run.
    return head + unit + ("零" if low < lead else "") + _capital_integer(low)


def capital_amount(amount: Decimal) -> str:
    """人民币 capital numerals per the PBoC rules (正确填写票据和结算凭证的基本规定).

    Choices where the rules allow two forms:
    - 整 is written after 元 and after 角, never after 分.
    - When the yuan part is non-zero and its units digit is 0 and 角/分 follow, one 零 is
      written after 元 (¥1,680.32 → 壹仟陆佰捌拾元零叁角贰分); when 角 is 0 and 分 is not, 零
      is always written after 元 (¥1.05 → 壹元零伍分).
    - A zero 万 or 亿 digit followed by a non-zero thousands digit is not written as 零
      (¥107,000.53 → 壹拾万柒仟元零伍角叁分).
    """
    _check_cents(amount, "金额")
    if amount < 0:
        raise UserError(f"金额“{amount}”为负数；大写金额只能用于不小于0的金额")
    if amount >= CAPITAL_LIMIT:
        raise UserError(f"金额“{amount}”过大；大写金额最多写到仟万亿位")
    fen_total = int(amount * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if fen_total == 0:
        return "人民币零元整"
    parts = ["人民币"]
    if yuan:
        parts.append(_capital_integer(yuan) + "元")
        if cents and (yuan % 10 == 0 or jiao == 0):
            parts.append("零")
    if jiao:
        parts.append(_CAPITAL_DIGITS[jiao] + "角")
    if fen:
        parts.append(_CAPITAL_DIGITS[fen] + "分")
    else:
        parts.append("整")
    return "".join(parts)
