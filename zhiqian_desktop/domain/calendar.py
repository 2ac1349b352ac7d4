"""Statutory rest days and the end of periods under Civil Procedure Law art. 85 (民诉法第85条)."""

from __future__ import annotations

import calendar as _gregorian
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from lunar_python import Lunar, Solar

from zhiqian_desktop.domain.errors import UserError

HOLIDAY = "holiday"
WORKDAY = "workday"
DAY_KINDS: frozenset[str] = frozenset({HOLIDAY, WORKDAY})


STATUTORY_RULES_FROM = 2025
"""《全国年节及纪念日放假办法》 as revised by the State Council on 2024-11-10 applies from 2025."""

STATUTORY_SOURCE = "按《全国年节及纪念日放假办法》推算的法定节日（国务院尚未公布该年放假安排）"


@functools.lru_cache(maxsize=256)
def statutory_holidays(year: int) -> tuple[tuple[date, str], ...]:
    """The holidays every citizen has under 《全国年节及纪念日放假办法》 art. 2 (2024 revision):
    元旦 1 day, 春节 4 days (除夕 to 正月初三), 清明 1 day (the solar term), 劳动节 2 days,
    端午 1 day, 中秋 1 day, 国庆 3 days — 13 days, known for every year.

    What only the State Council's annual notice sets — the 补假 for a holiday on a weekend
    (art. 6), the 调休 weekends worked and the days bridged — is not guessed: a year without its
    notice is counted with these days and weekends, and flagged.
    """
    if year < STATUTORY_RULES_FROM:
        raise ValueError(f"the 2024 revision applies from {STATUTORY_RULES_FROM}, not {year}")
    new_year = Lunar.fromYmd(year, 1, 1).getSolar()
    spring = date(new_year.getYear(), new_year.getMonth(), new_year.getDay())
    days: list[tuple[date, str]] = [(date(year, 1, 1), "元旦")]
    days += [(spring + timedelta(days=i), "春节") for i in range(-1, 3)]
    qingming = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    days.append((date(year, qingming.getMonth(), qingming.getDay()), "清明节"))
    days += [(date(year, 5, 1), "劳动节"), (date(year, 5, 2), "劳动节")]
    for month, day, name in ((5, 5, "端午节"), (8, 15, "中秋节")):
        solar = Lunar.fromYmd(year, month, day).getSolar()
        days.append((date(solar.getYear(), solar.getMonth(), solar.getDay()), name))
    days += [(date(year, 10, d), "国庆节") for d in (1, 2, 3)]
    return tuple(sorted(days))


@functools.lru_cache(maxsize=256)
def _statutory_days(year: int) -> frozenset[date]:
    if year < STATUTORY_RULES_FROM:
        return frozenset()
    return frozenset(d for d, _ in statutory_holidays(year))


@dataclass(frozen=True)
class HolidayCalendar:
    """The court's table of official holidays and adjusted working weekends (调休上班).

    ``holidays`` may fall on any day; ``workdays`` are weekend days worked in lieu; ``years`` are
    the years whose State Council notice has been entered. A year outside ``years`` is counted by
    weekends, the statutory holidays of 《全国年节及纪念日放假办法》 (from 2025) and whatever rows
    exist for it, and every result touching it is flagged provisional until its notice is entered.
    """

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]

    @classmethod
    def from_days(cls, rows: Iterable[tuple[date, str]], years: Iterable[int]) -> HolidayCalendar:
        holidays: set[date] = set()
        workdays: set[date] = set()
        for day, kind in rows:
            if kind == HOLIDAY:
                holidays.add(day)
            elif kind == WORKDAY:
                workdays.add(day)
            else:
                raise UserError(
                    f"节假日表中 {day.isoformat()} 的类型“{kind}”无法识别；"
                    f"应为 {HOLIDAY}（放假）或 {WORKDAY}（调休上班）"
                )
        both = holidays & workdays
        if both:
            first = min(both).isoformat()
            raise UserError(f"节假日表中 {first} 既登记为放假又登记为调休上班；请删去其中一条")
        return cls(frozenset(holidays), frozenset(workdays), frozenset(years))

    def is_rest_day(self, d: date) -> bool:
        if d in self.workdays:
            return False
        if d in self.holidays or d.weekday() >= 5:
            return True
        return d.year not in self.years and d in _statutory_days(d.year)

    def is_working_day(self, d: date) -> bool:
        return not self.is_rest_day(d)

    def has_year(self, year: int) -> bool:
        return year in self.years

    def next_working_day(self, d: date) -> date:
        """``d`` itself when it is a working day, else the first working day after it."""
        day = d
        try:
            while self.is_rest_day(day):
                day += timedelta(days=1)
        except OverflowError:
            raise UserError(f"{d.isoformat()} 之后已超出可计算的日期范围；请检查日期") from None
        return day


def official_years() -> frozenset[int]:
    """Years for which the ``chinesecalendar`` package has the State Council's notice."""
    known: Iterable[date] = chinese_calendar.holidays.keys()
    years = [d.year for d in known]
    return frozenset(range(min(years), max(years) + 1))


def _chinese_holiday_name(english: str) -> str:
    try:
        name: str = chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english
    return name


def official_calendar_rows(year: int) -> list[tuple[date, str, str]]:
    """Seed rows (date, "holiday"|"workday", 节日名) for one year, from ``chinesecalendar``.

    Every official holiday is returned, including those on weekends, so the table reads like
    the State Council's notice.
    """
    try:
        # The package's own range check: it raises rather than guessing a year it lacks.
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        raise UserError(
            f"内置节假日数据没有{year}年；请管理员按国务院办公厅公布的{year}年部分节假日安排"
            "通知手工录入放假日和调休上班日"
        ) from None
    holiday_table: dict[date, str] = chinese_calendar.holidays
    workday_table: dict[date, str] = chinese_calendar.workdays
    rows = [
        (d, HOLIDAY, _chinese_holiday_name(n)) for d, n in holiday_table.items() if d.year == year
    ]
    rows += [
        (d, WORKDAY, _chinese_holiday_name(n)) for d, n in workday_table.items() if d.year == year
    ]
    return sorted(rows)


@dataclass(frozen=True)
class PeriodEnd:
    """The last day of a period and how it was reached.

    ``rolled_from`` is the nominal last day when a rest day pushed the end forward.
    ``calendar_complete`` is False when a year between the nominal and final end lacks holiday
    data: the date was then found from weekends and the statutory holidays only (no 调休 or
    补假) and must be checked by a person.
    """

    start: date
    days: int | None
    months: int | None
    end: date
    rolled_from: date | None
    calendar_complete: bool


def _roll(
    start: date, days: int | None, months: int | None, nominal: date, cal: HolidayCalendar
) -> PeriodEnd:
    end = cal.next_working_day(nominal)
    complete = all(cal.has_year(y) for y in range(nominal.year, end.year + 1))
    return PeriodEnd(
        start=start,
        days=days,
        months=months,
        end=end,
        rolled_from=nominal if end != nominal else None,
        calendar_complete=complete,
    )


def _out_of_range(start: date) -> UserError:
    return UserError(f"自 {start.isoformat()} 起算的期间超出可计算的日期范围；请检查起算日和期间")


def period_end_days(start: date, days: int, cal: HolidayCalendar) -> PeriodEnd:
    """A period in days: the start day is not counted, so it nominally ends start + days."""
    if days < 1:
        raise UserError(f"期间天数“{days}”不正确；应为不小于1的整数", field="days")
    try:
        nominal = start + timedelta(days=days)
    except OverflowError:
        raise _out_of_range(start) from None
    return _roll(start, days, None, nominal, cal)


def add_months(start: date, months: int) -> date:
    """The corresponding date ``months`` later, or that month's last day when it has none."""
    index = start.year * 12 + start.month - 1 + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise _out_of_range(start)
    month = month0 + 1
    day = min(start.day, _gregorian.monthrange(year, month)[1])
    return date(year, month, day)


def period_end_months(start: date, months: int, cal: HolidayCalendar) -> PeriodEnd:
    """A period of ``months`` months ends on the corresponding date, rolled past rest days."""
    if months < 1:
        raise UserError(f"期间月数“{months}”不正确；应为不小于1的整数", field="months")
    return _roll(start, None, months, add_months(start, months), cal)


def period_end_years(start: date, years: int, cal: HolidayCalendar) -> PeriodEnd:
    """A period in years is twelve months per year, so 29 February ends on 28 February."""
    if years < 1:
        raise UserError(f"期间年数“{years}”不正确；应为不小于1的整数", field="years")
    months = years * 12
    return _roll(start, None, months, add_months(start, months), cal)


_DIGITS = "〇一二三四五六七八九"


def _chinese_small_number(n: int) -> str:
    """1–31 as written in dates: 十, 十一, 二十, 二十二, 三十一."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGITS[units]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[units] if units else "")


def chinese_date(d: date) -> str:
    """The date as printed on court documents, e.g. 二〇二六年十一月二十二日."""
    year = "".join(_DIGITS[int(c)] for c in f"{d.year:04d}")
    return f"{year}年{_chinese_small_number(d.month)}月{_chinese_small_number(d.day)}日"
