"""Holiday table and art. 85 periods, on the real 2024–2026 State Council tables."""

from __future__ import annotations

import calendar as gregorian
import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhiqian_desktop.domain.calendar import (
    HolidayCalendar,
    PeriodEnd,
    add_months,
    chinese_date,
    official_calendar_rows,
    official_years,
    period_end_days,
    period_end_months,
    period_end_years,
    statutory_holidays,
)
from zhiqian_desktop.domain.errors import UserError


def _official_calendar() -> HolidayCalendar:
    years = official_years()
    rows = [(d, kind) for y in sorted(years) for d, kind, _name in official_calendar_rows(y)]
    return HolidayCalendar.from_days(rows, years)


OFFICIAL = _official_calendar()
WEEKENDS_ONLY = HolidayCalendar(frozenset(), frozenset(), frozenset())


# --- the seed data -------------------------------------------------------------------------


def test_official_years_cover_2024_to_2026_but_not_2030() -> None:
    years = official_years()
    assert {2024, 2025, 2026} <= years
    assert 2030 not in years
    assert years == frozenset(range(min(years), max(years) + 1))


def test_official_rows_2025_national_day() -> None:
    rows = official_calendar_rows(2025)
    assert rows == sorted(rows)
    by_date = {d: (kind, name) for d, kind, name in rows}
    for day in range(1, 9):
        assert by_date[date(2025, 10, day)][0] == "holiday"
    assert by_date[date(2025, 10, 1)] == ("holiday", "国庆节")
    assert by_date[date(2025, 10, 6)] == ("holiday", "中秋")
    assert by_date[date(2025, 9, 28)] == ("workday", "国庆节")
    assert by_date[date(2025, 10, 11)] == ("workday", "国庆节")
    assert by_date[date(2025, 1, 28)] == ("holiday", "春节")
    assert by_date[date(2025, 1, 1)] == ("holiday", "元旦")
    assert date(2025, 10, 9) not in by_date
    assert all(d.year == 2025 for d, _, _ in rows)


def test_official_rows_2026_workdays_are_weekend_days() -> None:
    workdays = [d for d, kind, _ in official_calendar_rows(2026) if kind == "workday"]
    assert workdays == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]
    assert all(d.weekday() >= 5 for d in workdays)


def test_official_rows_for_missing_year_tell_admin_to_enter_by_hand() -> None:
    with pytest.raises(UserError) as info:
        official_calendar_rows(2030)
    assert "2030" in str(info.value)
    assert "手工录入" in str(info.value)
    assert "国务院" in str(info.value)


# --- HolidayCalendar ---------------------------------------------------------------------


def test_rest_and_working_days() -> None:
    assert OFFICIAL.is_rest_day(date(2025, 10, 1))  # Wednesday, National Day
    assert OFFICIAL.is_rest_day(date(2025, 10, 8))  # Wednesday, in lieu
    assert OFFICIAL.is_working_day(date(2025, 10, 9))  # Thursday
    assert OFFICIAL.is_working_day(date(2025, 10, 11))  # Saturday worked in lieu
    assert OFFICIAL.is_working_day(date(2026, 1, 4))  # Sunday worked in lieu
    assert OFFICIAL.is_rest_day(date(2025, 11, 15))  # ordinary Saturday
    assert OFFICIAL.is_rest_day(date(2025, 11, 16))  # ordinary Sunday
    assert OFFICIAL.is_working_day(date(2025, 11, 17))  # ordinary Monday


def test_next_working_day() -> None:
    assert OFFICIAL.next_working_day(date(2025, 11, 17)) == date(2025, 11, 17)
    assert OFFICIAL.next_working_day(date(2025, 11, 15)) == date(2025, 11, 17)
    assert OFFICIAL.next_working_day(date(2025, 10, 1)) == date(2025, 10, 9)
    assert OFFICIAL.next_working_day(date(2026, 2, 15)) == date(2026, 2, 24)
    assert OFFICIAL.next_working_day(date(2026, 1, 1)) == date(2026, 1, 4)


def test_next_working_day_at_end_of_calendar() -> None:
    assert WEEKENDS_ONLY.next_working_day(date(9999, 12, 31)) == date(9999, 12, 31)  # Friday
    with pytest.raises(UserError):
        HolidayCalendar(frozenset({date(9999, 12, 31)}), frozenset(), frozenset()).next_working_day(
            date(9999, 12, 31)
        )


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 25), True),  # an ordinary Wednesday
        (date(2026, 11, 28), False),  # an ordinary Saturday
        (date(2026, 11, 29), False),  # an ordinary Sunday
        (date(2026, 10, 1), False),  # National Day on a Thursday
        (date(2026, 10, 3), False),  # a holiday that is a Saturday anyway
        (date(2026, 10, 8), True),  # the Thursday after the holiday
        (date(2026, 9, 20), True),  # a Sunday worked in lieu
        (date(2026, 10, 10), True),  # a Saturday worked in lieu
        (date(2026, 2, 23), False),  # the last day of the Spring Festival, a Monday
        (date(2030, 1, 1), False),  # 元旦 of a year without its notice: a statutory holiday
        (date(2030, 1, 2), True),  # the Wednesday after it
        (date(2030, 1, 5), False),  # a Saturday of that year
    ],
)
def test_working_days_of_every_kind(day: date, working: bool) -> None:
    assert OFFICIAL.is_working_day(day) is working
    assert OFFICIAL.is_rest_day(day) is not working


def test_the_years_with_official_data_and_their_bounds() -> None:
    years = official_years()
    first, last = min(years), max(years)
    assert years == frozenset(range(first, last + 1))
    for year in (first, last):
        rows = official_calendar_rows(year)
        assert rows and {d.year for d, _, _ in rows} == {year}
        assert {kind for _, kind, _ in rows} == {"holiday", "workday"}
    for year in (first - 1, last + 1):
        with pytest.raises(UserError, match=f"内置节假日数据没有{year}年"):
            official_calendar_rows(year)


def test_has_year() -> None:
    assert OFFICIAL.has_year(2025)
    assert not OFFICIAL.has_year(2030)


def test_from_days() -> None:
    cal = HolidayCalendar.from_days(
        [(date(2030, 1, 1), "holiday"), (date(2030, 1, 5), "workday")], [2030]
    )
    assert cal == HolidayCalendar(
        frozenset({date(2030, 1, 1)}), frozenset({date(2030, 1, 5)}), frozenset({2030})
    )
    assert cal.is_rest_day(date(2030, 1, 1))
    assert cal.is_working_day(date(2030, 1, 5))


def test_from_days_rejects_unknown_kind() -> None:
    with pytest.raises(UserError, match=r"2030-01-01.*假期"):
        HolidayCalendar.from_days([(date(2030, 1, 1), "假期")], [2030])


def test_from_days_rejects_a_day_both_holiday_and_workday() -> None:
    with pytest.raises(UserError, match="2030-01-01"):
        HolidayCalendar.from_days(
            [(date(2030, 1, 1), "holiday"), (date(2030, 1, 1), "workday")], [2030]
        )


# --- periods in days ---------------------------------------------------------------------


def test_period_ending_on_national_day_2025_rolls_to_october_9() -> None:
    assert period_end_days(date(2025, 9, 16), 15, OFFICIAL) == PeriodEnd(
        start=date(2025, 9, 16),
        days=15,
        months=None,
        end=date(2025, 10, 9),
        rolled_from=date(2025, 10, 1),
        calendar_complete=True,
    )


def test_period_ending_on_adjusted_working_saturday_does_not_roll() -> None:
    result = period_end_days(date(2025, 9, 26), 15, OFFICIAL)
    assert date(2025, 10, 11).weekday() == 5
    assert result.end == date(2025, 10, 11)
    assert result.rolled_from is None
    assert result.calendar_complete


def test_period_ending_on_adjusted_working_saturday_before_spring_festival_2026() -> None:
    result = period_end_days(date(2026, 1, 30), 15, OFFICIAL)
    assert (result.end, result.rolled_from) == (date(2026, 2, 14), None)


def test_period_ending_in_spring_festival_2026() -> None:
    result = period_end_days(date(2026, 1, 31), 15, OFFICIAL)
    assert result.end == date(2026, 2, 24)
    assert result.rolled_from == date(2026, 2, 15)
    assert result.calendar_complete


def test_period_ending_on_new_year_2026_rolls_to_adjusted_working_sunday() -> None:
    result = period_end_days(date(2025, 12, 17), 15, OFFICIAL)
    assert (result.end, result.rolled_from) == (date(2026, 1, 4), date(2026, 1, 1))


def test_period_ending_on_ordinary_weekend_rolls_to_monday() -> None:
    result = period_end_days(date(2025, 10, 31), 15, OFFICIAL)
    assert (result.end, result.rolled_from) == (date(2025, 11, 17), date(2025, 11, 15))


def test_period_ending_on_working_day_is_start_plus_days() -> None:
    result = period_end_days(date(2024, 2, 29), 15, OFFICIAL)
    assert (result.end, result.rolled_from, result.calendar_complete) == (
        date(2024, 3, 15),
        None,
        True,
    )


def test_period_of_one_day() -> None:
    assert period_end_days(date(2025, 11, 17), 1, OFFICIAL).end == date(2025, 11, 18)
    assert period_end_days(date(2025, 11, 14), 1, OFFICIAL).end == date(2025, 11, 17)


def test_period_in_2024_labour_day() -> None:
    # 2024-05-01..05 off, Saturday 2024-05-11 worked in lieu.
    assert period_end_days(date(2024, 4, 16), 15, OFFICIAL).end == date(2024, 5, 6)
    assert period_end_days(date(2024, 4, 26), 15, OFFICIAL).end == date(2024, 5, 11)


def test_period_in_year_without_data_uses_statutory_holidays_and_weekends_and_is_flagged() -> None:
    working = period_end_days(date(2029, 12, 17), 15, OFFICIAL)
    # 2030-01-01 is 元旦 by statute although no notice for 2030 is in the table.
    assert (working.end, working.rolled_from) == (date(2030, 1, 2), date(2030, 1, 1))
    assert not working.calendar_complete
    weekend = period_end_days(date(2029, 12, 21), 15, OFFICIAL)
    assert (weekend.end, weekend.rolled_from) == (date(2030, 1, 7), date(2030, 1, 5))
    assert not weekend.calendar_complete


def test_roll_into_a_year_without_data_is_flagged() -> None:
    cal = HolidayCalendar.from_days([(date(2026, 12, 31), "holiday")], [2026])
    result = period_end_days(date(2026, 12, 16), 15, cal)
    # 2027-01-01 (Friday) is 元旦 by statute, then the weekend.
    assert (result.end, result.rolled_from) == (date(2027, 1, 4), date(2026, 12, 31))
    assert not result.calendar_complete
    inside = period_end_days(date(2026, 12, 11), 15, cal)
    assert (inside.end, inside.rolled_from, inside.calendar_complete) == (
        date(2026, 12, 28),
        date(2026, 12, 26),
        True,
    )


def test_partial_rows_for_a_year_without_data_are_used_but_flagged() -> None:
    cal = HolidayCalendar.from_days([(date(2030, 1, 1), "holiday")], [2029])
    result = period_end_days(date(2029, 12, 17), 15, cal)
    assert (result.end, result.rolled_from, result.calendar_complete) == (
        date(2030, 1, 2),
        date(2030, 1, 1),
        False,
    )


@pytest.mark.parametrize("days", [0, -1, -15])
def test_days_must_be_positive(days: int) -> None:
    with pytest.raises(UserError, match="不小于1") as info:
        period_end_days(date(2025, 1, 1), days, OFFICIAL)
    assert info.value.field == "days"


def test_days_beyond_date_range() -> None:
    with pytest.raises(UserError, match="超出"):
        period_end_days(date(9999, 12, 1), 100, OFFICIAL)


# --- periods in months and years ---------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "nominal"),
    [
        (date(2025, 1, 15), 1, date(2025, 2, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 1, 30), 1, date(2025, 2, 28)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 5, 31), 12, date(2026, 5, 31)),
        (date(2025, 12, 5), 1, date(2026, 1, 5)),
        (date(2025, 12, 5), 25, date(2028, 1, 5)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
    ],
)
def test_add_months(start: date, months: int, nominal: date) -> None:
    assert add_months(start, months) == nominal


def test_month_period_ending_on_adjusted_working_saturday_feb_28_2026() -> None:
    result = period_end_months(date(2026, 1, 31), 1, OFFICIAL)
    assert result == PeriodEnd(date(2026, 1, 31), None, 1, date(2026, 2, 28), None, True)


def test_month_period_ending_in_national_day_rolls() -> None:
    result = period_end_months(date(2025, 9, 1), 1, OFFICIAL)
    assert (result.end, result.rolled_from) == (date(2025, 10, 9), date(2025, 10, 1))


def test_month_period_ending_on_last_day_of_february_weekend_rolls() -> None:
    # 2027-02-28 is a Sunday and 2027 has no data.
    result = period_end_months(date(2026, 8, 31), 6, OFFICIAL)
    assert (result.end, result.rolled_from, result.calendar_complete) == (
        date(2027, 3, 1),
        date(2027, 2, 28),
        False,
    )


def test_month_period_into_spring_festival() -> None:
    result = period_end_months(date(2025, 12, 15), 2, OFFICIAL)
    assert (result.end, result.rolled_from) == (date(2026, 2, 24), date(2026, 2, 15))


def test_year_period_from_leap_day() -> None:
    result = period_end_years(date(2024, 2, 29), 1, OFFICIAL)
    assert result == PeriodEnd(date(2024, 2, 29), None, 12, date(2025, 2, 28), None, True)


def test_year_period_ending_on_national_day() -> None:
    result = period_end_years(date(2025, 10, 1), 1, OFFICIAL)
    assert (result.end, result.rolled_from, result.months) == (
        date(2026, 10, 8),
        date(2026, 10, 1),
        12,
    )


def test_two_year_period_into_incomplete_year() -> None:
    result = period_end_years(date(2026, 3, 2), 2, OFFICIAL)
    assert (result.end, result.rolled_from, result.calendar_complete) == (
        date(2028, 3, 2),
        None,
        False,
    )


def test_months_and_years_must_be_positive() -> None:
    with pytest.raises(UserError) as months:
        period_end_months(date(2025, 1, 1), 0, OFFICIAL)
    assert months.value.field == "months"
    with pytest.raises(UserError) as years:
        period_end_years(date(2025, 1, 1), 0, OFFICIAL)
    assert years.value.field == "years"


def test_months_beyond_date_range() -> None:
    with pytest.raises(UserError, match="超出"):
        period_end_months(date(9999, 6, 1), 12, OFFICIAL)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(9999, 11, 30), 1, date(9999, 12, 30)),  # the last month a date can be in
        (date(9998, 12, 31), 12, date(9999, 12, 31)),
        (date(1, 2, 28), -1, date(1, 1, 28)),  # the first
        (date(2, 1, 31), -12, date(1, 1, 31)),
    ],
)
def test_months_up_to_the_first_and_last_year_of_the_calendar(
    start: date, months: int, end: date
) -> None:
    assert add_months(start, months) == end


@pytest.mark.parametrize(
    ("start", "months"),
    [(date(9999, 12, 1), 1), (date(9999, 1, 31), 12), (date(1, 1, 31), -1), (date(1, 12, 1), -12)],
)
def test_months_beyond_the_first_or_last_year_are_a_clear_error(start: date, months: int) -> None:
    with pytest.raises(UserError, match=f"自 {start.isoformat()} 起算的期间超出可计算的日期范围"):
        add_months(start, months)


# --- Chinese dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 11, 22), "二〇二六年十一月二十二日"),
        (date(2025, 1, 1), "二〇二五年一月一日"),
        (date(2020, 10, 10), "二〇二〇年十月十日"),
        (date(2031, 12, 31), "二〇三一年十二月三十一日"),
        (date(2026, 2, 20), "二〇二六年二月二十日"),
        (date(2024, 3, 30), "二〇二四年三月三十日"),
        (date(2019, 7, 19), "二〇一九年七月十九日"),
        (date(2000, 9, 9), "二〇〇〇年九月九日"),
    ],
)
def test_chinese_date(day: date, text: str) -> None:
    assert chinese_date(day) == text


_NUMERALS = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def _read_small(text: str) -> int:
    if "十" not in text:
        return _NUMERALS[text]
    tens, _, units = text.partition("十")
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[units] if units else 0)


def test_chinese_date_reads_back_for_every_day_of_a_leap_year() -> None:
    day = date(2024, 1, 1)
    while day.year == 2024:
        text = chinese_date(day)
        year, rest = text.split("年")
        month, rest = rest.split("月")
        assert rest.endswith("日")
        assert int("".join(str(_NUMERALS[c]) for c in year)) == 2024
        assert (_read_small(month), _read_small(rest[:-1])) == (day.month, day.day)
        assert "一十" not in text and "〇日" not in text
        day += timedelta(days=1)


# --- properties --------------------------------------------------------------------------

official_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 6, 30))


def _check_roll(result: PeriodEnd, nominal: date, cal: HolidayCalendar) -> None:
    assert result.end >= nominal
    assert (result.rolled_from is None) == (result.end == nominal)
    if result.rolled_from is not None:
        assert result.rolled_from == nominal
        assert cal.is_rest_day(nominal)
    assert cal.is_working_day(result.end)
    day = nominal + timedelta(days=1)
    while day < result.end:
        assert cal.is_rest_day(day)
        day += timedelta(days=1)
    if nominal.year == result.end.year and nominal.year in cal.years:
        assert result.calendar_complete


@given(start=official_dates, days=st.integers(1, 180))
@settings(max_examples=400)
def test_day_periods_on_the_official_table(start: date, days: int) -> None:
    result = period_end_days(start, days, OFFICIAL)
    nominal = start + timedelta(days=days)
    assert (result.start, result.days, result.months) == (start, days, None)
    _check_roll(result, nominal, OFFICIAL)
    assert result.calendar_complete
    assert OFFICIAL.is_working_day(result.end)
    # Roll only over rest days: a holiday run in the official table is never longer than 9 days.
    assert (result.end - nominal).days <= 9


@given(start=official_dates, months=st.integers(1, 6))
@settings(max_examples=300)
def test_month_periods_on_the_official_table(start: date, months: int) -> None:
    result = period_end_months(start, months, OFFICIAL)
    nominal = add_months(start, months)
    assert (result.start, result.days, result.months) == (start, None, months)
    _check_roll(result, nominal, OFFICIAL)
    assert result.calendar_complete


any_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
calendars = st.builds(
    lambda holidays, workdays, years: HolidayCalendar(
        frozenset(holidays), frozenset(workdays - holidays), frozenset(years)
    ),
    st.sets(st.dates(min_value=date(2020, 1, 1), max_value=date(2036, 12, 31)), max_size=60),
    st.sets(st.dates(min_value=date(2020, 1, 1), max_value=date(2036, 12, 31)), max_size=20),
    st.sets(st.integers(2019, 2037), max_size=18),
)


@given(start=any_dates, days=st.integers(1, 400), cal=calendars)
@settings(max_examples=300)
def test_day_periods_on_any_table(start: date, days: int, cal: HolidayCalendar) -> None:
    result = period_end_days(start, days, cal)
    nominal = start + timedelta(days=days)
    _check_roll(result, nominal, cal)
    assert result.calendar_complete == all(
        y in cal.years for y in range(nominal.year, result.end.year + 1)
    )


@given(start=any_dates, months=st.integers(1, 120))
@settings(max_examples=300)
def test_add_months_keeps_the_day_or_takes_the_month_end(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    last = gregorian.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last)


@given(start=any_dates, years=st.integers(1, 5), cal=calendars)
@settings(max_examples=200)
def test_year_periods_equal_twelve_month_periods(
    start: date, years: int, cal: HolidayCalendar
) -> None:
    by_years = period_end_years(start, years, cal)
    by_months = period_end_months(start, 12 * years, cal)
    assert by_years == by_months
    nominal = add_months(start, 12 * years)
    assert nominal.month == start.month
    _check_roll(by_years, nominal, cal)


# --- statutory holidays of years without a notice (《全国年节及纪念日放假办法》, 2024 revision) ---


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_days_are_among_the_published_holidays_of_2025_and_2026(year: int) -> None:
    """The State Council's arrangements for 2025 and 2026 were made under the 2024 revision:
    every statutory day is a holiday in them (they add 补假 and bridge days, never drop one)."""
    published = {d for d, kind, _ in official_calendar_rows(year) if kind == "holiday"}
    statutory = statutory_holidays(year)
    assert len(statutory) == 13
    assert {d for d, _ in statutory} <= published


# Checked against the published lunar calendar (万年历): 春节, 清明, 端午, 中秋 of years to come.
KNOWN = {
    2027: (date(2027, 2, 6), date(2027, 4, 5), date(2027, 6, 9), date(2027, 9, 15)),
    2028: (date(2028, 1, 26), date(2028, 4, 4), date(2028, 5, 28), date(2028, 10, 3)),
    2029: (date(2029, 2, 13), date(2029, 4, 4), date(2029, 6, 16), date(2029, 9, 22)),
    2030: (date(2030, 2, 3), date(2030, 4, 5), date(2030, 6, 5), date(2030, 9, 12)),
}


@pytest.mark.parametrize("year", sorted(KNOWN))
def test_lunar_and_solar_term_holidays_of_years_to_come(year: int) -> None:
    spring, qingming, duanwu, zhongqiu = KNOWN[year]
    days = statutory_holidays(year)
    named = {n: sorted(d for d, m in days if m == n) for _, n in days}
    assert named["春节"] == [spring + timedelta(days=i) for i in range(-1, 3)]  # 除夕 to 初三
    assert named["清明节"] == [qingming]
    assert named["端午节"] == [duanwu] and named["中秋节"] == [zhongqiu]
    assert named["元旦"] == [date(year, 1, 1)]
    assert named["劳动节"] == [date(year, 5, 1), date(year, 5, 2)]
    assert named["国庆节"] == [date(year, 10, d) for d in (1, 2, 3)]


@pytest.mark.parametrize("year", range(2025, 2101))
def test_every_year_has_thirteen_statutory_days_in_their_seasons(year: int) -> None:
    days = statutory_holidays(year)
    assert len(days) == 13 and all(d.year == year for d, _ in days)
    # 中秋 can fall in 国庆 (2028-10-03): the day is one rest day, however many names it has.
    assert len({d for d, _ in days}) >= 12
    by = {n: [d for d, m in days if m == n] for _, n in days}
    spring = by["春节"]
    assert date(year, 1, 20) <= spring[0] <= date(year, 2, 19)
    assert [b - a for a, b in itertools.pairwise(spring)] == [timedelta(days=1)] * 3
    assert date(year, 4, 4) <= by["清明节"][0] <= date(year, 4, 6)
    assert date(year, 5, 27) <= by["端午节"][0] <= date(year, 6, 25)
    assert date(year, 9, 7) <= by["中秋节"][0] <= date(year, 10, 8)


def test_a_year_with_its_notice_entered_uses_the_notice_not_the_statute() -> None:
    # A notice that (hypothetically) moved 元旦's rest to 2 January is followed as entered.
    entered = HolidayCalendar.from_days([(date(2030, 1, 2), "holiday")], [2030])
    assert not entered.is_rest_day(date(2030, 1, 1))
    assert entered.is_rest_day(date(2030, 1, 2))
    provisional = HolidayCalendar.from_days([], [])
    assert provisional.is_rest_day(date(2030, 1, 1)) and not provisional.is_rest_day(
        date(2030, 1, 2)
    )


def test_years_before_the_2024_revision_have_no_statutory_guess() -> None:
    with pytest.raises(ValueError):
        statutory_holidays(2024)
    assert not WEEKENDS_ONLY.is_rest_day(date(2024, 1, 1))  # Monday; 2024 is a published year


def test_the_statutory_guess_starts_with_2025() -> None:
    # The 2024 revision applies from 2025: 元旦 2025 (a Wednesday) is a rest day even in a table
    # that has no notice for 2025; 元旦 2024 (a Monday) is guessed at nothing.
    bare = HolidayCalendar.from_days([], [])
    assert bare.is_rest_day(date(2025, 1, 1)) and bare.is_working_day(date(2025, 1, 2))
    assert bare.is_working_day(date(2024, 1, 1))
