"""The reason proposed for transferring a case (督促不成): each clause only when the case shows it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhiqian_desktop.domain.transfer import propose_transfer_reason

TODAY = date(2026, 12, 30)


def reason(
    *,
    limit_end: date | None = None,
    urged: int = 0,
    due: str = "500.00",
    paid: str = "0.00",
    missed: list[tuple[int, date]] | None = None,
) -> str:
    return propose_transfer_reason(
        today=TODAY,
        limit_end=limit_end,
        urged=urged,
        amount_due=Decimal(due),
        amount_paid=Decimal(paid),
        missed=missed or [],
    )


def test_everything_the_case_shows_in_order() -> None:
    assert reason(
        limit_end=date(2026, 12, 21),
        urged=3,
        due="12000.00",
        paid="2000.00",
        missed=[(2, date(2026, 12, 15)), (3, date(2027, 1, 5))],
    ) == (
        "督促期限已于2026年12月21日届满，经督促3次，被申请人仅履行¥2,000.00，"
        "尚欠¥10,000.00未履行，和解协议第2期（2026年12月15日到期）逾期未付，"
        "和解协议第3期（2027年1月5日到期）逾期未付，督促不成。"
    )


def test_nothing_paid_and_nothing_else_recorded() -> None:
    assert reason() == "被申请人仍未履行，督促不成。"


@pytest.mark.parametrize(
    ("limit_end", "said"),
    [
        (None, False),
        (date(2026, 12, 29), True),  # ran out yesterday
        (TODAY, False),  # the last day counts whole (Civil Procedure Law art. 85)
        (date(2026, 12, 31), False),
    ],
)
def test_the_period_is_named_only_once_it_has_run_out(limit_end: date | None, said: bool) -> None:
    text = reason(limit_end=limit_end)
    assert ("届满" in text) is said
    if said:
        assert text.startswith("督促期限已于2026年12月29日届满，")


@pytest.mark.parametrize(("urged", "said"), [(0, ""), (1, "经督促1次，"), (12, "经督促12次，")])
def test_the_urging_is_counted(urged: int, said: str) -> None:
    assert reason(urged=urged) == f"{said}被申请人仍未履行，督促不成。"


@pytest.mark.parametrize(
    ("due", "paid", "said"),
    [
        ("500.00", "0.00", "被申请人仍未履行，"),
        ("500.00", "0.50", "被申请人仅履行¥0.50，尚欠¥499.50未履行，"),
        ("500.00", "1.00", "被申请人仅履行¥1.00，尚欠¥499.00未履行，"),
        ("500.00", "499.50", "被申请人仅履行¥499.50，尚欠¥0.50未履行，"),
        ("500.00", "499.00", "被申请人仅履行¥499.00，尚欠¥1.00未履行，"),
        ("500.00", "500.00", ""),  # paid in full: nothing to say of the money
        ("500.00", "500.50", ""),  # paid more than due
        ("500.00", "501.00", ""),
    ],
)
def test_the_money_clause(due: str, paid: str, said: str) -> None:
    assert reason(due=due, paid=paid) == f"{said}督促不成。"


def test_missed_instalments_with_plain_dates() -> None:
    assert reason(paid="100.00", due="100.00", missed=[(1, date(2027, 2, 8))]) == (
        "和解协议第1期（2027年2月8日到期）逾期未付，督促不成。"
    )
