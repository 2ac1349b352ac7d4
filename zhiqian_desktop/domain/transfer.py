"""The reason proposed for transferring a case to enforcement (督促不成), worked out from what the
case shows: the supervision period that ran out, the urging done, what is still unpaid and the
settlement instalments missed. The clerk reads it and may change it before confirming."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from zhiqian_desktop.domain.money import format_amount


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def propose_transfer_reason(
    *,
    today: date,
    limit_end: date | None,
    urged: int,
    amount_due: Decimal,
    amount_paid: Decimal,
    missed: Sequence[tuple[int, date]] = (),
) -> str:
    """``limit_end``: the end of the supervision period; ``urged``: the calls, visits and
    messages logged; ``missed``: (number, due date) of the settlement instalments unpaid."""
    parts: list[str] = []
    if limit_end is not None and limit_end < today:  # the last day counts whole (art. 85)
        parts.append(f"督促期限已于{_day(limit_end)}届满")
    if urged:
        parts.append(f"经督促{urged}次")
    outstanding = amount_due - amount_paid
    if amount_paid <= 0:
        parts.append("被申请人仍未履行")
    elif outstanding > 0:
        parts.append(
            f"被申请人仅履行{format_amount(amount_paid)}，尚欠{format_amount(outstanding)}未履行"
        )
    parts.extend(f"和解协议第{seq}期（{_day(due)}到期）逾期未付" for seq, due in missed)
    return "，".join([*parts, "督促不成。"])
