"""The holiday table in the database, and deadlines computed against it (art. 85)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhiqian_desktop.domain.calendar import (
    HolidayCalendar,
    PeriodEnd,
    official_calendar_rows,
    official_years,
    period_end_days,
)
from zhiqian_desktop.domain.errors import UserError
from zhiqian_desktop.services.core import audit
from zhiqian_desktop.services.core.actor import Actor
from zhiqian_desktop.services.core.transactions import reads, writes
from zhiqian_desktop.store.models import CalendarYear, HolidayDay

_CACHE_KEY = "zhiqian.holiday_calendar"


def seed_official_calendar(
    session: Session, actor: Actor, years: set[int] | None = None
) -> list[int]:
    """Fill the table from the chinesecalendar package for the years it covers and we lack."""
    have = set(session.scalars(select(CalendarYear.year)))
    wanted = (years or set(official_years())) - have
    for year in sorted(wanted):
        rows = official_calendar_rows(year)
        _write_year(session, actor, year, [(d, k, n) for d, k, n in rows], "chinesecalendar")
    return sorted(wanted)


@writes
def set_year(
    session: Session,
    actor: Actor,
    year: int,
    holidays: list[tuple[date, str | None]],
    workdays: list[date],
    source: str = "国务院办公厅通知（手工录入）",
) -> None:
    """Replace one year's table with what the administrator entered from the published notice."""
    actor.require_admin()
    for day, _name in holidays:
        if day.year != year:
            raise UserError(f"{day.isoformat()} 不属于{year}年；请检查日期")
    for day in workdays:
        if day.year != year:
            raise UserError(f"{day.isoformat()} 不属于{year}年；请检查日期")
        if day.weekday() < 5:
            raise UserError(f"调休上班日 {day.isoformat()} 不是周末；调休上班日只能是周六或周日")
    overlap = {d for d, _ in holidays} & set(workdays)
    if overlap:
        raise UserError(f"{min(overlap).isoformat()} 同时被列为节假日和调休上班日；请更正")
    rows = [(d, "holiday", n) for d, n in holidays] + [(d, "workday", None) for d in workdays]
    _write_year(session, actor, year, rows, source)


def _write_year(
    session: Session, actor: Actor, year: int, rows: list[tuple[date, str, str | None]], source: str
) -> None:
    session.info.pop(_CACHE_KEY, None)
    start, end = date(year, 1, 1), date(year, 12, 31)
    session.execute(delete(HolidayDay).where(HolidayDay.day.between(start, end)))
    session.execute(delete(CalendarYear).where(CalendarYear.year == year))
    session.flush()
    for day, kind, name in rows:
        session.add(HolidayDay(day=day, kind=kind, name=name))
    session.add(CalendarYear(year=year, source=source, entered_by=actor.username))
    session.flush()
    audit.record_event(
        session,
        actor,
        "set",
        "calendar_year",
        str(year),
        after={"year": year, "source": source, "days": len(rows)},
    )


def load_calendar(session: Session) -> HolidayCalendar:
    """The holiday table, read once per session (a batch of deadlines shares one copy)."""
    cached = session.info.get(_CACHE_KEY)
    if isinstance(cached, HolidayCalendar):
        return cached
    years = frozenset(session.scalars(select(CalendarYear.year)))
    rows = [(d, k) for d, k in session.execute(select(HolidayDay.day, HolidayDay.kind))]
    calendar = HolidayCalendar.from_days(rows, years)
    session.info[_CACHE_KEY] = calendar
    return calendar


@reads
def year_rows(session: Session, year: int) -> list[HolidayDay]:
    return list(
        session.scalars(
            select(HolidayDay)
            .where(HolidayDay.day.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(HolidayDay.day)
        )
    )


@reads
def missing_years(session: Session, today: date) -> list[int]:
    """This year and next year, where the table has no data yet (shown as a banner)."""
    have = set(session.scalars(select(CalendarYear.year)))
    return [y for y in (today.year, today.year + 1) if y not in have]


@reads
def deadline(session: Session, start: date, days: int) -> PeriodEnd:
    return period_end_days(start, days, load_calendar(session))


@reads
def calendar_source(session: Session, year: int) -> tuple[str, str | None] | None:
    """Where a year's holiday table came from and who entered it; None when the year is missing."""
    row = session.get(CalendarYear, year)
    return (row.source, row.entered_by) if row else None


@dataclass(frozen=True)
class CalendarYearView:
    """What the holiday tab shows for a year: its days, where they came from, and which of this
    year and next still have no data."""

    missing: list[int]
    rows: list[HolidayDay]
    source: tuple[str, str | None] | None


@reads
def calendar_year(session: Session, year: int, *, today: date) -> CalendarYearView:
    return CalendarYearView(
        missing_years(session, today), year_rows(session, year), calendar_source(session, year)
    )
