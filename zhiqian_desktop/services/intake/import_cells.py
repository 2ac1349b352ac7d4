"""One cell of a hand-over list as clerks write it: dates in any of the usual forms, amounts with
or without separators, text with stray spaces and full-width digits."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.money import parse_amount

# --- reading the sheet ---------------------------------------------------------------------------

_FULL_WIDTH = str.maketrans("０１２３４５６７８９－．／：　", "0123456789-./: ")
_DATE_FORMS = (
    re.compile(
        r"(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
    ),
    re.compile(r"(?P<y>\d{4})年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
)
DATE_HINT = "2026-01-05、2026/1/5、2026.1.5 或 2026年1月5日"


def parse_date_cell(value: Any) -> date | None:
    """A date cell, or a date typed as text in the usual Chinese forms; None when empty."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise UserError(f"“{value}”不是日期；请填写如 {DATE_HINT}")
    if isinstance(value, int | float):
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            value = str(int(value))
        else:
            raise UserError(
                f"单元格是数字 {value:g}，不是日期；请将单元格格式设为日期，或写作如 {DATE_HINT}"
            )
    text = str(value).translate(_FULL_WIDTH).strip()
    if not text:
        return None
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise UserError(f"“{value}”不是有效日期；请核对月份和日") from None
    raise UserError(f"日期“{value}”无法识别；请填写如 {DATE_HINT}")


def parse_amount_cell(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise UserError(f"“{value}”不是金额")
    if isinstance(value, int):
        return parse_amount(str(value))
    if isinstance(value, float):
        # repr gives the shortest text that reads back as the same float: 12345.67, not 12345.6699…
        text = repr(value)
        if "e" in text or "E" in text:
            try:
                text = format(Decimal(text), "f")
            except InvalidOperation:
                raise UserError(f"金额“{value}”无法识别") from None
        return parse_amount(text)
    if isinstance(value, date | datetime):
        raise UserError(f"金额列中是日期“{value}”；请填写金额，如 12345.67")
    text = str(value).strip()
    return parse_amount(text) if text else None


def cell_text(value: Any) -> str:
    """A cell shown or used as text: numbers without a spurious .0, dates as yyyy-mm-dd."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def normalise_original_case_no(text: str) -> str:
    """（2026）内0221民初1号 whether typed with half- or full-width parentheses, spaces dropped."""
    return "".join(text.split()).replace("(", "（").replace(")", "）")


def normalise_header(text: str) -> str:
    value = "".join(cell_text(text).split()).strip("*＊")
    return re.sub(r"[（(][^）)]*[）)]$", "", value)
