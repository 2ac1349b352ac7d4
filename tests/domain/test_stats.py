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
    COUNT_KEYS,
    FIGURES,
    GroupBy,
    Outcome,
    Period,
    archived_outcome,
    format_days,
    format_rate,
    mean,
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


# --- periods: both ends included --------------------------------------------------------------


def test_a_period_of_one_day() -> None:
    day = Period(date(2026, 11, 25), date(2026, 11, 25))
    assert day.days == 1 and day.label == "2026-11-25 至 2026-11-25"
    assert day.months() == [day]


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 2, 1), date(2026, 2, 28), 28),
        (date(2024, 2, 1), date(2024, 2, 29), 29),
        (date(2026, 1, 1), date(2026, 12, 31), 365),
        (date(2024, 1, 1), date(2024, 12, 31), 366),
        (date(2026, 11, 23), date(2026, 11, 29), 7),
    ],
)
def test_days_in_a_period_count_both_ends(start: date, end: date, days: int) -> None:
    assert Period(start, end).days == days


def test_the_label_names_both_ends() -> None:
    assert Period(date(2026, 1, 1), date(2026, 3, 31)).label == "2026-01-01 至 2026-03-31"


def test_months_of_a_period_ending_on_the_first_of_a_month() -> None:
    months = Period(date(2026, 1, 31), date(2026, 3, 1)).months()
    assert [(m.start, m.end) for m in months] == [
        (date(2026, 1, 31), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 1)),
    ]


def test_clipping_one_period_to_another() -> None:
    year = this_year(date(2026, 6, 1))
    assert year.clip(Period(date(2025, 12, 1), date(2026, 1, 31))) == Period(
        date(2026, 1, 1), date(2026, 1, 31)
    )
    assert year.clip(Period(date(2026, 12, 31), date(2027, 1, 5))) == Period(
        date(2026, 12, 31), date(2026, 12, 31)
    )
    assert year.clip(Period(date(2027, 1, 1), date(2027, 1, 5))) is None
    assert year.clip(year) == year


def test_a_period_ending_before_it_starts_is_refused_with_both_dates() -> None:
    with pytest.raises(UserError) as refused:
        Period(date(2026, 2, 1), date(2026, 1, 31))
    assert str(refused.value) == ("统计期间的结束日期2026-01-31早于开始日期2026-02-01；请重新选择")


# --- outcomes ---------------------------------------------------------------------------------


def test_outcome_labels() -> None:
    assert [o.label for o in Outcome] == [
        "自动履行",
        "和解",
        "督促不成/移送执行",
        "撤回/不宜督促",
        "在办",
    ]


@pytest.mark.parametrize(
    ("settlement_performed", "due", "paid", "outcome"),
    [
        (True, "0", "0", Outcome.SETTLED),
        (True, "100.00", "0", Outcome.SETTLED),
        (False, "100.00", "100.00", Outcome.PERFORMED),
        (False, "100.00", "120.00", Outcome.PERFORMED),
        (False, "0.50", "0.50", Outcome.PERFORMED),
        (False, "100.00", "99.99", Outcome.WITHDRAWN),
        (False, "0", "0", Outcome.WITHDRAWN),
        (False, "0", "5.00", Outcome.WITHDRAWN),
    ],
)
def test_the_outcome_an_archived_case_keeps(
    settlement_performed: bool, due: str, paid: str, outcome: Outcome
) -> None:
    kw = {"amount_due": Decimal(due), "amount_paid": Decimal(paid)}
    assert archived_outcome(settlement_performed=settlement_performed, **kw) is outcome
    assert (
        outcome_of(CaseStatus.ARCHIVED, settlement_performed=settlement_performed, **kw) is outcome
    )


def test_an_archived_case_without_amounts_counts_as_withdrawn() -> None:
    # Nothing owed and nothing paid unless the caller says so.
    assert outcome_of(CaseStatus.ARCHIVED, amount_paid=Decimal("5.00")) is Outcome.WITHDRAWN
    assert outcome_of(CaseStatus.ARCHIVED, amount_due=Decimal("1.00")) is Outcome.WITHDRAWN


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "count", "value"),
    [
        (10, 4, "2.50"),
        (5, 1, "5.00"),
        (1, 3, "0.33"),
        (2, 3, "0.67"),
        (1, 8, "0.13"),
        (0, 2, "0.00"),
    ],
)
def test_mean_in_two_decimals_rounded_half_up(total: int, count: int, value: str) -> None:
    assert mean(total, count) == Decimal(value)


def test_no_mean_without_cases() -> None:
    assert mean(0, 0) is None and mean(7, 0) is None
    assert format_days(None) == "—"
    assert format_days(Decimal("12.50")) == "12.50"


# --- the figures ------------------------------------------------------------------------------


def test_which_figures_are_counts_and_which_list_their_cases() -> None:
    assert COUNT_KEYS == (
        "cases",
        "performed",
        "settled",
        "transferred",
        "withdrawn",
        "pending",
        "closed",
        "open_at_end",
        "over_limit",
    )
    assert [f.key for f in FIGURES if not f.lists_cases] == ["resolution_rate", "performance_rate"]
    assert {f.key: f.kind for f in FIGURES if f.kind != "count"} == {
        "resolution_rate": "rate",
        "performance_rate": "rate",
        "amount_due": "money",
        "amount_received": "money",
        "avg_days": "days",
        "median_days": "days",
    }


def test_group_labels() -> None:
    assert [g.label for g in GroupBy] == [
        "月份",
        "承办人",
        "审判庭（移交部门）",
        "原审承办法官",
        "法庭/团队",
        "案由",
        "是否涉民生",
    ]
