"""The definitions behind the statistics: rates, the median, periods and outcome buckets."""

from __future__ import annotations

import statistics
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.domain.stats import (
    FIGURES,
    Outcome,
    Period,
    format_rate,
    median,
    median_of_counts,
    month_period,
    outcome_of,
    performance_rate,
    rate,
    resolution_rate,
    this_month,
    this_week,
    this_year,
)
from zhiqian_desktop.domain.workflow import CaseStatus


def test_rates_are_percent_with_two_decimals_and_none_without_cases() -> None:
    assert resolution_rate(2, 1, 7) == Decimal("42.86")
    assert performance_rate(2, 3) == Decimal("66.67")
    assert rate(1, 8) == Decimal("12.50")
    assert rate(1, 200) == Decimal("0.50")
    assert rate(1, 400) == Decimal("0.25")
    assert rate(1, 800) == Decimal("0.13")  # 0.125 rounds half up
    assert resolution_rate(0, 0, 0) is None
    assert format_rate(None) == "—"
    assert format_rate(Decimal("42.86")) == "42.86%"


@given(st.integers(0, 10_000), st.integers(1, 10_000))
def test_rate_is_the_exact_quotient_rounded(num: int, den: int) -> None:
    value = rate(num, den)
    assert value is not None
    assert abs(value - Decimal(num) * 100 / Decimal(den)) <= Decimal("0.005")
    assert value.as_tuple().exponent == -2


def test_median_of_odd_and_even_counts() -> None:
    assert median([]) is None
    assert median([5]) == Decimal("5.00")
    assert median([2, 6, 14, 29]) == Decimal("10.00")
    assert median([1, 2]) == Decimal("1.50")
    assert median_of_counts({3: 2, 10: 1}) == Decimal("3.00")


@given(st.lists(st.integers(0, 3000), min_size=1, max_size=60))
def test_median_matches_statistics(values: list[int]) -> None:
    assert median(values) == Decimal(str(statistics.median(values))).quantize(Decimal("0.01"))


def test_periods() -> None:
    assert this_week(date(2026, 11, 25)) == Period(date(2026, 11, 23), date(2026, 11, 29))
    assert this_month(date(2026, 2, 10)) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert this_year(date(2026, 5, 1)) == Period(date(2026, 1, 1), date(2026, 12, 31))
    months = Period(date(2026, 1, 15), date(2026, 3, 10)).months()
    assert [(m.start, m.end) for m in months] == [
        (date(2026, 1, 15), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 10)),
    ]
    assert month_period("2024-02").end == date(2024, 2, 29)
    with pytest.raises(UserError):
        Period(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(UserError):
        month_period("2026-13")


def test_every_status_has_an_outcome_and_settlement_default_is_not_settled() -> None:
    for status in CaseStatus:
        assert isinstance(outcome_of(status), Outcome)
    assert outcome_of(CaseStatus.SETTLED) is Outcome.SETTLED
    assert outcome_of(CaseStatus.SETTLEMENT_PERFORMED) is Outcome.SETTLED
    assert outcome_of(CaseStatus.FAILED) is Outcome.TRANSFERRED  # a settlement that failed
    assert outcome_of(CaseStatus.SUPERVISING) is Outcome.PENDING  # a reopened case
    assert outcome_of(CaseStatus.ARCHIVED, settlement_performed=True) is Outcome.SETTLED
    assert (
        outcome_of(CaseStatus.ARCHIVED, amount_due=Decimal(5), amount_paid=Decimal(5))
        is Outcome.PERFORMED
    )
    assert outcome_of(CaseStatus.ARCHIVED) is Outcome.WITHDRAWN


def test_every_figure_has_a_chinese_definition() -> None:
    keys = [f.key for f in FIGURES]
    assert len(keys) == len(set(keys))
    for f in FIGURES:
        assert f.label and len(f.definition) > 10
